import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.js';
import type { EventSink, ScoringEvent } from '../../../src/store/ports.js';
import { ScoreStatus } from '../../../src/scoring/index.js';
import { ScoringService } from '../../../src/scoring/service.js';
import { request, site } from '../../helpers/requests.js';
import { campaign, candidate, domainModel, kStart, service, tempDir, writeModel } from './fixtures.js';

const dirs: string[] = [];
const services: ScoringService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** A models dir with pCTR = σ(−6 + 1 on news.example) ≈ 0.67% and pCVR = σ(−2) ≈ 12%. */
async function setup(more: Parameters<typeof service>[1] = {}) {
  const dir = tempDir();
  dirs.push(dir);
  writeModel(dir, domainModel('news.example', 1, { bias: -6 }));
  writeModel(dir, { name: 'pcvr', target: 'cvr', bias: -2 });
  const r = await service(dir, more);
  services.push(r.s);
  return { ...r, dir };
}

const req = request({ id: 'auction-9', inventory: site('news.example') });
const input = { req, channelId: 'ssp-alpha', nowMs: kStart, profile: undefined, stage: undefined } as const;

describe('inline scoring', () => {
  it('prices every strategy from the live models', async () => {
    const { s } = await setup();
    const b = s.begin(input);
    const fixed = b.add(candidate(campaign('fixed')));
    const cpc = b.add(candidate(campaign('cpc', { bid: { strategy: 'target_cpc', cpc: 2, maxCpm: 50 } })));
    const cpa = b.add(candidate(campaign('cpa', { bid: { strategy: 'target_cpa', cpa: 20, maxCpm: 50 } })));
    const capped = b.add(candidate(campaign('capped', { bid: { strategy: 'target_cpc', cpc: 2, maxCpm: 0.5 } })));
    expect(s.run(b, kStart + 50)).toEqual({ ok: true });
    const pctr = sigmoid(-5);
    const pcvr = sigmoid(-2);
    expect(b.status(fixed)).toBe(ScoreStatus.Ok);
    expect(b.priceMicros(fixed)).toBe(2_000_000);
    expect(b.pctr(fixed)).toBeCloseTo(pctr, 6);
    expect(b.priceMicros(cpc)).toBe(Math.round(pctr * 2_000_000 * 1000));
    expect(b.priceMicros(cpa)).toBe(Math.round(pctr * pcvr * 20_000_000 * 1000));
    expect(b.priceMicros(capped)).toBe(500_000);
    s.release(b);
  });
  it('applies channel, daypart, stage and pacing multipliers', async () => {
    const { s } = await setup();
    const c = campaign('m', {
      multipliers: {
        channels: { 'ssp-alpha': 1.5 },
        dayparts: [{ days: ['mon'], hours: [12, 13], multiplier: 2 }],
        stages: { 'stage:decision': 1.1 },
      },
    });
    const b = s.begin({ ...input, stage: 'stage:decision' });
    const i = b.add(candidate(c, { hourOfWeek: 12, pacingMultiplier: 0.5 }));
    s.run(b, kStart + 50);
    expect(b.priceMicros(i)).toBe(Math.round(2_000_000 * 1.5 * 2 * 1.1 * 0.5));
  });
  it("multiplies value strategies by the cost controller's λ, capped at max CPM, and reports the expected actions", async () => {
    const { s } = await setup();
    const cpc = campaign('cpc', { bid: { strategy: 'target_cpc', cpc: 0.5, maxCpm: 50 } });
    const capped = campaign('capped', { bid: { strategy: 'target_cpc', cpc: 2, maxCpm: 14 } });
    const pctr = sigmoid(-5);
    // Impressions bought at half the target per expected click, one a minute: λ climbs.
    for (let m = 0; m < 30; m++) {
      for (const c of [cpc, capped]) {
        const n = {
          campaign: c,
          campaignId: c.id,
          auctionId: `a${m}`,
          impId: '1',
          channelId: 'ssp-alpha',
          personId: undefined,
          nowMs: kStart + m * 60_000,
          day: '2026-11-23',
        };
        s.onSpend(n, 0.5 * (c === cpc ? 500_000 : 2_000_000) * 5, 5);
      }
    }
    const lambda = s.cost!.state(cpc, 'ssp-alpha')!.multiplier;
    expect(lambda).toBeGreaterThan(1.5);
    const b = s.begin(input);
    const i = b.add(candidate(cpc, { pacingMultiplier: 0.8 }));
    const j = b.add(candidate(capped));
    const k = b.add(candidate(campaign('fixed')));
    const cpa = b.add(candidate(campaign('cpa', { bid: { strategy: 'target_cpa', cpa: 20, maxCpm: 50 } })));
    s.run(b, kStart + 50);
    expect(b.priceMicros(i)).toBe(Math.round(pctr * 500_000 * 1000 * 0.8 * lambda));
    expect(b.multipliers(i).cost).toBe(lambda);
    expect(b.priceMicros(j)).toBe(14_000_000);
    expect(b.priceMicros(k)).toBe(2_000_000);
    expect(b.expectedActions(i)).toBeCloseTo(pctr, 12);
    expect(b.expectedActions(cpa)).toBeCloseTo(pctr * sigmoid(-2), 12);
    expect(b.expectedActions(k)).toBeUndefined();
    s.release(b);
  });
  it('shades first-price value bids only, never below the floor or above value', async () => {
    const { s } = await setup({ shading: { exploreRate: 0 } });
    // Bids at $3: the price needed to win is $1.00–$4.60, so 5 in 10 lose with their clearing price.
    for (let i = 0; i < 400; i++) {
      const need = 1_000_000 + (i % 10) * 400_000;
      s.shading.observe('ssp-alpha', 3_000_000, 3_000_000 >= need, 3_000_000 >= need ? undefined : need);
    }
    const cpc = campaign('cpc', { bid: { strategy: 'target_cpc', cpc: 2, maxCpm: 50 } });
    const b = s.begin(input);
    const first = b.add(candidate(cpc, { firstPrice: true }));
    const second = b.add(candidate(cpc, { firstPrice: false }));
    const fixed = b.add(candidate(campaign('fixed'), { firstPrice: true }));
    const off = b.add(
      candidate(campaign('off', { bid: { strategy: 'target_cpc', cpc: 2, maxCpm: 50 }, shading: false }), {
        firstPrice: true,
      }),
    );
    s.run(b, kStart + 50);
    expect(b.valueMicros(first)).toBe(b.priceMicros(second));
    expect(b.priceMicros(first)).toBeLessThan(b.valueMicros(first));
    expect(b.priceMicros(first)).toBeGreaterThanOrEqual(b.floorMicros(first));
    expect(b.priceMicros(first)).toBe(
      s.shading.shade('ssp-alpha', b.valueMicros(first), b.floorMicros(first), 'tag-1'),
    );
    expect(b.priceMicros(fixed)).toBe(2_000_000);
    expect(b.priceMicros(off)).toBe(b.valueMicros(off));
  });
  it('reports below-floor and missing-model candidates', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const { s } = await service(dir); // no models at all
    services.push(s);
    const b = s.begin(input);
    const low = b.add(candidate(campaign('low'), { floorMicros: 5_000_000 }));
    const cpc = b.add(candidate(campaign('cpc', { bid: { strategy: 'target_cpc', cpc: 2, maxCpm: 50 } })));
    s.run(b, kStart + 50);
    expect(b.status(low)).toBe(ScoreStatus.BelowFloor);
    expect(b.status(cpc)).toBe(ScoreStatus.NoModel);
    expect(b.priceMicros(cpc)).toBe(0);
  });
  it('answers "no score" once the deadline has passed, and grows past the initial capacity', async () => {
    const { s, clock } = await setup();
    const b = s.begin(input);
    for (let i = 0; i < 40; i++) b.add(candidate(campaign(`c${i}`), { impIndex: i % 3 }));
    clock.advance(100);
    expect(s.run(b, kStart + 50)).toEqual({ ok: false, reason: 'deadline' });
    expect(s.stats().noScore.deadline).toBe(1);
    expect(s.run(b, kStart + 500)).toEqual({ ok: true });
    expect(b.n).toBe(40);
    expect(b.priceMicros(39)).toBe(2_000_000);
    expect(b.impIndex(38)).toBe(2);
  });
  it('explains a candidate: features, weights, multipliers, arms', async () => {
    const { s } = await setup();
    const b = s.begin({ ...input, debug: true });
    const i = b.add(
      candidate(campaign('cpa', { bid: { strategy: 'target_cpa', cpa: 20, maxCpm: 50 } }), { pacingMultiplier: 0.9 }),
    );
    s.run(b, kStart + 50);
    const e = b.explain(i)!;
    expect(e.status).toBe('ok');
    expect(e.features).toMatchObject({
      channel: 'ssp-alpha',
      domain: 'news.example',
      placement: 'tag-1',
      size: '300x250',
      campaign: 'cpa',
      creative: 'cr1',
    });
    expect(e.pctr?.key).toBe('pctr@1');
    expect(e.pctr?.weights.domain).toBe(1);
    expect(e.pctr?.logit).toBeCloseTo(-5, 6);
    expect(e.pcvr?.p).toBeCloseTo(sigmoid(-2), 6);
    expect(e.multipliers).toEqual({ channel: 1, daypart: 1, stage: 1, pacing: 0.9, cost: 1, product: 0.9 });
    expect(e.valueMicros).toBe(b.valueMicros(i));
    expect(s.begin(input).explain(0)).toBeUndefined();
  });
});

describe('experiments in the scorer', () => {
  it('holds out, overrides strategy and model per arm, and counts bids, wins, clicks, conversions', async () => {
    const dir = tempDir();
    dirs.push(dir);
    writeModel(dir, domainModel('news.example', 1, { bias: -6 }));
    writeModel(dir, domainModel('news.example', 2, { version: 2, bias: -6 }));
    const events: ScoringEvent[] = [];
    const sink: EventSink = {
      append: (e) => events.push(e),
      flush: async () => {},
      close: async () => {},
      stats: { written: 0, dropped: 0, errors: 0 },
    };
    const s2 = await ScoringService.create(
      { mode: 'inline', modelsDir: dir, watchModels: false, bidSampleRate: 1 },
      { clock: new VirtualClock(kStart), sink },
    );
    services.push(s2);
    const c = campaign('exp', {
      bid: { strategy: 'target_cpc', cpc: 2, maxCpm: 50 },
      experiments: [
        {
          id: 'e1',
          holdout: 0.2,
          arms: [
            { id: 'old', weight: 1, model: { pctr: 'pctr@1' } },
            { id: 'cpa', weight: 1, strategy: { strategy: 'fixed_cpm', cpm: 3 } },
          ],
        },
      ],
    });
    const seen = { holdout: 0, old: 0, cpa: 0 };
    for (let u = 0; u < 300; u++) {
      const b = s2.begin({ ...input, profile: { personId: `p${u}`, segments: new Set(), frequency: new Map() } });
      const i = b.add(candidate(c));
      s2.run(b, kStart + 50);
      if (b.status(i) === ScoreStatus.Holdout) {
        seen.holdout++;
      } else if (b.arm(i, 0).id === 'old') {
        seen.old++;
        expect(b.priceMicros(i)).toBe(Math.round(sigmoid(-5) * 2e9)); // pinned v1, not the live v2
        s2.recordBid(b, i, `a${u}`, '1', `bid${u}`);
        const n = {
          campaign: c,
          campaignId: 'exp',
          auctionId: `a${u}`,
          impId: '1',
          channelId: 'ssp-alpha',
          personId: `p${u}`,
          nowMs: kStart,
        };
        s2.onWin(n, b.priceMicros(i), 1_000_000);
        s2.onClick(n);
        if (u % 2 === 0) s2.onConversion(n);
      } else {
        seen.cpa++;
        expect(b.priceMicros(i)).toBe(3_000_000);
      }
      s2.release(b);
    }
    expect(seen.holdout).toBeGreaterThan(30);
    expect(seen.old).toBeGreaterThan(80);
    expect(seen.cpa).toBeGreaterThan(80);
    const snap = s2.experiments.snapshot().e1!;
    expect(snap.holdouts).toBe(seen.holdout);
    expect(snap.arms.old).toMatchObject({
      bids: seen.old,
      wins: seen.old,
      clicks: seen.old,
      spendMicros: seen.old * 1000,
      ecpcMicros: 1000,
    });
    expect(snap.arms.old!.conversions).toBeGreaterThan(0);
    const bid = events.find((e) => e.t === 'bid');
    expect(bid).toMatchObject({
      t: 'bid',
      campaign: 'exp',
      channel: 'ssp-alpha',
      arms: ['e1/old'],
      f: { domain: 'news.example' },
    });
    expect(events.filter((e) => e.t === 'win')).toHaveLength(seen.old);
  });
});
