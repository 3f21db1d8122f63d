/**
 * The console's figures, computed off the bid path: once a minute a sampler reads the fleet's day so far
 * from the store (spend per channel and pool, clicks, conversions, value, the floating split), this
 * instance's pacing state (cap, target curve, signal) and its own counters (bids, billed impressions, spend,
 * clicks, conversions), keeps the day's minute series per campaign × channel, feeds the anomaly detector,
 * and notes each change of the floating split as a reallocation step with the ROI figures it stood on.
 * Pages read those samples only; nothing here runs per bid request.
 *
 * Fleet or instance: spend, clicks, conversions, value, exploration spend and the split are the fleet's
 * day so far (store). Each sample also adds what this instance counted since its previous one (bids, wins,
 * spend, clicks, conversions, conversion value per campaign × channel) to the store's fleet minute and hour
 * counters (`FleetCounterStore`), and reads the fleet's sums back: bids, wins and win rate per channel per
 * minute, and ROI over the last hour and the last 24 clock hours, are the whole fleet's. The newest minute may
 * still be filling (instances sample at their own second of the minute). The ratios the anomaly detector
 * watches stay this instance's (the same in expectation, and known at once, without waiting for the fleet).
 */
import type { Campaign } from '../campaigns/model.js';
import { needsProfile } from '../campaigns/residual.js';
import { TimeZoneTable } from '../campaigns/time-zones.js';
import type { Clock } from '../clock.js';
import type { ConfigSnapshot } from '../config/snapshot.js';
import type { Metrics } from '../metrics/registry.js';
import { channelCapMicros, exploreCapMicros } from '../pacing/allocation.js';
import type { PacingGate } from '../pacing/gate.js';
import { targetFraction } from '../pacing/target-curve.js';
import type { RoiTracker } from '../roi/roi-tracker.js';
import { ExperimentStats, type ExperimentMetric } from '../scoring/index.js';
import {
  kExploreSuffix,
  type BudgetStore,
  type DayResults,
  type FleetCounterStore,
  type ReachStore,
} from '../store/ports.js';
import type { AnomalyDetector, AnomalyEvent } from './anomaly.js';
import { type Counters, kConversionMinutes, kCtrMinutes, minuteSignals, sampleBack } from './signals.js';

export interface FiguresDeps {
  readonly clock: Clock;
  readonly config: { readonly current: ConfigSnapshot };
  readonly budgets: BudgetStore;
  readonly fleet: FleetCounterStore;
  readonly reach: ReachStore;
  readonly gate: PacingGate;
  readonly roi: RoiTracker;
  readonly metrics: Metrics;
  readonly anomalies: AnomalyDetector;
  /** This instance's experiment counters; the console adds them to the fleet's running totals. */
  readonly experiments?: ExperimentStats;
  readonly onAnomaly?: (e: AnomalyEvent) => void;
  readonly onError?: (err: unknown) => void;
}

/** One minute of one campaign × channel. Money in micros; `*Cum` are this instance's running counters. */
interface Point extends Counters {
  readonly t: number;
  readonly spent: number;
  readonly exploreSpent: number;
  readonly target: number | undefined;
  readonly cap: number;
  readonly signal: number | undefined;
  readonly clicks: number;
  readonly conversions: number;
  readonly value: number;
  readonly bidsCum: number;
  readonly winsCum: number;
  readonly spendCum: number;
  readonly clicksCum: number;
  readonly conversionsCum: number;
}

interface Series {
  day: string;
  points: Point[];
}

export interface ReallocationStep {
  readonly atMs: number;
  readonly from: Readonly<Record<string, number>>;
  readonly to: Readonly<Record<string, number>>;
  /** Per channel, the fleet's day so far when the step was seen: what the reallocator decided on. */
  readonly roi: Readonly<Record<string, { spent: number; value: number; roi: number | null; events: number }>>;
}

const kMinuteMs = 60_000;
const kHourMs = 3_600_000;
/** Slots of a fleet counter series, in this order. */
const enum Slot {
  Bids,
  Wins,
  Spend,
  Clicks,
  Conversions,
  ConversionValue,
}
const kSlots = 6;
/** Minutes of per-channel bid/win history on the overview. */
const kOverviewMinutes = 60;
/** Minutes kept at full resolution (the rest of the day is kept every quarter hour). */
const kRecentMinutes = kOverviewMinutes + 1;
const kCoarseMs = 15 * kMinuteMs;
/** Minutes of spend the day forecast extrapolates. */
const kForecastMinutes = 15;

export class ConsoleFigures {
  readonly #d: FiguresDeps;
  readonly #zones = new TimeZoneTable();
  /** campaign → channel → the day's minute series. */
  readonly #series = new Map<string, Map<string, Series>>();
  readonly #allocations = new Map<string, { day: string; period: number; weights: Record<string, number> }>();
  readonly #steps = new Map<string, ReallocationStep[]>();
  /** campaign → people reached today per channel and across them (the fleet's, from the store's sketches). */
  readonly #reach = new Map<string, { day: string; perChannel: ReadonlyMap<string, number>; union: number }>();
  /** campaign\0channel → this instance's running counters as last added to the fleet's. */
  readonly #pushed = new Map<string, number[]>();
  /** The fleet's minute buckets of the last hour and its sums over the last 24 clock hours. */
  #fleetMinutes = new Map<number, Map<string, number[]>>();
  #fleetDay = new Map<string, number[]>();
  /** The fleet's experiment counters (running totals from the store), with their own sequence of looks. */
  readonly #fleetExperiments = new ExperimentStats();
  readonly #pushedArms = new Map<string, number[]>();
  #lastTickMs: number | undefined;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: FiguresDeps) {
    this.#d = deps;
  }

  /** Samples every `intervalMs` (a minute in production) until `stop()`. */
  start(intervalMs = kMinuteMs): void {
    this.#timer ??= setInterval(() => {
      void this.tick();
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** When the figures were last sampled (undefined before the first sample). */
  get asOfMs(): number | undefined {
    return this.#lastTickMs;
  }

  /** Samples now unless a sample is already running (then waits for it). */
  tick(): Promise<void> {
    this.#running ??= this.#tick()
      .catch((err: unknown) => this.#d.onError?.(err))
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Samples first when nothing has been sampled yet (a page asked before the first minute). */
  async ready(): Promise<void> {
    if (this.#lastTickMs === undefined) await this.tick();
  }

  async #tick(): Promise<void> {
    const now = this.#d.clock.now();
    const minute = Math.floor(now / kMinuteMs) * kMinuteMs;
    const snap = this.#d.config.current;
    const bids = await counterMap(this.#d.metrics.bids, 'campaign', 'channel');
    const wins = await counterMap(this.#d.metrics.impressions, 'campaign', 'channel');
    const known = new Set<string>();
    const counted = new Map<string, number[]>();
    await Promise.all(
      snap.campaigns.map(async (c) => {
        known.add(c.id);
        await this.#campaign(c, now, minute, bids, wins, counted);
      }),
    );
    await this.#shareWithFleet(counted, minute);
    await this.#shareExperiments();
    for (const id of this.#series.keys()) if (!known.has(id)) this.#series.delete(id);
    for (const id of this.#reach.keys()) if (!known.has(id)) this.#reach.delete(id);
    this.#d.anomalies.retain(known);
    this.#lastTickMs = now;
  }

  async #campaign(
    c: Campaign,
    now: number,
    minute: number,
    bids: ReadonlyMap<string, number>,
    wins: ReadonlyMap<string, number>,
    counted: Map<string, number[]>,
  ): Promise<void> {
    const day = this.#zones.at(c.timezone, now).day;
    const channels = [...c.channelShares.keys()];
    const budgets = this.#d.budgets;
    const [results, allocation, explore, reach] = await Promise.all([
      budgets.dayResults(c.id, day, channels),
      budgets.allocation(c.id, day),
      Promise.all(
        channels.map((ch) =>
          c.explorationShare > 0 ? budgets.spent({ campaignId: c.id, channelId: ch + kExploreSuffix, day }) : 0,
        ),
      ),
      this.#d.reach.count(c.id, day, channels),
    ]);
    this.#reach.set(c.id, { day, ...reach });
    this.#noteAllocation(c, day, allocation, results, now);
    const local = this.#d.roi.totals(c.id);
    let byChannel = this.#series.get(c.id);
    if (byChannel === undefined) this.#series.set(c.id, (byChannel = new Map()));
    channels.forEach((ch, i) => {
      const r = results.get(ch);
      const state = c.active ? this.#d.gate.channelState(c, ch, now) : undefined;
      const l = local.get(ch);
      const point: Point = {
        t: minute,
        spent: r?.spentMicros ?? 0,
        exploreSpent: explore[i] ?? 0,
        target: state?.targetMicros,
        cap: state?.capMicros ?? channelCapMicros(c, ch, allocation?.weights) ?? 0,
        signal: state?.signal,
        clicks: r?.clicks ?? 0,
        conversions: r?.conversions ?? 0,
        value: r?.conversionValueMicros ?? 0,
        bidsCum: bids.get(`${c.id}\u0000${ch}`) ?? 0,
        winsCum: wins.get(`${c.id}\u0000${ch}`) ?? 0,
        spendCum: l?.spendMicros ?? 0,
        clicksCum: l?.clicks ?? 0,
        conversionsCum: l?.conversions ?? 0,
      };
      counted.set(`${c.id}\u0000${ch}`, [
        point.bidsCum,
        point.winsCum,
        point.spendCum,
        point.clicksCum,
        point.conversionsCum,
        l?.conversionValueMicros ?? 0,
      ]);
      let s = byChannel.get(ch);
      if (s === undefined || s.day !== day) byChannel.set(ch, (s = { day, points: [] }));
      const prev = s.points.at(-1);
      // Two samples in one minute (a page asked early): the later one stands for the minute.
      if (prev !== undefined && prev.t === minute) s.points[s.points.length - 1] = point;
      else {
        s.points.push(point);
        thin(s.points);
      }
      if (prev !== undefined && prev.t < minute && c.active) this.#observe(c.id, ch, minute, s.points);
    });
  }

  /**
   * Adds what this instance counted since its last sample to the fleet's bucket of the minute that just ended,
   * then reads the fleet's last hour (by the minute) and last 24 clock hours back.
   */
  async #shareWithFleet(counted: ReadonlyMap<string, readonly number[]>, minute: number): Promise<void> {
    const deltas = countedSince(this.#pushed, counted);
    const fleet = this.#d.fleet;
    if (deltas.size > 0) await fleet.add(minute - kMinuteMs, deltas);
    const hour = Math.floor(minute / kHourMs) * kHourMs;
    [this.#fleetMinutes, this.#fleetDay] = await Promise.all([
      fleet.minutes(minute - kOverviewMinutes * kMinuteMs, minute),
      fleet.hours(hour - 23 * kHourMs, hour + 1),
    ]);
  }

  /**
   * Adds this instance's experiment counters since the last sample to the fleet's running totals and reads
   * the fleet's back. Squares are stored scaled to whole numbers: spend² in micros², value² in thousandths².
   */
  async #shareExperiments(): Promise<void> {
    const local = this.#d.experiments;
    if (local === undefined) return;
    const { arms, holdouts } = local.entries();
    const now = new Map<string, number[]>();
    for (const a of arms)
      now.set(`a\u0000${a.experimentId}\u0000${a.armId}\u0000${a.index}`, [
        a.bids,
        a.wins,
        a.spendMicros,
        Math.round(a.spendSq * 1e12),
        a.clicks,
        a.conversions,
        a.valueMicros,
        Math.round(a.valueSq * 1e6),
      ]);
    for (const [id, n] of holdouts) now.set(`h\u0000${id}`, [n]);
    const deltas = countedSince(this.#pushedArms, now);
    if (deltas.size > 0) await this.#d.fleet.addTotals(deltas);
    const totals = await this.#d.fleet.totals();
    const fleetArms: Parameters<ExperimentStats['replace']>[0][number][] = [];
    const fleetHoldouts = new Map<string, number>();
    for (const [k, v] of totals) {
      const parts = k.split('\u0000');
      if (parts[0] === 'h' && parts.length === 2) fleetHoldouts.set(parts[1]!, v[0] ?? 0);
      if (parts[0] !== 'a' || parts.length !== 4) continue;
      const at = (i: number) => v[i] ?? 0;
      fleetArms.push({
        experimentId: parts[1]!,
        armId: parts[2]!,
        index: Number(parts[3]),
        bids: at(0),
        wins: at(1),
        spendMicros: at(2),
        spendSq: at(3) / 1e12,
        clicks: at(4),
        conversions: at(5),
        valueMicros: at(6),
        valueSq: at(7) / 1e6,
      });
    }
    this.#fleetExperiments.replace(fleetArms, fleetHoldouts);
  }

  /** ROI per channel of `c` over the fleet's sums (`sumsOf(series)`), the same rule as the ROI tracker. */
  #fleetRoi(c: Campaign, sumsOf: (series: string) => readonly number[] | undefined): Map<string, number | null> {
    const sums = [...c.channelShares.keys()].map((ch) => [ch, sumsOf(`${c.id}\u0000${ch}`)] as const);
    const anyConversion = sums.some(([, v]) => (v?.[Slot.Conversions] ?? 0) > 0);
    const out = new Map<string, number | null>();
    for (const [ch, v] of sums) {
      const spend = v?.[Slot.Spend] ?? 0;
      const value = anyConversion ? (v?.[Slot.ConversionValue] ?? 0) : (v?.[Slot.Clicks] ?? 0) * c.roi.clickValueMicros;
      out.set(ch, spend > 0 ? value / spend : null);
    }
    return out;
  }

  #observe(campaignId: string, channelId: string, minute: number, points: readonly Point[]): void {
    const now = points.at(-1)!;
    const prev = points.at(-2)!;
    const signals = minuteSignals(prev, sampleBack(points, kCtrMinutes), sampleBack(points, kConversionMinutes), now);
    for (const [signal, value, trials] of signals) {
      const e = this.#d.anomalies.observe(campaignId, channelId, signal, minute, value, trials);
      if (e !== undefined) this.#d.onAnomaly?.(e);
    }
  }

  #noteAllocation(
    c: Campaign,
    day: string,
    allocation: { period: number; weights: Readonly<Record<string, number>> } | undefined,
    results: ReadonlyMap<string, DayResults>,
    now: number,
  ): void {
    if (allocation === undefined) return;
    const last = this.#allocations.get(c.id);
    this.#allocations.set(c.id, { day, period: allocation.period, weights: { ...allocation.weights } });
    if (last === undefined || last.day !== day || last.period === allocation.period) return;
    if (Object.keys(allocation.weights).every((k) => last.weights[k] === allocation.weights[k])) return;
    let anyConversion = false;
    for (const r of results.values()) if (r.conversions > 0) anyConversion = true;
    const roi: Record<string, { spent: number; value: number; roi: number | null; events: number }> = {};
    for (const [ch, r] of results) {
      const value = anyConversion ? r.conversionValueMicros : r.clicks * c.roi.clickValueMicros;
      roi[ch] = {
        spent: r.spentMicros / 1e6,
        value: value / 1e6,
        roi: r.spentMicros > 0 ? value / r.spentMicros : null,
        events: anyConversion ? r.conversions : r.clicks,
      };
    }
    const steps = this.#steps.get(c.id) ?? [];
    steps.push({ atMs: now, from: last.weights, to: { ...allocation.weights }, roi });
    if (steps.length > 300) steps.shift();
    this.#steps.set(c.id, steps);
  }

  /** Every campaign's day so far, bids and wins per channel per minute, and the alerts. */
  overview(): unknown {
    const snap = this.#d.config.current;
    const now = this.#d.clock.now();
    const campaigns = snap.campaigns.map((c) => {
      const byChannel = this.#series.get(c.id);
      let spent = 0;
      let target = 0;
      let recent = 0;
      let hasTarget = false;
      let span = 0;
      for (const s of byChannel?.values() ?? []) {
        const p = s.points.at(-1);
        if (p === undefined) continue;
        spent += p.spent;
        if (p.target !== undefined) {
          target += p.target;
          hasTarget = true;
        }
        const old = s.points.findLast((q) => q.t <= p.t - kForecastMinutes * kMinuteMs) ?? s.points[0]!;
        recent += p.spent - old.spent;
        span = Math.max(span, p.t - old.t);
      }
      const local = this.#zones.at(c.timezone, now);
      const forecast =
        span > 0 && c.active
          ? Math.min(c.dailyBudgetMicros, spent + (recent / span) * Math.max(0, local.dayEndMs - now))
          : undefined;
      return {
        id: c.id,
        advertiser: c.advertiser,
        active: c.active,
        pacing: c.pacingMode,
        day: local.day,
        dailyBudget: c.dailyBudgetMicros / 1e6,
        spent: spent / 1e6,
        target: hasTarget ? target / 1e6 : null,
        forecast: forecast === undefined ? null : forecast / 1e6,
      };
    });
    return {
      asOf: this.#asOf(),
      currency: snap.bidder.currency,
      campaigns,
      channels: this.#channelMinutes(snap),
      alerts: this.alerts(),
    };
  }

  /** Bids and wins per channel per minute, the whole fleet's, the last hour. */
  #channelMinutes(snap: ConfigSnapshot): unknown {
    const byChannel = new Map<string, Map<number, { bids: number; wins: number }>>();
    for (const [t, bucket] of this.#fleetMinutes) {
      for (const [series, v] of bucket) {
        const ch = series.slice(series.indexOf('\u0000') + 1);
        let m = byChannel.get(ch);
        if (m === undefined) byChannel.set(ch, (m = new Map()));
        const e = m.get(t) ?? { bids: 0, wins: 0 };
        e.bids += v[Slot.Bids] ?? 0;
        e.wins += v[Slot.Wins] ?? 0;
        m.set(t, e);
      }
    }
    return [...snap.channels.keys()].map((ch) => {
      const rows = [...(byChannel.get(ch) ?? new Map<number, { bids: number; wins: number }>())].sort(
        (x, y) => x[0] - y[0],
      );
      return {
        id: ch,
        t: rows.map((r) => r[0] / 1000),
        bids: rows.map((r) => r[1].bids),
        wins: rows.map((r) => r[1].wins),
        winRate: rows.map((r) => (r[1].bids > 0 ? r[1].wins / r[1].bids : null)),
      };
    });
  }

  /** Alerts in force and the latest raised/cleared events. */
  alerts(campaignId?: string): unknown {
    const mine = <T extends { campaignId: string }>(list: readonly T[]) =>
      campaignId === undefined ? list : list.filter((a) => a.campaignId === campaignId);
    return {
      active: mine(this.#d.anomalies.active()),
      feed: mine(this.#d.anomalies.feed()).slice(-30).reverse(),
    };
  }

  /** One campaign, per channel; undefined when the campaign is not configured. */
  campaign(id: string): unknown {
    const snap = this.#d.config.current;
    const c = snap.campaignsById.get(id);
    if (c === undefined) return undefined;
    const now = this.#d.clock.now();
    const local = this.#zones.at(c.timezone, now);
    const alloc = this.#allocations.get(c.id);
    const weights = alloc?.day === local.day ? alloc.weights : undefined;
    const bid = c.bid;
    const targets = {
      cpc: bid.kind === 'target_cpc' ? bid.cpcMicros / 1e6 : null,
      cpa: bid.kind === 'target_cpa' ? bid.cpaMicros / 1e6 : null,
    };
    const roiHour = this.#fleetRoi(c, (series) => {
      let sums: number[] | undefined;
      for (const bucket of this.#fleetMinutes.values()) {
        const v = bucket.get(series);
        if (v === undefined) continue;
        sums ??= new Array<number>(kSlots).fill(0);
        for (let i = 0; i < kSlots; i++) sums[i]! += v[i] ?? 0;
      }
      return sums;
    });
    const roiDay = this.#fleetRoi(c, (series) => this.#fleetDay.get(series));
    const reach = this.#reach.get(c.id);
    const reachToday = reach?.day === local.day ? reach : undefined;
    const channels = [...c.channelShares].map(([ch, base]) => {
      const pts = this.#series.get(c.id)?.get(ch)?.points ?? [];
      const p = pts.at(-1);
      const cap = channelCapMicros(c, ch, weights) ?? 0;
      const clicks = p?.clicks ?? 0;
      const conversions = p?.conversions ?? 0;
      const spent = p?.spent ?? 0;
      // The whole day's target curve at quarter hours, against the channel's cap now.
      const curveT: number[] = [];
      const curve: number[] = [];
      for (let t = local.dayStartMs; t <= local.dayEndMs; t += 15 * kMinuteMs) {
        curveT.push(t / 1000);
        curve.push(
          (cap * targetFraction(c.pacingMode, this.#d.gate.forecast, ch, local.dayStartMs, local.dayEndMs, t)) / 1e6,
        );
      }
      return {
        id: ch,
        baseShare: base,
        floatingWeight: weights?.[ch] ?? (c.floatingShare > 0 ? base : null),
        cap: cap / 1e6,
        spent: spent / 1e6,
        target: p?.target === undefined ? null : p.target / 1e6,
        signal: p?.signal ?? null,
        exploration: { spent: (p?.exploreSpent ?? 0) / 1e6, reserve: exploreCapMicros(c, ch) / 1e6 },
        clicks,
        conversions,
        conversionValue: (p?.value ?? 0) / 1e6,
        reach: reachToday?.perChannel.get(ch) ?? 0,
        roi: { h1: roiHour.get(ch) ?? null, h24: roiDay.get(ch) ?? null, day: dayRoi(c, p) },
        ecpc: clicks > 0 ? spent / 1e6 / clicks : null,
        ecpa: conversions > 0 ? spent / 1e6 / conversions : null,
        series: {
          t: pts.map((q) => q.t / 1000),
          spent: pts.map((q) => q.spent / 1e6),
          target: pts.map((q) => (q.target === undefined ? null : q.target / 1e6)),
          signal: pts.map((q) => q.signal ?? null),
        },
        curve: { t: curveT, target: curve },
      };
    });
    return {
      asOf: this.#asOf(),
      currency: snap.bidder.currency,
      campaign: {
        id: c.id,
        advertiser: c.advertiser,
        active: c.active,
        pacing: c.pacingMode,
        timezone: c.timezone,
        day: local.day,
        dailyBudget: c.dailyBudgetMicros / 1e6,
        totalBudget: Number.isFinite(c.totalBudgetMicros) ? c.totalBudgetMicros / 1e6 : null,
        floating: c.floatingShare,
        exploration: c.explorationShare,
        targets,
      },
      channels,
      reach: audience(reachToday, c),
      experiments: this.#experimentsOf(c),
      steps: (this.#steps.get(c.id) ?? []).slice(-50).reverse(),
      alerts: this.alerts(c.id),
    };
  }

  /**
   * The campaign's experiments, the fleet's counters: each arm with its intervals and, against the control,
   * the sequential test on clicks per dollar (conversions per dollar for a target_cpa campaign).
   */
  #experimentsOf(c: Campaign): unknown {
    const ids = c.scoring.experiments.map((e) => e.id);
    if (ids.length === 0) return [];
    const metric: ExperimentMetric = c.bid.kind === 'target_cpa' ? 'conversions' : 'clicks';
    const report = this.#fleetExperiments.report(metric);
    return c.scoring.experiments.map((e) => ({
      id: e.id,
      arms: e.arms.map((a) => a.id),
      report: report[e.id] ?? null,
    }));
  }

  #asOf(): { at: string | null; ageSeconds: number | null } {
    const t = this.#lastTickMs;
    if (t === undefined) return { at: null, ageSeconds: null };
    return { at: new Date(t).toISOString(), ageSeconds: Math.max(0, Math.round((this.#d.clock.now() - t) / 1000)) };
  }
}

/**
 * What running counters (series → numbers) gained since `pushed`, which then holds `now`; series gone from
 * `now` are forgotten. A counter below its last value was reset (a metrics registry swap): it counts from zero.
 */
function countedSince(
  pushed: Map<string, number[]>,
  now: ReadonlyMap<string, readonly number[]>,
): Map<string, number[]> {
  const deltas = new Map<string, number[]>();
  for (const [series, values] of now) {
    const before = pushed.get(series);
    const d = values.map((v, i) => (before === undefined || v < before[i]! ? v : v - before[i]!));
    if (d.some((v) => v !== 0)) deltas.set(series, d);
    pushed.set(series, [...values]);
  }
  for (const series of pushed.keys()) if (!now.has(series)) pushed.delete(series);
  return deltas;
}

/**
 * Keeps the last hour at one point a minute and the rest of the day at one point a quarter hour: a day of
 * minutes for 1,000 campaigns × 3 channels would hold 4 million points; this holds at most 157 per series.
 */
function thin(points: Point[]): void {
  const i = points.length - 1 - kRecentMinutes;
  if (i > 0 && points[i]!.t % kCoarseMs !== 0) points.splice(i, 1);
}

/**
 * Today's audience across channels: unique people, the appearances counted on more than one channel
 * (Σ per channel − unique: for two channels, the people reached on both), and the cross-channel caps.
 */
function audience(r: { perChannel: ReadonlyMap<string, number>; union: number } | undefined, c: Campaign): unknown {
  let sum = 0;
  for (const n of r?.perChannel.values() ?? []) sum += n;
  const unique = r?.union ?? 0;
  // The sketches estimate each count within ~1%: never report fewer unique people than the largest channel.
  const floor = Math.max(0, ...(r?.perChannel.values() ?? []));
  const u = Math.max(unique, floor);
  const duplicated = Math.max(0, sum - u);
  return {
    // Only impressions whose person was looked up count, which the bid path does for campaigns with a
    // frequency cap, segment rules or journey stages; for the others reach is not measured.
    measured: needsProfile(c),
    unique: u,
    duplicated,
    duplicatedShare: u > 0 ? duplicated / u : null,
    frequencyCaps: c.frequencyCaps.map((f) => ({ count: f.count, windowSeconds: f.windowSeconds })),
  };
}

function dayRoi(c: Campaign, p: Point | undefined): number | null {
  if (p === undefined || p.spent <= 0) return null;
  const value = p.conversions > 0 ? p.value : p.clicks * c.roi.clickValueMicros;
  return value / p.spent;
}

/** A prom-client counter's values keyed `a\0b` by two of its labels. */
async function counterMap(
  counter: { get(): Promise<{ values: { labels: Record<string, string | number>; value: number }[] }> },
  a: string,
  b: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const v of (await counter.get()).values) {
    const k = `${String(v.labels[a] ?? '')}\u0000${String(v.labels[b] ?? '')}`;
    out.set(k, (out.get(k) ?? 0) + v.value);
  }
  return out;
}
