/**
 * A short simulated day with config changes applied through the bidder's reload path (`applySnapshot` on
 * every instance): one campaign's budget raised at noon, one paused 10:00–13:00, one added at 15:00. Each
 * is delivered by midnight and none overspends; the paused campaign buys nothing while paused and the added
 * one nothing before it exists.
 */
import { describe, expect, it } from 'vitest';
import { campaignSchema, type CampaignConfig } from '../../../src/config/schema.js';
import type { SimChannel } from '../../../sim/market.js';
import { simulateDay } from '../../../sim/run-day.js';

const channels: SimChannel[] = [
  { id: 'alpha', requestsPerMinute: 30, clearingMu: Math.log(1.6), clearingSigma: 0.5, auctionType: 1, ctr: 0.002 },
  { id: 'beta', requestsPerMinute: 30, clearingMu: Math.log(1.2), clearingSigma: 0.6, auctionType: 2, ctr: 0.004 },
];

const campaigns: CampaignConfig[] = [0, 1, 2].map((i) =>
  campaignSchema.parse({
    id: `sim-${i}`,
    advertiser: 'a',
    adomain: ['a.example'],
    budget: { daily: 3 + i, channels: { alpha: 0.5, beta: 0.5 }, pacing: 'even' },
    bid: { strategy: 'fixed_cpm', cpm: 2.5 + i * 0.25 },
    creatives: [{ id: `cr-${i}`, format: 'banner', w: 300, h: 250, markup: 'm', landingUrl: 'https://a.example/' }],
  }),
);

const modelsDir = new URL('../../../config/models', import.meta.url).pathname;

describe('simulated day with mid-day config changes', () => {
  it('pause and resume, a new campaign at 15:00, a budget cut: delivered by midnight, never over', async () => {
    const r = await simulateDay({
      campaigns,
      channels,
      seed: 4,
      modelsDir,
      instances: 2,
      changes: [
        { atMinute: 600, pause: ['sim-0'] },
        { atMinute: 720, factor: 0.8 },
        { atMinute: 780, resume: ['sim-0'] },
        { atMinute: 900, add: ['sim-2'] },
      ],
    });
    const by = new Map(r.campaigns.map((c) => [c.id, c]));
    for (const c of r.campaigns) {
      // Budgets are the final config's: × 0.8 from noon.
      expect(c.budget, c.id).toBeCloseTo((3 + Number(c.id.slice(4))) * 0.8);
      expect(c.delivery, c.id).toBeGreaterThanOrEqual(0.98);
      expect(c.overspend, c.id).toBeLessThanOrEqual(c.budget * 0.005);
    }
    // Hourly cumulative spend: flat while paused (10:00–13:00, notices of earlier bids aside), zero before the add.
    const paused = by.get('sim-0')!.hourly;
    expect((paused[12]! - paused[10]!) * by.get('sim-0')!.budget).toBeLessThan(0.02);
    expect(by.get('sim-2')!.hourly[14]).toBe(0);
    expect(by.get('sim-2')!.spend).toBeGreaterThan(0);
  }, 120_000);
});
