/**
 * The bid path's user lookup: one store round trip, never past the request deadline, never rejecting.
 * A small LRU with a short TTL absorbs hot users (the same person in many concurrent auctions); a timeout
 * or store error yields "no profile" with the reason, and the request carries on without personal data.
 * Recent failures mark the source unhealthy for /readyz; it recovers by itself when lookups succeed again.
 */
import type { Clock } from '../clock.js';
import type { LookupOutcome } from '../metrics/labels.js';
import type { IdKey, Profile, ProfileStore } from '../store/ports.js';

export interface LookupResult {
  readonly profile: Profile | undefined;
  readonly outcome: LookupOutcome;
}

export interface ProfileLookupOptions {
  readonly timeoutMs: number;
  readonly cacheSize: number;
  readonly cacheTtlMs: number;
}

interface Cached {
  readonly profile: Profile | undefined;
  readonly expiresAt: number;
}

const kNoIds: LookupResult = Object.freeze({ profile: undefined, outcome: 'no_ids' });
const kTimeout: LookupResult = Object.freeze({ profile: undefined, outcome: 'timeout' });
const kError: LookupResult = Object.freeze({ profile: undefined, outcome: 'error' });
const kUnknown: LookupResult = Object.freeze({ profile: undefined, outcome: 'unknown' });

export class ProfileLookup {
  readonly #store: ProfileStore;
  readonly #clock: Clock;
  readonly #opts: ProfileLookupOptions;
  /** Insertion-ordered Map as an LRU: a hit is re-inserted, the oldest key is evicted first. */
  readonly #cache = new Map<IdKey, Cached>();
  #failures = 0;
  #lastFailureAt = -Infinity;

  constructor(store: ProfileStore, clock: Clock, opts: ProfileLookupOptions) {
    this.#store = store;
    this.#clock = clock;
    this.#opts = opts;
  }

  lookup(ids: readonly IdKey[], deadlineMs: number): Promise<LookupResult> {
    if (ids.length === 0) return Promise.resolve(kNoIds);
    const now = this.#clock.now();
    const key = ids[0]!;
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      if (hit.expiresAt > now) {
        this.#cache.delete(key);
        this.#cache.set(key, hit);
        return Promise.resolve(hit.profile === undefined ? kUnknown : { profile: hit.profile, outcome: 'cache' });
      }
      this.#cache.delete(key);
    }
    const budget = Math.min(this.#opts.timeoutMs, deadlineMs - now);
    if (budget <= 0) return Promise.resolve(kTimeout);
    return new Promise<LookupResult>((resolve) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        this.#fail(now);
        resolve(kTimeout);
      }, budget);
      this.#store.lookup(ids, now).then(
        (profile) => {
          if (done) return;
          clearTimeout(timer);
          this.#failures = 0;
          this.#remember(key, profile, now);
          resolve(profile === undefined ? kUnknown : { profile, outcome: 'hit' });
        },
        () => {
          if (done) return;
          clearTimeout(timer);
          this.#fail(now);
          resolve(kError);
        },
      );
    });
  }

  /** The person was just counted (an impression): forget the cached copy so caps see the new count. */
  invalidate(ids: readonly IdKey[]): void {
    for (const id of ids) this.#cache.delete(id);
  }

  /** Healthy unless several lookups failed in the last few seconds. */
  healthy(): boolean {
    return this.#failures < 5 || this.#clock.now() - this.#lastFailureAt > 5_000;
  }

  #fail(now: number): void {
    this.#failures++;
    this.#lastFailureAt = now;
  }

  #remember(key: IdKey, profile: Profile | undefined, now: number): void {
    if (this.#cache.size >= this.#opts.cacheSize) {
      const oldest = this.#cache.keys().next();
      if (oldest.done !== true) this.#cache.delete(oldest.value);
    }
    this.#cache.set(key, { profile, expiresAt: now + this.#opts.cacheTtlMs });
  }
}
