/**
 * `npm run simulate [-- --scenario steady|step] [--rpm 100] [--seed 7]`: one simulated day of the real bidder
 * against the synthetic market, once with each campaign's `even` pacing and once with `asap` (no pacing),
 * printing delivery, overspend, pacing error (RMSE of hourly cumulative spend vs the linear target), CPM
 * and eCPC side by side, and writing sim/results/<scenario>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { campaignSchema, type CampaignConfig } from '../src/config/schema.js';
import type { SimChannel } from '../src/sim/market.js';
import { simulateDay, type DayResult } from '../src/sim/run-day.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const scenario = arg('scenario', 'steady');
const rpm = Number(arg('rpm', '100'));
const seed = Number(arg('seed', '7'));

const channels: SimChannel[] = [
  { id: 'alpha', requestsPerMinute: rpm, clearingMu: Math.log(1.6), clearingSigma: 0.5, auctionType: 1, ctr: 0.002 },
  { id: 'beta', requestsPerMinute: rpm, clearingMu: Math.log(1.2), clearingSigma: 0.6, auctionType: 2, ctr: 0.004, ...(scenario === 'step' ? { step: { fromMinute: 600, toMinute: 720, factor: 0.2 } } : {}) },
];

function campaigns(pacing: 'even' | 'asap'): CampaignConfig[] {
  return Array.from({ length: 8 }, (_, i) =>
    campaignSchema.parse({
      id: `sim-${i}`,
      advertiser: `adv-${i % 3}`,
      adomain: [`adv${i % 3}.example`],
      budget: { daily: 6 + i * 2, channels: { alpha: 0.5, beta: 0.5 }, pacing },
      bid: i % 2 === 0 ? { strategy: 'fixed_cpm', cpm: 2 + i * 0.25 } : { strategy: 'max_cpm', cpm: 3 + i * 0.25, bidFraction: 0.8 },
      creatives: [{ id: `cr-${i}`, format: 'banner', w: 300, h: 250, markup: '<a href="{{CLICK_URL}}">ad</a>', landingUrl: 'https://adv.example/' }],
    }),
  );
}

const modelsDir = new URL('../config/models', import.meta.url).pathname;
const results: Record<string, DayResult> = {};
if (scenario === 'shading') {
  // One first-price channel, max-CPM campaigns with budgets that never bind: shading off vs on.
  const fp: SimChannel[] = [{ id: 'alpha', requestsPerMinute: rpm, clearingMu: Math.log(1.6), clearingSigma: 0.5, auctionType: 1, ctr: 0.002 }];
  const mk = (shading: boolean) =>
    [0, 1, 2].map((i) =>
      campaignSchema.parse({
        id: `shade-${i}`,
        advertiser: 'a',
        adomain: ['a.example'],
        budget: { daily: 100_000, channels: { alpha: 1 }, pacing: 'asap' },
        bid: { strategy: 'max_cpm', cpm: 4 + i, bidFraction: 1 },
        shading,
        creatives: [{ id: `cr-${i}`, format: 'banner', w: 300, h: 250, markup: 'm', landingUrl: 'https://a.example/' }],
      }),
    );
  for (const shading of [false, true]) results[shading ? 'shaded' : 'unshaded'] = await simulateDay({ campaigns: mk(shading), channels: fp, seed, modelsDir });
} else {
  for (const pacing of ['even', 'asap'] as const) results[pacing] = await simulateDay({ campaigns: campaigns(pacing), channels, seed, modelsDir });
}

const fmt = (x: number, d = 3) => x.toFixed(d);
console.log(`scenario ${scenario}, ${rpm} requests/min/channel mean, seed ${seed}`);
for (const [pacing, r] of Object.entries(results)) {
  console.log(`\n${pacing}: ${r.requests} requests, ${r.bids} bids, ${(r.wallMs / 1000).toFixed(1)} s wall; no-bids ${JSON.stringify(r.noBids)}`);
  console.table(r.campaigns.map((c) => ({ campaign: c.id, budget: c.budget, delivery: fmt(c.delivery), overspend: fmt(c.overspend, 4), rmse: fmt(c.rmseVsLinear), cpm: fmt(c.cpm, 2), ecpc: fmt(c.ecpc, 2) })));
  const mean = (f: (c: DayResult['campaigns'][number]) => number) => r.campaigns.reduce((s, c) => s + f(c), 0) / r.campaigns.length;
  const wins = r.campaigns.reduce((s2, c) => s2 + c.impressions, 0);
  const spent = r.campaigns.reduce((s2, c) => s2 + c.spend, 0);
  console.log(`wins ${wins}, spend ${fmt(spent, 2)}, average paid CPM ${fmt((1000 * spent) / Math.max(1, wins), 3)}`);
  console.log(`mean delivery ${fmt(mean((c) => c.delivery))}, max overspend ${fmt(Math.max(...r.campaigns.map((c) => c.overspend / c.budget)) * 100, 2)}% of budget, mean RMSE ${fmt(mean((c) => c.rmseVsLinear))}, mean CPM ${fmt(mean((c) => c.cpm), 2)}`);
}
mkdirSync(new URL('../sim/results', import.meta.url), { recursive: true });
writeFileSync(new URL(`../sim/results/${scenario}.json`, import.meta.url), `${JSON.stringify({ scenario, rpm, seed, results }, null, 2)}\n`);
