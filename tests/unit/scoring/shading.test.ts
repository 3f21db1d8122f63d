import { describe, expect, it } from 'vitest';
import { bisect, optimalBid, shadePrice } from '../../../src/scoring/shading-math.js';
import { ShadingModel } from '../../../src/scoring/shading.js';
import { prng } from '../../../src/scoring/synthetic.js';

/** The price needed to win, log-logistic with median m and shape k: the market the tests simulate. */
function market(seed: number, medianMicros: number, k: number): () => number {
  const r = prng(seed);
  return () => {
    const u = Math.min(1 - 1e-9, Math.max(1e-9, r()));
    return medianMicros * Math.exp(Math.log(u / (1 - u)) / k);
  };
}

function trueWin(b: number, medianMicros: number, k: number): number {
  return 1 / (1 + Math.exp(-k * (Math.log(b) - Math.log(medianMicros))));
}

describe('shading math', () => {
  it('stays within [floor, value], returns 0 below the floor, and is monotone in value', () => {
    const curves: [number, number, number][] = [
      [-2 * Math.log(1_000_000), 2, 1],
      [-6 * Math.log(3_000_000), 6, 0.5],
      [-0.5 * Math.log(200_000), 0.5, 1],
    ];
    for (const [a, k, conf] of curves) {
      for (const floor of [0, 150_000, 900_000]) {
        let prev = 0;
        for (let v = 1; v < 20_000_000; v = Math.ceil(v * 1.013) + 7) {
          const b = shadePrice(v, floor, a, k, conf, 1);
          if (v < floor) {
            expect(b).toBe(0);
            continue;
          }
          expect(b).toBeGreaterThanOrEqual(floor);
          expect(b).toBeLessThanOrEqual(v);
          expect(b).toBeGreaterThanOrEqual(prev);
          prev = b;
        }
      }
    }
  });
  it('is monotone at the micro level around the optimum (exact integer search)', () => {
    const a = -3 * Math.log(2_000_000);
    let prev = 0;
    for (let v = 2_500_000; v < 2_510_000; v += 1) {
      const b = optimalBid(v, 0, a, 3);
      expect(b).toBeGreaterThanOrEqual(prev);
      prev = b;
    }
  });
  it('gives exactly the integer-bisection answer over random curves, values and floors', () => {
    const r = prng(17);
    for (let i = 0; i < 5000; i++) {
      const k = 0.3 + r() * 8;
      const a = -k * Math.log(50_000 + r() * 5_000_000);
      const v = 1 + Math.floor(r() * 20_000_000);
      const floor = Math.floor(r() * r() * v);
      expect(optimalBid(v, floor, a, k)).toBe(bisect(v, floor, a, k));
    }
  });
  it('finds the surplus-maximising bid', () => {
    const m = 1_000_000;
    const k = 4;
    const a = -k * Math.log(m);
    const v = 3_000_000;
    const b = optimalBid(v, 0, a, k);
    let best = 0;
    let bestB = 0;
    for (let x = 1_000; x <= v; x += 1_000) {
      const s = (v - x) * trueWin(x, m, k);
      if (s > best) [best, bestB] = [s, x];
    }
    expect(Math.abs(b - bestB)).toBeLessThanOrEqual(1_000);
  });
  it('takes well under a microsecond per call', () => {
    const a = -3 * Math.log(2_000_000);
    const t0 = performance.now();
    let s = 0;
    for (let i = 0; i < 100_000; i++) s += shadePrice(1_000_000 + i * 37, 100_000, a, 3, 1, 1);
    const us = ((performance.now() - t0) * 1000) / 100_000;
    expect(s).toBeGreaterThan(0);
    expect(us).toBeLessThan(2); // ≈0.2 µs on the dev box; generous bound for slow CI
  });
});

describe('ShadingModel', () => {
  it('bids value (cold start) until a channel has enough observations', () => {
    const s = new ShadingModel({ minObservations: 100 });
    expect(s.shade('ch', 2_000_000, 500_000)).toBe(2_000_000);
    for (let i = 0; i < 50; i++) s.observe('ch', 2_000_000, i % 2 === 0);
    expect(s.shade('ch', 2_000_000, 500_000)).toBe(2_000_000);
    expect(new ShadingModel({ coldStartFactor: 0.8 }).shade('ch', 2_000_000, 1_800_000)).toBe(1_800_000);
    expect(new ShadingModel({ coldStartFactor: 0.8 }).shade('ch', 2_000_000, 0)).toBe(1_600_000);
  });
  it('learns the win curve from min-to-win prices and captures near-optimal surplus', () => {
    const median = 1_500_000;
    const k = 3;
    const draw = market(3, median, k);
    const s = new ShadingModel({ minObservations: 200, fullConfidence: 1000 });
    for (let i = 0; i < 3000; i++) {
      const bid = 500_000 + (i % 40) * 100_000;
      const need = draw();
      s.observe('ch', bid, bid >= need, need);
    }
    const st = s.state('ch')!;
    expect(st.confidence).toBe(1);
    expect(Math.abs(st.medianCpmMicros / median - 1)).toBeLessThan(0.1);
    expect(Math.abs(st.k / k - 1)).toBeLessThan(0.15);
    const v = 3_000_000;
    const b = s.shade('ch', v, 100_000);
    const opt = optimalBid(v, 100_000, -k * Math.log(median), k);
    const surplus = (x: number) => (v - x) * trueWin(x, median, k);
    expect(b).toBeLessThan(v);
    expect(surplus(b)).toBeGreaterThan(0.97 * surplus(opt));
    expect(surplus(b)).toBeGreaterThan(1.5 * surplus(v - 1));
  });
  it('learns from censored wins and losses alone (no min-to-win)', () => {
    const median = 800_000;
    const k = 2.5;
    const draw = market(5, median, k);
    const s = new ShadingModel({ minObservations: 200, fullConfidence: 1000 });
    const r = prng(9);
    for (let i = 0; i < 6000; i++) {
      const bid = Math.round(200_000 + r() * 2_500_000);
      s.observe('ch', bid, bid >= draw());
    }
    for (const b of [400_000, 800_000, 1_600_000]) expect(Math.abs(s.winRate('ch', b)! - trueWin(b, median, k))).toBeLessThan(0.05);
  });
  it('uses a placement curve once it has data, the channel curve otherwise', () => {
    const s = new ShadingModel({ minObservations: 100, fullConfidence: 200 });
    const cheap = market(1, 300_000, 3);
    const dear = market(2, 2_000_000, 3);
    for (let i = 0; i < 400; i++) {
      const n1 = cheap();
      s.observe('ch', 1_000_000, 1_000_000 >= n1, n1, 'tag-cheap');
      const n2 = dear();
      s.observe('ch', 1_000_000, 1_000_000 >= n2, n2);
    }
    expect(s.shade('ch', 3_000_000, 0, 'tag-cheap')).toBeLessThan(s.shade('ch', 3_000_000, 0));
    expect(s.shade('ch', 3_000_000, 0, 'tag-unknown')).toBe(s.shade('ch', 3_000_000, 0));
  });
});
