/** In-memory notice de-duplication with expiry (SET NX EX semantics), swept lazily as it grows. */
import type { DedupStore } from '../ports.js';

export class MemoryDedupStore implements DedupStore {
  readonly #seen = new Map<string, number>();
  #nextSweep = 0;

  async firstSeen(id: string, ttlSeconds: number, nowMs: number): Promise<boolean> {
    if (nowMs >= this.#nextSweep) this.#sweep(nowMs);
    const exp = this.#seen.get(id);
    if (exp !== undefined && exp > nowMs) return false;
    this.#seen.set(id, nowMs + ttlSeconds * 1000);
    return true;
  }

  #sweep(nowMs: number): void {
    for (const [id, exp] of this.#seen) if (exp <= nowMs) this.#seen.delete(id);
    this.#nextSweep = nowMs + 60_000;
  }
}
