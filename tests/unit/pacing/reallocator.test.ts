import { describe, expect, it } from 'vitest';
import { TimeZoneTable } from '../../../src/campaigns/time-zones.js';
import { VirtualClock } from '../../../src/clock.js';
import type { Move } from '../../../src/pacing/allocation.js';
import { PacingGate } from '../../../src/pacing/gate.js';
import { Reallocator } from '../../../src/pacing/reallocator.js';
import { RoiTracker } from '../../../src/roi/roi-tracker.js';
import { MemoryBudgetStore } from '../../../src/store/memory/budgets.js';
import { campaign } from '../../helpers/campaigns.js';

const start = Date.parse('2026-11-23T08:00:00Z');
const opts = { intervalMs: 300_000, step: 0.1, minRatio: 1.2, minSpend: 0.001, window: '1h' as const };

/** Two instances sharing one store; `b` returns twice the clicks per unit spent of `a`. */
async function fleet() {
  const clock = new VirtualClock(start);
  const store = new MemoryBudgetStore();
  const zones = new TimeZoneTable();
  const c = campaign({ budget: { daily: 1000, channels: { a: 0.5, b: 0.5 }, floating: 0.4, exploration: 0, pacing: 'even' }, roi: { clickValue: 1 } });
  const moves: Move[] = [];
  const instances = ['i1', 'i2'].map((instanceId) => {
    const gate = new PacingGate(store, clock, zones, { instanceId, leaseTtlMs: 60_000, noticeWindowMs: 300_000, minLeaseMicros: 1_000_000 });
    const roi = new RoiTracker({ clickValueMicros: () => 1_000_000 });
    const reallocator = new Reallocator(store, gate, zones, roi, opts, { onMove: (_, m) => moves.push(m) });
    return { gate, roi, reallocator };
  });
  for (const i of instances) await i.gate.warm([c]);
  // Pacing holds both channels back (the controller's signal below 1): spend ahead of the curve.
  for (const ch of ['a', 'b']) await instances[0]!.gate.settle(c, { campaignId: c.id, channelId: ch, day: '2026-11-23' }, 'i1', `n-${ch}`, start, 0, 200_000_000);
  for (const i of instances) for (let k = 0; k < 30; k++) for (const ch of ['a', 'b']) i.gate.factor(c, ch, start + k * 5_000);
  return { clock, store, c, moves, instances };
}

describe('reallocator', () => {
  it('moves the floating pool toward the better channel one bounded step per period, decided once for the fleet', async () => {
    const { clock, store, c, moves, instances } = await fleet();
    for (let period = 0; period < 12; period++) {
      for (const { roi } of instances) {
        roi.spend(c.id, 'a', 10_000_000, clock.now());
        roi.spend(c.id, 'b', 10_000_000, clock.now());
        for (let k = 0; k < 10; k++) roi.click(c.id, 'a', clock.now());
        for (let k = 0; k < 20; k++) roi.click(c.id, 'b', clock.now());
      }
      clock.advance(300_000);
      for (const { reallocator } of instances) await reallocator.tick([c], clock.now());
    }
    // 12 periods, one step of 10% each, until a's floating part is gone: 5 moves, none twice in a period.
    expect(moves).toHaveLength(5);
    expect(moves.every((m) => m.from === 'a' && m.to === 'b')).toBe(true);
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
    one!.roi.spend(c.id, 'a', 10_000_000, clock.now());
    one!.roi.spend(c.id, 'b', 10_000_000, clock.now());
    for (let k = 0; k < 10; k++) (one!.roi.click(c.id, 'a', clock.now()), one!.roi.click(c.id, 'b', clock.now()));
    clock.advance(300_000);
    await one!.reallocator.tick([c], clock.now());
    expect(moves).toHaveLength(0);
    expect((await store.allocation(c.id, '2026-11-23'))!.weights).toEqual({ a: 0.5, b: 0.5 });
    await store.proposeAllocation(c.id, '2026-11-23', { period: Math.floor(clock.now() / 300_000) + 1, weights: { a: 0.25, b: 0.75 } });
    await instances[1]!.reallocator.tick([c], clock.now());
    expect(instances[1]!.gate.channelState(c, 'b', clock.now())!.capMicros).toBe(600_000_000);
  });
});
