/**
 * The bid path's profile cache: a small LRU with a short TTL that absorbs hot users (the same person in
 * many concurrent auctions) so they cost no Redis round trip at all.
 *
 * Keyed by the request's id list (just the first id when there is one, the joined list otherwise): the
 * person behind a list depends on every id in it (the first *known* one wins), so two requests sharing only
 * a first id must not share an answer. "Unknown" is cached too: most ids in a bid stream are unknown.
 *
 * A Map is the LRU (re-insert on hit, evict the first key). A person → key index lets an impression
 * counted by this instance bump the cached frequency at once, instead of waiting out the TTL, so a
 * frequency cap is not overshot by hot users served from the cache.
 */
import { OldestKey } from '../oldest-key.js';
import type { FrequencyWindow, IdKey, Profile } from '../store/ports.js';

interface Entry {
  readonly profile: Profile | undefined;
  /** When the profile was read (caller's clock): decides whether a bucket rolled over since. */
  readonly readAt: number;
  readonly expiresAt: number;
}

export class ProfileCache {
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #oldest = new OldestKey(this.#entries);
  readonly #byPerson = new Map<string, string>();

  constructor(maxEntries: number, ttlMs: number) {
    this.#max = Math.max(0, maxEntries);
    this.#ttlMs = ttlMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  static keyOf(ids: readonly IdKey[]): string {
    return ids.length === 1 ? ids[0]! : ids.join('\n');
  }

  /** The cached entry when fresh (`profile` may be undefined: a cached "unknown"), else undefined. */
  get(key: string, nowMs: number): Entry | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    this.#entries.delete(key);
    if (e.expiresAt <= nowMs) {
      this.#unindex(key, e);
      return undefined;
    }
    this.#entries.set(key, e);
    return e;
  }

  set(key: string, profile: Profile | undefined, nowMs: number): void {
    if (this.#max === 0 || this.#ttlMs <= 0) return;
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#entries.delete(key);
      this.#unindex(key, old);
    }
    this.#entries.set(key, { profile, readAt: nowMs, expiresAt: nowMs + this.#ttlMs });
    if (profile !== undefined) this.#byPerson.set(profile.personId, key);
    if (this.#entries.size > this.#max) {
      const oldest = this.#oldest.take()!;
      const e = this.#entries.get(oldest)!;
      this.#entries.delete(oldest);
      this.#unindex(oldest, e);
    }
  }

  delete(key: string): void {
    const e = this.#entries.get(key);
    if (e === undefined) return;
    this.#entries.delete(key);
    this.#unindex(key, e);
  }

  /** Counts an impression into the cached copy of the person, if any (the store is updated separately). */
  bump(personId: string, windows: readonly FrequencyWindow[], nowMs: number): void {
    const key = this.#byPerson.get(personId);
    if (key === undefined) return;
    const e = this.#entries.get(key);
    if (e === undefined || e.profile?.personId !== personId) return;
    const frequency = new Map(e.profile.frequency);
    for (const w of windows) {
      // A window that rolled over since the read makes the whole copy suspect: drop it, the store knows.
      if (Math.floor(e.readAt / 1000 / w.windowSeconds) !== Math.floor(nowMs / 1000 / w.windowSeconds)) {
        this.delete(key);
        return;
      }
      const k = `${w.campaignId}:${w.windowSeconds}`;
      frequency.set(k, (frequency.get(k) ?? 0) + 1);
    }
    // Profiles are shared with auctions in flight: replace, never mutate. Keep the entry's LRU position.
    this.#entries.set(key, { ...e, profile: { personId, segments: e.profile.segments, frequency } });
  }

  #unindex(key: string, e: Entry): void {
    if (e.profile !== undefined && this.#byPerson.get(e.profile.personId) === key)
      this.#byPerson.delete(e.profile.personId);
  }
}
