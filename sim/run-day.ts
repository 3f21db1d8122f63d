/**
 * One simulated day of the real bidder against the synthetic market, in virtual time: the real config
 * snapshot, BidPath (selection, scoring, pacing controller and gate), NoticeHandler (signed tokens, dedup,
 * settlement) and store, driven by a VirtualClock. `instances` bidders (each its own gate, bid path and
 * notice handler) share one store — the memory store, or a real Redis store the caller opens — and each
 * request and notice goes to a random live instance, as behind a load balancer. Requests are internal
 * BidRequest objects (no HTTP); win/bill and loss notices come back after market-drawn delays (some
 * minutes late, a few lost). Scenario events: an instance killed mid-day (its leases are not returned: it
 * crashed), the budgets changed at a given minute (a config reload). The result is per-campaign and
 * per-channel delivery, overspend, pacing error, and time series for the report.
 */
import { createBidder } from '../src/bidder/create-bidder.js';
import { VirtualClock } from '../src/clock.js';
import { bidderSchema, type CampaignConfig } from '../src/config/schema.js';
import { buildSnapshot } from '../src/config/snapshot.js';
import type { NoticeClaims } from '../src/tokens/token.js';
import type { BidRequest } from '../src/openrtb/types.js';
import type { ConfigSnapshot } from '../src/config/snapshot.js';
import type { Bidder } from '../src/bidder/create-bidder.js';
import type { Store } from '../src/store/ports.js';
import type { Move } from '../src/pacing/allocation.js';
import type { StepFigures } from '../src/pacing/reallocator.js';
import { ScoringService } from '../src/scoring/index.js';
import { prng } from './random.js';
import { createMemoryStore } from '../src/store/memory/index.js';
import { EventQueue } from './event-queue.js';
import { simDevice, simRequest, simulatedChannel } from './sim-request.js';
import { Market, type SimChannel } from './market.js';

export interface DayOptions {
  readonly campaigns: readonly CampaignConfig[];
  readonly channels: readonly SimChannel[];
  readonly seed: number;
  readonly modelsDir: string;
  /** Midnight UTC of the simulated day. */
  readonly dayStartMs?: number;
  readonly pacing?: {
    readonly controller?: 'adaptive' | 'step' | 'none';
    readonly minMultiplier?: number;
    /** `pacing.finishEarly` in seconds (default: the bidder's). */
    readonly finishEarly?: number;
  };
  /** Bidder instances sharing the store (default 1). */
  readonly instances?: number;
  /** The shared store (default: a fresh memory store). The caller closes it. */
  readonly store?: Store;
  /** Tags this run's budget keys apart from other runs in a shared store (default: none). */
  readonly runTag?: string;
  readonly kill?: { readonly instance: number; readonly atMinute: number };
  /** Config changes during the day (scenario.ts `changes`), each applied as a reload of a new snapshot. */
  readonly changes?: readonly DayChange[];
  /** Series resolution in simulated minutes (default 10). */
  readonly sampleMinutes?: number;
  /** Called at the start of each simulated minute (0–1439): progress reporting. */
  readonly onMinute?: (minute: number) => void;
}

/**
 * One mid-day config change: every budget × `factor` (of the configured budget), campaigns paused or
 * resumed, campaigns added (ids from `campaigns`; they are left out of the config until this change).
 */
export interface DayChange {
  readonly atMinute: number;
  readonly factor?: number;
  readonly pause?: readonly string[];
  readonly resume?: readonly string[];
  readonly add?: readonly string[];
}

export interface ChannelResult {
  readonly id: string;
  readonly cap: number;
  readonly spend: number;
  readonly clicks: number;
  /** Impressions bought on the channel (billed). */
  readonly impressions: number;
  /** Spend of exploration bids on the channel. */
  readonly explorationSpend: number;
  /** Cumulative spend ÷ cap at each sample, the target fraction, and the mean pacing signal over instances. */
  readonly spendFraction: readonly number[];
  readonly signal: readonly number[];
  /** The channel's cap ÷ the campaign's daily budget at each sample (moves with the floating pool). */
  readonly capShare: readonly number[];
  /** Clicks × click value ÷ spend over the last hour at each sample (ground truth from the market; NaN without spend). */
  readonly roi: readonly number[];
}

export interface CampaignResult {
  readonly id: string;
  readonly budget: number;
  readonly spend: number;
  readonly delivery: number;
  readonly overspend: number;
  readonly impressions: number;
  readonly clicks: number;
  /** Exploration spend on all channels, and the reserve it was given (budget × exploration share). */
  readonly explorationSpend: number;
  readonly explorationReserve: number;
  readonly cpm: number;
  readonly ecpc: number;
  /** √(mean over 24 hours of (cumulative spend ÷ budget − h/24)²). */
  readonly rmseVsLinear: number;
  /** Hour by hour cumulative spend ÷ budget. */
  readonly hourly: readonly number[];
  readonly channels: readonly ChannelResult[];
}

export interface DayResult {
  readonly requests: number;
  readonly bids: number;
  readonly wallMs: number;
  /** `channel:reason` → count. */
  readonly noBids: Readonly<Record<string, number>>;
  readonly campaigns: readonly CampaignResult[];
  /** Sample times, minutes since the start of the day. */
  readonly sampleMinutes: readonly number[];
  /** Lease takes per instance (store traffic scales with spend, not requests). */
  readonly leaseTakes: number;
  /** Every floating-pool step the fleet took, with the figures it was decided on. */
  readonly steps: readonly SimStep[];
}

/** One reallocation step: when (minutes into the day), which campaign, the move and its figures. */
export interface SimStep {
  readonly minute: number;
  readonly campaignId: string;
  readonly move: Move;
  readonly figures: readonly StepFigures[];
}

/** A notice on its way back from the exchange: the token from the bid's URLs and what the query carries. */
interface Pending {
  readonly at: number;
  readonly type: 'bill' | 'loss';
  readonly token: string;
  readonly price: string;
  readonly reason: string | undefined;
}

const kDayMs = 86_400_000;

export async function simulateDay(o: DayOptions): Promise<DayResult> {
  const t0 = performance.now();
  const start = o.dayStartMs ?? Date.UTC(2026, 10, 23);
  const clock = new VirtualClock(start);
  const market = new Market(o.seed);
  const sample = o.sampleMinutes ?? 10;
  const bidder = bidderSchema.parse({
    notices: { keys: [{ id: 'k1', secret: 'sim' }], tokenTtl: '2d' },
    pacing: {
      leaseTtl: '60s',
      noticeWindow: '15m',
      minLeaseMicros: 100_000,
      controller: o.pacing?.controller ?? 'adaptive',
      minMultiplier: o.pacing?.minMultiplier ?? 0.3,
      ...(o.pacing?.finishEarly === undefined ? {} : { finishEarly: o.pacing.finishEarly }),
    },
  });
  const tag = o.runTag ?? '';
  // The config's state as changes apply: the budget factor, paused campaigns, campaigns not added yet.
  const later = new Set((o.changes ?? []).flatMap((ch) => ch.add ?? []));
  const paused = new Set<string>();
  const configFor = (factor: number): CampaignConfig[] =>
    o.campaigns
      .filter((c) => !later.has(c.id))
      .map((c) => ({
        ...c,
        id: `${tag}${c.id}`,
        ...(paused.has(c.id) ? { status: 'paused' as const } : {}),
        budget: { ...c.budget, daily: c.budget.daily * factor },
      }));
  let factorNow = 1;
  const snapshot = (factor: number, version: number): ConfigSnapshot =>
    buildSnapshot(
      {
        dir: '.',
        bidder,
        channels: o.channels.map(simulatedChannel),
        campaigns: configFor(factor),
        texts: new Map(),
      },
      version,
      start,
      {},
    );
  const config = { current: snapshot(1, 1) };
  const store = o.store ?? createMemoryStore();
  const scoring = await ScoringService.create(
    { mode: 'inline', modelsDir: o.modelsDir, watchModels: false, pool: { threads: 0 } },
    { clock },
  );
  const cid = (id: string) => id.slice(tag.length);
  const hourly = new Map<string, Float64Array>(o.campaigns.map((c) => [c.id, new Float64Array(24)]));
  const spendByChannel = new Map<string, number>();
  const clicksByChannel = new Map<string, number>();
  const impsByChannel = new Map<string, number>();
  const exploreByChannel = new Map<string, number>();
  /** campaign × channel → per-minute spend and clicks, for the trailing-hour ROI series. */
  const minuteSpend = new Map<string, Float64Array>();
  const minuteClicks = new Map<string, Float64Array>();
  const perMinute = (m: Map<string, Float64Array>, k: string) => {
    let a = m.get(k);
    if (a === undefined) m.set(k, (a = new Float64Array(1441)));
    return a;
  };
  const imps = new Map<string, number>();
  // campaign → channel → `campaign\0channel`, the key of the per-channel tallies, built once per pair
  // rather than per notice (a fresh string per notice is flattened and hashed on every lookup).
  const channelKeys = new Map<string, Map<string, string>>();
  const channelKey = (id: string, channelId: string): string => {
    let byChannel = channelKeys.get(id);
    if (byChannel === undefined) channelKeys.set(id, (byChannel = new Map()));
    let k = byChannel.get(channelId);
    if (k === undefined) byChannel.set(channelId, (k = `${id}\u0000${channelId}`));
    return k;
  };
  let leaseTakes = 0;
  const steps: SimStep[] = [];
  const onReallocation = (campaignId: string, move: Move, figures: readonly StepFigures[]) =>
    steps.push({ minute: (clock.now() - start) / 60_000, campaignId: cid(campaignId), move, figures });
  // What the report tallies, told by each instance after its own handling of a billable notice.
  const onSpend = (c: NoticeClaims, micros: number) => {
    const id = cid(c.campaignId);
    const h = Math.min(23, Math.floor((clock.now() - start) / 3_600_000));
    hourly.get(id)![h]! += micros / 1e6;
    imps.set(id, (imps.get(id) ?? 0) + 1);
    const k = channelKey(id, c.channelId);
    spendByChannel.set(k, (spendByChannel.get(k) ?? 0) + micros / 1e6);
    impsByChannel.set(k, (impsByChannel.get(k) ?? 0) + 1);
    if (c.explore === true) exploreByChannel.set(k, (exploreByChannel.get(k) ?? 0) + micros / 1e6);
    perMinute(minuteSpend, k)[Math.min(1440, Math.floor((clock.now() - start) / 60_000))]! += micros / 1e6;
  };
  // The production instance, as many as the scenario runs; they share the store and (in one process) the
  // scorer, so first-price shading learns from every instance's wins and losses.
  const instances: { readonly bidder: Bidder; alive: boolean }[] = [];
  for (let i = 0; i < (o.instances ?? 1); i++) {
    const bidder = await createBidder({
      config,
      store,
      clock,
      instanceId: `sim-${i + 1}`,
      scoring,
      random: prng(o.seed * 31 + i),
      observe: { onSpend, onLease: () => leaseTakes++, onReallocation },
    });
    instances.push({ bidder, alive: true });
  }
  // Kept apart from `instances` so picking one (per request and per notice) allocates nothing.
  let alive = instances.slice();
  const pick = () => alive[Math.floor(market.random() * alive.length)]!;

  const samples: number[] = [];
  const fractions = new Map<string, number[]>();
  const signals = new Map<string, number[]>();
  const capShares = new Map<string, number[]>();
  const rois = new Map<string, number[]>();
  const series = (m: Map<string, number[]>, k: string) => {
    let a = m.get(k);
    if (a === undefined) m.set(k, (a = []));
    return a;
  };
  // Per sample, every instance's controllers once: campaign × channel → [Σ signal, instances].
  const signalSums = new Map<string, [number, number]>();
  const takeSample = (minute: number) => {
    samples.push(minute);
    signalSums.clear();
    for (const inst of alive) {
      for (const p of inst.bidder.gate.signals()) {
        const k = `${p.campaignId}\u0000${p.channelId}`;
        const acc = signalSums.get(k);
        if (acc === undefined) signalSums.set(k, [p.signal, 1]);
        else {
          acc[0] += p.signal;
          acc[1]++;
        }
      }
    }
    for (const c of config.current.campaigns) {
      for (const [ch, share] of c.channelShares) {
        const k = `${cid(c.id)}\u0000${ch}`;
        const cap = (c.dailyBudgetMicros * share) / 1e6;
        let f = fractions.get(k);
        if (f === undefined) fractions.set(k, (f = []));
        f.push((spendByChannel.get(k) ?? 0) / cap);
        const acc = signalSums.get(`${c.id}\u0000${ch}`);
        let g = signals.get(k);
        if (g === undefined) signals.set(k, (g = []));
        g.push(acc === undefined ? 1 : acc[0] / acc[1]);
        series(capShares, k).push(
          (alive[0]?.bidder.gate.channelState(c, ch, clock.now())?.capMicros ?? c.dailyBudgetMicros * share) /
            c.dailyBudgetMicros,
        );
        let sp = 0;
        let cl = 0;
        const ms = minuteSpend.get(k);
        const mc = minuteClicks.get(k);
        for (let i = Math.max(0, minute - 60); i < minute; i++) {
          sp += ms?.[i] ?? 0;
          cl += mc?.[i] ?? 0;
        }
        series(rois, k).push(sp > 0 ? (cl * c.roi.clickValueMicros) / 1e6 / sp : Number.NaN);
      }
    }
  };

  const queue = new EventQueue<Pending>();
  const deliver = (p: Pending) => pick().bidder.notices.handle(p.type, { t: p.token, p: p.price, r: p.reason });
  const drain = async (until: number) => {
    while (queue.size > 0 && queue.peek()!.at <= until) {
      const p = queue.pop()!;
      if (p.at > clock.now()) clock.set(p.at);
      await deliver(p);
    }
  };
  // Every request on a channel differs only in its id (floor and auction type are the channel's), and the
  // bid path never mutates or retains a request (each is done with before the next: `await run` below), so
  // one request object per channel is reused, only its id set per request.
  const templates: { -readonly [K in keyof BidRequest]: BidRequest[K] }[] = o.channels.map((ch) =>
    request('', Math.round(Math.exp(ch.clearingMu - 1) * 100) / 100, ch.auctionType),
  );
  const snapChannels = (snap: ConfigSnapshot) => o.channels.map((ch) => snap.channels.get(ch.id)!);
  let channelsOf = { snap: config.current, channels: snapChannels(config.current) };
  // This minute's arrival times per channel, each list already in time order (reused minute to minute).
  const times = o.channels.map(() => [] as number[]);
  const cursor = new Int32Array(o.channels.length);
  let requests = 0;
  let bids = 0;
  const noBids = new Map<string, number>();
  // `channel:reason` keys built once each, not per no-bid (one string and its hash per key for the day).
  const noBidKeys = o.channels.map(() => new Map<string, string>());
  takeSample(0);
  for (let m = 0; m < 1440; m++) {
    o.onMinute?.(m);
    if (o.kill !== undefined && m === o.kill.atMinute) {
      instances[o.kill.instance]!.alive = false;
      alive = instances.filter((x) => x.alive);
    }
    // A change is a new snapshot applied the way the app applies a reload: swap it in, then every live
    // instance's `applySnapshot` (rebuild what depends on the config, warm the gate's leases).
    for (const ch of o.changes ?? []) {
      if (ch.atMinute !== m) continue;
      if (ch.factor !== undefined) factorNow = ch.factor;
      for (const id of ch.pause ?? []) paused.add(id);
      for (const id of ch.resume ?? []) paused.delete(id);
      for (const id of ch.add ?? []) later.delete(id);
      clock.set(Math.max(clock.now(), start + m * 60_000));
      config.current = snapshot(factorNow, config.current.version + 1);
      for (const inst of alive) await inst.bidder.applySnapshot(config.current);
    }
    // Each instance's reallocator ticks once a simulated minute (every 10 s in the bidder; a step is per 5 minutes).
    await drain(start + m * 60_000);
    clock.set(Math.max(clock.now(), start + m * 60_000));
    for (const inst of alive) await inst.bidder.reallocate();
    for (let c = 0; c < o.channels.length; c++) {
      const ch = o.channels[c]!;
      const out = times[c]!;
      const n = market.requests(ch, m);
      out.length = n;
      for (let i = 0; i < n; i++)
        out[i] = start + m * 60_000 + Math.floor(((i + market.random()) * 60_000) / Math.max(1, n));
      cursor[c] = 0;
    }
    // Merge the channels in time order (the virtual clock only moves forward); on a tie the earlier channel
    // goes first, as a stable sort of the concatenated lists would have it.
    for (;;) {
      let c = -1;
      let t = Infinity;
      for (let k = 0; k < times.length; k++) {
        const i = cursor[k]!;
        if (i < times[k]!.length && times[k]![i]! < t) {
          t = times[k]![i]!;
          c = k;
        }
      }
      if (c < 0) break;
      cursor[c]!++;
      const ch = o.channels[c]!;
      const snap = config.current;
      if (channelsOf.snap !== snap) channelsOf = { snap, channels: snapChannels(snap) };
      if (queue.size > 0 && queue.peek()!.at <= t) await drain(t);
      if (t > clock.now()) clock.set(t);
      requests++;
      const req = templates[c]!;
      req.id = `${ch.id}-${requests}`;
      const run = pick().bidder.bidPath.run(req, snap, channelsOf.channels[c]!, clock.now() + 80);
      // Awaited even when synchronous: the gate's background lease refills (memory store: one microtask)
      // land before the next request, as they would between requests on a real server.
      const outcome = await run;
      if (!outcome.bid) {
        const keys = noBidKeys[c]!;
        let key = keys.get(outcome.reason);
        if (key === undefined) keys.set(outcome.reason, (key = `${ch.id}:${outcome.reason}`));
        noBids.set(key, (noBids.get(key) ?? 0) + 1);
        continue;
      }
      for (const bid of outcome.response.seatbid[0]!.bid) {
        bids++;
        const clearing = market.clearingCpm(ch);
        const token = tokenOf(bid.nurl!);
        const delay = market.noticeDelayMs();
        if (bid.price >= clearing) {
          const paid = ch.auctionType === 1 ? bid.price : Math.min(bid.price, clearing);
          if (market.random() < ch.ctr) {
            const k = channelKey(cid(bid.cid!), ch.id);
            clicksByChannel.set(k, (clicksByChannel.get(k) ?? 0) + 1);
            perMinute(minuteClicks, k)[m]! += 1;
            // The click lands on whichever instance the load balancer picks.
            const { bidder } = pick();
            const day = bidder.gate.account(config.current.campaignsById.get(bid.cid!)!, ch.id, t)!.key.day;
            await bidder.credit.click({ campaignId: bid.cid!, channelId: ch.id, day }, t);
          }
          if (delay !== undefined)
            queue.push({ at: t + delay, type: 'bill', token, price: paid.toFixed(6), reason: undefined });
        } else if (delay !== undefined) {
          queue.push({ at: t + delay, type: 'loss', token, price: clearing.toFixed(6), reason: '102' });
        }
      }
    }
    if ((m + 1) % sample === 0) takeSample(m + 1);
  }
  await drain(start + kDayMs + 3_600_000);
  for (const inst of alive) await inst.bidder.shutdown();
  await scoring.close();
  if (o.store === undefined) await store.close();

  const finalSnap = config.current;
  const campaigns: CampaignResult[] = o.campaigns.map((c) => {
    const h = hourly.get(c.id)!;
    const budget = finalSnap.campaignsById.get(`${tag}${c.id}`)!.dailyBudgetMicros / 1e6;
    let cum = 0;
    let sq = 0;
    const hourlyFractions: number[] = [];
    for (let i = 0; i < 24; i++) {
      cum += h[i]!;
      hourlyFractions.push(cum / budget);
      sq += (cum / budget - (i + 1) / 24) ** 2;
    }
    const impressions = imps.get(c.id) ?? 0;
    let clickCount = 0;
    const channels: ChannelResult[] = Object.entries(c.budget.channels).map(([ch, share]) => {
      const k = `${c.id}\u0000${ch}`;
      const clicks = clicksByChannel.get(k) ?? 0;
      clickCount += clicks;
      return {
        id: ch,
        cap: budget * share,
        spend: spendByChannel.get(k) ?? 0,
        clicks,
        impressions: impsByChannel.get(k) ?? 0,
        explorationSpend: exploreByChannel.get(k) ?? 0,
        spendFraction: fractions.get(k) ?? [],
        signal: signals.get(k) ?? [],
        capShare: capShares.get(k) ?? [],
        roi: rois.get(k) ?? [],
      };
    });
    return {
      id: c.id,
      budget,
      spend: cum,
      delivery: cum / budget,
      overspend: Math.max(0, cum - budget),
      impressions,
      clicks: clickCount,
      explorationSpend: channels.reduce((a, ch) => a + ch.explorationSpend, 0),
      explorationReserve: budget * c.budget.exploration,
      cpm: impressions === 0 ? 0 : (1000 * cum) / impressions,
      ecpc: clickCount === 0 ? 0 : cum / clickCount,
      rmseVsLinear: Math.sqrt(sq / 24),
      hourly: hourlyFractions,
      channels,
    };
  });
  return {
    requests,
    bids,
    wallMs: performance.now() - t0,
    noBids: Object.fromEntries(noBids),
    campaigns,
    sampleMinutes: samples,
    leaseTakes,
    steps,
  };
}

/**
 * The `t` parameter of a notice URL the bid path built (`…?t=<token>&p=…`): the token is base64url and dots,
 * so it needs no decoding, and slicing it out is what a URL parser would return.
 */
function tokenOf(nurl: string): string {
  const from = nurl.indexOf('?t=') + 3;
  const to = nurl.indexOf('&', from);
  if (from < 3 || to < 0) throw new Error(`simulator: no token in ${nurl}`);
  return nurl.slice(from, to);
}

function request(id: string, floor: number, at: 1 | 2): BidRequest {
  const site = {
    kind: 'site' as const,
    id: 's',
    name: undefined,
    domain: 'news.example',
    page: undefined,
    bundle: undefined,
    cat: ['IAB12'],
    publisher: { id: 'p', name: undefined, domain: undefined },
  };
  return simRequest(
    id,
    at,
    { w: 300, h: 250, floorCpm: floor, tagid: 'slot', pos: 1 },
    site,
    simDevice({ country: 'USA', region: 'NY', devicetype: 2, os: 'Windows' }),
    undefined,
  );
}
