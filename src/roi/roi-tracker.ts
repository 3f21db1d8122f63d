/**
 * Real-time ROI per campaign × channel: spend (from billable notices), clicks, conversions and conversion
 * value over sliding windows (1 h and 24 h, `window-ring.ts`), fed by the notice and conversion handlers.
 * The pacing reallocator reads `snapshot()` to move the floating budget toward the channels that return
 * the most per unit spent; Prometheus reads `gauges()` on scrape.
 *
 * ROI = value ÷ spend, where value is the conversion value when the campaign has any conversion in the
 * window (on any channel, so all its channels are measured in the same unit), else clicks × the campaign's
 * configured click value (`roi.clickValue`; 0 when unset). Undefined while a channel has no spend.
 *
 * This is one instance's view: spend and clicks arrive on every instance of a fleet, but a conversion
 * only on the one its postback reached. Fleet-wide sums (`<p>roi:{campaign}` in ARCHITECTURE.md) are
 * not built yet.
 */
import { kClicks, kConversions, kConversionValue, kFields, kSpend, WindowRing } from './window-ring.js';

export const kRoiWindows = ['1h', '24h'] as const;
export type RoiWindow = (typeof kRoiWindows)[number];

/** 60 one-minute buckets; 96 quarter-hour buckets (the 24 h window slides in 15-minute steps). */
const kWindowSpecs: Readonly<Record<RoiWindow, { readonly bucketMs: number; readonly buckets: number }>> = {
  '1h': { bucketMs: 60_000, buckets: 60 },
  '24h': { bucketMs: 900_000, buckets: 96 },
};

export interface ChannelRoi {
  readonly spendMicros: number;
  /** What ROI divides by spend: conversion value, or clicks × click value (see the module comment). */
  readonly valueMicros: number;
  readonly conversionValueMicros: number;
  readonly clicks: number;
  readonly conversions: number;
  /** value ÷ spend; undefined without spend in the window. */
  readonly roi: number | undefined;
}

export interface RoiGauge {
  readonly campaignId: string;
  readonly channelId: string;
  readonly window: RoiWindow;
  readonly roi: number;
}

export interface RoiTrackerOptions {
  /** A click's worth for a campaign without conversions, micros (from the live config; 0 = none). */
  clickValueMicros(campaignId: string): number;
}

/** One campaign × channel: a ring per window, in `kRoiWindows` order. */
type Series = readonly WindowRing[];

/** Running totals of one campaign × channel on this instance since it started. */
export interface ChannelTotals {
  readonly spendMicros: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly conversionValueMicros: number;
}

export class RoiTracker {
  readonly #opts: RoiTrackerOptions;
  /** campaign → channel → series. */
  readonly #campaigns = new Map<string, Map<string, Series>>();
  /** series → running totals since start. */
  readonly #totals = new WeakMap<Series, Float64Array>();

  constructor(opts: RoiTrackerOptions) {
    this.#opts = opts;
  }

  spend(campaignId: string, channelId: string, micros: number, nowMs: number): void {
    if (micros > 0) this.#add(campaignId, channelId, kSpend, micros, nowMs);
  }

  click(campaignId: string, channelId: string, nowMs: number): void {
    this.#add(campaignId, channelId, kClicks, 1, nowMs);
  }

  conversion(campaignId: string, channelId: string, valueMicros: number, nowMs: number): void {
    this.#add(campaignId, channelId, kConversions, 1, nowMs);
    if (valueMicros > 0) this.#add(campaignId, channelId, kConversionValue, valueMicros, nowMs);
  }

  /** ROI of one campaign × channel over the window; undefined without spend (or never seen). */
  roi(campaignId: string, channelId: string, window: RoiWindow, nowMs: number): number | undefined {
    return this.snapshot(campaignId, nowMs, window).get(channelId)?.roi;
  }

  /** Every channel the campaign has activity on in the window, with its totals and ROI. */
  snapshot(campaignId: string, nowMs: number, window: RoiWindow = '1h'): ReadonlyMap<string, ChannelRoi> {
    const out = new Map<string, ChannelRoi>();
    const channels = this.#campaigns.get(campaignId);
    if (channels === undefined) return out;
    const w = kRoiWindows.indexOf(window);
    const totals: [string, Float64Array][] = [];
    let anyConversion = false;
    for (const [channelId, series] of channels) {
      const t = series[w]!.totals(nowMs, new Float64Array(kFields));
      if (t[kSpend] === 0 && t[kClicks] === 0 && t[kConversions] === 0) continue;
      if (t[kConversions]! > 0) anyConversion = true;
      totals.push([channelId, t]);
    }
    const clickValue = anyConversion ? 0 : this.#opts.clickValueMicros(campaignId);
    for (const [channelId, t] of totals) {
      const spendMicros = t[kSpend]!;
      const valueMicros = anyConversion ? t[kConversionValue]! : t[kClicks]! * clickValue;
      out.set(channelId, {
        spendMicros,
        valueMicros,
        conversionValueMicros: t[kConversionValue]!,
        clicks: t[kClicks]!,
        conversions: t[kConversions]!,
        roi: spendMicros > 0 ? valueMicros / spendMicros : undefined,
      });
    }
    return out;
  }

  /** ROI per campaign × channel × window wherever it is defined, for the `peregrine_roi` gauge. */
  *gauges(nowMs: number): IterableIterator<RoiGauge> {
    for (const campaignId of this.#campaigns.keys()) {
      for (const window of kRoiWindows) {
        for (const [channelId, r] of this.snapshot(campaignId, nowMs, window)) {
          if (r.roi !== undefined) yield { campaignId, channelId, window, roi: r.roi };
        }
      }
    }
  }

  /**
   * Running totals per channel since this instance started (the console diffs them minute by minute for
   * its per-minute rates and anomaly signals).
   */
  totals(campaignId: string): ReadonlyMap<string, ChannelTotals> {
    const out = new Map<string, ChannelTotals>();
    for (const [channelId, series] of this.#campaigns.get(campaignId) ?? []) {
      const t = this.#totals.get(series);
      if (t === undefined) continue;
      out.set(channelId, {
        spendMicros: t[kSpend]!,
        clicks: t[kClicks]!,
        conversions: t[kConversions]!,
        conversionValueMicros: t[kConversionValue]!,
      });
    }
    return out;
  }

  /** Forgets campaigns no longer in the config (on reload), so the tracker does not grow without bound. */
  retain(campaignIds: ReadonlySet<string>): void {
    for (const id of this.#campaigns.keys()) if (!campaignIds.has(id)) this.#campaigns.delete(id);
  }

  #add(campaignId: string, channelId: string, field: number, amount: number, nowMs: number): void {
    let channels = this.#campaigns.get(campaignId);
    if (channels === undefined) {
      channels = new Map();
      this.#campaigns.set(campaignId, channels);
    }
    let series = channels.get(channelId);
    if (series === undefined) {
      series = kRoiWindows.map((w) => new WindowRing(kWindowSpecs[w].bucketMs, kWindowSpecs[w].buckets));
      channels.set(channelId, series);
      this.#totals.set(series, new Float64Array(kFields));
    }
    for (const ring of series) ring.add(field, amount, nowMs);
    this.#totals.get(series)![field]! += amount;
  }
}
