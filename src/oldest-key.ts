/**
 * The oldest key of a Map kept in recency order (an LRU: touched keys are deleted and re-set at the end),
 * in amortised constant time. `map.keys().next()` looks simple but is not: V8 leaves a deleted entry as a
 * hole until the table is rebuilt, so after many evictions from the front each new iterator walks every hole
 * first — 6–7 µs per eviction at 10,000 entries, paid on every cache miss of the profile cache. A cursor kept
 * between calls skips each hole once. It is valid because keys only ever join at the end and every key the
 * cursor yields is evicted at once by the caller: no live key can sit behind the cursor.
 */
export class OldestKey<K> {
  readonly #map: Map<K, unknown>;
  #cursor: Iterator<K> | undefined;

  constructor(map: Map<K, unknown>) {
    this.#map = map;
  }

  /** The oldest key (the caller deletes it), or undefined when the map is empty. */
  take(): K | undefined {
    let r = this.#cursor?.next();
    // A finished iterator stays finished even when keys are added later: start a new one.
    if (r === undefined || r.done === true) {
      this.#cursor = this.#map.keys();
      r = this.#cursor.next();
    }
    return r.done === true ? undefined : r.value;
  }

  /** After `map.clear()`: start over from the first key. */
  reset(): void {
    this.#cursor = undefined;
  }
}
