/**
 * A bounded LRU of decoded consent strings. Decoding a TCF or GPP string costs tens of microseconds; the
 * same few strings recur across millions of requests, so a hit is one Map lookup.
 */
import { OldestKey } from '../oldest-key.js';

export class ConsentCache {
  readonly #max: number;
  readonly #map = new Map<string, unknown>();
  readonly #oldest = new OldestKey(this.#map);

  constructor(max = 10_000) {
    this.#max = max;
  }

  get<T>(key: string, decode: () => T): T {
    const hit = this.#map.get(key);
    if (hit !== undefined) return hit as T;
    const value = decode();
    if (this.#map.size >= this.#max) {
      const oldest = this.#oldest.take();
      if (oldest !== undefined) this.#map.delete(oldest);
    }
    this.#map.set(key, value);
    return value;
  }

  get size(): number {
    return this.#map.size;
  }
}
