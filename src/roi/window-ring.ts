/**
 * A sliding window of a few counters as a ring of fixed time buckets. Each slot remembers which bucket
 * (`floor(t / bucketMs)`) it holds, so a stale slot is recognised and reset when time comes round to it,
 * and old buckets fall out of the sum without any timer:
 *
 *     bucket index  …  97   98   99  100  101        now = bucket 101, buckets = 4
 *     slot             1    2    3    0    1         window = buckets 98…101 (101 partial)
 *                      ↑ overwritten by 101
 *
 * Times come from the caller (`nowMs`), so virtual time works. An add older than the window is dropped.
 */

/** Counters kept per bucket. */
export const kSpend = 0;
export const kClicks = 1;
export const kConversions = 2;
export const kConversionValue = 3;
export const kFields = 4;

export class WindowRing {
  readonly bucketMs: number;
  readonly buckets: number;
  /** `buckets × kFields` counters, slot-major. */
  readonly #sums: Float64Array;
  /** The bucket index each slot holds; -1 = never used. */
  readonly #epochs: Float64Array;

  constructor(bucketMs: number, buckets: number) {
    if (!(bucketMs > 0) || !Number.isInteger(buckets) || buckets < 1)
      throw new RangeError(`bad window ring ${bucketMs} ms × ${buckets}`);
    this.bucketMs = bucketMs;
    this.buckets = buckets;
    this.#sums = new Float64Array(buckets * kFields);
    this.#epochs = new Float64Array(buckets).fill(-1);
  }

  /** The window's length: `buckets × bucketMs` (the current bucket counts from its start). */
  get spanMs(): number {
    return this.bucketMs * this.buckets;
  }

  add(field: number, amount: number, nowMs: number): void {
    const idx = Math.floor(nowMs / this.bucketMs);
    const slot = idx % this.buckets;
    const held = this.#epochs[slot]!;
    if (held > idx) return; // older than the window: its slot already holds a later bucket
    if (held !== idx) {
      this.#sums.fill(0, slot * kFields, slot * kFields + kFields);
      this.#epochs[slot] = idx;
    }
    this.#sums[slot * kFields + field]! += amount;
  }

  /** Adds the window's totals at `nowMs` into `out` (length ≥ kFields). */
  totals(nowMs: number, out: Float64Array): Float64Array {
    const idx = Math.floor(nowMs / this.bucketMs);
    const oldest = idx - this.buckets;
    for (let slot = 0; slot < this.buckets; slot++) {
      const e = this.#epochs[slot]!;
      if (e <= oldest || e > idx) continue;
      for (let f = 0; f < kFields; f++) out[f]! += this.#sums[slot * kFields + f]!;
    }
    return out;
  }
}
