/**
 * The floating-pool reallocator: every `interval` one instance of the fleet moves a bounded step of each
 * campaign's floating pool toward the channel that returns the most per unit spent (allocation.ts), and
 * every instance adopts the split the fleet agreed on.
 *
 * No leader election: a decision is stamped with its period (`floor(now / interval)`) and the store keeps
 * the first proposal of each period (`proposeAllocation`), so whichever instance ticks first decides and
 * the others read its split. Instances tick more often than the interval (`tick` is cheap: one store read
 * per floating campaign) so a new split reaches the whole fleet within seconds. The store's campaign-day
 * cap makes the moving caps safe: however stale an instance's split, the campaign's day cannot overspend.
 *
 * ROI is the fleet's, from the store: the day's spend per channel (the budget keys) and the clicks,
 * conversions and value credited to it (`addResults`, by every instance's notice and conversion handlers).
 * Day to date rather than a sliding hour: at the volumes of one campaign × channel an hour holds too few
 * clicks to tell channels apart, and the day resets at the campaign's midnight with the budgets.
 *
 * The step is decided on marginal ROI (allocation.ts): the average times each channel's marginal factor
 * (marginal.ts), from the operating point this instance measures (`landscape.point`: recent bids and paid
 * prices from its notices) and, for first-price channels, the shading learner's win-rate curve
 * (`landscape.curve`). Without a landscape the factor is 1 and steps follow the average ROI.
 */
import type { Campaign } from '../campaigns/model.js';
import type { TimeZoneTable } from '../campaigns/time-zones.js';
import type { Allocation, BudgetStore } from '../store/ports.js';
import {
  baseWeights,
  reallocate,
  type ChannelView,
  type Move,
  type ReallocationOptions,
  type Weights,
} from './allocation.js';
import type { PacingGate } from './gate.js';
import { marginalFactor, type OperatingPoint, type WinCurve } from './marginal.js';

export interface ReallocatorOptions extends ReallocationOptions {
  readonly intervalMs: number;
  /** The controller's lowest bid multiplier: a signal below it throttles (marginal.ts: MC = p̄ there). */
  readonly minMultiplier?: number;
}

/** Where the marginal figures come from: the operating points and the channels' win-rate curves. */
export interface BidLandscape {
  point(campaignId: string, channelId: string, nowMs: number): OperatingPoint | undefined;
  curve(channelId: string): WinCurve | undefined;
}

/** What a step used, per channel of the campaign (the simulator's report lists them with each step). */
export interface StepFigures
  extends Pick<ChannelView, 'channelId' | 'capMicros' | 'spentMicros' | 'valueMicros' | 'events' | 'signal'> {
  /** The operating point's mean bid and paid price, the marginal cost of one more impression (CPM micros). */
  readonly bidCpmMicros: number | undefined;
  readonly paidCpmMicros: number | undefined;
  readonly marginalCpmMicros: number | undefined;
  readonly factor: number;
  readonly firstPrice: boolean;
  /** The pooled prior the step used (pseudo-events and ROI), when evidence is pooled. */
  readonly prior?: { readonly events: number; readonly roi: number };
}

export interface ReallocatorEvents {
  /** A step this instance decided and the fleet adopted, with the figures it was decided on. */
  onMove?(campaignId: string, move: Move, figures: readonly StepFigures[]): void;
  /** The split now in force (after every tick), for metrics and reports. */
  onAllocation?(campaignId: string, weights: Weights): void;
}

export class Reallocator {
  readonly #store: BudgetStore;
  readonly #gate: PacingGate;
  readonly #zones: TimeZoneTable;
  readonly #opts: ReallocatorOptions;
  readonly #events: ReallocatorEvents;
  readonly #landscape: BidLandscape | undefined;
  #running: Promise<void> | undefined;

  constructor(
    store: BudgetStore,
    gate: PacingGate,
    zones: TimeZoneTable,
    opts: ReallocatorOptions,
    events: ReallocatorEvents = {},
    landscape?: BidLandscape,
  ) {
    this.#landscape = landscape;
    this.#store = store;
    this.#gate = gate;
    this.#zones = zones;
    this.#opts = opts;
    this.#events = events;
  }

  /** Adopts the fleet's split for every floating campaign, deciding this period's step if nobody has yet. */
  tick(campaigns: readonly Campaign[], nowMs: number): Promise<void> {
    // A slow store must not pile ticks up: the one in flight covers this one.
    this.#running ??= this.#tick(campaigns, nowMs).finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #tick(campaigns: readonly Campaign[], nowMs: number): Promise<void> {
    const period = Math.floor(nowMs / this.#opts.intervalMs);
    const states = await Promise.all(
      campaigns
        .filter((c) => c.active && c.floatingShare > 0 && c.channelShares.size > 1)
        .map(async (c) => {
          const day = this.#zones.at(c.timezone, nowMs).day;
          const stored = await this.#store.allocation(c.id, day);
          return { c, day, stored, due: stored === undefined || stored.period < period };
        }),
    );
    // The figures of the campaigns deciding a step; with pooled evidence, every floating campaign's (the
    // others' results are the prior), read only in the ticks where a step is due.
    const pooled = (this.#opts.poolEvents ?? 0) > 0 && states.some((x) => x.due);
    const views = new Map(
      await Promise.all(
        states.filter((x) => x.due || pooled).map(async (x) => [x.c.id, await this.#views(x.c, x.day, nowMs)] as const),
      ),
    );
    if (pooled) addPriors(views, this.#opts.poolEvents!);
    await Promise.all(states.map((x) => this.#campaign(x.c, x.day, x.stored, period, views.get(x.c.id))));
  }

  async #campaign(
    c: Campaign,
    day: string,
    stored: Allocation | undefined,
    period: number,
    figures: readonly (ChannelView & StepFigures)[] | undefined,
  ): Promise<void> {
    let weights: Weights = stored === undefined ? baseWeights(c) : sanitize(c, stored.weights);
    if (figures !== undefined && (stored === undefined || stored.period < period)) {
      const step = reallocate(c, weights, figures, this.#opts);
      const agreed = await this.#store.proposeAllocation(c.id, day, { period, weights: step.weights });
      if (
        agreed.period === period &&
        step.move !== undefined &&
        agreed.weights[step.move.to] === step.weights[step.move.to]
      )
        this.#events.onMove?.(c.id, step.move, figures);
      weights = sanitize(c, agreed.weights);
    }
    this.#gate.setAllocation(c.id, day, weights);
    this.#events.onAllocation?.(c.id, weights);
  }

  async #views(c: Campaign, day: string, nowMs: number): Promise<(ChannelView & StepFigures)[]> {
    const channels = [...c.channelShares.keys()];
    const results = await this.#store.dayResults(c.id, day, channels);
    // Conversions, when the campaign has any today, on every channel alike; else clicks × click value.
    let conversions = 0;
    for (const r of results.values()) conversions += r.conversions;
    const views: (ChannelView & StepFigures)[] = [];
    const minMultiplier = this.#opts.minMultiplier ?? 0;
    for (const channelId of channels) {
      const st = this.#gate.channelState(c, channelId, nowMs);
      const r = results.get(channelId);
      if (st === undefined || r === undefined) continue;
      const m = marginalFactor(
        this.#landscape?.point(c.id, channelId, nowMs),
        st.signal < minMultiplier,
        this.#landscape?.curve(channelId),
      );
      views.push({
        channelId,
        capMicros: st.capMicros,
        spentMicros: r.spentMicros,
        signal: st.signal,
        targetMicros: st.targetMicros,
        valueMicros: conversions > 0 ? r.conversionValueMicros : r.clicks * c.roi.clickValueMicros,
        events: conversions > 0 ? r.conversions : r.clicks,
        marginal: m.factor,
        factor: m.factor,
        bidCpmMicros: m.point?.bidCpmMicros,
        paidCpmMicros: m.point?.paidCpmMicros,
        marginalCpmMicros: m.marginalCpmMicros,
        firstPrice: m.firstPrice,
      });
    }
    return neutralUnknown(views);
  }
}

/**
 * A channel whose marginal factor is not known yet (too few notices on this instance) takes the mean of the
 * campaign's known ones rather than 1: with 1 an unmeasured channel would look better at the margin than a
 * measured one for no other reason than being unmeasured, and money would move toward the unknown.
 */
function neutralUnknown(views: (ChannelView & StepFigures)[]): (ChannelView & StepFigures)[] {
  let sum = 0;
  let n = 0;
  for (const v of views)
    if (v.marginalCpmMicros !== undefined) {
      sum += v.factor;
      n++;
    }
  if (n === 0 || n === views.length) return views;
  return views.map((v) => (v.marginalCpmMicros === undefined ? { ...v, marginal: sum / n, factor: sum / n } : v));
}

/**
 * Pooled evidence (empirical Bayes): each campaign's ROI on a channel gets a prior from the other floating
 * campaigns — how that channel returns relative to their own average, r = Σ value on it ÷ Σ (spend on it ×
 * that campaign's average ROI), a scale-free index whatever each campaign's unit of value — worth at most
 * `poolEvents` events (and never more than the others have seen on the channel). The prior ROI is the
 * campaign's own average × r. It assumes channels rank alike across campaigns; a campaign's own events
 * outweigh the prior as they accumulate. At one campaign's volumes a 2× ROI difference takes hours of its
 * own clicks to show; the fleet has seen it many times over by then.
 */
function addPriors(views: Map<string, (ChannelView & StepFigures)[]>, poolEvents: number): void {
  const own = new Map<string, { value: number; spent: number }>();
  for (const [id, vs] of views) {
    let value = 0;
    let spent = 0;
    for (const v of vs) {
      value += v.valueMicros;
      spent += v.spentMicros;
    }
    own.set(id, { value, spent });
  }
  // Fleet sums per channel: value, spend × the campaign's average ROI (expected value at its own average), events.
  const fleet = new Map<string, { value: number; expected: number; events: number }>();
  const contribution = (id: string, v: ChannelView) => {
    const o = own.get(id)!;
    return { value: v.valueMicros, expected: o.spent > 0 ? (v.spentMicros * o.value) / o.spent : 0, events: v.events };
  };
  for (const [id, vs] of views)
    for (const v of vs) {
      const f = fleet.get(v.channelId) ?? { value: 0, expected: 0, events: 0 };
      const x = contribution(id, v);
      fleet.set(v.channelId, {
        value: f.value + x.value,
        expected: f.expected + x.expected,
        events: f.events + x.events,
      });
    }
  for (const [id, vs] of views) {
    const o = own.get(id)!;
    if (o.spent <= 0 || o.value <= 0) continue;
    for (let i = 0; i < vs.length; i++) {
      const v = vs[i]!;
      const f = fleet.get(v.channelId)!;
      const x = contribution(id, v);
      // The others only: a campaign's own clicks must not count twice.
      const value = f.value - x.value;
      const expected = f.expected - x.expected;
      const events = Math.min(poolEvents, f.events - x.events);
      if (expected <= 0 || value <= 0 || events <= 0) continue;
      const prior = { events, roi: (o.value / o.spent) * (value / expected) };
      vs[i] = { ...v, prior };
    }
  }
}

/**
 * A stored split for today's config: channels the campaign no longer has drop out and the rest are
 * renormalised; a split for a different set of channels (config edited mid-day) falls back to the base.
 */
function sanitize(c: Campaign, w: Weights): Weights {
  let sum = 0;
  for (const ch of c.channelShares.keys()) {
    const v = w[ch];
    if (v === undefined || !Number.isFinite(v) || v < 0) return baseWeights(c);
    sum += v;
  }
  if (sum <= 0) return baseWeights(c);
  return Object.fromEntries([...c.channelShares.keys()].map((ch) => [ch, w[ch]! / sum]));
}
