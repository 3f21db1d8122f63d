/**
 * The storage contract: one suite every Store adapter must pass (memory, Redis, Redis Cluster), so the
 * memory adapter's semantics are the reference and the others are checked against the same expectations.
 * Expiry is tested by moving `nowMs`, not by sleeping: adapters take time from the caller. The one exception
 * is de-duplication on Redis, whose expiry is the server's own (SET NX PX), flagged by `realTimeDedup`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BudgetCaps, BudgetKey, ClickRecord, Store } from '../../../src/store/ports.js';

export interface StoreHarness {
  readonly store: Store;
  /** Dedup TTLs run on the server's clock: expiry is tested with a 1 s TTL and a real wait. */
  readonly realTimeDedup: boolean;
  close(): Promise<void>;
}

const T = Date.UTC(2026, 10, 23, 12, 0, 0); // on an hour boundary: window buckets are easy to reason about
const kMin = 60_000;
const kHour = 3_600_000;
const noTotal = (daily: number): BudgetCaps => ({ dailyMicros: daily, totalMicros: Infinity });

export function describeStoreContract(name: string, makeStore: () => Promise<StoreHarness>): void {
  describe(`store contract: ${name}`, () => {
    let h: StoreHarness;
    let s: Store;
    beforeEach(async () => {
      h = await makeStore();
      s = h.store;
    });
    afterEach(async () => {
      await h.close();
    });

    describe('identity', () => {
      it('links several ids to one person, found through any of them', async () => {
        const p = await s.profiles.link(['uid:u1', 'ifa:f1', 'eid:id5:e1'], undefined, 3600, T);
        for (const id of ['uid:u1', 'ifa:f1', 'eid:id5:e1'])
          expect(await s.profiles.lookup([id], T)).toMatchObject({ personId: p, linked: true });
        expect((await s.profiles.lookup(['uid:nobody', 'ifa:f1'], T))?.personId).toBe(p);
        const prof = await s.profiles.lookup(['uid:u1'], T);
        expect(prof?.segments.size).toBe(0);
        expect(prof?.frequency.size).toBe(0);
        expect(await s.profiles.lookup([], T)).toBeUndefined();
      });

      it('ids linked to nobody are an implicit person keyed by the first id, whose impressions count', async () => {
        const p = await s.profiles.lookup(['uid:nobody', 'ifa:nobody'], T);
        expect(p).toMatchObject({ personId: 'uid:nobody', linked: false });
        expect(p?.segments.size).toBe(0);
        await s.profiles.recordImpression(p!.personId, [{ campaignId: 'c1', windowSeconds: 3600 }], T + 1);
        const again = await s.profiles.lookup(['uid:nobody', 'ifa:nobody'], T + 2);
        expect(again).toMatchObject({ personId: 'uid:nobody', linked: false });
        expect(again?.frequency.get('c1:3600')).toBe(1);
      });

      it('the first known id wins when linking without a person, and in lookups', async () => {
        const a = await s.profiles.link(['uid:a'], undefined, 3600, T);
        const b = await s.profiles.link(['uid:b'], 'person-b', 3600, T);
        expect(b).toBe('person-b');
        expect((await s.profiles.lookup(['uid:b', 'uid:a'], T))?.personId).toBe('person-b');
        expect((await s.profiles.lookup(['uid:x', 'uid:a', 'uid:b'], T))?.personId).toBe(a);
        // Linking adopts the first known id's person and points every given id at it.
        expect(await s.profiles.link(['uid:new', 'uid:a', 'uid:b'], undefined, 3600, T)).toBe(a);
        expect((await s.profiles.lookup(['uid:new'], T))?.personId).toBe(a);
        expect((await s.profiles.lookup(['uid:b'], T))?.personId).toBe(a);
      });

      it('identity edges expire with their TTL', async () => {
        await s.profiles.link(['uid:ttl'], 'p-ttl', 60, T);
        expect((await s.profiles.lookup(['uid:ttl'], T + 59_000))?.personId).toBe('p-ttl');
        expect(await s.profiles.lookup(['uid:ttl'], T + 61_000)).toMatchObject({ personId: 'uid:ttl', linked: false });
      });

      it('re-linking an id moves it to the new person', async () => {
        await s.profiles.link(['uid:m'], 'p-old', 3600, T);
        await s.profiles.link(['uid:m'], 'p-new', 3600, T + 1);
        expect((await s.profiles.lookup(['uid:m'], T + 2))?.personId).toBe('p-new');
      });
    });

    describe('segments', () => {
      it('returns live segments and filters expired ones', async () => {
        await s.profiles.link(['uid:s'], 'p-s', 86_400 * 30, T);
        await s.profiles.addSegments(
          'p-s',
          [
            { id: 'auto' },
            { id: 'short', expiresAt: T + 10 * kMin },
            { id: 'gone', expiresAt: T - 1 },
            { id: 'first', source: 1 },
          ],
          3600,
          T,
        );
        expect([...(await s.profiles.lookup(['uid:s'], T))!.segments].sort()).toEqual(['auto', 'first', 'short']);
        expect([...(await s.profiles.lookup(['uid:s'], T + 11 * kMin))!.segments].sort()).toEqual(['auto', 'first']);
        expect([...(await s.profiles.lookup(['uid:s'], T + 2 * kHour))!.segments]).toEqual([]);
      });

      it('keeps the later expiry of a segment already present', async () => {
        await s.profiles.link(['uid:k'], 'p-k', 86_400, T);
        await s.profiles.addSegments('p-k', [{ id: 'x', expiresAt: T + 10 * kMin }], 3600, T);
        await s.profiles.addSegments('p-k', [{ id: 'x', expiresAt: T + 5 * kMin }], 3600, T + 1);
        expect((await s.profiles.lookup(['uid:k'], T + 7 * kMin))!.segments.has('x')).toBe(true);
        await s.profiles.addSegments('p-k', [{ id: 'x', expiresAt: T + 20 * kMin }], 3600, T + 2);
        expect((await s.profiles.lookup(['uid:k'], T + 15 * kMin))!.segments.has('x')).toBe(true);
        expect((await s.profiles.lookup(['uid:k'], T + 21 * kMin))!.segments.has('x')).toBe(false);
      });
    });

    describe('frequency', () => {
      const w = (campaignId: string, windowSeconds: number) => ({ campaignId, windowSeconds });

      it('counts impressions per campaign and window, only in the current bucket', async () => {
        await s.profiles.link(['uid:f'], 'p-f', 86_400 * 7, T);
        await s.profiles.recordImpression('p-f', [w('c1', 3600), w('c1', 86_400)], T + kMin);
        await s.profiles.recordImpression('p-f', [w('c1', 3600), w('c1', 86_400)], T + 2 * kMin);
        await s.profiles.recordImpression('p-f', [w('c2', 3600)], T + 3 * kMin);
        const now = await s.profiles.lookup(['uid:f'], T + 30 * kMin);
        expect(Object.fromEntries(now!.frequency)).toEqual({ 'c1:3600': 2, 'c1:86400': 2, 'c2:3600': 1 });
        // The next hour: hourly buckets roll over, the daily one does not.
        const later = await s.profiles.lookup(['uid:f'], T + kHour + kMin);
        expect(Object.fromEntries(later!.frequency)).toEqual({ 'c1:86400': 2 });
        await s.profiles.recordImpression('p-f', [w('c1', 3600), w('c1', 86_400)], T + kHour + 2 * kMin);
        const after = await s.profiles.lookup(['uid:f'], T + kHour + 3 * kMin);
        expect(Object.fromEntries(after!.frequency)).toEqual({ 'c1:3600': 1, 'c1:86400': 3 });
        // The next day: nothing left.
        expect((await s.profiles.lookup(['uid:f'], T + 24 * kHour))!.frequency.size).toBe(0);
      });
    });

    describe('budgets', () => {
      const key: BudgetKey = { campaignId: 'camp', channelId: 'chA', day: '2026-11-23' };
      const keyB: BudgetKey = { ...key, channelId: 'chB' };

      it('never leases past the daily cap; leases of one instance accumulate', async () => {
        expect(await s.budgets.takeLease(key, 'i1', 600, noTotal(1000), 60_000, T)).toEqual({
          grantedMicros: 600,
          spentMicros: 0,
          leaseMicros: 600,
        });
        expect(await s.budgets.takeLease(key, 'i2', 600, noTotal(1000), 60_000, T)).toEqual({
          grantedMicros: 400,
          spentMicros: 0,
          leaseMicros: 400,
        });
        expect((await s.budgets.takeLease(key, 'i3', 600, noTotal(1000), 60_000, T)).grantedMicros).toBe(0);
        await s.budgets.releaseLease(key, 'i2', T);
        expect(await s.budgets.takeLease(key, 'i1', 100, noTotal(1000), 60_000, T)).toEqual({
          grantedMicros: 100,
          spentMicros: 0,
          leaseMicros: 700,
        });
      });

      it('the total cap spans channels (spend and live leases)', async () => {
        const caps = { dailyMicros: 800, totalMicros: 1000 };
        expect((await s.budgets.takeLease(key, 'i1', 700, caps, 60_000, T)).grantedMicros).toBe(700);
        expect((await s.budgets.takeLease(keyB, 'i1', 700, caps, 60_000, T)).grantedMicros).toBe(300);
        await s.budgets.settle(key, 'i1', 'n-total', 500, T);
        // Spend 500 came out of the chA lease (now 200): total = 500 spent + 200 + 300 leased = 1000.
        expect((await s.budgets.takeLease(keyB, 'i2', 700, caps, 60_000, T)).grantedMicros).toBe(0);
        await s.budgets.releaseLease(keyB, 'i1', T);
        expect((await s.budgets.takeLease(keyB, 'i2', 700, caps, 60_000, T)).grantedMicros).toBe(300);
      });

      it('an expired lease returns its budget to the pool', async () => {
        expect((await s.budgets.takeLease(key, 'i1', 1000, noTotal(1000), 10_000, T)).grantedMicros).toBe(1000);
        expect((await s.budgets.takeLease(key, 'i2', 1000, noTotal(1000), 10_000, T + 5_000)).grantedMicros).toBe(0);
        expect((await s.budgets.takeLease(key, 'i2', 1000, noTotal(1000), 10_000, T + 10_001)).grantedMicros).toBe(
          1000,
        );
        // i1's own expired lease starts again from zero.
        expect((await s.budgets.takeLease(key, 'i1', 5, noTotal(1000), 10_000, T + 10_002)).leaseMicros).toBe(0);
      });

      it('settle is idempotent per notice id and reduces the settling instance’s lease', async () => {
        await s.budgets.takeLease(key, 'i1', 600, noTotal(1000), 60_000, T);
        expect(await s.budgets.settle(key, 'i1', 'n1', 200, T + 1)).toEqual({ outcome: 'first', addedMicros: 200 });
        expect(await s.budgets.settle(key, 'i1', 'n1', 200, T + 2)).toEqual({ outcome: 'duplicate', addedMicros: 0 });
        expect(await s.budgets.spent(key)).toBe(200);
        expect(await s.budgets.takeLease(key, 'i1', 0, noTotal(1000), 60_000, T + 3)).toEqual({
          grantedMicros: 0,
          spentMicros: 200,
          leaseMicros: 400,
        });
        // cap 1000 − spent 200 − i1's lease 400 = 400 for anyone else.
        expect((await s.budgets.takeLease(key, 'i2', 1000, noTotal(1000), 60_000, T + 4)).grantedMicros).toBe(400);
        // The same notice id on another key is another notice.
        expect((await s.budgets.settle(keyB, 'i1', 'n1', 50, T + 5)).outcome).toBe('first');
        expect(await s.budgets.spent(keyB)).toBe(50);
      });

      it('settles one notice once under 50 concurrent deliveries', async () => {
        await s.budgets.takeLease(key, 'i1', 10_000, noTotal(100_000), 60_000, T);
        const all = await Promise.all(
          Array.from({ length: 50 }, (_, i) => s.budgets.settle(key, i % 2 === 0 ? 'i1' : 'i2', 'same', 700, T + 1)),
        );
        expect(all.filter((r) => r.outcome === 'first')).toHaveLength(1);
        expect(all.filter((r) => r.outcome === 'duplicate')).toHaveLength(49);
        expect(await s.budgets.spent(key)).toBe(700);
        expect((await s.budgets.dayResults('camp', key.day, ['chA'])).get('chA')?.spentMicros).toBe(700);
      });

      it('keeps the highest amount per notice: a lower or equal repeat is a duplicate, a higher one adds the difference', async () => {
        await s.budgets.takeLease(key, 'i1', 1_000, noTotal(10_000), 60_000, T);
        // A low price first (a page firing the billing pixel itself), then the exchange's real notice.
        expect(await s.budgets.settle(key, 'i1', 'n', 0, T + 1)).toEqual({ outcome: 'first', addedMicros: 0 });
        expect(await s.budgets.settle(key, 'i1', 'n', 300, T + 2)).toEqual({ outcome: 'raised', addedMicros: 300 });
        expect(await s.budgets.settle(key, 'i1', 'n', 300, T + 3)).toEqual({ outcome: 'duplicate', addedMicros: 0 });
        expect(await s.budgets.settle(key, 'i1', 'n', 100, T + 4)).toEqual({ outcome: 'duplicate', addedMicros: 0 });
        expect(await s.budgets.settle(key, 'i1', 'n', 450, T + 5)).toEqual({ outcome: 'raised', addedMicros: 150 });
        expect(await s.budgets.spent(key)).toBe(450);
        // The lease was charged the amount once: 1000 − 450.
        expect((await s.budgets.takeLease(key, 'i1', 0, noTotal(10_000), 60_000, T + 6)).leaseMicros).toBe(550);
        // The total and campaign-day counters moved by the same 450: 10,000 − 450 − the 550 lease is left.
        expect(
          (await s.budgets.takeLease(keyB, 'i2', 100_000, { ...noTotal(100_000), totalMicros: 10_000 }, 60_000, T + 7))
            .grantedMicros,
        ).toBe(9_000);
      });

      it('settling more than the lease empties it; settling after expiry charges spend only', async () => {
        await s.budgets.takeLease(key, 'i1', 100, noTotal(1000), 1_000, T);
        await s.budgets.settle(key, 'i1', 'big', 300, T + 1);
        expect((await s.budgets.takeLease(key, 'i1', 0, noTotal(1000), 1_000, T + 2)).leaseMicros).toBe(0);
        await s.budgets.takeLease(key, 'i2', 100, noTotal(1000), 1_000, T);
        expect((await s.budgets.settle(key, 'i2', 'late', 50, T + 5_000)).outcome).toBe('first');
        expect(await s.budgets.spent(key)).toBe(350);
        expect((await s.budgets.takeLease(key, 'i3', 1000, noTotal(1000), 1_000, T + 5_001)).grantedMicros).toBe(650);
      });

      it('spend is per channel and day; an unknown key has spent nothing', async () => {
        await s.budgets.settle(key, 'i1', 'a', 10, T);
        await s.budgets.settle({ ...key, day: '2026-11-24' }, 'i1', 'a', 20, T);
        expect(await s.budgets.spent(key)).toBe(10);
        expect(await s.budgets.spent({ ...key, day: '2026-11-24' })).toBe(20);
        expect(await s.budgets.spent({ campaignId: 'none', channelId: 'x', day: '2026-01-01' })).toBe(0);
        expect(
          (
            await s.budgets.takeLease(
              { ...key, day: '2026-11-25' },
              'i1',
              100,
              { dailyMicros: 1000, totalMicros: 120 },
              1_000,
              T,
            )
          ).grantedMicros,
        ).toBe(90);
      });
      it('the campaign-day cap holds across channels and exploration keys, per day, counting spend and live leases', async () => {
        const caps = { dailyMicros: 800, totalMicros: Infinity, campaignDayMicros: 1000 };
        const keyX: BudgetKey = { ...key, channelId: 'chA~x' };
        expect((await s.budgets.takeLease(key, 'i1', 600, caps, 60_000, T)).grantedMicros).toBe(600);
        expect((await s.budgets.takeLease(keyB, 'i2', 600, caps, 60_000, T)).grantedMicros).toBe(400);
        expect((await s.budgets.takeLease(keyX, 'i1', 100, caps, 60_000, T)).grantedMicros).toBe(0);
        // Spend charged to a lease does not count twice; settled spend counts after the lease expires.
        await s.budgets.settle(key, 'i1', 'n1', 300, T + 1);
        expect((await s.budgets.takeLease(keyX, 'i1', 100, caps, 60_000, T + 2)).grantedMicros).toBe(0);
        expect((await s.budgets.takeLease(keyX, 'i1', 500, caps, 60_000, T + 60_001)).grantedMicros).toBe(500);
        expect((await s.budgets.takeLease(keyB, 'i2', 500, caps, 60_000, T + 60_002)).grantedMicros).toBe(200);
        // Another day of the same campaign is a budget of its own.
        expect(
          (await s.budgets.takeLease({ ...key, day: '2026-11-24' }, 'i1', 900, caps, 60_000, T + 60_003)).grantedMicros,
        ).toBe(800);
      });
      it('day results: spend of both pools, clicks, conversions and value per channel, per day', async () => {
        await s.budgets.settle(key, 'i1', 'r1', 300, T);
        await s.budgets.settle({ ...key, channelId: 'chA~x' }, 'i1', 'r2', 50, T);
        await s.budgets.addResults(key, 3, 0, 0);
        await s.budgets.addResults(key, 1, 2, 7_500_000);
        await s.budgets.addResults({ ...key, day: '2026-11-24' }, 9, 9, 9);
        const r = await s.budgets.dayResults('camp', '2026-11-23', ['chA', 'chB']);
        expect(r.get('chA')).toEqual({ spentMicros: 350, clicks: 4, conversions: 2, conversionValueMicros: 7_500_000 });
        expect(r.get('chB')).toEqual({ spentMicros: 0, clicks: 0, conversions: 0, conversionValueMicros: 0 });
      });
      it('keeps the first allocation proposed for a period; later periods replace it', async () => {
        expect(await s.budgets.allocation('camp', '2026-11-23')).toBeUndefined();
        expect(
          await s.budgets.proposeAllocation('camp', '2026-11-23', { period: 5, weights: { chA: 0.6, chB: 0.4 } }),
        ).toEqual({ period: 5, weights: { chA: 0.6, chB: 0.4 } });
        expect(
          await s.budgets.proposeAllocation('camp', '2026-11-23', { period: 5, weights: { chA: 0.1, chB: 0.9 } }),
        ).toEqual({ period: 5, weights: { chA: 0.6, chB: 0.4 } });
        expect(
          await s.budgets.proposeAllocation('camp', '2026-11-23', { period: 4, weights: { chA: 0.1, chB: 0.9 } }),
        ).toEqual({ period: 5, weights: { chA: 0.6, chB: 0.4 } });
        expect(
          await s.budgets.proposeAllocation('camp', '2026-11-23', { period: 6, weights: { chA: 0.7, chB: 0.3 } }),
        ).toEqual({ period: 6, weights: { chA: 0.7, chB: 0.3 } });
        expect(await s.budgets.allocation('camp', '2026-11-23')).toEqual({
          period: 6,
          weights: { chA: 0.7, chB: 0.3 },
        });
        expect(await s.budgets.allocation('camp', '2026-11-24')).toBeUndefined();
      });
    });

    describe('fleet counters', () => {
      const series = (c: string, ch: string) => `${c}\u0000${ch}`;
      it('sums what every instance adds per minute and per hour, per series and slot', async () => {
        const a = series('acme', 'ssp-alpha');
        const b = series('acme', 'ssp-beta');
        // Two instances add to the same minute; one adds to the next minute and to the next hour.
        await s.fleet.add(T, new Map([[a, [10, 2, 1_500_000]]]));
        await s.fleet.add(
          T,
          new Map([
            [a, [5, 1, 700_000]],
            [b, [3, 0, 0]],
          ]),
        );
        await s.fleet.add(T + kMin, new Map([[a, [1, 1, 100]]]));
        await s.fleet.add(T + kHour, new Map([[b, [7, 7, 7]]]));
        const minutes = await s.fleet.minutes(T, T + 5 * kMin);
        expect([...minutes.keys()].sort()).toEqual([T, T + kMin]);
        expect(minutes.get(T)?.get(a)).toEqual([15, 3, 2_200_000]);
        expect(minutes.get(T)?.get(b)).toEqual([3, 0, 0]);
        expect(minutes.get(T + kMin)?.get(a)).toEqual([1, 1, 100]);
        // [from, to): the bucket at `to` is not included.
        expect([...(await s.fleet.minutes(T + kMin, T + kHour)).keys()]).toEqual([T + kMin]);
        const firstHour = await s.fleet.hours(T, T + kHour);
        expect(firstHour.get(a)).toEqual([16, 4, 2_200_100]);
        expect(firstHour.get(b)).toEqual([3, 0, 0]);
        expect((await s.fleet.hours(T, T + 2 * kHour)).get(b)).toEqual([10, 7, 7]);
        expect((await s.fleet.minutes(T - kHour, T)).size).toBe(0);
      });
      it('keeps running totals apart from the windows, summed over every add', async () => {
        const x = 'x\u0000exp-1\u0000b\u00001';
        await s.fleet.addTotals(new Map([[x, [1, 2, 3]]]));
        await s.fleet.addTotals(
          new Map([
            [x, [10, 0, 30]],
            ['h\u0000exp-1', [0]],
          ]),
        );
        expect(await s.fleet.totals()).toEqual(new Map([[x, [11, 2, 33]]]));
        expect((await s.fleet.hours(T - 48 * kHour, T + 48 * kHour)).size).toBe(0);
      });
      it('forgets minute buckets after three hours and hour buckets after 26 hours', async (ctx) => {
        // Redis expires them on the server's own clock (PEXPIRE), which the contract cannot move.
        if (h.realTimeDedup) ctx.skip();
        const a = series('acme', 'ssp-alpha');
        await s.fleet.add(T, new Map([[a, [1]]]));
        await s.fleet.add(T + 3 * kHour, new Map([[a, [2]]]));
        expect([...(await s.fleet.minutes(T, T + 4 * kHour)).keys()]).toEqual([T + 3 * kHour]);
        await s.fleet.add(T + 25 * kHour, new Map([[a, [4]]]));
        expect((await s.fleet.hours(T, T + 27 * kHour)).get(a)).toEqual([7]);
        await s.fleet.add(T + 26 * kHour, new Map([[a, [8]]]));
        expect((await s.fleet.hours(T, T + 27 * kHour)).get(a)).toEqual([14]);
      });
    });

    describe('reach', () => {
      const entries = (channelId: string, from: number, to: number, day = '2026-11-23') =>
        Array.from({ length: to - from }, (_, i) => ({ campaignId: 'acme', channelId, day, personId: `p${from + i}` }));
      it('counts distinct people per channel and across channels, within the sketch error', async () => {
        await s.reach.add(entries('alpha', 0, 1000));
        await s.reach.add(entries('beta', 500, 1500));
        // The same people again, and another day: neither changes this day's counts.
        await s.reach.add(entries('alpha', 0, 1000));
        await s.reach.add(entries('alpha', 5000, 9000, '2026-11-24'));
        const r = await s.reach.count('acme', '2026-11-23', ['alpha', 'beta', 'gamma']);
        expect(r.perChannel.get('alpha')).toBeGreaterThan(970);
        expect(r.perChannel.get('alpha')).toBeLessThan(1030);
        expect(r.perChannel.get('beta')).toBeGreaterThan(970);
        expect(r.perChannel.get('beta')).toBeLessThan(1030);
        expect(r.perChannel.get('gamma')).toBe(0);
        expect(r.union).toBeGreaterThan(1455);
        expect(r.union).toBeLessThan(1545);
        expect(await s.reach.count('nobody', '2026-11-23', ['alpha'])).toEqual({
          perChannel: new Map([['alpha', 0]]),
          union: 0,
        });
      });
    });

    describe('dedup', () => {
      it('is true the first time an id is seen, false until it expires', async () => {
        expect(await s.dedup.firstSeen('bill:tok1', 1, T)).toBe(true);
        expect(await s.dedup.firstSeen('bill:tok1', 1, T + 10)).toBe(false);
        expect(await s.dedup.firstSeen('win:tok1', 1, T + 10)).toBe(true);
        if (h.realTimeDedup) await new Promise((r) => setTimeout(r, 1_100));
        expect(await s.dedup.firstSeen('bill:tok1', 1, T + 1_100)).toBe(true);
      });
    });

    describe('clicks', () => {
      const kDay = 86_400_000;
      const click = (over: Partial<ClickRecord> = {}): ClickRecord => ({
        campaignId: 'c1',
        channelId: 'chA',
        advertiserId: 'adv1',
        personId: 'p1',
        auctionId: 'a1',
        impId: '1',
        atMs: T,
        ...over,
      });

      it('keeps a click under its id until the attribution window ends', async () => {
        await s.clicks.record('clk1', click(), 30 * kDay, T);
        expect(await s.clicks.lookup('clk1', T + 1)).toEqual(click());
        expect(await s.clicks.lookup('clk1', T + 30 * kDay - 1)).toEqual(click());
        expect(await s.clicks.lookup('clk1', T + 30 * kDay)).toBeUndefined();
        expect(await s.clicks.lookup('nope', T)).toBeUndefined();
        await s.clicks.record('anon', click({ personId: undefined, advertiserId: '' }), kDay, T);
        expect(await s.clicks.lookup('anon', T)).toEqual(click({ personId: undefined, advertiserId: '' }));
      });

      it('remembers each person’s latest click per advertiser, by click time', async () => {
        await s.clicks.record('k1', click({ atMs: T }), 30 * kDay, T);
        await s.clicks.record('k2', click({ atMs: T + kMin, campaignId: 'c2', channelId: 'chB' }), 30 * kDay, T + kMin);
        // Arriving last but clicked earlier: does not replace k2.
        await s.clicks.record('k0', click({ atMs: T - kMin }), 30 * kDay, T + 2 * kMin);
        await s.clicks.record('other', click({ advertiserId: 'adv2', atMs: T + 3 * kMin }), 30 * kDay, T + 3 * kMin);
        expect(await s.clicks.lastByPerson('adv1', 'p1', T + 4 * kMin)).toEqual({
          ...click({ atMs: T + kMin, campaignId: 'c2', channelId: 'chB' }),
          clickId: 'k2',
        });
        expect((await s.clicks.lastByPerson('adv2', 'p1', T + 4 * kMin))?.clickId).toBe('other');
        expect(await s.clicks.lastByPerson('adv1', 'p2', T)).toBeUndefined();
        expect(await s.clicks.lastByPerson('adv1', 'p1', T + kMin + 30 * kDay)).toBeUndefined();
        // Anonymous clicks, or clicks of campaigns no advertiser owns, are never a person's last click.
        await s.clicks.record('anon', click({ personId: undefined, atMs: T + 5 * kMin }), 30 * kDay, T + 5 * kMin);
        await s.clicks.record('unowned', click({ advertiserId: '', atMs: T + 5 * kMin }), 30 * kDay, T + 5 * kMin);
        expect((await s.clicks.lastByPerson('adv1', 'p1', T + 6 * kMin))?.clickId).toBe('k2');
      });
    });

    it('answers ping', async () => {
      expect(await s.ping()).toBe(true);
    });
  });
}
