import { describe, expect, it } from 'vitest';
import { kExperimentDefaults, quantile, runExperiment } from '../../../sim/experiments.js';

const models = new URL('../../../config/models', import.meta.url).pathname;

describe('experiments scenario', () => {
  it('finds a clearly better arm through the real bucketing, counters and test, and says when', async () => {
    const r = await runExperiment(models, { ...kExperimentDefaults, seed: 3, lift: 1.5, maxHours: 24 });
    expect(r.verdict).toBe('better');
    expect(r.hours).toBeGreaterThan(0);
    expect(r.hours).toBeLessThan(24);
    expect(r.clicks.treatment).toBeGreaterThan(r.clicks.control);
    expect(r.effect!.low).toBeLessThan(0.5);
    expect(r.effect!.high).toBeGreaterThan(0.5);
  });

  it('an A/A run gives no verdict (fixed seed) and runs to its horizon', async () => {
    const r = await runExperiment(models, { ...kExperimentDefaults, seed: 4, lift: 1, maxHours: 6 });
    expect(r.verdict === 'better' || r.verdict === 'worse').toBe(false);
    expect(r.hours).toBe(6);
    expect(r.impressions).toBe(6 * kExperimentDefaults.impressionsPerHour);
  });

  it('quantile', () => {
    expect(quantile([3, 1, 2, 4], 0.5)).toBe(3);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
