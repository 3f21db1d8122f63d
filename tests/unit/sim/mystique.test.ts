import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  constrainedCampaigns,
  inverseNormal,
  mystiqueMetrics,
  parseMystiqueCsv,
  simulateMystique,
} from '../../../sim/mystique.js';

const csv = readFileSync(new URL('../../../sim/scenarios/mystique-default-campaigns.csv', import.meta.url), 'utf8');

describe('mystique anchor scenario', () => {
  it('parses the 100 campaigns of the CSV, targeting sets included', () => {
    const cs = parseMystiqueCsv(csv);
    expect(cs).toHaveLength(100);
    expect(cs[0]).toMatchObject({ id: 'campaign_0', genders: undefined, locations: [0, 1] });
    expect(cs.reduce((s, c) => s + c.dailyBudget, 0)).toBeCloseTo(64_614, 0);
    expect(() => parseMystiqueCsv('id,daily_budget\nx,1')).toThrow(/missing column/);
  });
  it('inverse normal matches known quantiles', () => {
    expect(inverseNormal(0.5)).toBeCloseTo(0, 9);
    expect(inverseNormal(0.975)).toBeCloseTo(1.959964, 5);
    expect(inverseNormal(0.001)).toBeCloseTo(-3.090232, 5);
  });
  it('on a scaled-down two days, the adaptive controller stays alive all day, never overspends and buys cheaper than no pacing', () => {
    const cs = parseMystiqueCsv(csv).map((c) => ({ ...c, dailyBudget: c.dailyBudget / 10 }));
    const budgets = cs.map((c) => c.dailyBudget);
    const none = simulateMystique({
      campaigns: cs,
      days: 2,
      seed: 3,
      pacing: { kind: 'none' },
      meanAuctionsPerMinute: 300,
    });
    const constrained = constrainedCampaigns(none, budgets);
    expect(constrained.length).toBeGreaterThan(30);
    const ours = simulateMystique({
      campaigns: cs,
      days: 2,
      seed: 3,
      pacing: { kind: 'adaptive', minMultiplier: 0.001, intervalMs: 10_000 },
      meanAuctionsPerMinute: 300,
    });
    const a = mystiqueMetrics('ours', ours, budgets, constrained);
    const b = mystiqueMetrics('none', none, budgets, constrained);
    expect(b.alive).toBeLessThan(0.3);
    expect(a.alive).toBeGreaterThan(0.95);
    expect(a.utilisation).toBeGreaterThan(0.97);
    expect(a.overspend).toBe(0);
    expect(a.cpm).toBeLessThan(b.cpm);
    expect(a.rmse).toBeLessThan(b.rmse / 5);
    // Two simulated runs: ~3.5 s alone, more beside the rest of the suite on two cores.
  }, 30_000);
});
