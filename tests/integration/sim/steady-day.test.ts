/**
 * A short simulated day (seconds of wall time) of the real bid path, pacing gate and notice handler against
 * the synthetic market: even pacing delivers the budget without overspending, late and lost notices
 * included, and tracks the linear target far better than spending as fast as possible.
 */
import { describe, expect, it } from 'vitest';
import { campaignSchema, type CampaignConfig } from '../../../src/config/schema.js';
import type { SimChannel } from '../../../sim/market.js';
import { simulateDay } from '../../../sim/run-day.js';

const channels: SimChannel[] = [
  { id: 'alpha', requestsPerMinute: 30, clearingMu: Math.log(1.6), clearingSigma: 0.5, auctionType: 1, ctr: 0.002 },
  { id: 'beta', requestsPerMinute: 30, clearingMu: Math.log(1.2), clearingSigma: 0.6, auctionType: 2, ctr: 0.004 },
];

function campaigns(pacing: 'even' | 'asap'): CampaignConfig[] {
  return [0, 1, 2].map((i) =>
    campaignSchema.parse({
      id: `sim-${i}`,
      advertiser: 'a',
      adomain: ['a.example'],
      budget: { daily: 3 + i, channels: { alpha: 0.5, beta: 0.5 }, pacing },
      bid: { strategy: 'fixed_cpm', cpm: 2.5 + i * 0.25 },
      creatives: [{ id: `cr-${i}`, format: 'banner', w: 300, h: 250, markup: 'm', landingUrl: 'https://a.example/' }],
    }),
  );
}

const modelsDir = new URL('../../../config/models', import.meta.url).pathname;

describe('simulated day', () => {
  it('even pacing: ≥ 99% delivery, no overspend, hourly pacing error far below ASAP', async () => {
    const even = await simulateDay({ campaigns: campaigns('even'), channels, seed: 3, modelsDir });
    const asap = await simulateDay({ campaigns: campaigns('asap'), channels, seed: 3, modelsDir });
    for (const c of even.campaigns) {
      expect(c.delivery, c.id).toBeGreaterThanOrEqual(0.99);
      expect(c.overspend, c.id).toBeLessThanOrEqual(c.budget * 0.005);
      expect(c.rmseVsLinear, c.id).toBeLessThan(0.03);
    }
    for (const c of asap.campaigns) expect(c.overspend, c.id).toBeLessThanOrEqual(c.budget * 0.005);
    const mean = (r: typeof even) => r.campaigns.reduce((s, c) => s + c.rmseVsLinear, 0) / r.campaigns.length;
    expect(mean(even) * 5).toBeLessThan(mean(asap));
  });
  it('is deterministic for a seed', async () => {
    const a = await simulateDay({
      campaigns: campaigns('even'),
      channels: channels.map((c) => ({ ...c, requestsPerMinute: 5 })),
      seed: 9,
      modelsDir,
    });
    const b = await simulateDay({
      campaigns: campaigns('even'),
      channels: channels.map((c) => ({ ...c, requestsPerMinute: 5 })),
      seed: 9,
      modelsDir,
    });
    expect(b.campaigns.map((c) => c.spend)).toEqual(a.campaigns.map((c) => c.spend));
  });
});
