import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../../src/clock.js';
import { ProfileLookup, type ProfileLookupOptions } from '../../../src/segments/profile-lookup.js';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import type { FrequencyWindow, IdKey, Profile, ProfileStore, SegmentEntry } from '../../../src/store/ports.js';

/** The memory store with a switch: pass through, hang, reject, or throw synchronously; counts lookups. */
class SwitchableStore implements ProfileStore {
  mode: 'pass' | 'hang' | 'reject' | 'throw' = 'pass';
  calls = 0;
  readonly inner = createMemoryStore().profiles;
  lookup(ids: readonly IdKey[], nowMs: number): Promise<Profile | undefined> {
    this.calls++;
    if (this.mode === 'throw') throw new Error('sync boom');
    if (this.mode === 'reject') return Promise.reject(new Error('boom'));
    if (this.mode === 'hang') return new Promise(() => {});
    return this.inner.lookup(ids, nowMs);
  }
  link(ids: readonly IdKey[], p: string | undefined, ttl: number, now: number): Promise<string> {
    return this.inner.link(ids, p, ttl, now);
  }
  addSegments(p: string, s: readonly SegmentEntry[], ttl: number, now: number): Promise<void> {
    return this.inner.addSegments(p, s, ttl, now);
  }
  recordImpression(p: string, w: readonly FrequencyWindow[], now: number): Promise<void> {
    return this.inner.recordImpression(p, w, now);
  }
}

const T = Date.UTC(2026, 10, 23, 12);
const opts: ProfileLookupOptions = { timeoutMs: 20, cacheSize: 100, cacheTtlMs: 2_000 };

describe('ProfileLookup', () => {
  let clock: VirtualClock;
  let store: SwitchableStore;
  let lookup: ProfileLookup;
  beforeEach(async () => {
    clock = new VirtualClock(T);
    store = new SwitchableStore();
    lookup = new ProfileLookup(store, clock, opts);
    await store.link(['buid:a:1', 'ifa:x'], 'P', 86_400, T);
    await store.addSegments('P', [{ id: 'auto' }], 86_400, T);
  });

  it('no ids → no_ids without asking the store', async () => {
    expect(await lookup.lookup([], T + 50)).toEqual({ profile: undefined, outcome: 'no_ids' });
    expect(store.calls).toBe(0);
  });

  it('hit, then cache within the TTL, then hit again; unknown ids are cached as unknown', async () => {
    const first = await lookup.lookup(['buid:a:1'], T + 50);
    expect(first.outcome).toBe('hit');
    expect(first.profile?.segments.has('auto')).toBe(true);
    expect((await lookup.lookup(['buid:a:1'], T + 50)).outcome).toBe('cache');
    clock.advance(2_001);
    expect((await lookup.lookup(['buid:a:1'], clock.now() + 50)).outcome).toBe('hit');
    // Nobody linked: `unknown`, with the implicit person (first id) so caps still count; cached as well.
    expect(await lookup.lookup(['uid:nobody'], clock.now() + 50)).toMatchObject({
      outcome: 'unknown',
      profile: { personId: 'uid:nobody', linked: false },
    });
    expect(await lookup.lookup(['uid:nobody'], clock.now() + 50)).toMatchObject({
      outcome: 'unknown',
      profile: { personId: 'uid:nobody' },
    });
    expect(store.calls).toBe(3);
  });

  it('the cache key is the whole id list: a shared first id does not share an answer', async () => {
    expect((await lookup.lookup(['uid:nobody'], T + 50)).outcome).toBe('unknown');
    expect((await lookup.lookup(['uid:nobody', 'ifa:x'], T + 50)).profile?.personId).toBe('P');
  });

  describe('with a store that never answers (timers faked)', () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });
    /** Settles `p` and reports whether it had settled after `ms` of (fake) time. */
    const settledAfter = async <R>(p: Promise<R>, ms: number): Promise<boolean> => {
      let settled = false;
      void p.then(() => (settled = true));
      await vi.advanceTimersByTimeAsync(ms);
      return settled;
    };

    it('answers timeout when timeoutMs has passed, not before', async () => {
      store.mode = 'hang';
      const p = lookup.lookup(['ifa:x'], T + 1_000);
      expect(await settledAfter(p, opts.timeoutMs - 1)).toBe(false);
      expect(await settledAfter(p, 1)).toBe(true);
      expect((await p).outcome).toBe('timeout');
    });

    it('answers timeout at the deadline when it comes before the timeout', async () => {
      store.mode = 'hang';
      const slow = new ProfileLookup(store, clock, { ...opts, timeoutMs: 10_000 });
      const p = slow.lookup(['ifa:x'], T + 15);
      expect(await settledAfter(p, 14)).toBe(false);
      expect(await settledAfter(p, 1)).toBe(true);
      expect((await p).outcome).toBe('timeout');
    });
  });

  it('past the deadline already, or with a failing store, answers without rejecting', async () => {
    const slow = new ProfileLookup(store, clock, { ...opts, timeoutMs: 10_000 });
    const calls = store.calls;
    expect((await slow.lookup(['ifa:x'], T - 1)).outcome).toBe('timeout');
    expect(store.calls).toBe(calls); // past the deadline already: the store is not asked
    store.mode = 'reject';
    expect((await lookup.lookup(['ifa:y'], T + 50)).outcome).toBe('error');
    store.mode = 'throw';
    expect((await lookup.lookup(['ifa:z'], T + 50)).outcome).toBe('error');
  });

  it('concurrent lookups of the same ids share one store call', async () => {
    const all = await Promise.all(Array.from({ length: 10 }, () => lookup.lookup(['ifa:x'], T + 50)));
    expect(all.every((r) => r.outcome === 'hit' && r.profile?.personId === 'P')).toBe(true);
    expect(store.calls).toBe(1);
  });

  it('opens the breaker after consecutive failures, probes, and closes on success', async () => {
    const l = new ProfileLookup(store, clock, { ...opts, breakAfter: 3, probeEveryMs: 100 });
    store.mode = 'reject';
    for (let i = 0; i < 3; i++) expect((await l.lookup([`uid:${i}`], T + 50)).outcome).toBe('error');
    expect(l.healthy()).toBe(false);
    expect(l.available).toBe(false);
    const calls = store.calls;
    // The first lookup while open is the probe (it fails), the rest are skipped until the next probe time.
    expect((await l.lookup(['uid:a'], T + 50)).outcome).toBe('error');
    expect((await l.lookup(['uid:b'], T + 50)).outcome).toBe('skipped');
    expect((await l.lookup(['uid:c'], T + 50)).outcome).toBe('skipped');
    expect(store.calls).toBe(calls + 1);
    store.mode = 'pass';
    clock.advance(100);
    expect((await l.lookup(['ifa:x'], clock.now() + 50)).outcome).toBe('hit');
    expect(l.healthy()).toBe(true);
    expect((await l.lookup(['uid:d'], clock.now() + 50)).outcome).toBe('unknown');
    expect(l.counters().outcomes).toMatchObject({ error: 4, skipped: 2, hit: 1, unknown: 1 });
  });

  it('probe() closes an open breaker without any lookup traffic, once per probe period (for /readyz)', async () => {
    const l = new ProfileLookup(store, clock, { ...opts, breakAfter: 3, probeEveryMs: 100 });
    store.mode = 'reject';
    for (let i = 0; i < 3; i++) await l.lookup([`uid:${i}`], T + 50);
    expect(l.healthy()).toBe(false);
    const calls = store.calls;
    await l.probe();
    expect(store.calls).toBe(calls + 1);
    expect(l.healthy()).toBe(false);
    store.mode = 'pass';
    await l.probe(); // not due yet
    expect(store.calls).toBe(calls + 1);
    clock.advance(100);
    await l.probe();
    expect(l.healthy()).toBe(true);
    await l.probe(); // healthy: no store call
    expect(store.calls).toBe(calls + 2);
  });

  it('probe() waits for a hung store only as long as it is told', async () => {
    const l = new ProfileLookup(store, clock, { ...opts, breakAfter: 1, probeEveryMs: 100 });
    store.mode = 'reject';
    await l.lookup(['uid:1'], T + 50);
    store.mode = 'hang';
    await l.probe(30); // resolves although the store never answers
    expect(l.healthy()).toBe(false);
  });

  it('impressions noted through observing() bump the cached frequency at once, and reach the store', async () => {
    const notices = lookup.observing(store);
    const windows = [{ campaignId: 'c1', windowSeconds: 3600 }];
    expect((await lookup.lookup(['ifa:x'], T + 50)).profile?.frequency.get('c1:3600')).toBeUndefined();
    await notices.recordImpression('P', windows, T + 1);
    await notices.recordImpression('P', windows, T + 2);
    const r = await lookup.lookup(['ifa:x'], T + 50);
    expect(r.outcome).toBe('cache');
    expect(r.profile?.frequency.get('c1:3600')).toBe(2);
    expect((await store.inner.lookup(['ifa:x'], T + 3))?.frequency.get('c1:3600')).toBe(2);
    // A window that rolled over since the read drops the cached copy: the store is asked again.
    clock.set(T + 3_600_000 - 500);
    await lookup.lookup(['ifa:x'], clock.now() + 50);
    await notices.recordImpression('P', windows, T + 3_600_000 + 1);
    clock.set(T + 3_600_000 + 2);
    const after = await lookup.lookup(['ifa:x'], clock.now() + 50);
    expect(after.outcome).toBe('hit');
    expect(after.profile?.frequency.get('c1:3600')).toBe(1);
  });

  it('invalidate forgets a cached answer', async () => {
    await lookup.lookup(['ifa:x'], T + 50);
    lookup.invalidate(['ifa:x']);
    expect((await lookup.lookup(['ifa:x'], T + 50)).outcome).toBe('hit');
  });

  it('the cache is bounded (least recently used goes first)', async () => {
    const small = new ProfileLookup(store, clock, { ...opts, cacheSize: 2 });
    await small.lookup(['uid:1'], T + 50);
    await small.lookup(['uid:2'], T + 50);
    await small.lookup(['uid:1'], T + 50); // refreshes uid:1
    await small.lookup(['uid:3'], T + 50); // evicts uid:2
    const calls = store.calls;
    await small.lookup(['uid:1'], T + 50);
    expect(store.calls).toBe(calls);
    await small.lookup(['uid:2'], T + 50);
    expect(store.calls).toBe(calls + 1);
  });

  it('counts identity match rate and duplicate reach across channels', async () => {
    await store.link(['buid:b:7'], 'P', 3600, T);
    await store.link(['buid:a:2'], 'Q', 3600, T);
    await lookup.lookup(['buid:a:1'], T + 50); // P via a
    await lookup.lookup(['buid:b:7'], T + 50); // P via b → seen on two channels
    await lookup.lookup(['buid:a:2'], T + 50); // Q via a
    await lookup.lookup(['uid:zz'], T + 50); // unknown
    await lookup.lookup(['ifa:x'], T + 50, 'c'); // P via c (explicit channel)
    await lookup.lookup([], T + 50);
    const c = lookup.counters();
    expect(c.withIds).toBe(5);
    expect(c.matched).toBe(4);
    expect(c.matchRate).toBeCloseTo(0.8);
    expect(c.people).toBe(2);
    expect(c.multiChannel).toBe(1);
    expect(c.duplicateReachRate).toBeCloseTo(0.5);
    expect(c.outcomes.no_ids).toBe(1);
  });
});
