import { describe, expect, it } from 'vitest';
import { TimeZoneTable } from '../../../src/campaigns/time-zones.js';
import { VirtualClock } from '../../../src/clock.js';
import type { Move } from '../../../src/pacing/allocation.js';
import { PacingGate } from '../../../src/pacing/gate.js';
import { Reallocator, type StepFigures } from '../../../src/pacing/reallocator.js';
import { MemoryBudgetStore } from '../../../src/store/memory/budgets.js';
import { campaign } from '../../helpers/campaigns.js';

const start = Date.parse('2026-11-23T08:00:00Z');
const opts = { intervalMs: 300_000, step: 0.1, minRatio: 1.2, minSpend: 0.001, confidence: 2 };

/** Two instances sharing one store; each channel has spent 200 of its 500 by 08:00, ahead of its curve. */
async function fleet() {
  const clock = new VirtualClock(start);
  const store = new MemoryBudgetStore();
  const zones = new TimeZoneTable();
  const c = campaign({
    budget: { daily: 1000, channels: { a: 0.5, b: 0.5 }, floating: 0.4, exploration: 0, pacing: 'even' },
    roi: { clickValue: 1 },
  });
  const moves: Move[] = [];
  const instances = ['i1', 'i2'].map((instanceId) => {
    const gate = new PacingGate(store, clock, zones, {
      instanceId,
      leaseTtlMs: 60_000,
      noticeWindowMs: 300_000,
      minLeaseMicros: 1_000_000,
    });
    const reallocator = new Reallocator(store, gate, zones, opts, { onMove: (_, m) => moves.push(m) });
    return { gate, reallocator };
  });
  for (const i of instances) await i.gate.warm([c]);
  // Pacing holds both channels back (the controller's signal below 1): spend ahead of the curve.
  for (const ch of ['a', 'b'])
    await instances[0]!.gate.settle(
      c,
      { campaignId: c.id, channelId: ch, day: '2026-11-23' },
      'i1',
      `n-${ch}`,
      start,
      0,
      200_000_000,
    );
  for (const i of instances)
    for (let k = 0; k < 30; k++) for (const ch of ['a', 'b']) i.gate.factor(c, ch, start + k * 5_000);
  return { clock, store, c, moves, instances };
}

describe('reallocator', () => {
  it('moves the floating pool toward the better channel one bounded step per period, decided once for the fleet', async () => {
    const { clock, store, c, moves, instances } = await fleet();
    // b returns twice the clicks per unit spent of a, credited through the store as the notice handlers do.
    const day = '2026-11-23';
    for (let period = 0; period < 24; period++) {
      await store.addResults({ campaignId: c.id, channelId: 'a', day }, 10, 0, 0);
      await store.addResults({ campaignId: c.id, channelId: 'b', day }, 20, 0, 0);
      clock.advance(300_000);
      for (const { reallocator } of instances) await reallocator.tick([c], clock.now());
    }
    // At most one step per period (decided once for the fleet), each at most 10% of the pool, small while the
    // clicks are few and full once the gap is clear, until a's floating part is gone.
    expect(moves.length).toBeLessThanOrEqual(24);
    expect(moves.every((m) => m.from === 'a' && m.to === 'b' && m.fraction <= 0.1 + 1e-12)).toBe(true);
    expect(moves[0]!.fraction).toBeLessThan(0.1);
    expect(moves.at(-2)!.fraction).toBeCloseTo(0.1);
    const agreed = await store.allocation(c.id, '2026-11-23');
    expect(agreed!.weights.a).toBeCloseTo(0);
    expect(agreed!.weights.b).toBeCloseTo(1);
    // Every instance runs on the same split: a keeps its base (60% of 50%), b gets the whole pool.
    for (const { gate } of instances) {
      expect(gate.channelState(c, 'a', clock.now())!.capMicros).toBe(300_000_000);
      expect(gate.channelState(c, 'b', clock.now())!.capMicros).toBe(700_000_000);
    }
  });
  it('holds the split when the channels return alike, and adopts a split another instance stored', async () => {
    const { clock, store, c, moves, instances } = await fleet();
    const [one] = instances;
    await store.addResults({ campaignId: c.id, channelId: 'a', day: '2026-11-23' }, 40, 0, 0);
    await store.addResults({ campaignId: c.id, channelId: 'b', day: '2026-11-23' }, 44, 0, 0);
    clock.advance(300_000);
    await one!.reallocator.tick([c], clock.now());
    expect(moves).toHaveLength(0);
    expect((await store.allocation(c.id, '2026-11-23'))!.weights).toEqual({ a: 0.5, b: 0.5 });
    await store.proposeAllocation(c.id, '2026-11-23', {
      period: Math.floor(clock.now() / 300_000) + 1,
      weights: { a: 0.25, b: 0.75 },
    });
    await instances[1]!.reallocator.tick([c], clock.now());
    expect(instances[1]!.gate.channelState(c, 'b', clock.now())!.capMicros).toBe(600_000_000);
  });
});

describe('reallocator with pooled evidence', () => {
  /** Campaigns `ids` on one store and instance, each 200 of 500 spent per channel by 08:00, held back. */
  async function two(poolEvents: number) {
    const clock = new VirtualClock(start);
    const store = new MemoryBudgetStore();
    const zones = new TimeZoneTable();
    const cs = ['big', 'small'].map((id) =>
      campaign({
        id,
        budget: { daily: 1000, channels: { a: 0.5, b: 0.5 }, floating: 0.4, exploration: 0, pacing: 'even' },
        roi: { clickValue: 1 },
      }),
    );
    const gate = new PacingGate(store, clock, zones, {
      instanceId: 'i1',
      leaseTtlMs: 60_000,
      noticeWindowMs: 300_000,
      minLeaseMicros: 1_000_000,
    });
    const moves: { id: string; m: Move }[] = [];
    const reallocator = new Reallocator(
      store,
      gate,
      zones,
      { ...opts, poolEvents },
      {
        onMove: (id, m) => moves.push({ id, m }),
      },
    );
    await gate.warm(cs);
    const day = '2026-11-23';
    for (const c of cs)
      for (const ch of ['a', 'b']) {
        await gate.settle(c, { campaignId: c.id, channelId: ch, day }, 'i1', `n-${c.id}-${ch}`, start, 0, 200_000_000);
        for (let k = 0; k < 30; k++) gate.factor(c, ch, start + k * 5_000);
      }
    // The big campaign has seen b return 2× on many clicks; the small one 3 vs 6 clicks (noise on its own).
    await store.addResults({ campaignId: 'big', channelId: 'a', day }, 200, 0, 0);
    await store.addResults({ campaignId: 'big', channelId: 'b', day }, 400, 0, 0);
    await store.addResults({ campaignId: 'small', channelId: 'a', day }, 3, 0, 0);
    await store.addResults({ campaignId: 'small', channelId: 'b', day }, 6, 0, 0);
    clock.advance(300_000);
    await reallocator.tick(cs, clock.now());
    return moves;
  }
  it("a campaign with few clicks of its own moves on the fleet's evidence about the channel, and not without it", async () => {
    expect((await two(0)).map((x) => x.id)).toEqual(['big']);
    const pooled = await two(50);
    expect(pooled.map((x) => x.id).sort()).toEqual(['big', 'small']);
    const small = pooled.find((x) => x.id === 'small')!.m;
    expect(small).toMatchObject({ from: 'a', to: 'b', reason: 'roi' });
    // Shrunk toward the fleet's 2×: the small campaign's ROI ratio is close to 2 and its standard error is
    // that of 50 + its own events per channel, not of 3 and 6.
    expect(small.roiTo! / small.roiFrom!).toBeGreaterThan(1.7);
    expect(small.se!).toBeLessThan(0.25);
  });
});

describe('reallocator with marginal figures', () => {
  it('a channel not measured yet takes the measured channels’ factor, not 1; the step carries its figures', async () => {
    const { clock, store, c, instances } = await fleet();
    const { gate } = instances[0]!;
    const figures: StepFigures[][] = [];
    // Channel a has an operating point (second price, paid half the bid: factor 0.5); b has none yet.
    const point = { bidCpmMicros: 2e6, paidCpmMicros: 1e6, paidToBid: 0.5, notices: 100, impressions: 100 };
    const reallocator = new Reallocator(
      store,
      gate,
      new TimeZoneTable(),
      opts,
      { onMove: (_, _m, f) => figures.push([...f]) },
      { point: (_, ch) => (ch === 'a' ? point : undefined), curve: () => undefined },
    );
    const day = '2026-11-23';
    await store.addResults({ campaignId: c.id, channelId: 'a', day }, 100, 0, 0);
    await store.addResults({ campaignId: c.id, channelId: 'b', day }, 200, 0, 0);
    clock.advance(300_000);
    await reallocator.tick([c], clock.now());
    expect(figures).toHaveLength(1);
    const [a, b] = ['a', 'b'].map((ch) => figures[0]!.find((f) => f.channelId === ch)!);
    expect(a!.factor).toBeCloseTo(0.5);
    expect(a!.marginalCpmMicros).toBe(2e6);
    expect(b!.factor).toBeCloseTo(0.5);
    expect(b!.marginalCpmMicros).toBeUndefined();
  });
});
