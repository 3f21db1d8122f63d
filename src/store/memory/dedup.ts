/**
 * In-memory notice de-duplication with expiry (SET NX EX semantics), swept lazily.
 *
 * Ids are kept in insertion order, and an id set again is deleted first so it moves to the end: with one
 * TTL (the notice config's) insertion order is expiry order, and a sweep stops at the first id that has
 * not expired — it costs what it removes, not the size of the map (a full scan every minute made a
 * simulated day quadratic in its notices). With mixed TTLs a short-lived id behind a long-lived one waits
 * for it; that costs memory for a while, never a wrong answer (`firstSeen` compares expiries itself).
 */
import type { DedupStore } from '../ports.js';

export class MemoryDedupStore implements DedupStore {
  readonly #seen = new Map<string, number>();
  #nextSweep = 0;

  async firstSeen(id: string, ttlSeconds: number, nowMs: number): Promise<boolean> {
    if (nowMs >= this.#nextSweep) this.#sweep(nowMs);
    const exp = this.#seen.get(id);
    if (exp !== undefined && exp > nowMs) return false;
    if (exp !== undefined) this.#seen.delete(id);
    this.#seen.set(id, nowMs + ttlSeconds * 1000);
    return true;
  }

  /** Ids held (expired ones included until a sweep reaches them). */
  get size(): number {
    return this.#seen.size;
  }

  #sweep(nowMs: number): void {
    for (const [id, exp] of this.#seen) {
      if (exp > nowMs) break;
      this.#seen.delete(id);
    }
    this.#nextSweep = nowMs + 60_000;
  }
}
