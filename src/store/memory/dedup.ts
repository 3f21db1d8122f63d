/**
 * In-memory notice de-duplication with expiry (SET NX EX semantics), swept lazily as it grows: a sweep
 * runs at most once a minute and only once the map has doubled since the last one, so its cost stays
 * proportional to the entries added (a sweep of millions of unexpired entries every minute dominated a
 * simulated day) and the map holds at most about twice the live entries.
 */
import type { DedupStore } from '../ports.js';

const kMinSweepSize = 1024;

export class MemoryDedupStore implements DedupStore {
  readonly #seen = new Map<string, number>();
  #nextSweep = 0;
  #sweepAtSize = kMinSweepSize;

  async firstSeen(id: string, ttlSeconds: number, nowMs: number): Promise<boolean> {
    if (nowMs >= this.#nextSweep && this.#seen.size >= this.#sweepAtSize) this.#sweep(nowMs);
    const exp = this.#seen.get(id);
    if (exp !== undefined && exp > nowMs) return false;
    this.#seen.set(id, nowMs + ttlSeconds * 1000);
    return true;
  }

  #sweep(nowMs: number): void {
    for (const [id, exp] of this.#seen) if (exp <= nowMs) this.#seen.delete(id);
    this.#nextSweep = nowMs + 60_000;
    this.#sweepAtSize = Math.max(kMinSweepSize, 2 * this.#seen.size);
  }
}
