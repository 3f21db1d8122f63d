/**
 * Identity graph, segments and frequency counts in Redis (same results as memory/profiles.ts; the
 * contract tests run both). A lookup is one or two sequential steps, each one round trip:
 *
 *   1. ids → person: one MGET (standalone) or one GET per id sent together (Cluster: ids hash to different
 *      slots), plus, in the same trip, step 2 for the implicit person (the first id: ports.ts) — the whole
 *      step is skipped when the in-process id cache knows who the ids belong to;
 *   2. person → HGETALL seg:{person} + HGETALL fq:{person}, sent together (same slot, one node); needed
 *      after step 1 only when an id turned out to be linked to a person.
 *
 * So: an unlinked user costs 1 round trip, a linked user 2 the first time and 1 while the id cache holds it.
 *
 * Logical expiry follows the caller's clock (`nowMs`): identity edges carry their expiry in the value,
 * segments and frequency buckets in their hash values, and reads filter on it. Server-side TTLs only
 * garbage-collect, so a simulator in virtual time sees the same expiries as the memory store.
 */
import { randomBytes } from 'node:crypto';
import type { FrequencyWindow, IdKey, Profile, ProfileStore, SegmentEntry } from '../ports.js';
import { assertReady } from './connection.js';
import { IdCache } from './id-cache.js';
import type { KeySchema } from './keys.js';
import type { RedisClient, ScriptPipeline } from './scripts.js';

export interface ProfileStats {
  /** Lookups with at least one id. */
  lookups: number;
  /** Sequential Redis steps those lookups took (each one network round trip). */
  roundTrips: number;
  /** Lookups whose id resolution the in-process cache answered. */
  idCacheHits: number;
}

/**
 * Loader records per script call: amortises the client's per-command cost while keeping each call short
 * (~16 × 15 µs of server time), so bidders sharing the server are not held up behind a big script.
 */
const kRecordsPerCall = 16;

/** One record of a bulk load: ids linked to `personId`, plus its segments. */
export interface BulkProfile {
  readonly ids: readonly IdKey[];
  readonly personId: string;
  readonly segments: readonly SegmentEntry[];
  readonly ttlSeconds: number;
}

export interface IdCacheOptions {
  readonly size: number;
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
}

export class RedisProfileStore implements ProfileStore {
  readonly stats: ProfileStats = { lookups: 0, roundTrips: 0, idCacheHits: 0 };
  readonly #client: RedisClient;
  readonly #keys: KeySchema;
  readonly #clustered: boolean;
  readonly #cache: IdCache;

  constructor(client: RedisClient, keys: KeySchema, clustered: boolean, cache: IdCacheOptions) {
    this.#client = client;
    this.#keys = keys;
    this.#clustered = clustered;
    this.#cache = new IdCache(cache.size, cache.ttlMs, cache.negativeTtlMs);
  }

  async lookup(ids: readonly IdKey[], nowMs: number): Promise<Profile | undefined> {
    if (ids.length === 0) return undefined;
    assertReady(this.#client);
    this.stats.lookups++;
    this.stats.roundTrips++;
    const cached = this.#cache.resolve(ids, nowMs);
    if (cached !== undefined) {
      this.stats.idCacheHits++;
      return this.#fetch(cached ?? ids[0]!, cached !== null, nowMs);
    }
    // Resolve the ids and, in the same round trip, fetch the implicit person (the first id) on the bet
    // that nobody is linked — true of most ids in a bid stream. Only a linked person costs a second trip.
    const [person, implicit] = await Promise.all([this.#resolve(ids, nowMs), this.#fetch(ids[0]!, false, nowMs)]);
    if (person === null) return implicit;
    assertReady(this.#client);
    this.stats.roundTrips++;
    return this.#fetch(person, true, nowMs);
  }

  async link(ids: readonly IdKey[], personId: string | undefined, ttlSeconds: number, nowMs: number): Promise<string> {
    assertReady(this.#client);
    // Resolve from Redis, not the cache: a write must not act on a stale edge.
    const person = personId ?? (ids.length === 0 ? null : await this.#resolve(ids, nowMs)) ?? newPersonId();
    const ttlMs = Math.round(ttlSeconds * 1000);
    const expiresAt = nowMs + ttlMs;
    const writes: Promise<unknown>[] = [];
    for (const id of ids) {
      const key = this.#keys.id(id);
      writes.push(ttlMs > 0 ? this.#client.set(key, `${person}|${expiresAt}`, 'PX', ttlMs) : this.#client.del(key));
      this.#cache.put(id, ttlMs > 0 ? person : null, expiresAt, nowMs);
    }
    await Promise.all(writes);
    return person;
  }

  async addSegments(
    personId: string,
    segments: readonly SegmentEntry[],
    ttlSeconds: number,
    nowMs: number,
  ): Promise<void> {
    const argv = segmentArgs(segments, ttlSeconds, nowMs);
    if (argv.length === 1) return;
    assertReady(this.#client);
    await this.#client.pgAddSegments(this.#keys.segments(personId), ...argv);
  }

  async recordImpression(personId: string, windows: readonly FrequencyWindow[], nowMs: number): Promise<void> {
    if (windows.length === 0) return;
    assertReady(this.#client);
    const argv: (string | number)[] = [nowMs];
    for (const w of windows) argv.push(`${w.campaignId}:${w.windowSeconds}`, bucketEnd(nowMs, w.windowSeconds));
    await this.#client.pgRecordImpression(this.#keys.frequency(personId), ...argv);
  }

  /**
   * Writes many records at once (the segment loader); resolves to the number of records that failed.
   * Standalone: one pipeline of script calls, each writing 16 records (identity edges + segments). Cluster: a
   * record's keys span slots, so its commands go separately, auto-pipelined per node. `timeoutMs` bounds
   * the whole batch (one timer, not one per command).
   */
  async bulk(records: readonly BulkProfile[], nowMs: number, timeoutMs = 60_000): Promise<number> {
    assertReady(this.#client);
    const work = this.#clustered ? this.#bulkCommands(records, nowMs) : this.#bulkPipeline(records, nowMs);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((resolve) => (timer = setTimeout(resolve, timeoutMs, records.length)));
    return Promise.race([work.catch(() => records.length), timeout]).finally(() => clearTimeout(timer));
  }

  async #bulkPipeline(records: readonly BulkProfile[], nowMs: number): Promise<number> {
    const p = this.#client.pipeline() as ScriptPipeline;
    const sizes: number[] = [];
    for (let from = 0; from < records.length; from += kRecordsPerCall) {
      const chunk = records.slice(from, from + kRecordsPerCall);
      const keys: string[] = [];
      const argv: (string | number)[] = [nowMs];
      for (const r of chunk) {
        const ttlMs = Math.round(r.ttlSeconds * 1000);
        const segs = segmentArgs(r.segments, r.ttlSeconds, nowMs);
        keys.push(this.#keys.segments(r.personId));
        for (const id of r.ids) keys.push(this.#keys.id(id));
        argv.push(r.ids.length, (segs.length - 1) / 2, `${r.personId}|${nowMs + ttlMs}`, ttlMs);
        for (let i = 1; i < segs.length; i++) argv.push(segs[i]!);
      }
      p.pgLoadProfiles(keys.length, ...keys, ...argv);
      sizes.push(chunk.length);
    }
    const results = (await p.exec()) ?? [];
    let failed = 0;
    for (let i = 0; i < sizes.length; i++) if (results[i] === undefined || results[i]![0] !== null) failed += sizes[i]!;
    return failed;
  }

  async #bulkCommands(records: readonly BulkProfile[], nowMs: number): Promise<number> {
    const pending: Promise<unknown>[] = [];
    for (const r of records) {
      const ttlMs = Math.round(r.ttlSeconds * 1000);
      const value = `${r.personId}|${nowMs + ttlMs}`;
      const parts: Promise<unknown>[] = [];
      for (const id of r.ids) parts.push(this.#client.set(this.#keys.id(id), value, 'PX', ttlMs));
      const argv = segmentArgs(r.segments, r.ttlSeconds, nowMs);
      if (argv.length > 1) parts.push(this.#client.pgAddSegments(this.#keys.segments(r.personId), ...argv));
      pending.push(Promise.all(parts));
    }
    let failed = 0;
    for (const s of await Promise.allSettled(pending)) if (s.status === 'rejected') failed++;
    return failed;
  }

  /** Drops the id cache (tests; or after a bulk re-link). */
  clearCache(): void {
    this.#cache.clear();
  }

  /** Step 2: the person's segments and frequency, two reads sent together (same hash tag, one node). */
  async #fetch(personId: string, linked: boolean, nowMs: number): Promise<Profile> {
    const [seg, fq] = await Promise.all([
      this.#client.hgetall(this.#keys.segments(personId)),
      this.#client.hgetall(this.#keys.frequency(personId)),
    ]);
    return toProfile(personId, linked, seg, fq, nowMs);
  }

  async #resolve(ids: readonly IdKey[], nowMs: number): Promise<string | null> {
    const keys = ids.map((id) => this.#keys.id(id));
    const values: (string | null)[] = this.#clustered
      ? await Promise.all(keys.map((k) => this.#client.get(k)))
      : await this.#client.mget(keys);
    let found: string | null = null;
    for (let i = 0; i < ids.length; i++) {
      const v = values[i] ?? null;
      const sep = v === null ? -1 : v.lastIndexOf('|');
      const expiresAt = sep === -1 ? 0 : Number(v!.slice(sep + 1));
      const live = expiresAt > nowMs;
      const person = live ? v!.slice(0, sep) : null;
      this.#cache.put(ids[i]!, person, expiresAt, nowMs);
      if (found === null && person !== null) found = person;
    }
    return found;
  }
}

/** `[nowMs, segment, expiresAtMs, …]` for the segments still live at `nowMs`. */
function segmentArgs(segments: readonly SegmentEntry[], ttlSeconds: number, nowMs: number): (string | number)[] {
  const defaultExpiry = nowMs + Math.round(ttlSeconds * 1000);
  const argv: (string | number)[] = [nowMs];
  for (const s of segments) {
    const exp = s.expiresAt ?? defaultExpiry;
    // An already-expired segment would never be read back; writing it would only create a key with no TTL.
    if (exp > nowMs) argv.push(s.id, Math.round(exp));
  }
  return argv;
}

/** End (ms) of the epoch-aligned window bucket containing `nowMs`: the memory store's formula exactly. */
function bucketEnd(nowMs: number, windowSeconds: number): number {
  return (Math.floor(nowMs / 1000 / windowSeconds) + 1) * windowSeconds * 1000;
}

function toProfile(
  personId: string,
  linked: boolean,
  seg: Record<string, string>,
  fq: Record<string, string>,
  nowMs: number,
): Profile {
  const segments = new Set<string>();
  for (const id in seg) if (Number(seg[id]) > nowMs) segments.add(id);
  const frequency = new Map<string, number>();
  for (const field in fq) {
    const v = fq[field]!;
    const sep = v.indexOf(':');
    const window = Number(field.slice(field.lastIndexOf(':') + 1));
    // Only the current bucket of each window counts (a stale or skewed-clock bucket reads as zero).
    if (Number(v.slice(0, sep)) === bucketEnd(nowMs, window)) frequency.set(field, Number(v.slice(sep + 1)));
  }
  return { personId, linked, segments, frequency };
}

/** 72 random bits: collision-free for any realistic number of people, and brace/pipe-free for the key schema. */
function newPersonId(): string {
  return `p${randomBytes(9).toString('base64url')}`;
}
