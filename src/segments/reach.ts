/**
 * Duplicate reach: of the people this instance has matched recently, how many reached us through more than
 * one channel (the same person bought twice, on two exchanges — what cross-channel frequency caps and
 * budget allocation need to know).
 *
 * Cheap by design: one bitmask of channels per person (channels are a small closed set from config; the
 * 31st and later share the last bit) in a bounded LRU Map, updated on the matched lookups the bid path
 * already does. It is a local, recent view (per instance, bounded by `maxPeople`), not a fleet-wide count;
 * a fleet-wide figure would need a write per lookup (a Redis SET or HyperLogLog per channel), which the bid
 * path should not pay for a report.
 */
import { OldestKey } from '../oldest-key.js';

export interface ReachSnapshot {
  /** People currently tracked (matched recently on some channel). */
  readonly people: number;
  /** Of those, people seen on two or more channels. */
  readonly multiChannel: number;
}

const kMaxBits = 31;

export class ReachTracker {
  readonly #max: number;
  readonly #people = new Map<string, number>();
  readonly #oldest = new OldestKey(this.#people);
  readonly #bits = new Map<string, number>();
  #multi = 0;

  constructor(maxPeople: number) {
    this.#max = Math.max(0, maxPeople);
  }

  note(personId: string, channelId: string): void {
    if (this.#max === 0) return;
    const bit = this.#bit(channelId);
    const mask = this.#people.get(personId);
    if (mask === undefined) {
      this.#people.set(personId, bit);
      if (this.#people.size > this.#max) this.#evictOldest();
      return;
    }
    const next = mask | bit;
    if (next !== mask && isSingleBit(mask)) this.#multi++;
    // Re-insert: recently matched people stay, the long unseen are evicted first.
    this.#people.delete(personId);
    this.#people.set(personId, next);
  }

  snapshot(): ReachSnapshot {
    return { people: this.#people.size, multiChannel: this.#multi };
  }

  #bit(channelId: string): number {
    let bit = this.#bits.get(channelId);
    if (bit === undefined) {
      bit = 1 << Math.min(this.#bits.size, kMaxBits - 1);
      this.#bits.set(channelId, bit);
    }
    return bit;
  }

  #evictOldest(): void {
    const oldest = this.#oldest.take()!;
    if (!isSingleBit(this.#people.get(oldest)!)) this.#multi--;
    this.#people.delete(oldest);
  }
}

function isSingleBit(mask: number): boolean {
  return (mask & (mask - 1)) === 0;
}
