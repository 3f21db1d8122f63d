/**
 * The pure part of bid shading, shared by `ShadingModel.shade` and the scoring kernel (so a worker can shade
 * with seven numbers and no model object: `kShadeParams`, `shadeWith`).
 *
 * Win-rate curve: w(b) = σ(a + k·ln b), k > 0 — a log-logistic distribution of the price needed to win.
 * Expected surplus (v − b)·w(b) is maximised where h(b) = (v − b)(1 − w(b))·k − b = 0; h is strictly
 * decreasing on (0, v], so the optimum is unique, and since h grows with v it is non-decreasing in v.
 * We return the largest integer micro b in [floor, v] with h(b) ≥ 0 — an exact integer answer (Newton steps,
 * then an integer fix-up), which keeps shading exactly monotone in v, not just up to rounding. The bid is
 * then raised to keep a minimum share of the win probability at value and to the curve's evidence floor;
 * both bounds are non-decreasing in v, so the result stays monotone.
 */

/** h(b) for the curve (a, k) and value v (all prices in CPM micros); also leaves dh/db in `gSlope`. */
let gSlope = 0;
function h(b: number, v: number, a: number, k: number): number {
  const q = 1 / (1 + Math.exp(a + k * Math.log(b)));
  gSlope = -q * k - (b > 0 ? ((v - b) * k * k * q * (1 - q)) / b : 0) - 1;
  return (v - b) * q * k - b;
}

/** `h` without the slope: the integer fix-up and bisection only need its sign. */
function hValue(b: number, v: number, a: number, k: number): number {
  const q = 1 / (1 + Math.exp(a + k * Math.log(b)));
  return (v - b) * q * k - b;
}

/**
 * The surplus-maximising integer bid in [floor, v] for the curve (a, k); v and floor integer micros.
 * The root lies below v·k/(1 + k) (there h = −w·b ≤ 0), which brackets it tightly; safeguarded Newton in
 * floating point gets within a micro in a few steps, then an integer fix-up settles the exact answer.
 */
export function optimalBid(v: number, floor: number, a: number, k: number): number {
  // No evaluation at the floor: when the root lies below it, the fix-up below lands on the floor anyway.
  let lo = 0;
  let hi = Math.min(v, Math.ceil((v * k) / (1 + k)) + 1);
  if (hi <= floor) return floor;
  let b = hi;
  let hb = h(b, v, a, k);
  if (hb >= 0) return hi;
  for (let it = 0; it < 60 && hi - lo > 0.5; it++) {
    let t = b - hb / gSlope;
    if (!(t > lo && t < hi)) t = (lo + hi) / 2;
    b = t;
    hb = h(b, v, a, k);
    if (hb >= 0) lo = b;
    else hi = b;
    if (Math.abs(hb / gSlope) < 0.25 || (hb < 0 && b < floor)) break; // converged, or the root is below the floor
  }
  // Largest integer with h ≥ 0 (at least the floor): exact, so the answer is monotone in v whatever the
  // float path was.
  let r = Math.max(floor, Math.floor(b));
  for (let step = 0; step < 4; step++) {
    if (r < v && hValue(r + 1, v, a, k) >= 0) r++;
    else if (r > floor && hValue(r, v, a, k) < 0) r--;
    else return r;
  }
  return bisect(v, floor, a, k); // a float path that ended far off (never seen): settle it exactly anyway
}

/** The same answer by plain integer bisection over [floor, v] (the fallback, and the tests' reference). */
export function bisect(v: number, floor: number, a: number, k: number): number {
  if (!(hValue(floor, v, a, k) >= 0)) return floor;
  let lo = floor;
  let hi = v;
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (hValue(mid, v, a, k) >= 0) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * The lowest integer bid b with w(b) ≥ ρ·w(v) on the curve (a, k): bidding at least this keeps a fraction ρ
 * of the win probability that bidding the full value v would have. Closed form, since logit(w(b)) = a + k·ln b;
 * non-decreasing in v (w is increasing), so taking the larger of it and the optimum keeps the bid monotone.
 */
export function minBidForWinRatio(v: number, a: number, k: number, ratio: number): number {
  if (!(ratio > 0)) return 0;
  if (ratio >= 1) return v;
  const wv = 1 / (1 + Math.exp(-(a + k * Math.log(v))));
  const y = ratio * wv;
  if (!(y > 0)) return 0;
  return Math.ceil(Math.exp((Math.log(y / (1 - y)) - a) / k));
}

/**
 * The shaded first-price bid for value v (CPM micros) above `floor`: 0 when v is below the floor (no bid);
 * otherwise in [floor, v], non-decreasing in v. `conf` ∈ [0, 1] blends from the cold-start price
 * (v × `cold`, at least the floor) to the learned price; conf 0 ignores (a, k). The learned price is the
 * surplus optimum of the curve, raised to keep at least `minWinRatio` of the win probability at value
 * (`minBidForWinRatio`), and never below `lowest` — the bottom of the price range the curve has evidence for
 * (a curve fitted on notices at $5 says little about bidding $1, so the bid does not go there before
 * exploration has looked).
 */
export function shadePrice(
  v: number,
  floor: number,
  a: number,
  k: number,
  conf: number,
  cold: number,
  minWinRatio = 0,
  lowest = 0,
): number {
  // Between refits a curve's numbers stay put and a campaign's value moves only with its pacing signal, so
  // the same question comes back request after request: answered from the memo (exact match on every
  // argument, so the answer is the computed one), it skips the Newton steps and their exp/log calls.
  const slot = (Math.imul(v | 0, 0x9e3779b1) ^ Math.imul(floor | 0, 0x85ebca6b) ^ ((a * 0x10000) | 0)) >>> kMemoShift;
  const at = slot * kMemoArgs;
  const m = gMemoArgs;
  if (
    m[at] === v &&
    m[at + 1] === floor &&
    m[at + 2] === a &&
    m[at + 3] === k &&
    m[at + 4] === conf &&
    m[at + 5] === cold &&
    m[at + 6] === minWinRatio &&
    m[at + 7] === lowest
  )
    return gMemoPrice[slot]!;
  const p = shadePriceUncached(v, floor, a, k, conf, cold, minWinRatio, lowest);
  m[at] = v;
  m[at + 1] = floor;
  m[at + 2] = a;
  m[at + 3] = k;
  m[at + 4] = conf;
  m[at + 5] = cold;
  m[at + 6] = minWinRatio;
  m[at + 7] = lowest;
  gMemoPrice[slot] = p;
  return p;
}

/** The memo of `shadePrice`: direct-mapped, 2^8 entries of its eight arguments and the answer (NaN: empty). */
const kMemoShift = 24;
const kMemoArgs = 8;
const gMemoArgs = new Float64Array(kMemoArgs << (32 - kMemoShift)).fill(Number.NaN);
const gMemoPrice = new Float64Array(1 << (32 - kMemoShift));

/** `shadePrice` computed afresh (the memo's source, and the tests' reference for it). */
export function shadePriceUncached(
  v: number,
  floor: number,
  a: number,
  k: number,
  conf: number,
  cold: number,
  minWinRatio = 0,
  lowest = 0,
): number {
  if (!(v >= floor) || !(v > 0)) return 0;
  const coldPrice = Math.max(floor, Math.min(v, Math.round(v * cold)));
  if (!(conf > 0) || !(k > 0)) return coldPrice;
  let best = optimalBid(v, floor, a, k);
  const keep = minBidForWinRatio(v, a, k, minWinRatio);
  if (keep > best) best = keep;
  if (lowest > best) best = Math.ceil(lowest);
  if (best > v) best = v;
  const p = Math.round(coldPrice + Math.min(1, conf) * (best - coldPrice));
  return p < floor ? floor : Math.min(p, v);
}

/** Numbers per candidate that `shadeWith` reads (`ShadingModel.writeParams` writes them). */
export const kShadeParams = 7;
/** Offsets in a candidate's shading parameters. */
export const kS = { a: 0, k: 1, conf: 2, cold: 3, minWinRatio: 4, lowest: 5, explore: 6 } as const;

/**
 * The kernel's entry point: `shadePrice` with the parameters at `params[off…]`, then the exploration factor
 * (1 on most bids; slightly below 1 on a few, so the curve keeps learning just under the price it bids),
 * still within [floor, v].
 */
export function shadeWith(v: number, floor: number, params: Float64Array, off: number): number {
  const p = shadePrice(
    v,
    floor,
    params[off]!,
    params[off + 1]!,
    params[off + 2]!,
    params[off + 3]!,
    params[off + 4]!,
    params[off + 5]!,
  );
  const x = params[off + 6]!;
  if (!(p > 0) || x === 1 || !(x > 0)) return p;
  const e = Math.round(p * x);
  return e < floor ? floor : Math.min(e, v);
}
