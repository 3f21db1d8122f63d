import { describe, expect, it } from 'vitest';
import { fitPlatt } from '../../../../tools/train/platt.js';
import { prng } from '../../../../tools/train/synthetic.js';

describe('Platt scaling', () => {
  it('recovers the slope and intercept of a logistic link', () => {
    const r = prng(11);
    const n = 100_000;
    const z = new Float64Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      z[i] = -4 + 2 * (r() - 0.5) * 2;
      y[i] = r() < 1 / (1 + Math.exp(-(1.3 * z[i]! + 0.6))) ? 1 : 0;
    }
    const f = fitPlatt(z, y);
    expect(f.a).toBeGreaterThan(1.2);
    expect(f.a).toBeLessThan(1.4);
    expect(f.b).toBeGreaterThan(0.3);
    expect(f.b).toBeLessThan(0.9);
    // Calibrated on the rows it was fitted on: Σ p = Σ y (the intercept's score equation).
    let sp = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      sp += 1 / (1 + Math.exp(-(f.a * z[i]! + f.b)));
      sy += y[i]!;
    }
    expect(sp / sy).toBeCloseTo(1, 3);
  });
  it('is the identity with nothing to fit, and never inverts the ranking', () => {
    expect(fitPlatt([], [])).toEqual({ a: 1, b: 0, iterations: 0 });
    expect(fitPlatt([1, 2, 3], [0, 0, 0])).toEqual({ a: 1, b: 0, iterations: 0 });
    // Labels that fall with the score would want a < 0: refused.
    const r = prng(5);
    const z = Array.from({ length: 5000 }, () => 4 * r() - 2);
    const y = z.map((v) => (r() < 1 / (1 + Math.exp(v)) ? 1 : 0));
    expect(fitPlatt(z, y)).toMatchObject({ a: 1, b: 0 });
    // Separable labels: Newton does not converge, so no fit.
    const zs = Array.from({ length: 1000 }, (_, i) => i / 100);
    expect(
      fitPlatt(
        zs,
        zs.map((v) => (v < 3 ? 1 : 0)),
      ),
    ).toMatchObject({ a: 1, b: 0 });
  });
});
