/**
 * Reach per campaign × channel × day in process memory, as HyperLogLog sketches (hyperloglog.ts). Days older
 * than the reach keep time behind the newest day seen are dropped.
 */
import { kReachTtlMs, type ReachEntry, type ReachStore } from '../ports.js';
import { HyperLogLog } from './hyperloglog.js';

export class MemoryReachStore implements ReachStore {
  /** `campaign\0channel\0day` → sketch. */
  readonly #sketches = new Map<string, HyperLogLog>();
  #newestDay = '';

  async add(entries: readonly ReachEntry[]): Promise<void> {
    for (const e of entries) {
      const key = `${e.campaignId}\u0000${e.channelId}\u0000${e.day}`;
      let h = this.#sketches.get(key);
      if (h === undefined) this.#sketches.set(key, (h = new HyperLogLog()));
      h.add(e.personId);
      if (e.day > this.#newestDay) this.#forgetBefore((this.#newestDay = e.day));
    }
  }

  async count(
    campaignId: string,
    day: string,
    channels: readonly string[],
  ): Promise<{ perChannel: ReadonlyMap<string, number>; union: number }> {
    const perChannel = new Map<string, number>();
    const union = new HyperLogLog();
    for (const ch of channels) {
      const h = this.#sketches.get(`${campaignId}\u0000${ch}\u0000${day}`);
      perChannel.set(ch, h?.count() ?? 0);
      if (h !== undefined) union.merge(h);
    }
    return { perChannel, union: union.count() };
  }

  #forgetBefore(day: string): void {
    const oldest = new Date(Date.parse(`${day}T00:00:00Z`) - kReachTtlMs).toISOString().slice(0, 10);
    for (const key of this.#sketches.keys())
      if (key.slice(key.lastIndexOf('\u0000') + 1) < oldest) this.#sketches.delete(key);
  }
}
