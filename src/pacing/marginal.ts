/**
 * The value of the next dollar on a channel: how much a campaign's return per dollar falls short, at the
 * margin, of the average the store's counters give (value ÷ spend). The reallocator (allocation.ts) moves
 * the floating pool by this marginal ROI, not by the average.
 *
 * Why the margin differs from the average: more budget on a channel is spent by raising the bid there (the
 * pacing controller's multiplier goes up). In a second-price auction the extra impressions a higher bid
 * wins are the ones priced just under it, so the next impression costs the bid b while the average one
 * costs p̄ < b; in a first-price auction every won impression costs the bid, and raising it for more wins
 * also raises the price of those already won: the next impression costs b + w(b)/w'(b). With the
 * value per impression the same at the margin as on average (the campaign's clicks do not depend on
 * the price it pays), marginal ROI = average ROI × p̄ ÷ marginal cost — the `factor` below, ≤ 1.
 *
 *   second price:  MC = b̄                                        (p̄ and b̄ both measured, no curve needed)
 *   first price:   MC = b̄ · (1 + 1/(k·(1 − w(b̄))))               (w(b) = σ(a + k ln b), the shading learner's
 *                                                                  win-rate curve for the channel)
 *   throttled:     MC = p̄                                        (the controller is below its lowest multiplier
 *                                                                  and skips auctions at random: more budget
 *                                                                  buys the same auctions, at the same price)
 *
 * `OperatingPoints` measures b̄ and p̄ per campaign × channel from this instance's notices: the bid of every
 * win or loss notice, and the paid price ÷ bid of every billed impression, as means with exponential
 * forgetting in time (half-life `halfLifeMs`, from the notices' clock), so the operating point follows the
 * controller through the day. Whether the channel is first price is read from the prices, not configured:
 * a channel whose billed impressions pay their bid (p̄ ≥ 0.98 · bid on the same impressions) is first price.
 * One instance sees a random share of the fleet's notices (the load balancer spreads them), which is an
 * unbiased sample of the same prices.
 */

/** What a win-rate curve tells: w(b) = σ(a + k·ln b), b in CPM micros (the shading learner's fit). */
export interface WinCurve {
  readonly a: number;
  readonly k: number;
}

export interface OperatingPoint {
  /** Mean bid of recent win and loss notices, CPM micros. */
  readonly bidCpmMicros: number;
  /** Mean price paid per impression recently, CPM micros. */
  readonly paidCpmMicros: number;
  /** Mean paid ÷ bid over recent billed impressions (1: first price). */
  readonly paidToBid: number;
  /** Recent (decayed) counts behind the means. */
  readonly notices: number;
  readonly impressions: number;
}

export interface MarginalFigures {
  /** p̄ ÷ MC: marginal ROI = average ROI × factor (1 when the operating point is unknown). */
  readonly factor: number;
  /** Marginal cost of one more impression, CPM micros (undefined when unknown). */
  readonly marginalCpmMicros: number | undefined;
  readonly point: OperatingPoint | undefined;
  readonly firstPrice: boolean;
}

/** Below this many (decayed) impressions and notices the operating point is not trusted: factor 1. */
const kMinSamples = 20;
/** Paid ÷ bid at or above this: the channel charges the bid (first price). */
const kFirstPriceRatio = 0.98;

/** Means with exponential forgetting in time: one record per campaign × channel. */
class Point {
  t = 0;
  notices = 0;
  bidSum = 0;
  imps = 0;
  paidSum = 0;
  ratioSum = 0;
}

export class OperatingPoints {
  readonly #tau: number;
  readonly #points = new Map<string, Map<string, Point>>();

  constructor(opts: { readonly halfLifeMs?: number } = {}) {
    this.#tau = (opts.halfLifeMs ?? 3_600_000) / Math.LN2;
  }

  /** A win or loss notice for a bid of `bidCpmMicros`. */
  bid(campaignId: string, channelId: string, bidCpmMicros: number, nowMs: number): void {
    if (!(bidCpmMicros > 0)) return;
    const p = this.#decayed(campaignId, channelId, nowMs);
    p.notices += 1;
    p.bidSum += bidCpmMicros;
  }

  /** A billed impression: what it paid and what was bid for it (CPM micros). */
  paid(campaignId: string, channelId: string, bidCpmMicros: number, paidCpmMicros: number, nowMs: number): void {
    if (!(bidCpmMicros > 0) || !(paidCpmMicros >= 0)) return;
    const p = this.#decayed(campaignId, channelId, nowMs);
    p.imps += 1;
    p.paidSum += paidCpmMicros;
    p.ratioSum += Math.min(1, paidCpmMicros / bidCpmMicros);
  }

  point(campaignId: string, channelId: string, nowMs: number): OperatingPoint | undefined {
    const p = this.#points.get(campaignId)?.get(channelId);
    if (p === undefined || p.notices <= 0 || p.imps <= 0) return undefined;
    this.#decay(p, nowMs);
    return {
      bidCpmMicros: p.bidSum / p.notices,
      paidCpmMicros: p.paidSum / p.imps,
      paidToBid: p.ratioSum / p.imps,
      notices: p.notices,
      impressions: p.imps,
    };
  }

  /** Campaigns no longer configured are forgotten (the config reload calls it). */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.#points.keys()) if (!ids.has(id)) this.#points.delete(id);
  }

  #decayed(campaignId: string, channelId: string, nowMs: number): Point {
    let byChannel = this.#points.get(campaignId);
    if (byChannel === undefined) this.#points.set(campaignId, (byChannel = new Map()));
    let p = byChannel.get(channelId);
    if (p === undefined) {
      byChannel.set(channelId, (p = new Point()));
      p.t = nowMs;
    }
    this.#decay(p, nowMs);
    return p;
  }

  #decay(p: Point, nowMs: number): void {
    if (nowMs <= p.t) return;
    const f = Math.exp(-(nowMs - p.t) / this.#tau);
    p.t = nowMs;
    p.notices *= f;
    p.bidSum *= f;
    p.imps *= f;
    p.paidSum *= f;
    p.ratioSum *= f;
  }
}

/**
 * Marginal ROI ÷ average ROI at the operating point (see the module comment). `throttled`: the controller
 * is skipping auctions rather than lowering bids. `curve`: the channel's win-rate curve, needed only for a
 * first-price channel (without it the factor is 1: no correction rather than a guess).
 */
export function marginalFactor(
  point: OperatingPoint | undefined,
  throttled: boolean,
  curve: WinCurve | undefined,
): MarginalFigures {
  if (point === undefined || point.impressions < kMinSamples || point.notices < kMinSamples)
    return { factor: 1, marginalCpmMicros: undefined, point, firstPrice: false };
  const firstPrice = point.paidToBid >= kFirstPriceRatio;
  const pbar = point.paidCpmMicros;
  let mc: number | undefined;
  if (throttled) mc = pbar;
  else if (!firstPrice) mc = point.bidCpmMicros;
  else if (curve !== undefined && curve.k > 0) {
    const b = point.bidCpmMicros;
    const w = 1 / (1 + Math.exp(-(curve.a + curve.k * Math.log(b))));
    // w/w' = b / (k (1 − w)): bounded so a curve that says "always win" cannot make the margin infinite.
    mc = b * (1 + 1 / (curve.k * Math.max(0.02, 1 - w)));
  }
  if (mc === undefined || !(mc > 0)) return { factor: 1, marginalCpmMicros: undefined, point, firstPrice };
  return { factor: Math.min(1, pbar / mc), marginalCpmMicros: mc, point, firstPrice };
}
