import { describe, expect, it } from 'vitest';
import { TimeZoneTable } from '../../../src/campaigns/time-zones.js';
import { VirtualClock } from '../../../src/clock.js';
import { PacingGate } from '../../../src/pacing/gate.js';
import { MemoryBudgetStore } from '../../../src/store/memory/budgets.js';
import { campaign } from '../../helpers/campaigns.js';

const midday = Date.parse('2026-11-23T12:00:00Z');

async function setup(over: Record<string, unknown> = {}, start = midday, finishEarlyMs = 0) {
  const clock = new VirtualClock(start);
  const store = new MemoryBudgetStore();
  const gate = new PacingGate(store, clock, new TimeZoneTable(), {
    instanceId: 'i1',
    leaseTtlMs: 60_000,
    noticeWindowMs: 300_000,
    minLeaseMicros: 1_000_000,
    finishEarlyMs,
  });
  const c = campaign({ budget: { daily: 10, channels: { ch1: 0.5, ch2: 0.5 }, pacing: 'asap' }, ...over });
  await gate.warm([c]);
  return { clock, store, gate, c };
}

describe('pacing gate', () => {
  it('bids against a warm lease without awaiting, and refuses channels without a share', async () => {
    const { gate, c, clock } = await setup();
    expect(gate.tryReserve(c, 'ch1', 2_000, clock.now())).toBe('ok');
    expect(gate.tryReserve(c, 'ch3', 2_000, clock.now())).toBe('budget');
  });
  it('never reserves more than the channel cap, however many bids', async () => {
    const { gate, c, clock } = await setup();
    let ok = 0;
    for (let i = 0; i < 10_000; i++) {
      if (gate.tryReserve(c, 'ch1', 2_000, clock.now()) === 'ok') ok++;
      await Promise.resolve();
    }
    // 5,000,000 micros on ch1 at 2,000 a bid: at most 2,500 reservations ever.
    expect(ok).toBeLessThanOrEqual(2_500);
    expect(ok).toBeGreaterThan(400);
  });
  it('settles spend in the store once per notice, and the total cap holds across channels', async () => {
    const { gate, c, store, clock } = await setup({
      budget: { daily: 10, total: 3, channels: { ch1: 0.5, ch2: 0.5 }, pacing: 'asap' },
    });
    const key = { campaignId: c.id, channelId: 'ch1', day: '2026-11-23' };
    expect(gate.tryReserve(c, 'ch1', 1_000, clock.now())).toBe('ok');
    expect((await gate.settle(c, key, 'i1', 'n1', clock.now(), 1_000, 900)).outcome).toBe('first');
    expect((await gate.settle(c, key, 'i1', 'n1', clock.now(), 1_000, 900)).outcome).toBe('duplicate');
    expect(await store.spent(key)).toBe(900);
    const l1 = await store.takeLease(
      key,
      'other',
      10_000_000,
      { dailyMicros: 5_000_000, totalMicros: 3_000_000 },
      60_000,
      clock.now(),
    );
    const l2 = await store.takeLease(
      { ...key, channelId: 'ch2' },
      'other',
      10_000_000,
      { dailyMicros: 5_000_000, totalMicros: 3_000_000 },
      60_000,
      clock.now(),
    );
    const leasedByI1 = [...gate.remaining()].reduce((s, r) => s + r.leaseMicros, 0);
    expect(900 + leasedByI1 + l1.grantedMicros + l2.grantedMicros).toBeLessThanOrEqual(3_000_000);
  });
  it('even pacing refuses to run ahead of the day curve; asap does not', async () => {
    const early = Date.parse('2026-11-23T00:30:00Z');
    const even = await setup({ budget: { daily: 10, channels: { ch1: 1 }, pacing: 'even', exploration: 0 } }, early);
    // 30 min + 15 min lookahead of a 10-unit day = 0.3125 units = 312,500 micros.
    let ok = 0;
    for (let i = 0; i < 1000; i++) if (even.gate.tryReserve(even.c, 'ch1', 10_000, early) === 'ok') ok++;
    expect(ok).toBe(31);
    expect(even.gate.tryReserve(even.c, 'ch1', 10_000, early)).toBe('pacing');
  });
  it("with finishEarly the day's last four hours are compressed to end before midnight, the rest is unchanged", async () => {
    const budget = { daily: 0.5, channels: { ch1: 1 }, pacing: 'even', exploration: 0 };
    const bids = async (at: string, early: number) => {
      const t = Date.parse(at);
      const g = await setup({ budget }, t, early);
      let ok = 0;
      for (let i = 0; i < 2000; i++) if (g.gate.tryReserve(g.c, 'ch1', 500, t) === 'ok') ok++;
      return ok;
    };
    // 22:00 + 15 min lookahead: 22.25 h of 24 = 92.7% of 1,000 bids; compressed (20:00 + 2.25 h × 4/3.5) 94.0%.
    expect(await bids('2026-11-23T22:00:00Z', 0)).toBe(927);
    expect(await bids('2026-11-23T22:00:00Z', 1_800_000)).toBe(940);
    // Before 20:00 the curve is the configured one.
    expect(await bids('2026-11-23T12:00:00Z', 1_800_000)).toBe(await bids('2026-11-23T12:00:00Z', 0));
  });
  it('starts a fresh account on a new day in the campaign time zone', async () => {
    const { gate, c, clock } = await setup({ timezone: 'America/New_York' });
    const before = gate.account(c, 'ch1', clock.now())!;
    expect(before.key.day).toBe('2026-11-23');
    clock.set(Date.parse('2026-11-24T04:59:00Z'));
    expect(gate.account(c, 'ch1', clock.now())!.key.day).toBe('2026-11-23');
    clock.set(Date.parse('2026-11-24T05:00:00Z'));
    expect(gate.account(c, 'ch1', clock.now())!.key.day).toBe('2026-11-24');
  });
  it('pacing factor: 1 for asap; for even campaigns the controller multiplies, then throttles, as spend runs ahead', async () => {
    const asap = await setup();
    expect(asap.gate.factor(asap.c, 'ch1', asap.clock.now())).toBe(1);
    const early = Date.parse('2026-11-23T01:00:00Z');
    const clock = new VirtualClock(early);
    const store = new MemoryBudgetStore();
    let draws = 0;
    const gate = new PacingGate(store, clock, new TimeZoneTable(), {
      instanceId: 'i1',
      leaseTtlMs: 60_000,
      noticeWindowMs: 300_000,
      minLeaseMicros: 1_000_000,
      minMultiplier: 0.3,
      random: () => (draws++ % 10) / 10,
    });
    const c = campaign({ budget: { daily: 10, channels: { ch1: 1 }, pacing: 'even' } });
    await gate.warm([c]);
    expect(gate.factor(c, 'ch1', early)).toBe(1);
    // Half the day's budget is spent at 01:00: far ahead, so the signal falls each interval until it throttles.
    const key = { campaignId: c.id, channelId: 'ch1', day: '2026-11-23' };
    await gate.settle(c, key, 'i1', 'n1', early, 0, 5_000_000);
    let t = early;
    const factors: number[] = [];
    for (let i = 0; i < 200; i++) factors.push(gate.factor(c, 'ch1', (t += 5_000)));
    expect(factors.some((f) => f > 0 && f < 1)).toBe(true);
    expect(factors.slice(-20).filter((f) => f === 0).length).toBeGreaterThan(10);
    expect([...gate.signals()][0]!.signal).toBeLessThan(0.3);
  });

  describe('exploration reserve and the floating pool', () => {
    const early = Date.parse('2026-11-23T00:30:00Z');
    const budget = { daily: 10, channels: { ch1: 1 }, pacing: 'even', exploration: 0.1 };
    const regular = (gate: PacingGate) => [...gate.remaining()].find((r) => r.pool === 'regular')!;
    const explore = (gate: PacingGate) => [...gate.remaining()].find((r) => r.pool === 'exploration')!;

    it('paces exploration along the day curve on an account of its own', async () => {
      const { gate, c } = await setup({ budget }, early);
      // 10% of 10 units, 45 minutes (30 + 15 lookahead) into the day: 31,250 micros at 1,000 a bid.
      let ok = 0;
      for (let i = 0; i < 1000; i++) if (gate.tryReserveExplore(c, 'ch1', 1_000, early) === 'ok') ok++;
      expect(ok).toBe(31);
      expect(gate.checkExplore(c, 'ch1', 1_000, early)).toBe('pacing');
      expect(explore(gate)).toMatchObject({ channelId: 'ch1', capMicros: 1_000_000, reservedMicros: 31_000 });
      expect(regular(gate).reservedMicros).toBe(0);
      const none = await setup({ budget: { ...budget, exploration: 0 } }, early);
      expect(none.gate.checkExplore(none.c, 'ch1', 1_000, early)).toBe('budget');
    });
    it('hands back to regular bidding what exploration has not used by its point on the curve', async () => {
      const { gate, c, clock } = await setup({ budget }, midday);
      // Noon, nothing explored: 10 − 1 reserved + 0.5 handed back.
      expect(regular(gate).capMicros).toBe(9_500_000);
      for (let i = 0; i < 300; i++) gate.tryReserveExplore(c, 'ch1', 1_000, clock.now());
      clock.advance(5_001);
      gate.check(c, 'ch1', 1, clock.now());
      // 0.3 units explored: the hand-back falls to 0.2 (plus the curve's 5 seconds of progress).
      expect(regular(gate).capMicros).toBeGreaterThanOrEqual(9_200_000);
      expect(regular(gate).capMicros).toBeLessThan(9_200_100);
      // End of the day: everything exploration did not commit.
      clock.set(Date.parse('2026-11-23T23:59:59Z'));
      gate.check(c, 'ch1', 1, clock.now());
      expect(regular(gate).capMicros).toBeGreaterThan(9_690_000);
    });
    it('exploration spend settles against the exploration key, not the regular one', async () => {
      const { gate, c, store, clock } = await setup({ budget }, midday);
      expect(gate.tryReserveExplore(c, 'ch1', 2_000, clock.now())).toBe('ok');
      const key = { campaignId: c.id, channelId: 'ch1~x', day: '2026-11-23' };
      expect((await gate.settle(c, key, 'i1', 'n1', clock.now(), 2_000, 1_500)).outcome).toBe('first');
      expect(await store.spent(key)).toBe(1_500);
      expect(await store.spent({ ...key, channelId: 'ch1' })).toBe(0);
      expect(explore(gate)).toMatchObject({ spentMicros: 1_500, reservedMicros: 0 });
    });
    it('a new floating-pool split moves the channel caps at once, keeping the account and its lease', async () => {
      const { gate, c, clock } = await setup({
        budget: { daily: 10, channels: { ch1: 0.5, ch2: 0.5 }, floating: 0.4, exploration: 0, pacing: 'asap' },
      });
      const before = gate.account(c, 'ch1', clock.now())!;
      expect(before.capMicros).toBe(5_000_000);
      gate.setAllocation(c.id, '2026-11-23', { ch1: 1, ch2: 0 });
      expect(gate.account(c, 'ch1', clock.now())).toBe(before);
      expect(before.capMicros).toBe(7_000_000);
      expect(gate.account(c, 'ch2', clock.now())!.capMicros).toBe(3_000_000);
      expect(gate.channelState(c, 'ch2', clock.now())).toMatchObject({
        capMicros: 3_000_000,
        spentMicros: 0,
        signal: 1,
      });
      // A split for another day does not apply.
      gate.setAllocation(c.id, '2026-11-22', { ch1: 0, ch2: 1 });
      expect(gate.account(c, 'ch1', clock.now())!.capMicros).toBe(5_000_000);
    });
  });
});
