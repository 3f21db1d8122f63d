/**
 * Bid shading for first-price auctions (`at = 1`): learns, per channel (and per placement once a placement
 * has enough data), the win-rate curve w(b) = σ(a + k·ln b) from win/loss notices, and bids the b ≤ v that
 * maximises expected surplus (v − b)·w(b) subject to keeping a share of the wins: w(b) ≥ `minWinRatio`·w(v)
 * (`shading-math.ts`). Second-price auctions are not shaded.
 *
 * Why this model: a log-logistic curve has two parameters, so it is learnable from a few hundred notices per
 * channel, smooth (no bin-edge jumps in the bid), and it uses every kind of notice through one likelihood:
 *   - min-to-win known (`${AUCTION_MIN_TO_WIN}`, or the clearing price on a loss): an exact draw of the
 *     price needed to win → the log-logistic density;
 *   - won without it: the needed price was ≤ our bid → log w(b) (censored);
 *   - lost without it: it was > our bid → log(1 − w(b)) (censored).
 * The log-likelihood is concave in (a, k), so a few Newton steps fit it exactly. Observations go into
 * 96 log-spaced price bins (count and Σ ln price per kind, and our bid prices) with exponential forgetting
 * (a half-life in observations), so `observe` is O(1) and a refit every `refitEvery` observations costs a
 * few µs. A weak prior (pseudo min-to-win draws around the mean observed price) keeps the fit defined when
 * all notices are wins or all are losses.
 *
 * Conservative by construction, because a wrong curve costs wins (the failure this replaced: fed almost only
 * wins, it concluded the price needed was far below its bids and shaded to the floor):
 *   - Cold start bids value × `coldStartFactor` (default 1: value). Confidence then ramps linearly to 1 with
 *     the number of notices (`minObservations` → `fullConfidence`) AND with the number of losses (up to
 *     `minLosses`): wins only say the price needed was below our bids, never how far below, so a curve that
 *     has seen no loss does not shade at all (e.g. an exchange that sends no loss notices).
 *   - `minWinRatio` (default 0.97): the surplus optimum can trade many wins for a lower price (on the
 *     simulator's market it keeps ~83% of them); the bid keeps at least this share of the win probability
 *     that bidding value would have, per the fitted curve.
 *   - Evidence floor: the learned bid never goes more than `trustStep` below the lowest price at which the
 *     curve has `trustEvidence` of our bids, so a curve fitted at $5 cannot send bids to $1 by
 *     extrapolation.
 *   - Exploration: once a curve is fitted, a fraction `exploreRate` of bids go up to `exploreDepth` under
 *     the learned price (`writeParams` draws the factor; `shadeWith` applies it), which is how the curve
 *     and the evidence floor learn what lies below the current price; the losses there, with their
 *     clearing price, pull the bid back up.
 */
import { kS, shadePrice } from './shading-math.js';

export interface ShadingOptions {
  /** Observations before a curve is used at all. */
  readonly minObservations?: number;
  /** Observations at which the learned optimum is bid in full. */
  readonly fullConfidence?: number;
  /** Half-life of an observation's weight, in observations of the same curve. */
  readonly halfLife?: number;
  readonly refitEvery?: number;
  /** Cold-start price as a fraction of value (1 = bid value). */
  readonly coldStartFactor?: number;
  /** Weight of the prior pseudo-observations. */
  readonly priorWeight?: number;
  /** Placement curves kept per channel (placements come from requests: bound the memory). */
  readonly maxPlacements?: number;
  /**
   * Keep at least this fraction of the win probability that bidding full value would have (0 = pure surplus
   * maximisation). The surplus optimum may trade many wins for a lower price; this bounds the trade.
   */
  readonly minWinRatio?: number;
  /** Fraction of shaded bids that explore just below the learned price. */
  readonly exploreRate?: number;
  /** How far below, at most (an exploring bid is price × (1 − depth·u), u uniform in [0, 1)). */
  readonly exploreDepth?: number;
  /** Observations (decayed) at or below a price before the curve counts as having evidence there. */
  readonly trustEvidence?: number;
  /** How far (relative) below the lowest price with evidence the learned bid may go. */
  readonly trustStep?: number;
  /** Losses (decayed) before the curve is used in full; confidence ramps linearly up to it. */
  readonly minLosses?: number;
  /** Seed of the exploration draws. */
  readonly seed?: number;
}

export interface CurveState {
  readonly a: number;
  readonly k: number;
  /** Effective (decayed) number of observations. */
  readonly n: number;
  readonly confidence: number;
  /** The price with a 50% win rate, CPM micros. */
  readonly medianCpmMicros: number;
  /** The learned bid never goes below this (the evidence floor), CPM micros. */
  readonly lowestCpmMicros: number;
}

const kBins = 96;
const kMinX = Math.log(1e3); // $0.001 CPM
const kMaxX = Math.log(1e9); // $1,000 CPM
const kWidth = (kMaxX - kMinX) / kBins;
const kWin = 0;
const kLoss = 2;
const kExact = 4;
/** Our bids (every notice, whatever its kind): count and Σ ln bid, for the evidence floor. */
const kBid = 6;
const kStride = 8;

class Curve {
  /** Per bin: [win count, win Σx, loss count, loss Σx, exact count, exact Σx, bid count, bid Σx]. */
  readonly bins = new Float64Array(kBins * kStride);
  /** Weight of the next observation; grows instead of decaying every bin (rescaled when large). */
  g = 1;
  total = 0;
  /** Decayed weight of the losses among `total` (same units). */
  losses = 0;
  sinceFit = 0;
  a = 0;
  k = 2;
  conf = 0;
  fitted = false;
  /** The lowest price the curve has evidence for, less the trust step (CPM micros); 0 before the first fit. */
  lowest = 0;

  n(): number {
    return this.total / this.g;
  }
}

class ChannelCurves {
  readonly curve = new Curve();
  readonly placements = new Map<string, Curve>();
}

export class ShadingModel {
  readonly #channels = new Map<string, ChannelCurves>();
  readonly #minObs: number;
  readonly #fullConf: number;
  readonly #growth: number;
  readonly #refitEvery: number;
  readonly #cold: number;
  readonly #prior: number;
  readonly #maxPlacements: number;
  readonly #minWinRatio: number;
  readonly #exploreRate: number;
  readonly #exploreDepth: number;
  readonly #trustEvidence: number;
  readonly #trustStep: number;
  readonly #minLosses: number;
  #rng: number;

  constructor(opts: ShadingOptions = {}) {
    this.#minObs = opts.minObservations ?? 200;
    this.#fullConf = Math.max(this.#minObs + 1, opts.fullConfidence ?? 2000);
    this.#growth = 2 ** (1 / (opts.halfLife ?? 50_000));
    this.#refitEvery = opts.refitEvery ?? 50;
    this.#cold = Math.min(1, Math.max(0, opts.coldStartFactor ?? 1));
    this.#prior = opts.priorWeight ?? 10;
    this.#maxPlacements = opts.maxPlacements ?? 1000;
    this.#minWinRatio = Math.min(1, Math.max(0, opts.minWinRatio ?? 0.97));
    this.#exploreRate = Math.min(1, Math.max(0, opts.exploreRate ?? 0.1));
    this.#exploreDepth = Math.min(0.9, Math.max(0, opts.exploreDepth ?? 0.2));
    this.#trustEvidence = Math.max(1, opts.trustEvidence ?? 50);
    this.#trustStep = Math.min(0.9, Math.max(0, opts.trustStep ?? 0.1));
    this.#minLosses = Math.max(1, opts.minLosses ?? 50);
    this.#rng = (opts.seed ?? 0x9e3779b9) >>> 0 || 1;
  }

  /**
   * A win or loss notice: our bid, whether it won, and the minimum bid to win when the exchange said (on a
   * loss, the clearing price). A loss priced below our bid lost for another reason (creative, policy) and
   * says nothing about price: it is ignored. A win with a minimum above our bid is inconsistent: only the win
   * is kept.
   */
  observe(channel: string, bidCpmMicros: number, won: boolean, minToWinCpmMicros?: number, placement?: string): void {
    let ch = this.#channels.get(channel);
    if (ch === undefined) {
      ch = new ChannelCurves();
      this.#channels.set(channel, ch);
    }
    this.#add(ch.curve, bidCpmMicros, won, minToWinCpmMicros);
    if (placement === undefined) return;
    let pc = ch.placements.get(placement);
    if (pc === undefined) {
      if (ch.placements.size >= this.#maxPlacements) return;
      pc = new Curve();
      ch.placements.set(placement, pc);
    }
    this.#add(pc, bidCpmMicros, won, minToWinCpmMicros);
  }

  /**
   * The first-price bid for `valueCpm` (micros) without exploration: in [floor, value], monotone in value; 0
   * below the floor.
   */
  shade(channel: string, valueCpmMicros: number, floorCpmMicros: number, placement?: string): number {
    const c = this.#curveFor(channel, placement);
    if (c === undefined) return shadePrice(valueCpmMicros, floorCpmMicros, 0, 0, 0, this.#cold);
    return shadePrice(valueCpmMicros, floorCpmMicros, c.a, c.k, c.conf, this.#cold, this.#minWinRatio, c.lowest);
  }

  /**
   * Writes the `kShadeParams` numbers `shadeWith` reads at `out[off…]` (a, k, confidence, cold factor, minimum
   * win ratio, evidence floor, exploration factor): the kernel shades with these and no model object. Each
   * call on a fitted curve draws the exploration factor: 1, or with probability `exploreRate` a factor in
   * (1 − depth, 1].
   */
  writeParams(channel: string, placement: string | undefined, out: Float64Array, off: number): void {
    const c = this.#curveFor(channel, placement);
    out[off + kS.a] = c?.a ?? 0;
    out[off + kS.k] = c?.k ?? 0;
    out[off + kS.conf] = c?.conf ?? 0;
    out[off + kS.cold] = this.#cold;
    out[off + kS.minWinRatio] = this.#minWinRatio;
    out[off + kS.lowest] = c?.lowest ?? 0;
    // Explore only once the curve is fitted: a channel without notices bids exactly the cold-start price.
    out[off + kS.explore] = c?.fitted ? this.#explore() : 1;
  }

  /** The exploration factor for one bid (xorshift32: no allocation, deterministic from the seed). */
  #explore(): number {
    if (this.#exploreRate <= 0 || this.#exploreDepth <= 0) return 1;
    let x = this.#rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.#rng = x;
    const u = x / 4294967296;
    if (u >= this.#exploreRate) return 1;
    return 1 - this.#exploreDepth * (u / this.#exploreRate);
  }

  /** The fitted win probability of a bid (for metrics and tests). */
  winRate(channel: string, bidCpmMicros: number, placement?: string): number | undefined {
    const c = this.#curveFor(channel, placement, true);
    return c === undefined ? undefined : 1 / (1 + Math.exp(-(c.a + c.k * Math.log(bidCpmMicros))));
  }

  state(channel: string, placement?: string): CurveState | undefined {
    const c = this.#curveFor(channel, placement, true);
    if (c === undefined) return undefined;
    return {
      a: c.a,
      k: c.k,
      n: c.n(),
      confidence: c.conf,
      medianCpmMicros: Math.exp(-c.a / c.k),
      lowestCpmMicros: c.lowest,
    };
  }

  channels(): string[] {
    return [...this.#channels.keys()];
  }

  /**
   * The placement's curve once it is at least half confident (before that the channel's curve, learned from
   * far more notices, is the better guess); any placement curve with `unconfident` (metrics).
   */
  #curveFor(channel: string, placement: string | undefined, unconfident = false): Curve | undefined {
    const ch = this.#channels.get(channel);
    if (ch === undefined) return undefined;
    if (placement !== undefined) {
      const pc = ch.placements.get(placement);
      if (pc !== undefined && (pc.conf >= 0.5 || unconfident)) return pc;
    }
    return ch.curve;
  }

  #add(c: Curve, bid: number, won: boolean, minToWin: number | undefined): void {
    if (!(bid > 0)) return;
    let exact = minToWin !== undefined && minToWin > 0;
    if (exact && !won && minToWin! < bid) return; // lost for a reason other than price
    if (exact && won && minToWin! > bid) exact = false;
    const price = exact ? minToWin! : bid;
    const x = Math.log(price);
    const off = binOf(x) * kStride + (exact ? kExact : won ? kWin : kLoss);
    c.bins[off] = c.bins[off]! + c.g;
    c.bins[off + 1] = c.bins[off + 1]! + c.g * x;
    const xb = Math.log(bid);
    const ob = binOf(xb) * kStride + kBid;
    c.bins[ob] = c.bins[ob]! + c.g;
    c.bins[ob + 1] = c.bins[ob + 1]! + c.g * xb;
    c.total += c.g;
    if (!won) c.losses += c.g;
    c.g *= this.#growth;
    if (c.g > 1e100) {
      // Rescale so weights stay finite; ratios (and so the fit) are unchanged.
      const s = 1 / c.g;
      for (let i = 0; i < c.bins.length; i++) c.bins[i]! *= s;
      c.total *= s;
      c.losses *= s;
      c.g = 1;
    }
    if (++c.sinceFit >= this.#refitEvery || !c.fitted) {
      const n = c.n();
      if (n >= this.#minObs) {
        c.sinceFit = 0;
        // biome-ignore lint/suspicious/noFocusedTests: `fit` is the curve fit here, not a focused test
        fit(c, this.#prior);
        c.lowest = evidenceFloor(c, this.#trustEvidence, this.#trustStep);
        // Confidence needs both many notices and some losses: wins alone say the price needed was below our
        // bids, never how far below, so a curve that has never seen a loss does not shade.
        c.conf = Math.min(1, (n - this.#minObs) / (this.#fullConf - this.#minObs), c.losses / c.g / this.#minLosses);
      }
    }
  }
}

function binOf(x: number): number {
  return Math.min(kBins - 1, Math.max(0, Math.floor((x - kMinX) / kWidth)));
}

/**
 * The lowest price the curve has seen enough of our bids at or below (`evidence` decayed observations: the
 * mean bid of the bin where the count from the bottom reaches it), less `step`. The learned bid stays above
 * it, so a curve extrapolated from notices at high prices cannot send the bid far below them; exploring bids
 * (a little under the learned price) lower it step by step as evidence arrives.
 */
function evidenceFloor(c: Curve, evidence: number, step: number): number {
  const need = evidence * c.g;
  const bins = c.bins;
  let cum = 0;
  for (let i = 0; i < kBins; i++) {
    const w = bins[i * kStride + kBid]!;
    if (w <= 0) continue;
    cum += w;
    if (cum >= need) return Math.exp(bins[i * kStride + kBid + 1]! / w) * (1 - step);
  }
  return Math.exp(kMaxX); // not enough bids yet: no learned shading (the bid stays at value)
}

/**
 * Log-likelihood of the binned observations (plus prior) at (a, k), in centred coordinates x − mean so the
 * Newton system is well conditioned; writes gradient and negated Hessian into `out` [ga, gk, haa, hak, hkk].
 */
function logLik(bins: Float64Array, mean: number, prior: number, a: number, k: number, out: Float64Array): number {
  let ll = 0;
  let ga = 0;
  let gk = 0;
  let haa = 1e-9;
  let hak = 0;
  let hkk = 1e-9;
  for (let i = -1; i < kBins; i++) {
    const o = i * kStride;
    // i = −1: the prior, three pseudo min-to-win draws at mean − 1, mean, mean + 1 (weights ¼, ½, ¼).
    for (let j = 0; j < 3; j++) {
      let w: number;
      let x: number;
      if (i < 0) {
        w = prior * (j === 1 ? 0.5 : 0.25);
        x = j - 1;
      } else {
        w = bins[o + j * 2]!;
        if (w <= 0) continue;
        x = bins[o + j * 2 + 1]! / w - mean;
      }
      const z = a + k * x;
      const s = 1 / (1 + Math.exp(-z));
      const lp = z < 0 ? z - Math.log1p(Math.exp(z)) : -Math.log1p(Math.exp(-z)); // log σ(z)
      const lq = lp - z; // log(1 − σ(z))
      const q = w * s * (1 - s);
      if (i >= 0 && j === 0) {
        ll += w * lp; // won: the price needed was ≤ x
        ga += w * (1 - s);
        gk += w * (1 - s) * x;
      } else if (i >= 0 && j === 1) {
        ll += w * lq; // lost: it was > x
        ga -= w * s;
        gk -= w * s * x;
      } else {
        ll += w * (Math.log(k) + lp + lq); // exact: the logistic density of x
        const r = 1 - 2 * s;
        ga += w * r;
        gk += w * (1 / k + x * r);
        haa += 2 * q;
        hak += 2 * q * x;
        hkk += 2 * q * x * x + w / (k * k);
        continue;
      }
      haa += q;
      hak += q * x;
      hkk += q * x * x;
    }
  }
  out[0] = ga;
  out[1] = gk;
  out[2] = haa;
  out[3] = hak;
  out[4] = hkk;
  return ll;
}

const gScratch = new Float64Array(5);

/** Penalised maximum likelihood of (a, k): Newton steps with backtracking (the likelihood is concave). */
function fit(c: Curve, priorWeight: number): void {
  const bins = c.bins;
  let sw = 0;
  let sx = 0;
  for (let i = 0; i < kBins; i++) {
    for (let j = 0; j < kBid; j += 2) {
      sw += bins[i * kStride + j]!;
      sx += bins[i * kStride + j + 1]!;
    }
  }
  if (sw <= 0) return;
  const mean = sx / sw;
  // Bins hold weights scaled by the growing g: a pseudo-count P is P·g in those units.
  const prior = priorWeight * c.g;
  // Centred intercept: a' = a + k·mean.
  let k = c.fitted ? c.k : 2;
  let a = c.fitted ? c.a + k * mean : 0;
  const g = gScratch;
  let ll = logLik(bins, mean, prior, a, k, g);
  for (let it = 0; it < 30; it++) {
    const ga = g[0]!;
    const gk = g[1]!;
    const haa = g[2]!;
    const hak = g[3]!;
    const hkk = g[4]!;
    const det = haa * hkk - hak * hak;
    let da = det > 0 ? (hkk * ga - hak * gk) / det : ga / haa;
    let dk = det > 0 ? (haa * gk - hak * ga) / det : 0;
    let step = 0;
    for (; step < 30; step++) {
      if (k + dk > 0) {
        const next = logLik(bins, mean, prior, a + da, k + dk, g);
        if (next >= ll - 1e-12) {
          ll = next;
          break;
        }
      }
      da /= 2;
      dk /= 2;
    }
    if (step === 30) break;
    a += da;
    k += dk;
    if (Math.abs(da) + Math.abs(dk) < 1e-9) break;
  }
  if (Number.isFinite(a) && k > 0 && Number.isFinite(k)) {
    c.a = a - k * mean;
    c.k = k;
    c.fitted = true;
  }
}
