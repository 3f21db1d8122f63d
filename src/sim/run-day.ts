/**
 * One simulated day of the real bidder against the synthetic market, in virtual time: the real config
 * snapshot, BidPath (selection, scoring, pacing gate), NoticeHandler (signed tokens, dedup, settlement) and
 * memory store, driven by a VirtualClock. Requests are built as internal BidRequest objects (no HTTP);
 * win/bill and loss notices come back through the notice handler after market-drawn delays (some minutes
 * late, a few lost). The result is per-campaign delivery, overspend and hourly pacing error.
 */
import { BidPath } from '../auction/bid-path.js';
import { TimeZoneTable } from '../campaigns/time-zones.js';
import { VirtualClock } from '../clock.js';
import { bidderSchema, channelSchema, type CampaignConfig } from '../config/schema.js';
import { buildSnapshot } from '../config/snapshot.js';
import { NoticeHandler } from '../notices/notice-handler.js';
import type { NoticeClaims } from '../notices/token.js';
import type { BidRequest } from '../openrtb/types.js';
import { PacingGate } from '../pacing/gate.js';
import { ScoringService } from '../scoring/index.js';
import { createMemoryStore } from '../store/memory/index.js';
import { EventQueue } from './event-queue.js';
import { Market, type SimChannel } from './market.js';

export interface DayOptions {
  readonly campaigns: readonly CampaignConfig[];
  readonly channels: readonly SimChannel[];
  readonly seed: number;
  readonly modelsDir: string;
  /** Midnight UTC of the simulated day. */
  readonly dayStartMs?: number;
}

export interface CampaignResult {
  readonly id: string;
  readonly budget: number;
  readonly spend: number;
  readonly delivery: number;
  readonly overspend: number;
  readonly impressions: number;
  readonly clicks: number;
  readonly cpm: number;
  readonly ecpc: number;
  /** √(mean over 24 hours of (cumulative spend ÷ budget − h/24)²). */
  readonly rmseVsLinear: number;
  /** Hour by hour cumulative spend ÷ budget. */
  readonly hourly: readonly number[];
}

export interface DayResult {
  readonly requests: number;
  readonly bids: number;
  readonly wallMs: number;
  /** `channel:reason` → count. */
  readonly noBids: Readonly<Record<string, number>>;
  readonly campaigns: readonly CampaignResult[];
}

interface Pending {
  readonly at: number;
  readonly run: () => Promise<unknown>;
}

const kDayMs = 86_400_000;

export async function simulateDay(o: DayOptions): Promise<DayResult> {
  const t0 = performance.now();
  const start = o.dayStartMs ?? Date.UTC(2026, 10, 23);
  const clock = new VirtualClock(start);
  const market = new Market(o.seed);
  const bidder = bidderSchema.parse({ notices: { keys: [{ id: 'k1', secret: 'sim' }], tokenTtl: '2d' }, pacing: { leaseTtl: '60s', noticeWindow: '15m', minLeaseMicros: 100_000 } });
  const snap = buildSnapshot(
    { dir: '.', bidder, channels: o.channels.map((c) => channelSchema.parse({ id: c.id, name: c.id, auctionType: c.auctionType, billableEvent: 'bill', winsImplied: true })), campaigns: o.campaigns, texts: new Map() },
    1,
    start,
    {},
  );
  const store = createMemoryStore();
  const zones = new TimeZoneTable();
  const gate = new PacingGate(store.budgets, clock, zones, { instanceId: 'sim-1', leaseTtlMs: 60_000, noticeWindowMs: 900_000, minLeaseMicros: 100_000 });
  await gate.warm(snap.campaigns);
  const scoring = await ScoringService.create({ mode: 'inline', modelsDir: o.modelsDir, watchModels: false, pool: { threads: 0 } }, { clock });
  const bidPath = new BidPath({ clock, gate, zones, instanceId: 'sim-1', privacy: () => ({ personalData: true, useIfa: true, reason: 'none' }), profiles: { lookup: async () => ({ profile: undefined, outcome: 'no_ids' }) }, idKeys: () => [], scoring });
  const hourly = new Map<string, Float64Array>(o.campaigns.map((c) => [c.id, new Float64Array(24)]));
  const imps = new Map<string, number>();
  const clicks = new Map<string, number>();
  const noticeInput = (c: NoticeClaims) => ({
    campaign: snap.campaignsById.get(c.campaignId)?.scoring,
    campaignId: c.campaignId,
    auctionId: c.auctionId,
    impId: c.impId,
    channelId: c.channelId,
    personId: c.personId,
    nowMs: clock.now(),
  });
  const notices = new NoticeHandler({
    clock,
    config: { current: snap },
    gate,
    dedup: store.dedup,
    profiles: store.profiles,
    events: {
      onNotice: () => {},
      // Wins and losses teach the scorer's first-price shading, as in the app.
      onWin: (c, clearing) => scoring.onWin(noticeInput(c), c.bidCpmAccountMicros, clearing),
      onLoss: (c, _code, clearing) => scoring.onLoss(noticeInput(c), c.bidCpmAccountMicros, clearing),
      onSpend: (c, micros) => {
        const h = Math.min(23, Math.floor((clock.now() - start) / 3_600_000));
        hourly.get(c.campaignId)![h]! += micros / 1e6;
        imps.set(c.campaignId, (imps.get(c.campaignId) ?? 0) + 1);
      },
    },
  });

  const queue = new EventQueue<Pending>();
  const drain = async (until: number) => {
    while (queue.size > 0 && queue.peek()!.at <= until) {
      const p = queue.pop()!;
      if (p.at > clock.now()) clock.set(p.at);
      await p.run();
    }
  };
  let requests = 0;
  let bids = 0;
  const noBids = new Map<string, number>();
  for (let m = 0; m < 1440; m++) {
    // This minute's requests on every channel, in time order (the virtual clock only moves forward).
    const arrivals: { readonly t: number; readonly ch: SimChannel }[] = [];
    for (const ch of o.channels) {
      const n = market.requests(ch, m);
      for (let i = 0; i < n; i++) arrivals.push({ t: start + m * 60_000 + Math.floor(((i + market.random()) * 60_000) / Math.max(1, n)), ch });
    }
    arrivals.sort((a, b) => a.t - b.t);
    for (const { t, ch } of arrivals) {
      const channel = snap.channels.get(ch.id)!;
      {
        await drain(t);
        if (t > clock.now()) clock.set(t);
        requests++;
        const floor = Math.round(Math.exp(ch.clearingMu - 1) * 100) / 100;
        const outcome = await bidPath.run(request(`${ch.id}-${requests}`, floor, ch.auctionType), snap, channel, clock.now() + 80);
        if (!outcome.bid) {
          const key = `${ch.id}:${outcome.reason}`;
          noBids.set(key, (noBids.get(key) ?? 0) + 1);
          continue;
        }
        for (const bid of outcome.response.seatbid[0]!.bid) {
          bids++;
          const clearing = market.clearingCpm(ch);
          const token = new URL(bid.nurl!).searchParams.get('t')!;
          const delay = market.noticeDelayMs();
          if (bid.price >= clearing) {
            const paid = ch.auctionType === 1 ? bid.price : Math.min(bid.price, clearing);
            if (market.random() < ch.ctr) clicks.set(bid.cid, (clicks.get(bid.cid) ?? 0) + 1);
            if (delay !== undefined) queue.push({ at: t + delay, run: () => notices.handle('bill', { t: token, p: paid.toFixed(6), r: undefined }) });
          } else if (delay !== undefined) {
            queue.push({ at: t + delay, run: () => notices.handle('loss', { t: token, p: clearing.toFixed(6), r: '102' }) });
          }
        }
      }
    }
  }
  await drain(start + kDayMs + 3_600_000);
  await scoring.close();

  const campaigns: CampaignResult[] = o.campaigns.map((c) => {
    const h = hourly.get(c.id)!;
    const budget = c.budget.daily;
    let cum = 0;
    let sq = 0;
    const fractions: number[] = [];
    for (let i = 0; i < 24; i++) {
      cum += h[i]!;
      fractions.push(cum / budget);
      sq += (cum / budget - (i + 1) / 24) ** 2;
    }
    const impressions = imps.get(c.id) ?? 0;
    const clickCount = clicks.get(c.id) ?? 0;
    return {
      id: c.id,
      budget,
      spend: cum,
      delivery: cum / budget,
      overspend: Math.max(0, cum - budget),
      impressions,
      clicks: clickCount,
      cpm: impressions === 0 ? 0 : (1000 * cum) / impressions,
      ecpc: clickCount === 0 ? 0 : cum / clickCount,
      rmseVsLinear: Math.sqrt(sq / 24),
      hourly: fractions,
    };
  });
  return { requests, bids, wallMs: performance.now() - t0, noBids: Object.fromEntries(noBids), campaigns };
}

function request(id: string, floor: number, at: 1 | 2): BidRequest {
  return {
    id,
    imp: [{ id: '1', banner: { formats: [{ w: 300, h: 250 }], w: 300, h: 250, battr: undefined, pos: 1 }, video: undefined, audio: undefined, native: undefined, pmp: undefined, tagid: 'slot', bidfloor: floor, bidfloorcur: 'USD', secure: true, instl: false, ext: undefined }],
    inventory: { kind: 'site', id: 's', name: undefined, domain: 'news.example', page: undefined, bundle: undefined, cat: ['IAB12'], publisher: { id: 'p', name: undefined, domain: undefined } },
    device: { ua: 'sim', ip: '203.0.113.1', ipv6: undefined, geo: { country: 'USA', region: 'NY', city: undefined, lat: undefined, lon: undefined, utcoffset: undefined }, devicetype: 2, os: 'Windows', osv: undefined, make: undefined, model: undefined, ifa: undefined, lmt: false, dnt: false, language: 'en' },
    user: undefined,
    regs: { coppa: false, gdpr: undefined, us_privacy: undefined, gpp: undefined, gpp_sid: undefined },
    source: undefined,
    at,
    tmax: 100,
    cur: ['USD'],
    bcat: undefined,
    badv: undefined,
    bapp: undefined,
    battr: undefined,
    wseat: undefined,
    bseat: undefined,
    test: false,
    ext: undefined,
  };
}
