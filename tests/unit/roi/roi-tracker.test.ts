import { describe, expect, it } from 'vitest';
import { RoiTracker } from '../../../src/roi/roi-tracker.js';
import { kClicks, kConversionValue, kFields, kSpend, WindowRing } from '../../../src/roi/window-ring.js';

const T = Date.UTC(2026, 10, 23, 12, 0, 0); // on an hour boundary
const kMin = 60_000;
const kHour = 3_600_000;

describe('window ring', () => {
  it('sums the last n buckets and forgets older ones without a timer', () => {
    const r = new WindowRing(kMin, 60);
    r.add(kSpend, 100, T);
    r.add(kSpend, 50, T + 30 * kMin);
    r.add(kClicks, 1, T + 59 * kMin);
    const at = (ms: number) => Array.from(r.totals(ms, new Float64Array(kFields)));
    expect(at(T + 59 * kMin)).toEqual([150, 1, 0, 0]);
    // One hour after the first add its bucket has left the window; the others remain.
    expect(at(T + 60 * kMin)).toEqual([50, 1, 0, 0]);
    expect(at(T + 90 * kMin)).toEqual([0, 1, 0, 0]);
    expect(at(T + 118 * kMin)).toEqual([0, 1, 0, 0]);
    expect(at(T + 119 * kMin)).toEqual([0, 0, 0, 0]);
  });

  it('reuses a slot for a later bucket and drops adds older than the window', () => {
    const r = new WindowRing(kMin, 4);
    r.add(kConversionValue, 7, T);
    r.add(kConversionValue, 3, T + 4 * kMin); // same slot, four buckets later: the old value is gone
    expect(r.totals(T + 4 * kMin, new Float64Array(kFields))[kConversionValue]).toBe(3);
    r.add(kConversionValue, 100, T); // too old for this slot now
    expect(r.totals(T + 4 * kMin, new Float64Array(kFields))[kConversionValue]).toBe(3);
    expect(() => new WindowRing(0, 4)).toThrow(RangeError);
  });
});

describe('roi tracker', () => {
  const clickValues = new Map([['traffic', 500_000]]);
  const make = () => new RoiTracker({ clickValueMicros: (id) => clickValues.get(id) ?? 0 });

  it('ROI is conversion value over spend per channel, undefined without spend', () => {
    const t = make();
    t.spend('c1', 'alpha', 2_000_000, T);
    t.spend('c1', 'beta', 1_000_000, T);
    t.click('c1', 'alpha', T + kMin);
    t.conversion('c1', 'alpha', 5_000_000, T + 2 * kMin);
    t.conversion('c1', 'beta', 0, T + 2 * kMin);
    t.conversion('c1', 'gamma', 1_000_000, T + 2 * kMin); // converted, but nothing spent there in the window
    expect(t.roi('c1', 'alpha', '1h', T + 3 * kMin)).toBe(2.5);
    expect(t.roi('c1', 'beta', '1h', T + 3 * kMin)).toBe(0);
    expect(t.roi('c1', 'gamma', '1h', T + 3 * kMin)).toBeUndefined();
    expect(t.roi('c1', 'delta', '1h', T + 3 * kMin)).toBeUndefined();
    expect(t.roi('nobody', 'alpha', '1h', T)).toBeUndefined();
    const snap = t.snapshot('c1', T + 3 * kMin);
    expect(snap.get('alpha')).toEqual({
      spendMicros: 2_000_000,
      valueMicros: 5_000_000,
      conversionValueMicros: 5_000_000,
      clicks: 1,
      conversions: 1,
      roi: 2.5,
    });
    expect([...snap.keys()].sort()).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('values clicks at the campaign click value while it has no conversions in the window', () => {
    const t = make();
    t.spend('traffic', 'alpha', 1_000_000, T);
    t.click('traffic', 'alpha', T);
    t.click('traffic', 'alpha', T);
    t.spend('traffic', 'beta', 1_000_000, T);
    expect(t.snapshot('traffic', T + kMin).get('alpha')).toMatchObject({ valueMicros: 1_000_000, roi: 1 });
    expect(t.roi('traffic', 'beta', '1h', T + kMin)).toBe(0);
    // A conversion anywhere switches the whole campaign to conversion value (one unit across channels).
    t.conversion('traffic', 'beta', 3_000_000, T + kMin);
    expect(t.roi('traffic', 'alpha', '1h', T + 2 * kMin)).toBe(0);
    expect(t.roi('traffic', 'beta', '1h', T + 2 * kMin)).toBe(3);
    // After an hour the 1 h window has neither; the 24 h window still has everything.
    expect(t.roi('traffic', 'beta', '1h', T + kHour + 2 * kMin)).toBeUndefined();
    expect(t.roi('traffic', 'beta', '24h', T + kHour + 2 * kMin)).toBe(3);
  });

  it('windows expire in virtual time: 1 h by the minute, 24 h by the quarter hour', () => {
    const t = make();
    t.spend('c', 'x', 1_000_000, T);
    t.conversion('c', 'x', 2_000_000, T);
    t.spend('c', 'x', 1_000_000, T + 30 * kMin);
    expect(t.snapshot('c', T + 59 * kMin, '1h').get('x')).toMatchObject({ spendMicros: 2_000_000, roi: 1 });
    expect(t.snapshot('c', T + 60 * kMin, '1h').get('x')).toMatchObject({
      spendMicros: 1_000_000,
      conversions: 0,
      roi: 0,
    });
    expect(t.snapshot('c', T + 90 * kMin, '1h').size).toBe(0);
    expect(t.snapshot('c', T + 24 * kHour - 1, '24h').get('x')).toMatchObject({
      spendMicros: 2_000_000,
      conversions: 1,
    });
    expect(t.snapshot('c', T + 24 * kHour, '24h').get('x')).toMatchObject({ spendMicros: 1_000_000, conversions: 0 });
    expect(t.snapshot('c', T + 25 * kHour, '24h').size).toBe(0);
  });

  it('lists gauges where ROI is defined and forgets campaigns that left the config', () => {
    const t = make();
    t.spend('c1', 'alpha', 1_000_000, T);
    t.conversion('c1', 'alpha', 4_000_000, T);
    t.click('c2', 'alpha', T); // no spend: no gauge
    expect([...t.gauges(T + kMin)]).toEqual([
      { campaignId: 'c1', channelId: 'alpha', window: '1h', roi: 4 },
      { campaignId: 'c1', channelId: 'alpha', window: '24h', roi: 4 },
    ]);
    t.retain(new Set(['c2']));
    expect([...t.gauges(T + kMin)]).toEqual([]);
    expect(t.snapshot('c2', T + kMin).get('alpha')?.clicks).toBe(1);
  });
});
