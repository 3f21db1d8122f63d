import { describe, expect, it } from 'vitest';
import {
  inverse,
  logRatio,
  mixtureSprt,
  ratioInterval,
  wilson,
  type RatioSample,
  type Verdict,
} from '../../../src/scoring/sequential.js';
import { prng } from '../../../tools/train/synthetic.js';

/** Cumulative sums of one arm: impressions with spend uniform in $0.001–0.003 and a click with rate `ctr`. */
class Arm {
  n = 0;
  sumY = 0;
  sumS = 0;
  sumS2 = 0;
  readonly #r: () => number;
  readonly #ctr: number;

  constructor(seed: number, ctr: number) {
    this.#r = prng(seed);
    this.#ctr = ctr;
  }

  add(k: number): void {
    const r = this.#r;
    for (let i = 0; i < k; i++) {
      const s = 0.001 + 0.002 * r();
      this.n++;
      this.sumS += s;
      this.sumS2 += s * s;
      if (r() < this.#ctr) this.sumY++;
    }
  }

  get sample(): RatioSample {
    return { n: this.n, sumY: this.sumY, sumY2: this.sumY, sumS: this.sumS, sumS2: this.sumS2 };
  }
}

/** One experiment looked at every `step` impressions per arm up to `looks` times; the first verdict stops it. */
function run(seed: number, ctrA: number, ctrB: number, looks = 40, step = 400): { verdict: Verdict; at: number } {
  const a = new Arm(seed * 2 + 1, ctrA);
  const b = new Arm(seed * 2 + 2, ctrB);
  for (let l = 1; l <= looks; l++) {
    a.add(step);
    b.add(step);
    const t = mixtureSprt(a.sample, b.sample, { control: a.sumY, arm: b.sumY });
    if (t !== null && (t.verdict === 'better' || t.verdict === 'worse')) return { verdict: t.verdict, at: l };
  }
  return { verdict: 'no difference yet', at: looks };
}

describe('intervals', () => {
  it('Wilson: the textbook values, bounded to [0, 1], null without trials', () => {
    const i = wilson(5, 10)!;
    expect(i.estimate).toBe(0.5);
    expect(i.low).toBeCloseTo(0.2366, 4);
    expect(i.high).toBeCloseTo(0.7634, 4);
    expect(wilson(0, 10)!.low).toBe(0);
    expect(wilson(10, 10)!.high).toBeCloseTo(1, 12);
    expect(wilson(0, 0)).toBeNull();
  });

  it('a ratio interval covers the true clicks per dollar about 95% of the time (fixed seed)', () => {
    const ctr = 0.02;
    const truth = ctr / 0.002;
    let covered = 0;
    const runs = 400;
    for (let s = 0; s < runs; s++) {
      const a = new Arm(1000 + s, ctr);
      a.add(5_000);
      const i = ratioInterval(a.sample)!;
      if (i.low <= truth && truth <= i.high) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.92);
    expect(covered / runs).toBeLessThan(0.98);
  });

  it('inverts an interval into spend per action (eCPC from clicks per dollar)', () => {
    expect(inverse({ estimate: 4, low: 2, high: 8 })).toEqual({ estimate: 0.25, low: 0.125, high: 0.5 });
    expect(inverse(null)).toBeNull();
    expect(ratioInterval({ n: 10, sumY: 0, sumY2: 0, sumS: 1, sumS2: 0.1 })).toBeNull();
  });
});

describe('mixture SPRT', () => {
  it('says "collecting" until each arm has minActions actions, and null before any', () => {
    const s = { n: 1_000, sumY: 10, sumY2: 10, sumS: 2, sumS2: 0.005 };
    expect(mixtureSprt(s, { ...s, sumY: 40, sumY2: 40 }, { control: 10, arm: 40 })!.verdict).toBe('collecting');
    expect(mixtureSprt(s, { ...s, sumY: 0, sumY2: 0 }, { control: 10, arm: 0 })).toBeNull();
  });

  it('A/A under continuous monitoring: false verdicts ≤ α over 200 runs of 40 looks (fixed seed)', () => {
    let fired = 0;
    for (let s = 0; s < 200; s++) if (run(s, 0.05, 0.05).verdict !== 'no difference yet') fired++;
    // mSPRT is conservative: Ville's bound α = 0.05 holds at any stopping time.
    expect(fired / 200).toBeLessThanOrEqual(0.05);
  });

  it('the naive test at every look (|z| > 1.96) would inflate the same A/A runs well past α', () => {
    // The control this test exists for: peeking at a fixed-horizon test is what the sequential test avoids.
    let fired = 0;
    for (let s = 0; s < 200; s++) {
      const a = new Arm(s * 2 + 1, 0.05);
      const b = new Arm(s * 2 + 2, 0.05);
      for (let l = 0; l < 40; l++) {
        a.add(400);
        b.add(400);
        const la = logRatio(a.sample)!;
        const lb = logRatio(b.sample)!;
        if (Math.abs(lb.estimate - la.estimate) / Math.sqrt(la.variance + lb.variance) > 1.96) {
          fired++;
          break;
        }
      }
    }
    expect(fired / 200).toBeGreaterThan(0.15);
  });

  it('finds a 25% better arm, never calls it worse, and its interval covers the truth', () => {
    let better = 0;
    let covered = 0;
    for (let s = 0; s < 50; s++) {
      const r = run(500 + s, 0.05, 0.0625, 60);
      if (r.verdict === 'worse') throw new Error(`seed ${500 + s}: a better arm called worse`);
      if (r.verdict === 'better') better++;
      const a = new Arm(2 * (600 + s) + 1, 0.05);
      const b = new Arm(2 * (600 + s) + 2, 0.0625);
      a.add(10_000);
      b.add(10_000);
      const t = mixtureSprt(a.sample, b.sample, { control: a.sumY, arm: b.sumY })!;
      if (t.effect.low <= 0.25 && 0.25 <= t.effect.high) covered++;
    }
    expect(better).toBeGreaterThanOrEqual(45);
    expect(covered).toBeGreaterThanOrEqual(48);
  });
});
