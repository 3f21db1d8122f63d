/**
 * One instance's view of one campaign × channel × day budget: the lease it holds from the store, the bids
 * it has reserved against that lease and not yet seen settled, and the spend it knows of.
 *
 *   lease (taken from the store, expires) ──┬── reserved: bids in flight, by issue-time bucket
 *                                           └── available = lease − reserved
 *
 * Reservations live in a ring of time buckets rather than per bid, so reserving is two additions and no
 * allocation; a bucket older than the notice window is dropped whole (its bids were lost or their notices
 * went to another instance, which settles against our lease in the store).
 */
import type { BudgetKey } from '../store/ports.js';

const kBuckets = 64;

export class BudgetAccount {
  readonly key: BudgetKey;
  /** Today's cap on this key (micros). It moves during the day: floating pool, exploration hand-back. */
  capMicros: number;
  /** When the cap is next recomputed (the gate does it every few seconds, not per bid). */
  capDueAtMs = 0;
  readonly bucketMs: number;
  /** Lease balance held from the store. */
  leaseMicros = 0;
  leaseExpiresAtMs = 0;
  reservedMicros = 0;
  /** Global spend as of the last lease take, plus what this instance settled since. */
  spentMicros = 0;
  /** The lease request in flight, if any. */
  pending: Promise<void> | undefined = undefined;
  /** No refill before this time (after the store said the budget is gone). */
  nextRefillAtMs = 0;
  /** Spend-rate estimate (micros/s), for lease sizing. */
  rateMicrosPerSec = 0;
  readonly #ring = new Float64Array(kBuckets);
  readonly #stamps = new Float64Array(kBuckets).fill(-1);
  /**
   * The `oldest` bucket the last sweep dropped everything below. Every live stamp is at least this (a
   * reservation older than it resets it), so a sweep with no newer `oldest` has nothing to drop: the scan
   * of the ring then runs once per bucket period, not on every `available` (twice per candidate bid).
   */
  #sweptBelow = -Infinity;

  constructor(key: BudgetKey, capMicros: number, noticeWindowMs: number) {
    this.key = key;
    this.capMicros = capMicros;
    this.bucketMs = Math.max(1, Math.ceil(noticeWindowMs / (kBuckets - 2)));
  }

  available(nowMs: number): number {
    this.expire(nowMs);
    if (nowMs >= this.leaseExpiresAtMs) return 0;
    return this.leaseMicros - this.reservedMicros;
  }

  reserve(costMicros: number, nowMs: number): void {
    const stamp = Math.floor(nowMs / this.bucketMs);
    const slot = stamp % kBuckets;
    if (stamp < this.#sweptBelow) this.#sweptBelow = -Infinity;
    if (this.#stamps[slot] !== stamp) {
      this.reservedMicros -= this.#ring[slot]!;
      this.#ring[slot] = 0;
      this.#stamps[slot] = stamp;
    }
    this.#ring[slot]! += costMicros;
    this.reservedMicros += costMicros;
  }

  /** A notice for a bid this instance reserved: free the reservation, charge the real spend. */
  settle(issuedAtMs: number, reservedMicros: number, spentMicros: number, nowMs: number): void {
    const stamp = Math.floor(issuedAtMs / this.bucketMs);
    const slot = stamp % kBuckets;
    if (this.#stamps[slot] === stamp) {
      const release = Math.min(reservedMicros, this.#ring[slot]!);
      this.#ring[slot]! -= release;
      this.reservedMicros -= release;
    }
    if (nowMs < this.leaseExpiresAtMs) this.leaseMicros = Math.max(0, this.leaseMicros - spentMicros);
    this.spentMicros += spentMicros;
  }

  /** Drops reservation buckets older than the notice window. */
  expire(nowMs: number): void {
    const oldest = Math.floor(nowMs / this.bucketMs) - (kBuckets - 2);
    if (oldest > this.#sweptBelow) this.#sweep(oldest);
    if (this.reservedMicros < 1e-6) this.reservedMicros = 0;
  }

  #sweep(oldest: number): void {
    this.#sweptBelow = oldest;
    for (let i = 0; i < kBuckets; i++) {
      const s = this.#stamps[i]!;
      if (s >= 0 && s < oldest) {
        this.reservedMicros -= this.#ring[i]!;
        this.#ring[i] = 0;
        this.#stamps[i] = -1;
      }
    }
  }
}
