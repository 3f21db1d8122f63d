/**
 * The six anomaly signals of one campaign × channel for one minute, from running counters (cumulative
 * bids, wins, spend, clicks, conversions) sampled at minute boundaries. Rates use the last minute; click-
 * through and conversion rates use the last `sparseMinutes` minutes, because clicks and conversions are
 * too few per minute for a one-minute ratio to mean anything at ordinary volumes. A ratio with nothing to
 * divide by, or too little of it to be more than noise, is undefined (the detector skips that minute).
 * Shared by the console's sampler and the fault simulator.
 */
import type { Signal } from './anomaly.js';

export interface Counters {
  /** Minute boundary (epoch ms). */
  readonly t: number;
  /** The fleet's spend today, micros (spend rate). */
  readonly spent: number;
  readonly bidsCum: number;
  readonly winsCum: number;
  /** This instance's spend, micros (clearing price = spend ÷ wins). */
  readonly spendCum: number;
  readonly clicksCum: number;
  readonly conversionsCum: number;
}

/** Minutes behind the click-through rate, and behind the conversion rate (conversions are rarer still). */
export const kCtrMinutes = 5;
export const kConversionMinutes = 30;
/** The fewest events a ratio may divide by: below these a minute says more about chance than the campaign. */
const kMinBids = 20;
const kMinWins = 10;
const kMinCtrWins = 500;
const kMinClicks = 50;

/**
 * Signals for the minute ending at `now` (each with the number of trials behind it when it is a proportion,
 * for the detector's counting-noise floor), given the previous sample and the samples `kCtrMinutes` and
 * `kConversionMinutes` back (or the oldest there is).
 */
export function minuteSignals(
  prev: Counters,
  ctrBack: Counters,
  convBack: Counters,
  now: Counters,
): [Signal, number | undefined, number | undefined][] {
  const minutes = (now.t - prev.t) / 60_000;
  const bids = now.bidsCum - prev.bidsCum;
  const wins = now.winsCum - prev.winsCum;
  const ctrWins = now.winsCum - ctrBack.winsCum;
  const convClicks = now.clicksCum - convBack.clicksCum;
  return [
    ['spend_rate', (now.spent - prev.spent) / 1e6 / minutes, undefined],
    ['bid_rate', bids / minutes, undefined],
    ['win_rate', bids >= kMinBids ? wins / bids : undefined, bids],
    ['clearing_price', wins >= kMinWins ? ((now.spendCum - prev.spendCum) / 1e6 / wins) * 1000 : undefined, undefined],
    ['ctr', ctrWins >= kMinCtrWins ? (now.clicksCum - ctrBack.clicksCum) / ctrWins : undefined, ctrWins],
    [
      'conversion_rate',
      convClicks >= kMinClicks ? (now.conversionsCum - convBack.conversionsCum) / convClicks : undefined,
      convClicks,
    ],
  ];
}

/** The latest sample at least `minutes` before the last one (or the oldest), from a time-ordered list. */
export function sampleBack<T extends Counters>(points: readonly T[], minutes: number): T {
  const last = points.at(-1)!;
  return points.findLast((p) => p.t <= last.t - minutes * 60_000) ?? points[0]!;
}
