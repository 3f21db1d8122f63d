import { describe, expect, it } from 'vitest';
import { compileCampaignScoring } from '../../../src/scoring/campaign-scoring.js';
import { compileStrategy, ScoringConfigError } from '../../../src/scoring/scoring-config.js';
import { kBelowFloor, kNeedsModel, kStrategyCode, priceFor, strategyPrice } from '../../../src/scoring/strategies.js';

const code = kStrategyCode;

describe('priceFor (the model-free price the bid path uses today)', () => {
  it('fixed_cpm bids its CPM, or nothing below the floor', () => {
    expect(priceFor({ kind: 'fixed_cpm', cpmMicros: 2_000_000 }, 1_000_000)).toBe(2_000_000);
    expect(priceFor({ kind: 'fixed_cpm', cpmMicros: 2_000_000 }, 2_000_001)).toBeUndefined();
  });
  it('max_cpm bids the fraction, raised to the floor while the max allows', () => {
    const s = { kind: 'max_cpm', cpmMicros: 4_000_000, bidFraction: 0.5 } as const;
    expect(priceFor(s, 1_000_000)).toBe(2_000_000);
    expect(priceFor(s, 3_000_000)).toBe(3_000_000);
    expect(priceFor(s, 4_000_001)).toBeUndefined();
  });
});

describe('strategyPrice', () => {
  it('fixed_cpm scales by the multipliers', () => {
    expect(strategyPrice(code.fixed_cpm, 2_000_000, 0, 1.5, NaN, NaN, 0)).toBe(3_000_000);
    expect(strategyPrice(code.fixed_cpm, 2_000_000, 0, 0.4, NaN, NaN, 1_000_000)).toBe(kBelowFloor);
  });
  it('max_cpm never goes above its max, whatever the multipliers', () => {
    expect(strategyPrice(code.max_cpm, 4_000_000, 0.5, 1.2, NaN, NaN, 0)).toBe(2_400_000);
    expect(strategyPrice(code.max_cpm, 4_000_000, 0.5, 3, NaN, NaN, 0)).toBe(4_000_000);
  });
  it('target_cpc = pCTR × CPC × 1000 × multipliers, capped by max CPM, no bid below floor', () => {
    // pCTR 0.2% at a $1.50 CPC is worth $3.00 CPM.
    expect(strategyPrice(code.target_cpc, 1_500_000, 10_000_000, 1, 0.002, NaN, 0)).toBe(3_000_000);
    expect(strategyPrice(code.target_cpc, 1_500_000, 10_000_000, 0.5, 0.002, NaN, 0)).toBe(1_500_000);
    expect(strategyPrice(code.target_cpc, 1_500_000, 2_000_000, 1, 0.002, NaN, 0)).toBe(2_000_000);
    expect(strategyPrice(code.target_cpc, 1_500_000, 10_000_000, 1, 0.002, NaN, 3_000_001)).toBe(kBelowFloor);
    expect(strategyPrice(code.target_cpc, 1_500_000, 10_000_000, 1, NaN, NaN, 0)).toBe(kNeedsModel);
  });
  it('target_cpa = pCTR × pCVR × CPA × 1000 × multipliers, capped by max CPM', () => {
    // 1% CTR × 5% CVR × $40 CPA = $20 CPM, capped at $15.
    expect(strategyPrice(code.target_cpa, 40_000_000, 100_000_000, 1, 0.01, 0.05, 0)).toBe(20_000_000);
    expect(strategyPrice(code.target_cpa, 40_000_000, 15_000_000, 1, 0.01, 0.05, 0)).toBe(15_000_000);
    expect(strategyPrice(code.target_cpa, 40_000_000, 15_000_000, 1, 0.01, NaN, 0)).toBe(kNeedsModel);
  });
});

describe('strategy and campaign config', () => {
  it('compiles money to micros and refuses bad values with a path', () => {
    expect(compileStrategy({ strategy: 'target_cpa', cpa: 25, maxCpm: 8 })).toEqual({
      kind: 'target_cpa',
      cpaMicros: 25_000_000,
      maxCpmMicros: 8_000_000,
    });
    expect(compileStrategy({ strategy: 'max_cpm', cpm: 3 })).toEqual({
      kind: 'max_cpm',
      cpmMicros: 3_000_000,
      bidFraction: 0.8,
    });
    expect(() => compileStrategy({ strategy: 'target_cpc', cpc: -1, maxCpm: 5 })).toThrow(ScoringConfigError);
    expect(() => compileStrategy({ strategy: 'target_cpc', cpc: -1, maxCpm: 5 })).toThrow(
      'bid.cpc: expected a positive number',
    );
  });
  it('builds multiplier tables and a price bound that covers multipliers and experiment arms', () => {
    const c = compileCampaignScoring('c1', {
      bid: { strategy: 'fixed_cpm', cpm: 2 },
      multipliers: {
        channels: { a: 1.5, b: 0.5 },
        dayparts: [{ days: ['mon'], hours: [9, 17], multiplier: 1.2 }],
        stages: { 'stage:decision': 2 },
      },
      experiments: [
        { id: 'e', arms: [{ id: 'x', weight: 1, strategy: { strategy: 'target_cpc', cpc: 1, maxCpm: 20 } }] },
      ],
    });
    expect(c.channelMult.get('a')).toBe(1.5);
    expect(c.daypartMult?.[9]).toBe(1.2);
    expect(c.daypartMult?.[8]).toBe(1);
    expect(c.daypartMult?.[24 + 9]).toBe(1);
    expect(c.boundMicros).toBe(20_000_000);
    expect(
      compileCampaignScoring('c2', { bid: { strategy: 'fixed_cpm', cpm: 2 }, multipliers: { channels: { a: 1.5 } } })
        .boundMicros,
    ).toBe(3_000_000);
    expect(() =>
      compileCampaignScoring('c3', {
        bid: { strategy: 'fixed_cpm', cpm: 2 },
        multipliers: { dayparts: [{ days: ['mon'], hours: [5, 3], multiplier: 1 }] },
      }),
    ).toThrow('multipliers.dayparts[0].hours');
  });
});
