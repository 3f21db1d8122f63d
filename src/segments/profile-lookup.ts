/**
 * The bid path's view of people: one profile lookup per request that never waits past
 * min(now + timeoutMs, deadline) and never rejects — a slow or failing store yields "no profile" with the
 * reason, and the auction carries on without personal data.
 *
 *   ids ─▶ profile cache (LRU, short TTL) ─▶ breaker open? ─▶ in-flight call for the same ids? ─▶ store
 *
 * - Hot users are absorbed by the cache (profile-cache.ts) and by sharing one store call among concurrent
 *   lookups of the same ids.
 * - A breaker stops sending lookups to a store that keeps failing (errors, or answers slower than the
 *   timeout): after `breakAfter` consecutive failed store calls, lookups return `skipped` at once, with
 *   one probe let through every `probeEveryMs`; the first success closes it. `healthy()` reports it, and
 *   `probe()` (called by /readyz) sends a probe without traffic: an instance taken out of rotation because
 *   the breaker was open gets no lookups to close it with, and would otherwise stay out for good.
 * - Counters for the app to export: identity match rate (lookups whose ids are linked to a person /
 *   lookups with ids) and duplicate reach (reach.ts).
 *
 * Outcomes: `hit`/`cache` for a person linked in the identity graph; `unknown` for an implicit person (no id
 * linked: the store still returns a profile keyed by the first id, so frequency caps count new users) —
 * `unknown` results carry that profile.
 */
import type { Clock } from '../clock.js';
import type { FrequencyWindow, IdKey, Profile, ProfileStore } from '../store/ports.js';
import { channelOf } from './ids.js';
import { ProfileCache } from './profile-cache.js';
import { ReachTracker, type ReachSnapshot } from './reach.js';

/**
 * How the bid path came by (or did without) the user's profile; the lookup itself yields all but
 * `no_consent` (decided by the bid path's privacy check).
 */
export type LookupOutcome = 'hit' | 'unknown' | 'cache' | 'timeout' | 'error' | 'no_ids' | 'skipped' | 'no_consent';

export type ProfileLookupOutcome = Extract<
  LookupOutcome,
  'hit' | 'unknown' | 'cache' | 'timeout' | 'error' | 'no_ids' | 'skipped'
>;

export interface LookupResult {
  readonly profile: Profile | undefined;
  readonly outcome: ProfileLookupOutcome;
}

export interface ProfileLookupOptions {
  readonly timeoutMs: number;
  readonly cacheSize: number;
  readonly cacheTtlMs: number;
  /** People tracked for duplicate reach (default 100,000; 0 disables). */
  readonly reachSize?: number;
  /** Consecutive failed store calls that open the breaker (default 50). */
  readonly breakAfter?: number;
  /** While the breaker is open, one lookup goes through this often (default 250 ms). */
  readonly probeEveryMs?: number;
}

export interface LookupCounters extends ReachSnapshot {
  readonly outcomes: Readonly<Record<ProfileLookupOutcome, number>>;
  /** Lookups that carried at least one id. */
  readonly withIds: number;
  /** Of those, lookups whose ids are linked to a person (store hit or cache). */
  readonly matched: number;
  /** matched / withIds (0 before any lookup). */
  readonly matchRate: number;
  /** multiChannel / people (0 before any match). */
  readonly duplicateReachRate: number;
}

const kNoIds: LookupResult = Object.freeze({ profile: undefined, outcome: 'no_ids' });
const kTimeout: LookupResult = Object.freeze({ profile: undefined, outcome: 'timeout' });
const kError: LookupResult = Object.freeze({ profile: undefined, outcome: 'error' });
const kUnknown: LookupResult = Object.freeze({ profile: undefined, outcome: 'unknown' });
const kProbeIds: readonly IdKey[] = Object.freeze(['uid:peregrine-readiness-probe']);
const kProbeKey = ProfileCache.keyOf(kProbeIds);
const kSkipped: LookupResult = Object.freeze({ profile: undefined, outcome: 'skipped' });

export class ProfileLookup {
  readonly #store: ProfileStore;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #breakAfter: number;
  readonly #probeEveryMs: number;
  readonly #cache: ProfileCache;
  readonly #reach: ReachTracker;
  readonly #inflight = new Map<string, Promise<Profile | undefined>>();
  readonly #outcomes: Record<ProfileLookupOutcome, number> = {
    hit: 0,
    unknown: 0,
    cache: 0,
    timeout: 0,
    error: 0,
    no_ids: 0,
    skipped: 0,
  };
  #matched = 0;
  #failures = 0;
  #nextProbeAt = 0;

  constructor(store: ProfileStore, clock: Clock, opts: ProfileLookupOptions) {
    this.#store = store;
    this.#clock = clock;
    this.#timeoutMs = opts.timeoutMs;
    this.#breakAfter = opts.breakAfter ?? 50;
    this.#probeEveryMs = opts.probeEveryMs ?? 250;
    this.#cache = new ProfileCache(opts.cacheSize, opts.cacheTtlMs);
    this.#reach = new ReachTracker(opts.reachSize ?? 100_000);
  }

  /**
   * `channelId` feeds duplicate reach; when omitted it is read from a `buid:<channel>:` id, and lookups
   * without one are not counted for reach.
   */
  lookup(ids: readonly IdKey[], deadlineMs: number, channelId?: string): Promise<LookupResult> {
    if (ids.length === 0) return this.#done(kNoIds);
    const now = this.#clock.now();
    const key = ProfileCache.keyOf(ids);
    const cached = this.#cache.get(key, now);
    if (cached !== undefined) {
      if (cached.profile === undefined) return this.#done(kUnknown);
      this.#match(cached.profile, ids, channelId);
      return this.#done({ profile: cached.profile, outcome: isLinked(cached.profile) ? 'cache' : 'unknown' });
    }
    if (!this.healthy()) {
      if (now < this.#nextProbeAt) return this.#done(kSkipped);
      this.#nextProbeAt = now + this.#probeEveryMs;
    }
    const budget = Math.min(this.#timeoutMs, deadlineMs - now);
    // Out of time before asking: the caller's deadline, not a store failure.
    if (budget <= 0) return this.#done(kTimeout);
    const call = this.#call(key, ids, now);
    return new Promise<LookupResult>((resolve) => {
      let settled = false;
      const finish = (r: LookupResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (r.profile !== undefined) this.#match(r.profile, ids, channelId);
        resolve(this.#count(r));
      };
      const timer = setTimeout(finish, budget, kTimeout);
      call.then(
        (profile) =>
          finish(profile === undefined ? kUnknown : { profile, outcome: isLinked(profile) ? 'hit' : 'unknown' }),
        () => finish(kError),
      );
    });
  }

  /**
   * An impression was counted for the person (by this instance): bump the cached copy now rather than
   * serve the old count until the TTL ends. `observing()` wires this to the store's recordImpression.
   */
  noteImpression(personId: string, windows: readonly FrequencyWindow[], nowMs: number): void {
    this.#cache.bump(personId, windows, nowMs);
  }

  /** Forgets the cached answer for these ids (e.g. after linking them to someone else). */
  invalidate(ids: readonly IdKey[]): void {
    this.#cache.delete(ProfileCache.keyOf(ids));
    for (const id of ids) this.#cache.delete(id);
  }

  /** The store, with `recordImpression` also noted in this cache: give it to the notice handler. */
  observing(store: ProfileStore): ProfileStore {
    return {
      lookup: (ids, nowMs) => store.lookup(ids, nowMs),
      link: (ids, personId, ttlSeconds, nowMs) => {
        this.invalidate(ids);
        return store.link(ids, personId, ttlSeconds, nowMs);
      },
      addSegments: (personId, segments, ttlSeconds, nowMs) => store.addSegments(personId, segments, ttlSeconds, nowMs),
      recordImpression: (personId, windows, nowMs) => {
        this.noteImpression(personId, windows, nowMs);
        return store.recordImpression(personId, windows, nowMs);
      },
    };
  }

  /**
   * While the breaker is open and a probe is due, one store call for a probe id, waited for at most
   * `waitMs`; an answer within `waitMs` closes the breaker (the store is back, if slower than a lookup's
   * budget on a loaded machine — lookups reopen it if it stays that slow). For /readyz.
   */
  async probe(waitMs = 250): Promise<void> {
    if (this.healthy()) return;
    const now = this.#clock.now();
    if (now < this.#nextProbeAt) return;
    this.#nextProbeAt = now + this.#probeEveryMs;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#call(kProbeKey, kProbeIds, now, waitMs).catch(() => undefined),
      new Promise((r) => {
        timer = setTimeout(r, waitMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** False while the breaker is open (the store failed `breakAfter` calls in a row): for /readyz. */
  healthy(): boolean {
    return this.#failures < this.#breakAfter;
  }

  get available(): boolean {
    return this.healthy();
  }

  counters(): LookupCounters {
    const o = this.#outcomes;
    const withIds = o.hit + o.unknown + o.cache + o.timeout + o.error + o.skipped;
    const reach = this.#reach.snapshot();
    return {
      outcomes: { ...o },
      withIds,
      matched: this.#matched,
      matchRate: withIds === 0 ? 0 : this.#matched / withIds,
      people: reach.people,
      multiChannel: reach.multiChannel,
      duplicateReachRate: reach.people === 0 ? 0 : reach.multiChannel / reach.people,
    };
  }

  /** One store call per id list at a time; its result feeds the cache and the breaker once, not per caller. */
  #call(key: string, ids: readonly IdKey[], now: number, slowMs = this.#timeoutMs): Promise<Profile | undefined> {
    const running = this.#inflight.get(key);
    if (running !== undefined) return running;
    const started = this.#clock.now();
    let call: Promise<Profile | undefined>;
    try {
      call = this.#store.lookup(ids, now);
    } catch (err) {
      call = Promise.reject(err);
    }
    const tracked = call.then(
      (profile) => {
        this.#inflight.delete(key);
        this.#cache.set(key, profile, now);
        // An answer slower than the timeout served nobody: it counts against the store like an error.
        if (this.#clock.now() - started > slowMs) this.#failures++;
        else this.#failures = 0;
        return profile;
      },
      (err: unknown) => {
        this.#inflight.delete(key);
        this.#failures++;
        throw err;
      },
    );
    this.#inflight.set(key, tracked);
    return tracked;
  }

  #match(profile: Profile, ids: readonly IdKey[], channelId: string | undefined): void {
    if (isLinked(profile)) this.#matched++;
    const ch = channelId ?? channelOf(ids);
    if (ch !== undefined) this.#reach.note(profile.personId, ch);
  }

  #count(r: LookupResult): LookupResult {
    this.#outcomes[r.outcome]++;
    return r;
  }

  #done(r: LookupResult): Promise<LookupResult> {
    return Promise.resolve(this.#count(r));
  }
}

/** An implicit person (no id linked in the graph, ports.ts) is `linked: false`; adapters may omit the flag. */
function isLinked(p: Profile): boolean {
  return p.linked !== false;
}
