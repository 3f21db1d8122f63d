/**
 * In-memory identity graph, segments and frequency counts: the embedded store for a single instance.
 * Semantics match the Redis adapter (the contract tests run both): ids expire with their TTL, segments
 * keep the later expiry, frequency windows are fixed and aligned to the epoch.
 */
import type { FrequencyWindow, IdKey, Profile, ProfileStore, SegmentEntry } from '../ports.js';

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

interface PersonRecord {
  /** segment id → absolute expiry (ms). */
  readonly segments: Map<string, number>;
  /** `campaign:windowSeconds:bucket` → count; buckets older than their window are dropped on read. */
  readonly frequency: Map<string, Expiring<number>>;
}

export class MemoryProfileStore implements ProfileStore {
  readonly #ids = new Map<IdKey, Expiring<string>>();
  readonly #people = new Map<string, PersonRecord>();
  #nextPerson = 1;

  async lookup(ids: readonly IdKey[], nowMs: number): Promise<Profile | undefined> {
    if (ids.length === 0) return undefined;
    const linked = this.#resolve(ids, nowMs);
    const personId = linked ?? ids[0]!;
    const rec = this.#people.get(personId);
    const segments = new Set<string>();
    const frequency = new Map<string, number>();
    if (rec !== undefined) {
      for (const [seg, exp] of rec.segments) {
        if (exp > nowMs) segments.add(seg);
        else rec.segments.delete(seg);
      }
      for (const [key, entry] of rec.frequency) {
        if (entry.expiresAt <= nowMs) {
          rec.frequency.delete(key);
          continue;
        }
        // key = campaign:window:bucket; only the current bucket of each window counts.
        const last = key.lastIndexOf(':');
        const bucket = Number(key.slice(last + 1));
        const head = key.slice(0, last);
        const window = Number(head.slice(head.lastIndexOf(':') + 1));
        if (bucket === Math.floor(nowMs / 1000 / window)) frequency.set(head, entry.value);
      }
    }
    return { personId, linked: linked !== undefined, segments, frequency };
  }

  async link(ids: readonly IdKey[], personId: string | undefined, ttlSeconds: number, nowMs: number): Promise<string> {
    const person = personId ?? this.#resolve(ids, nowMs) ?? `p${this.#nextPerson++}`;
    const expiresAt = nowMs + ttlSeconds * 1000;
    for (const id of ids) this.#ids.set(id, { value: person, expiresAt });
    return person;
  }

  async addSegments(
    personId: string,
    segments: readonly SegmentEntry[],
    ttlSeconds: number,
    nowMs: number,
  ): Promise<void> {
    const rec = this.#person(personId);
    const defaultExpiry = nowMs + ttlSeconds * 1000;
    for (const s of segments) {
      const exp = s.expiresAt ?? defaultExpiry;
      const prev = rec.segments.get(s.id);
      if (prev === undefined || prev < exp) rec.segments.set(s.id, exp);
    }
  }

  async recordImpression(personId: string, windows: readonly FrequencyWindow[], nowMs: number): Promise<void> {
    const rec = this.#person(personId);
    for (const w of windows) {
      const bucket = Math.floor(nowMs / 1000 / w.windowSeconds);
      const key = `${w.campaignId}:${w.windowSeconds}:${bucket}`;
      const entry = rec.frequency.get(key);
      if (entry === undefined) {
        rec.frequency.set(key, { value: 1, expiresAt: (bucket + 1) * w.windowSeconds * 1000 });
      } else {
        entry.value++;
      }
    }
  }

  #resolve(ids: readonly IdKey[], nowMs: number): string | undefined {
    for (const id of ids) {
      const hit = this.#ids.get(id);
      if (hit === undefined) continue;
      if (hit.expiresAt <= nowMs) {
        this.#ids.delete(id);
        continue;
      }
      return hit.value;
    }
    return undefined;
  }

  #person(personId: string): PersonRecord {
    let rec = this.#people.get(personId);
    if (rec === undefined) {
      rec = { segments: new Map(), frequency: new Map() };
      this.#people.set(personId, rec);
    }
    return rec;
  }
}
