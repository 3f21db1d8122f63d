/**
 * A small in-process cache of identity edges (id → person, or "unknown"), so a user seen again within the
 * TTL skips the id-resolution round trip and the lookup is one round trip (segments + frequency).
 *
 * A Map is the LRU: a hit re-inserts the entry at the end, eviction takes the first (oldest) key.
 * Expiry uses the caller's `nowMs` (the injected clock), never the wall clock. An entry never outlives the
 * edge's own expiry, and "unknown" entries get a shorter TTL so freshly loaded users appear quickly.
 */
import { OldestKey } from '../../oldest-key.js';
import type { IdKey } from '../ports.js';

interface Entry {
  /** The person, or null for an id Redis did not know. */
  readonly person: string | null;
  readonly expiresAt: number;
}

export class IdCache {
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #negativeTtlMs: number;
  readonly #map = new Map<IdKey, Entry>();
  readonly #oldest = new OldestKey(this.#map);

  constructor(maxEntries: number, ttlMs: number, negativeTtlMs: number) {
    this.#max = maxEntries;
    this.#ttlMs = ttlMs;
    this.#negativeTtlMs = negativeTtlMs;
  }

  get size(): number {
    return this.#map.size;
  }

  /**
   * The person for `ids` (first id in order that maps to one) when the cache can answer alone: a person,
   * null when every id is cached as unknown, undefined when Redis must be asked.
   */
  resolve(ids: readonly IdKey[], nowMs: number): string | null | undefined {
    if (this.#max === 0) return undefined;
    for (const id of ids) {
      const e = this.#map.get(id);
      if (e === undefined) return undefined;
      if (e.expiresAt <= nowMs) {
        this.#map.delete(id);
        return undefined;
      }
      this.#map.delete(id);
      this.#map.set(id, e);
      if (e.person !== null) return e.person;
    }
    return null;
  }

  /** Records what Redis said about an id; `edgeExpiresAt` is the edge's own logical expiry. */
  put(id: IdKey, person: string | null, edgeExpiresAt: number, nowMs: number): void {
    if (this.#max === 0) return;
    const expiresAt = person === null ? nowMs + this.#negativeTtlMs : Math.min(edgeExpiresAt, nowMs + this.#ttlMs);
    this.#map.delete(id);
    this.#map.set(id, { person, expiresAt });
    if (this.#map.size > this.#max) this.#map.delete(this.#oldest.take()!);
  }

  clear(): void {
    this.#map.clear();
    this.#oldest.reset();
  }
}
