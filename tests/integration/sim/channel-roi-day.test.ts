/**
 * A short simulated day with two channels of 2× different true ROI, two instances sharing the store: the
 * floating pool moves to the better channel by marginal ROI (each step reported with its figures),
 * exploration spends its reserve (no more), and the budget is delivered without overspend while caps move
 * under the fleet.
 */
import { describe, expect, it } from 'vitest';
import { campaignSchema } from '../../../src/config/schema.js';
import type { SimChannel } from '../../../sim/market.js';
import { simulateDay } from '../../../sim/run-day.js';

const channels: SimChannel[] = [
  { id: 'alpha', requestsPerMinute: 60, clearingMu: Math.log(1.4), clearingSigma: 0.5, auctionType: 2, ctr: 0.02 },
  { id: 'beta', requestsPerMinute: 60, clearingMu: Math.log(1.4), clearingSigma: 0.5, auctionType: 2, ctr: 0.04 },
];

const campaigns = (floating: number) =>
  [0, 1, 2].map((i) =>
    campaignSchema.parse({
      id: `roi-${i}`,
      advertiser: 'a',
      adomain: ['a.example'],
      budget: { daily: 8 + 2 * i, channels: { alpha: 0.5, beta: 0.5 }, pacing: 'even', floating, exploration: 0.1 },
      bid: { strategy: 'fixed_cpm', cpm: 2.5 + i * 0.25 },
      roi: { clickValue: 1 },
      creatives: [{ id: `cr-${i}`, format: 'banner', w: 300, h: 250, markup: 'm', landingUrl: 'https://a.example/' }],
    }),
  );

const modelsDir = new URL('../../../config/models', import.meta.url).pathname;

describe('simulated day with a floating pool', () => {
  it('moves the pool to the channel that pays, keeps exploration at its reserve, delivers without overspend', async () => {
    const r = await simulateDay({
      campaigns: campaigns(0.4),
      channels,
      seed: 5,
      modelsDir,
      instances: 2,
      sampleMinutes: 30,
    });
    for (const c of r.campaigns) {
      expect(c.delivery, c.id).toBeGreaterThanOrEqual(0.98);
      expect(c.overspend, c.id).toBeLessThanOrEqual(c.budget * 0.005);
      expect(c.explorationSpend / c.explorationReserve, c.id).toBeGreaterThan(0.9);
      expect(c.explorationSpend / c.explorationReserve, c.id).toBeLessThanOrEqual(1.005);
      const beta = c.channels.find((ch) => ch.id === 'beta')!;
      // Base 0.5 × 0.6 = 0.3 of the budget; the whole pool on beta makes 0.7.
      expect(beta.capShare[0], c.id).toBeCloseTo(0.5);
      expect(beta.capShare.at(-1)!, c.id).toBeGreaterThan(0.6);
      expect(Math.min(...beta.capShare), c.id).toBeGreaterThanOrEqual(0.3 - 1e-9);
    }
    // Every step is reported with the figures it was decided on: ROI steps toward beta on marginal ROI that
    // cleared its bar, from operating points measured in the second-price market (the next impression costs
    // the bid, more than the average paid: factor < 1).
    const roiSteps = r.steps.filter((s) => s.move.reason === 'roi');
    expect(roiSteps.length).toBeGreaterThan(0);
    for (const s of roiSteps) {
      expect(s.move.to).toBe('beta');
      expect(s.move.gap!).toBeGreaterThan(s.move.threshold!);
      expect(s.move.fraction).toBeLessThanOrEqual(0.1 + 1e-12);
      expect(s.figures.map((f) => f.channelId).sort()).toEqual(['alpha', 'beta']);
    }
    const measured = roiSteps.flatMap((s) => s.figures).filter((f) => f.marginalCpmMicros !== undefined);
    expect(measured.length).toBeGreaterThan(0);
    for (const f of measured) {
      expect(f.firstPrice).toBe(false);
      if (f.signal < 0.3) {
        // Throttled (below the simulator's lowest multiplier, 0.3): more budget buys at the average price.
        expect(f.marginalCpmMicros!).toBe(f.paidCpmMicros!);
        expect(f.factor).toBe(1);
      } else {
        expect(f.marginalCpmMicros!).toBe(f.bidCpmMicros!);
        expect(f.marginalCpmMicros!).toBeGreaterThan(f.paidCpmMicros!);
        expect(f.factor).toBeGreaterThan(0.3);
        expect(f.factor).toBeLessThan(1);
      }
    }
    expect(measured.some((f) => f.factor < 1)).toBe(true);
  }, 120_000);
});
