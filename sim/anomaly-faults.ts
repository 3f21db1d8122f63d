/**
 * The anomaly detector against injected faults, in virtual minutes. A minute-level market (the simulator's
 * diurnal traffic and lognormal clearing prices, `market.ts`) feeds running counters per campaign × channel
 * (bids, wins, spend, clicks, conversions) exactly as the console's sampler sees them; the console's own
 * signal computation (`console/signals.ts`) and detector (`console/anomaly.ts`) run on them every minute.
 *
 * Three faults, each for an hour from a given minute: a channel's win rate collapses (competitors'
 * prices triple there), a creative's CTR drops to zero, and a mispriced bid (twice the intended CPM on a
 * first-price channel) doubles spend. The report gives each fault's detection delay, and the false alerts:
 * alerts on a clean day with the same seed, and alerts on the faulty day that no fault explains.
 *
 * What this does not do: run the bid path. Pacing would throttle the mispriced campaign back toward its
 * curve within minutes (the spend doubling is then visible for that long only); here bids are a fixed share
 * of requests so each fault shows as it would before any other mechanism reacts.
 */
import { AnomalyDetector, type AnomalyEvent, type AnomalyOptions, type Signal } from '../src/console/anomaly.js';
import { type Counters, kConversionMinutes, kCtrMinutes, minuteSignals, sampleBack } from '../src/console/signals.js';
import { Market, type SimChannel } from './market.js';

export interface FaultCampaign {
  readonly id: string;
  readonly channels: readonly string[];
  /** CPM bid on every request it takes part in. */
  readonly cpm: number;
  /** Share of a channel's requests the campaign bids on (its targeting and pacing, held fixed). */
  readonly participation: number;
  readonly ctr: number;
  readonly cvr: number;
}

/** A fault from `atMinute` of the day for `forMinutes` (then it is fixed). */
export type Fault = { readonly atMinute: number; readonly forMinutes: number } & (
  | { readonly kind: 'win_rate_collapse'; readonly channel: string }
  | { readonly kind: 'ctr_zero'; readonly campaign: string }
  | { readonly kind: 'mispriced_bid'; readonly campaign: string; readonly factor: number }
);

export interface FaultDayOptions {
  readonly seed: number;
  readonly channels: readonly SimChannel[];
  readonly campaigns: readonly FaultCampaign[];
  readonly faults: readonly Fault[];
  readonly detector?: Partial<AnomalyOptions>;
  /** Minutes simulated before the day starts (the baseline warms up on them; no alert counted). */
  readonly warmupMinutes?: number;
}

export interface FaultOutcome {
  readonly fault: Fault;
  /** The signal expected to catch it, and on which campaign × channel. */
  readonly expect: { readonly campaign: string; readonly channel: string; readonly signal: Signal };
  /** Minutes from the fault to its alert; undefined: never detected. */
  readonly delayMinutes: number | undefined;
}

export interface FaultDayResult {
  readonly events: readonly AnomalyEvent[];
  readonly outcomes: readonly FaultOutcome[];
  /** Raised alerts no fault explains (wrong campaign × channel, or before the fault). */
  readonly falseAlerts: readonly AnomalyEvent[];
}

const kMinute = 60_000;
const kDayStart = Date.UTC(2026, 10, 23);

/** The signal each fault should trip, on which series. */
export function expectation(f: Fault, campaigns: readonly FaultCampaign[]): FaultOutcome['expect'][] {
  if (f.kind === 'win_rate_collapse')
    return campaigns
      .filter((c) => c.channels.includes(f.channel))
      .map((c) => ({ campaign: c.id, channel: f.channel, signal: 'win_rate' as const }));
  const c = campaigns.find((x) => x.id === (f.kind === 'ctr_zero' ? f.campaign : f.campaign))!;
  return c.channels.map((ch) => ({
    campaign: c.id,
    channel: ch,
    signal: f.kind === 'ctr_zero' ? ('ctr' as const) : ('spend_rate' as const),
  }));
}

/** Every signal a fault may legitimately move (alerts on these after the fault are not false). */
function explained(f: Fault, e: AnomalyEvent, campaigns: readonly FaultCampaign[]): boolean {
  // From the fault until the baseline has forgotten it (alerts as the series returns to normal included).
  const from = kDayStart + f.atMinute * kMinute;
  if (e.atMs < from || e.atMs > from + (f.forMinutes + 60) * kMinute) return false;
  const series = expectation(f, campaigns);
  if (!series.some((s) => s.campaign === e.campaignId && s.channel === e.channelId)) return false;
  const moved: Readonly<Record<Fault['kind'], readonly Signal[]>> = {
    win_rate_collapse: ['win_rate', 'spend_rate', 'clearing_price', 'ctr', 'conversion_rate'],
    ctr_zero: ['ctr', 'conversion_rate'],
    mispriced_bid: ['spend_rate', 'win_rate', 'clearing_price', 'ctr', 'conversion_rate'],
  };
  return moved[f.kind].includes(e.signal);
}

export function runFaultDay(o: FaultDayOptions): FaultDayResult {
  const market = new Market(o.seed);
  const detector = new AnomalyDetector(o.detector);
  const warmup = o.warmupMinutes ?? 120;
  const series = new Map<string, Counters[]>();
  const events: AnomalyEvent[] = [];
  const binomial = (n: number, p: number) => {
    let k = 0;
    for (let i = 0; i < n; i++) if (market.random() < p) k++;
    return k;
  };
  for (let m = -warmup; m < 1440; m++) {
    const t = kDayStart + (m + 1) * kMinute;
    const minuteOfDay = ((m % 1440) + 1440) % 1440;
    const active = (f: Fault) => m >= f.atMinute && m < f.atMinute + f.forMinutes;
    for (const ch of o.channels) {
      const requests = market.requests(ch, minuteOfDay);
      const collapse = o.faults.some((f) => f.kind === 'win_rate_collapse' && f.channel === ch.id && active(f));
      for (const c of o.campaigns) {
        if (!c.channels.includes(ch.id)) continue;
        const mis = o.faults.find((f) => f.kind === 'mispriced_bid' && f.campaign === c.id && active(f));
        const cpm = c.cpm * (mis?.kind === 'mispriced_bid' ? mis.factor : 1);
        const ctr = o.faults.some((f) => f.kind === 'ctr_zero' && f.campaign === c.id && active(f)) ? 0 : c.ctr;
        const bids = binomial(requests, c.participation);
        let wins = 0;
        let spend = 0;
        for (let i = 0; i < bids; i++) {
          const clearing = market.clearingCpm(ch) * (collapse ? 3 : 1);
          if (cpm < clearing) continue;
          wins++;
          spend += (ch.auctionType === 1 ? cpm : clearing) * 1000;
        }
        const clicks = binomial(wins, ctr);
        const conversions = binomial(clicks, c.cvr);
        const key = `${c.id}\u0000${ch.id}`;
        let pts = series.get(key);
        if (pts === undefined) {
          pts = [{ t: t - kMinute, spent: 0, bidsCum: 0, winsCum: 0, spendCum: 0, clicksCum: 0, conversionsCum: 0 }];
          series.set(key, pts);
        }
        const last = pts.at(-1)!;
        const now: Counters = {
          t,
          spent: last.spent + spend,
          bidsCum: last.bidsCum + bids,
          winsCum: last.winsCum + wins,
          spendCum: last.spendCum + spend,
          clicksCum: last.clicksCum + clicks,
          conversionsCum: last.conversionsCum + conversions,
        };
        pts.push(now);
        if (pts.length > kConversionMinutes + 2) pts.shift();
        const signals = minuteSignals(last, sampleBack(pts, kCtrMinutes), sampleBack(pts, kConversionMinutes), now);
        for (const [signal, value, trials] of signals) {
          const e = detector.observe(c.id, ch.id, signal, t, value, trials);
          if (e !== undefined && m >= 0) events.push(e);
        }
      }
    }
  }
  const raised = events.filter((e) => e.kind === 'raised');
  const outcomes: FaultOutcome[] = o.faults.flatMap((f) =>
    expectation(f, o.campaigns).map((x) => {
      const hit = raised.find(
        (e) =>
          e.campaignId === x.campaign &&
          e.channelId === x.channel &&
          e.signal === x.signal &&
          e.atMs >= kDayStart + f.atMinute * kMinute,
      );
      // An alert at the end of minute `atMinute` is a delay of one minute: that minute's data just came in.
      return {
        fault: f,
        expect: x,
        delayMinutes: hit === undefined ? undefined : (hit.atMs - (kDayStart + f.atMinute * kMinute)) / kMinute,
      };
    }),
  );
  const falseAlerts = raised.filter((e) => !o.faults.some((f) => explained(f, e, o.campaigns)));
  return { events, outcomes, falseAlerts };
}

/** The scenario the report and its test run: three campaigns on two channels, one fault each. */
export function faultScenario(seed: number, faults: boolean): FaultDayOptions {
  const channels: SimChannel[] = [
    { id: 'ssp-alpha', requestsPerMinute: 3000, clearingMu: Math.log(1.6), clearingSigma: 0.5, auctionType: 2, ctr: 0 },
    { id: 'ssp-beta', requestsPerMinute: 2000, clearingMu: Math.log(1.8), clearingSigma: 0.5, auctionType: 1, ctr: 0 },
  ];
  const campaigns: FaultCampaign[] = [
    { id: 'acme', channels: ['ssp-alpha', 'ssp-beta'], cpm: 2.2, participation: 0.5, ctr: 0.01, cvr: 0.05 },
    { id: 'nimbus', channels: ['ssp-alpha', 'ssp-beta'], cpm: 2.5, participation: 0.4, ctr: 0.012, cvr: 0.04 },
    { id: 'volt', channels: ['ssp-beta'], cpm: 1.9, participation: 0.6, ctr: 0.008, cvr: 0.05 },
  ];
  return {
    seed,
    channels,
    campaigns,
    faults: faults
      ? [
          { kind: 'win_rate_collapse', channel: 'ssp-alpha', atMinute: 600, forMinutes: 60 },
          { kind: 'ctr_zero', campaign: 'nimbus', atMinute: 780, forMinutes: 60 },
          { kind: 'mispriced_bid', campaign: 'volt', factor: 2, atMinute: 960, forMinutes: 60 },
        ]
      : [],
  };
}
