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
 * `reallocate` is one bounded step, pure: from the channel whose next dollar returns least to the one whose
 * next dollar returns most (marginal ROI: the average ROI × `marginal`, the operating point's average price
 * ÷ the cost of one more impression, marginal.ts), never below what the giving channel has already spent,
 * only toward a channel whose pacing controller is holding it back (more budget there would be spent, not
 * left over), and only when the marginal ROI difference is larger than its statistical noise. The step is
 * sized by how far the gap clears that bar, so steps shrink as the marginal ROIs equalise and stop when
 * they have (within `minRatio`), whether or not the whole pool has moved.
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
  /** The day's spend a channel needs to take part, as a fraction of its cap. */
  readonly minSpend: number;
  /** How many standard errors apart the two ROIs' logs must be (see `reallocate`). */
  readonly confidence: number;
  /** Most pseudo-events a channel's ROI prior pooled from the other campaigns is worth (0: no pooling). */
  readonly poolEvents?: number;
}

export interface ChannelView {
  readonly channelId: string;
  readonly capMicros: number;
  /** The day's spend on the channel, all pools, all instances. */
  readonly spentMicros: number;
  /** The day's value returned (conversion value, or clicks × click value) and the events behind it. */
  readonly valueMicros: number;
  readonly events: number;
  /** The pacing controller's signal (< 1: it is holding spend back, so the channel could use more). */
  readonly signal: number;
  /** Spend the target curve calls for by now. */
  readonly targetMicros: number;
  /** Marginal ROI ÷ average ROI at the channel's operating point (marginal.ts; default 1: no correction). */
  readonly marginal?: number;
  /** A prior on the channel's ROI pooled from other campaigns, worth `events` events (reallocator.ts). */
  readonly prior?: { readonly events: number; readonly roi: number };
}

export interface Move {
  readonly from: string;
  readonly to: string;
  /** Fraction of the floating pool moved. */
  readonly fraction: number;
  /** `roi`: toward the better return; `delivery`: away from a channel that cannot spend what it has. */
  readonly reason: 'roi' | 'delivery';
  /** The two channels' average ROI estimates when the step was decided on them (undefined for delivery steps). */
  readonly roiFrom?: number;
  readonly roiTo?: number;
  /** Their marginal ROI estimates (average × marginal factor), the step was decided on these. */
  readonly marginalFrom?: number;
  readonly marginalTo?: number;
  /** ln(marginalTo ÷ marginalFrom), its standard error, and the bar it had to clear. */
  readonly gap?: number;
  readonly se?: number;
  readonly threshold?: number;
}

/** Behind its curve by this share of its cap with the controller wide open: the channel cannot spend more. */
const kStuckGap = 0.02;

/**
 * One bounded step. ROI per channel is value ÷ spend with half an event of the campaign's mean event value
 * added (so a channel without events yet is "low", not zero or undefined); its marginal ROI is that times the
 * channel's `marginal` factor. Clicks and conversions are counts, so ln ROI has a standard error of about
 * 1/√events (the factor comes from thousands of prices and adds little): a step needs the best and worst
 * channels' ln marginal ROI to differ by `confidence` standard errors and by `minRatio` — the bar. The step
 * is `step` × (gap − bar) ÷ bar, at most `step` (a full step once the gap is twice the bar) and at least a
 * tenth of it (no dust): confident, large gaps move fast; gaps near the bar, i.e. marginal ROIs nearly
 * equal or barely known, move little.
 */
export function reallocate(
  c: Campaign,
  weights: Weights,
  channels: readonly ChannelView[],
  opts: ReallocationOptions,
): { readonly weights: Weights; readonly move: Move | undefined } {
  const poolMicros = c.dailyBudgetMicros * c.floatingShare;
  if (poolMicros <= 0) return { weights, move: undefined };
  // Delivery first: floating budget a channel cannot spend (controller wide open, still behind its curve)
  // goes to the channel with the most headroom, whatever the ROI — unspent budget returns nothing.
  let stuck: ChannelView | undefined;
  let able: ChannelView | undefined;
  for (const ch of channels) {
    if (
      ch.signal >= 0.99 &&
      ch.spentMicros < ch.targetMicros - kStuckGap * ch.capMicros &&
      (weights[ch.channelId] ?? 0) > 0
    )
      stuck ??= ch;
    if (ch.signal < 0.95 && (able === undefined || ch.signal < able.signal)) able = ch;
  }
  if (stuck !== undefined && able !== undefined) {
    const fraction = Math.min(opts.step, givable(weights, stuck, poolMicros));
    if (fraction > 1e-9)
      return {
        weights: shift(weights, stuck.channelId, able.channelId, fraction),
        move: { from: stuck.channelId, to: able.channelId, fraction, reason: 'delivery' },
      };
  }
  let value = 0;
  let events = 0;
  for (const ch of channels) {
    value += ch.valueMicros;
    events += ch.events;
  }
  if (events === 0) return { weights, move: undefined };
  const unit = value / events;
  let best: ChannelView | undefined;
  let worst: ChannelView | undefined;
  let bestRoi = 0;
  let worstRoi = 0;
  let bestM = 0;
  let worstM = 0;
  for (const ch of channels) {
    if (ch.spentMicros <= 0 || ch.spentMicros < opts.minSpend * ch.capMicros) continue;
    // With a pooled prior worth n events at ROI r: n events' value more, and the spend they would have cost.
    const n = ch.prior !== undefined && ch.prior.roi > 0 ? ch.prior.events : 0;
    const roi = (ch.valueMicros + (0.5 + n) * unit) / (ch.spentMicros + (n > 0 ? (n * unit) / ch.prior!.roi : 0));
    const m = roi * Math.min(1, Math.max(0.05, ch.marginal ?? 1));
    if (best === undefined || m > bestM) {
      best = ch;
      bestRoi = roi;
      bestM = m;
    }
    if (worst === undefined || m < worstM) {
      worst = ch;
      worstRoi = roi;
      worstM = m;
    }
  }
  if (best === undefined || worst === undefined || best === worst) return { weights, move: undefined };
  const gap = Math.log(bestM / worstM);
  const se = Math.sqrt(
    1 / (best.events + (best.prior?.events ?? 0) + 0.5) + 1 / (worst.events + (worst.prior?.events ?? 0) + 0.5),
  );
  const threshold = Math.max(Math.log(opts.minRatio), opts.confidence * se, 1e-6);
  if (gap <= threshold) return { weights, move: undefined };
  if (best.signal >= 0.95) return { weights, move: undefined };
  const sized = opts.step * Math.min(1, Math.max(0.1, (gap - threshold) / threshold));
  const fraction = Math.min(sized, givable(weights, worst, poolMicros));
  if (fraction <= 1e-9) return { weights, move: undefined };
  return {
    weights: shift(weights, worst.channelId, best.channelId, fraction),
    move: {
      from: worst.channelId,
      to: best.channelId,
      fraction,
      reason: 'roi',
      roiFrom: worstRoi,
      roiTo: bestRoi,
      marginalFrom: worstM,
      marginalTo: bestM,
      gap,
      se,
      threshold,
    },
  };
}

/** What a channel can give, as a fraction of the pool: its floating part, but nothing already spent. */
function givable(weights: Weights, ch: ChannelView, poolMicros: number): number {
  return Math.max(0, Math.min((weights[ch.channelId] ?? 0) * poolMicros, ch.capMicros - ch.spentMicros) / poolMicros);
}

function shift(weights: Weights, from: string, to: string, fraction: number): Weights {
  return { ...weights, [from]: (weights[from] ?? 0) - fraction, [to]: (weights[to] ?? 0) + fraction };
}
