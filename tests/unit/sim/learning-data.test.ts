import { describe, expect, it } from 'vitest';
import {
  campaignOf,
  learningEvents,
  learningMarket,
  learningRows,
  learningTruth,
  maxReachableEcpc,
  normalCdf,
} from '../../../sim/learning-data.js';
import type { SimChannel } from '../../../sim/market.js';
import { prng } from '../../../sim/random.js';

const market = learningMarket();
const small = { ...market, explore: { ...market.explore, traffic: 0.02 } };

describe('the learning market as a generator', () => {
  it('draws reproducibly from the draw seed, with the scenario seed’s truth', () => {
    const a = [...learningRows(small, 1, 5)];
    const b = [...learningRows(small, 1, 5)];
    const c = [...learningRows(small, 1, 6)];
    expect(a.length).toBeGreaterThan(3_000);
    expect(b).toEqual(a);
    expect(c.map((r) => r.rec)).not.toEqual(a.map((r) => r.rec));
    // The truth is the scenario seed's whatever the draws: the same record prices the same.
    const truth = learningTruth(market.seed, market.baseCtr);
    for (const r of [...a.slice(0, 50), ...c.slice(0, 50)]) expect(truth.truth(r.rec).pctr).toBeCloseTo(r.pctr, 12);
  });

  it('logs what the simulated bidder logs: its channel ids, the slice’s campaign, that campaign’s creative', () => {
    const ids = new Set(market.channels.map((c) => c.id));
    for (const r of learningRows(small, 1, 7)) {
      expect(ids.has(r.rec.channel!)).toBe(true);
      expect(r.rec.format).toBe('banner');
      expect(r.rec.campaign).toBe(campaignOf(market.campaigns, r.rec));
      expect(r.rec.creative).toBe(`${r.rec.campaign}-${r.rec.size}`);
    }
    expect(campaignOf(market.campaigns, { bundle: 'com.app1', devicetype: 4 })).toBe('apps');
    expect(campaignOf(market.campaigns, { domain: 'a.example', devicetype: 2 })).toBe('web-desktop');
    expect(campaignOf(market.campaigns, { domain: 'a.example', devicetype: 5 })).toBe('web-mobile');
    expect(campaignOf(market.campaigns, { domain: 'a.example', devicetype: 3 })).toBeUndefined();
  });

  it('writes a bid and a win per impression, clicks at the true CTR, conversions at the true CVR', () => {
    const rows = [...learningRows(small, 1, 8)];
    const n = { bid: 0, win: 0, loss: 0, click: 0, conv: 0 };
    for (const e of learningEvents(rows, 8)) n[e.t]++;
    expect(n.bid).toBe(rows.length);
    expect(n.win).toBe(rows.length);
    const expected = rows.reduce((s, r) => s + r.pctr, 0);
    expect(Math.abs(n.click - expected)).toBeLessThan(4 * Math.sqrt(expected));
  });
});

describe('the supply bound', () => {
  it('Φ: the textbook values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });

  it('second price: what bidding the max CPM on everything pays per click (Monte Carlo, fixed seed)', () => {
    const ch: SimChannel = {
      id: 'sp',
      requestsPerMinute: 1,
      clearingMu: Math.log(1.2),
      clearingSigma: 0.6,
      auctionType: 2,
      ctr: 0,
    };
    const r = prng(3);
    let spend = 0;
    let wins = 0;
    for (let i = 0; i < 400_000; i++) {
      const x = Math.exp(
        ch.clearingMu + ch.clearingSigma * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()),
      );
      if (x >= 2) continue;
      spend += x / 1000;
      wins++;
    }
    // A max CPM of $2 loses the dearer impressions: eCPC = spend ÷ (wins × CTR).
    expect(maxReachableEcpc(ch, 2, 0.02) / (spend / (wins * 0.02))).toBeCloseTo(1, 2);
    // First price pays the bid itself.
    expect(maxReachableEcpc({ ...ch, auctionType: 1 }, 2, 0.02)).toBeCloseTo(0.1, 12);
  });
});
