import { describe, expect, it } from 'vitest';
import { bucket, compileExperiments, ExperimentStats, kHoldoutArm } from '../../../src/scoring/experiments.js';
import { murmur3, toUnit } from '../../../src/scoring/hash.js';
import { ScoringConfigError } from '../../../src/scoring/scoring-config.js';
import { prng } from '../../../tools/train/synthetic.js';

/** χ² critical value for p = 0.001 by degrees of freedom. */
const kChi2Crit: Record<number, number> = { 1: 10.83, 2: 13.82, 3: 16.27, 4: 18.47, 8: 26.12 };

function chi2(observed: readonly number[], expected: readonly number[]): number {
  return observed.reduce((s, o, i) => s + (o - expected[i]!) ** 2 / expected[i]!, 0);
}

function units(n: number, seed: number): string[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => `person-${Math.floor(r() * 2 ** 52).toString(36)}`);
}

const [exp] = compileExperiments([
  {
    id: 'cpc-vs-cpa',
    holdout: 0.05,
    arms: [
      { id: 'control', weight: 5 },
      { id: 'cpc', weight: 3, strategy: { strategy: 'target_cpc', cpc: 1, maxCpm: 10 } },
      { id: 'new-model', weight: 2, model: { pctr: 'pctr@2' } },
    ],
  },
]);

describe('experiment bucketing', () => {
  it('is murmur3 of "experimentId:unit", reproducible outside Node', () => {
    const u = toUnit(murmur3('cpc-vs-cpa:person-1'));
    const a = bucket(exp!, 'person-1');
    expect(a === kHoldoutArm).toBe(u < 0.05);
  });
  it('is stable: the same unit lands in the same arm every time and in every compiled copy', () => {
    const [again] = compileExperiments([
      {
        id: 'cpc-vs-cpa',
        holdout: 0.05,
        arms: [
          { id: 'control', weight: 5 },
          { id: 'cpc', weight: 3 },
          { id: 'new-model', weight: 2 },
        ],
      },
    ]);
    for (const u of units(2000, 1)) {
      const a = bucket(exp!, u);
      expect(bucket(exp!, u)).toBe(a);
      expect(bucket(again!, u)).toBe(a);
    }
  });
  it('sizes arms and the holdout as configured (χ², fixed seed)', () => {
    const n = 100_000;
    const counts = [0, 0, 0, 0]; // holdout, control, cpc, new-model
    for (const u of units(n, 42)) counts[bucket(exp!, u) + 1]!++;
    const expected = [0.05 * n, 0.95 * n * 0.5, 0.95 * n * 0.3, 0.95 * n * 0.2];
    expect(chi2(counts, expected)).toBeLessThan(kChi2Crit[3]!);
  });
  it('keeps experiments independent of each other (different salt)', () => {
    const [a, b] = compileExperiments([
      {
        id: 'exp-a',
        arms: [
          { id: 'x', weight: 1 },
          { id: 'y', weight: 1 },
        ],
      },
      {
        id: 'exp-b',
        arms: [
          { id: 'x', weight: 1 },
          { id: 'y', weight: 1 },
        ],
      },
    ]);
    const n = 40_000;
    const table = [0, 0, 0, 0];
    for (const u of units(n, 7)) table[bucket(a!, u) * 2 + bucket(b!, u)]!++;
    expect(chi2(table, [n / 4, n / 4, n / 4, n / 4])).toBeLessThan(kChi2Crit[3]!);
  });
  it('refuses bad experiment config with a path', () => {
    expect(() => compileExperiments([{ id: 'e', arms: [] }])).toThrow(ScoringConfigError);
    expect(() => compileExperiments([{ id: 'e', holdout: 1, arms: [{ id: 'a', weight: 1 }] }])).toThrow(
      'experiments[0].holdout',
    );
    expect(() => compileExperiments([{ id: 'e', arms: [{ id: 'a', weight: 0 }] }])).toThrow(
      'experiments[0].arms[0].weight',
    );
    expect(() =>
      compileExperiments([
        {
          id: 'e',
          arms: [
            { id: 'a', weight: 1 },
            { id: 'a', weight: 1 },
          ],
        },
      ]),
    ).toThrow('arms[1].id');
  });
});

describe('experiment counters', () => {
  it('exposes per-arm counters with eCPC and eCPA as a plain object', () => {
    const stats = new ExperimentStats();
    const control = exp!.arms[0]!;
    const c = stats.counters(control);
    c.bids += 10;
    c.wins += 4;
    c.spendMicros += 8_000;
    c.clicks += 2;
    stats.holdout(exp!);
    expect(stats.snapshot()).toEqual({
      'cpc-vs-cpa': {
        holdouts: 1,
        arms: {
          control: {
            bids: 10,
            wins: 4,
            spendMicros: 8_000,
            clicks: 2,
            conversions: 0,
            ecpcMicros: 4_000,
            ecpaMicros: null,
          },
        },
      },
    });
    expect(JSON.parse(JSON.stringify(stats.snapshot()))).toEqual(stats.snapshot());
  });
});

describe('experiment report', () => {
  /** `n` impressions at $0.002 each (spend and its square), clicks at `ctr` drawn from a fixed seed. */
  function feed(stats: ExperimentStats, arm: number, n: number, ctr: number, seed: number) {
    const c = stats.counters(exp!.arms[arm]!);
    const r = prng(seed);
    for (let i = 0; i < n; i++) {
      c.wins++;
      c.spendMicros += 2_000;
      c.spendSq += 0.002 ** 2;
      if (r() < ctr) c.clicks++;
    }
    return c;
  }

  it('gives every arm spend, wins, clicks, CTR, eCPC and ROI with intervals, and a verdict against arm 0', () => {
    const stats = new ExperimentStats();
    feed(stats, 0, 40_000, 0.02, 1);
    const cpc = feed(stats, 1, 40_000, 0.03, 2);
    cpc.conversions += 10;
    cpc.valueMicros += 50_000_000;
    cpc.valueSq += 10 * 5 ** 2;
    stats.holdout(exp!);
    const r = stats.report()['cpc-vs-cpa']!;
    expect(r).toMatchObject({ holdouts: 1, control: 'control', metric: 'clicks', alpha: 0.05 });
    const control = r.arms.control!;
    expect(control.test).toBeUndefined();
    expect(control.spend).toBeCloseTo(80, 9);
    expect(control.ctr!.low).toBeLessThan(control.ctr!.estimate);
    expect(control.ecpc!.estimate).toBeCloseTo(80 / control.clicks, 9);
    expect(control.ecpc!.low).toBeLessThan(control.ecpc!.estimate);
    expect(control.ecpc!.high).toBeGreaterThan(control.ecpc!.estimate);
    expect(control.roi).toBeNull();
    const arm = r.arms.cpc!;
    expect(arm.ecpa!.estimate).toBeCloseTo(8, 9);
    expect(arm.roi!.estimate).toBeCloseTo(50 / 80, 9);
    // 50% more clicks per dollar on 800 vs 1,200 clicks: a clear verdict, its interval around +50%.
    expect(arm.test).toMatchObject({ verdict: 'better' });
    expect(arm.test!.effect.low).toBeGreaterThan(0.2);
    expect(arm.test!.effect.high).toBeLessThan(0.9);
    expect(JSON.parse(JSON.stringify(stats.report()))).toEqual(stats.report());
  });

  it('keeps the always-valid p-value at its minimum over looks, per metric', () => {
    const stats = new ExperimentStats();
    feed(stats, 0, 5_000, 0.05, 3);
    feed(stats, 1, 5_000, 0.06, 4);
    const p1 = stats.report()['cpc-vs-cpa']!.arms.cpc!.test!;
    // More data where the arms are equal pulls this look's p-value up; the always-valid one stays.
    feed(stats, 0, 20_000, 0.05, 5);
    feed(stats, 1, 20_000, 0.05, 6);
    const p2 = stats.report()['cpc-vs-cpa']!.arms.cpc!.test!;
    expect(p2.pValue).toBeGreaterThan(p1.pValue);
    expect(p2.pAlwaysValid).toBe(Math.min(p1.pAlwaysValid, p2.pValue));
    expect(stats.report('conversions')['cpc-vs-cpa']!.arms.cpc!.test).toBeNull();
  });
});
