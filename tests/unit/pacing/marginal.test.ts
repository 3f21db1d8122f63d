import { describe, expect, it } from 'vitest';
import { marginalFactor, OperatingPoints } from '../../../src/pacing/marginal.js';

const t0 = Date.parse('2026-11-23T08:00:00Z');

/** `n` notices of bid `bid` (CPM micros) each won at `paid`, one a second from `from`. */
function feed(p: OperatingPoints, n: number, bid: number, paid: number, from = t0, id = 'c', ch = 'a'): void {
  for (let i = 0; i < n; i++) {
    p.bid(id, ch, bid, from + i * 1000);
    p.paid(id, ch, bid, paid, from + i * 1000);
  }
}

describe('operating points', () => {
  it('mean bid and paid price per campaign × channel, with paid ÷ bid', () => {
    const p = new OperatingPoints();
    feed(p, 50, 2_000_000, 1_000_000);
    const pt = p.point('c', 'a', t0 + 50_000)!;
    expect(pt.bidCpmMicros).toBeCloseTo(2_000_000);
    expect(pt.paidCpmMicros).toBeCloseTo(1_000_000);
    expect(pt.paidToBid).toBeCloseTo(0.5);
    expect(pt.impressions).toBeGreaterThan(49);
    expect(p.point('c', 'b', t0)).toBeUndefined();
    expect(p.point('other', 'a', t0)).toBeUndefined();
  });
  it('forgets with a half-life in time: an hour later the new operating point weighs twice the old', () => {
    const p = new OperatingPoints({ halfLifeMs: 3_600_000 });
    feed(p, 100, 1_000_000, 500_000, t0);
    // One hour later, the same number of notices at twice the bid: weights 1/2 (old) vs 1 (new).
    feed(p, 100, 2_000_000, 1_000_000, t0 + 3_600_000);
    const pt = p.point('c', 'a', t0 + 3_600_000 + 100_000)!;
    expect(pt.bidCpmMicros / 1e6).toBeGreaterThan(1.6);
    expect(pt.bidCpmMicros / 1e6).toBeLessThan(1.7);
  });
  it('forgets campaigns no longer configured', () => {
    const p = new OperatingPoints();
    feed(p, 30, 1_000_000, 500_000);
    p.retain(new Set(['x']));
    expect(p.point('c', 'a', t0 + 30_000)).toBeUndefined();
  });
});

describe('marginal factor', () => {
  const point = (bid: number, paid: number, n = 100) => ({
    bidCpmMicros: bid,
    paidCpmMicros: paid,
    paidToBid: paid / bid,
    notices: n,
    impressions: n,
  });
  it('second price: the next impression costs the bid, so marginal ÷ average ROI = paid ÷ bid', () => {
    const m = marginalFactor(point(2_000_000, 1_200_000), false, undefined);
    expect(m.firstPrice).toBe(false);
    expect(m.marginalCpmMicros).toBe(2_000_000);
    expect(m.factor).toBeCloseTo(0.6);
  });
  it('throttled: more budget buys the same auctions at the same price, factor 1', () => {
    const m = marginalFactor(point(2_000_000, 1_200_000), true, undefined);
    expect(m.marginalCpmMicros).toBe(1_200_000);
    expect(m.factor).toBe(1);
  });
  it('first price: b·(1 + 1/(k(1 − w(b)))) from the win-rate curve; no curve, no correction', () => {
    // w(b) = σ(k (ln b − ln 1.5e6)), k = 4; at b = 1.5e6, w = 0.5: MC = b (1 + 1/(4 · 0.5)) = 1.5 b.
    const curve = { a: -4 * Math.log(1.5e6), k: 4 };
    const m = marginalFactor(point(1_500_000, 1_500_000), false, curve);
    expect(m.firstPrice).toBe(true);
    expect(m.marginalCpmMicros).toBeCloseTo(2_250_000);
    expect(m.factor).toBeCloseTo(1 / 1.5);
    // A higher bid on the same curve wins more often and each further win costs more: a smaller factor.
    expect(marginalFactor(point(3_000_000, 3_000_000), false, curve).factor).toBeLessThan(m.factor);
    expect(marginalFactor(point(1_500_000, 1_500_000), false, undefined).factor).toBe(1);
  });
  it('too few notices behind the operating point: factor 1 (the average, not a guess)', () => {
    expect(marginalFactor(point(2_000_000, 1_000_000, 5), false, undefined).factor).toBe(1);
    expect(marginalFactor(undefined, false, undefined).factor).toBe(1);
  });
});
