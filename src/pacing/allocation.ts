/**
 * How a campaign's daily budget splits across its channels, and how the floating pool moves by ROI.
 *
 *   daily budget ─┬─ base:      (1 − floating) × base share per channel — never taken away
 *                 └─ floating:  floating × weight per channel — the reallocator moves the weights
 *
 * A channel's cap is base + its floating part. The exploration reserve (exploration × base share) lives
 * inside that cap, spread by base share regardless of ROI, so exploration keeps measuring channels the
 * reallocator is moving away from.
 *
 * `reallocate` is one bounded step, pure: from the worst-ROI channel to the best, at most `step` of the
 * floating pool, never below what the giving channel has already spent, and only toward a channel whose
 * pacing controller is holding it back (more budget there would be spent, not left over). ROI needs
 * spend in the window on both sides (`minSpend` of the cap), so one lucky click does not move money.
 */
import type { Campaign } from '../campaigns/model.js';

export type Weights = Readonly<Record<string, number>>;

/** The channel's cap for the day (micros), including its exploration reserve; undefined: no share. */
export function channelCapMicros(c: Campaign, channelId: string, weights: Weights | undefined): number | undefined {
  const base = c.channelShares.get(channelId);
  if (base === undefined) return undefined;
  const w = weights?.[channelId] ?? base;
  return Math.round(c.dailyBudgetMicros * ((1 - c.floatingShare) * base + c.floatingShare * w));
}

/** The channel's exploration reserve for the day (micros). */
export function exploreCapMicros(c: Campaign, channelId: string): number {
  return Math.round(c.dailyBudgetMicros * c.explorationShare * (c.channelShares.get(channelId) ?? 0));
}

/** The floating pool's starting split: the base shares. */
export function baseWeights(c: Campaign): Record<string, number> {
  return Object.fromEntries(c.channelShares);
}

export interface ReallocationOptions {
  /** Largest fraction of the floating pool one step moves. */
  readonly step: number;
  /** The best channel's ROI must be at least this multiple of the worst's. */
  readonly minRatio: number;
  /** Spend in the ROI window a channel needs to take part, as a fraction of its cap. */
  readonly minSpend: number;
}

export interface ChannelView {
  readonly channelId: string;
  readonly capMicros: number;
  readonly spentMicros: number;
  /** Value ÷ spend over the window; undefined without spend. */
  readonly roi: number | undefined;
  readonly windowSpendMicros: number;
  /** The pacing controller's signal (< 1: it is holding spend back, so the channel could use more). */
  readonly signal: number;
}

export interface Move {
  readonly from: string;
  readonly to: string;
  /** Fraction of the floating pool moved. */
  readonly fraction: number;
}

export function reallocate(c: Campaign, weights: Weights, channels: readonly ChannelView[], opts: ReallocationOptions): { readonly weights: Weights; readonly move: Move | undefined } {
  const poolMicros = c.dailyBudgetMicros * c.floatingShare;
  if (poolMicros <= 0) return { weights, move: undefined };
  let best: ChannelView | undefined;
  let worst: ChannelView | undefined;
  for (const ch of channels) {
    if (ch.roi === undefined || ch.windowSpendMicros < opts.minSpend * ch.capMicros) continue;
    if (best === undefined || ch.roi > best.roi!) best = ch;
    if (worst === undefined || ch.roi < worst.roi!) worst = ch;
  }
  if (best === undefined || worst === undefined || best === worst) return { weights, move: undefined };
  if (best.roi! <= 0 || best.roi! < opts.minRatio * worst.roi!) return { weights, move: undefined };
  if (best.signal >= 0.95) return { weights, move: undefined };
  const have = weights[worst.channelId] ?? 0;
  // What the giving channel has not spent yet is all it can give; its base part is not the pool's.
  const unspentFloat = Math.max(0, Math.min(have * poolMicros, worst.capMicros - worst.spentMicros) / poolMicros);
  const fraction = Math.min(opts.step, unspentFloat);
  if (fraction <= 1e-9) return { weights, move: undefined };
  const next = { ...weights, [worst.channelId]: have - fraction, [best.channelId]: (weights[best.channelId] ?? 0) + fraction };
  return { weights: next, move: { from: worst.channelId, to: best.channelId, fraction } };
}
