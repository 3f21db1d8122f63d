/**
 * The statistics behind experiment reports, pure functions: a confidence interval for a proportion (Wilson), one
 * for a ratio metric per impression (Σy ÷ Σspend: clicks, conversions or value per dollar, by the delta method on
 * the log scale), and a sequential test of two arms that a buyer may look at as often as they like and stop at
 * the first verdict without inflating false positives: the mixture sequential probability ratio test (mSPRT;
 * Robbins 1970; Johari, Pekelis & Walsh, "Always valid inference: continuous monitoring of A/B tests", 2022).
 *
 * The test is on θ = log(rate of the arm) − log(rate of the control), estimated as θ̂ with variance V (both arms'
 * delta-method variances added). Against H0: θ = 0 it mixes the alternatives over θ ~ N(0, τ²):
 *
 *   Λ = √(V ÷ (V + τ²)) · exp(θ̂² τ² ÷ (2V (V + τ²)))
 *
 * Under H0, Λ over time is a (approximately, by the central limit theorem) non-negative martingale with mean 1,
 * so by Ville's inequality P(Λ ever ≥ 1/α) ≤ α: reject when Λ ≥ 1/α, and 1/Λ (kept as a running minimum by the
 * caller) is an always-valid p-value. Inverting it gives an always-valid confidence interval for θ. The normal
 * approximation needs some actions per arm, hence `minActions` before any verdict.
 *
 * One simplification, on the safe side: the covariance of action and spend within an impression is taken as
 * 0 (a click notice does not carry the impression's price). Value bidding makes it positive (dearer impressions
 * are the likelier clicks), which makes the true variance smaller than the one used: the test is conservative
 * there, not liberal.
 */

/** z of a two-sided 95% interval. */
const kZ95 = 1.959963984540054;

export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

/** Wilson score interval of a proportion; null without trials. */
export function wilson(successes: number, trials: number, z = kZ95): Interval | null {
  if (!(trials > 0)) return null;
  const p = successes / trials;
  const z2 = z * z;
  const den = 1 + z2 / trials;
  const mid = (p + z2 / (2 * trials)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / den;
  return { estimate: p, low: Math.max(0, mid - half), high: Math.min(1, mid + half) };
}

/**
 * A ratio metric over `n` impressions: Σy ÷ Σs, with y an action per impression (a click: 0/1, or a
 * conversion's value) and s the impression's spend, and the sums of squares its variance needs.
 */
export interface RatioSample {
  readonly n: number;
  readonly sumY: number;
  readonly sumY2: number;
  readonly sumS: number;
  readonly sumS2: number;
}

/** log(Σy ÷ Σs) and its delta-method variance: Var(log ȳ) + Var(log s̄) = (σy²/ȳ² + σs²/s̄²) ÷ n. */
export function logRatio(x: RatioSample): { readonly estimate: number; readonly variance: number } | null {
  if (!(x.n > 1 && x.sumY > 0 && x.sumS > 0)) return null;
  const y = x.sumY / x.n;
  const s = x.sumS / x.n;
  const vy = Math.max(0, x.sumY2 / x.n - y * y);
  const vs = Math.max(0, x.sumS2 / x.n - s * s);
  return { estimate: Math.log(x.sumY / x.sumS), variance: (vy / (y * y) + vs / (s * s)) / x.n };
}

/** 95% (by `z`) interval of Σy ÷ Σs, on the log scale (so it stays positive); null before the first action. */
export function ratioInterval(x: RatioSample, z = kZ95): Interval | null {
  const l = logRatio(x);
  if (l === null) return null;
  const h = z * Math.sqrt(l.variance);
  return { estimate: Math.exp(l.estimate), low: Math.exp(l.estimate - h), high: Math.exp(l.estimate + h) };
}

/** The interval of 1 ÷ metric (spend per action from actions per spend: eCPC, eCPA). */
export function inverse(i: Interval | null): Interval | null {
  return i === null ? null : { estimate: 1 / i.estimate, low: 1 / i.high, high: i.low > 0 ? 1 / i.low : Infinity };
}

export interface SequentialOptions {
  /** False-verdict rate the test holds under continuous monitoring (default 0.05). */
  readonly alpha?: number;
  /** Prior spread of the log effect the mixture averages over (default 0.1: effects of about ±10%). */
  readonly tau?: number;
  /** Actions (Σy > 0 rows, e.g. clicks) each arm needs before a verdict: the normal approximation's burn-in. */
  readonly minActions?: number;
}

export type Verdict = 'collecting' | 'no difference yet' | 'better' | 'worse';

export interface SequentialResult {
  /** Relative change of the arm's rate against the control's (e^θ − 1), with its always-valid interval. */
  readonly effect: Interval;
  /** The mixture likelihood ratio at this look. */
  readonly lambda: number;
  /** 1 ÷ Λ at this look, capped at 1 (the always-valid p-value is the running minimum over looks). */
  readonly pValue: number;
  readonly verdict: Verdict;
}

export const kSequentialDefaults = { alpha: 0.05, tau: 0.1, minActions: 30 } as const;

/**
 * The mSPRT of `arm` against `control` at this look; null while either has no action or no spend.
 * `actions` are each side's counts for the burn-in (clicks or conversions).
 */
export function mixtureSprt(
  control: RatioSample,
  arm: RatioSample,
  actions: { readonly control: number; readonly arm: number },
  o: SequentialOptions = {},
): SequentialResult | null {
  const alpha = o.alpha ?? kSequentialDefaults.alpha;
  const tau2 = (o.tau ?? kSequentialDefaults.tau) ** 2;
  const a = logRatio(control);
  const b = logRatio(arm);
  if (a === null || b === null) return null;
  const theta = b.estimate - a.estimate;
  const v = a.variance + b.variance;
  if (!(v > 0)) return null;
  const logLambda = 0.5 * Math.log(v / (v + tau2)) + (theta * theta * tau2) / (2 * v * (v + tau2));
  // Every θ0 the test would not reject: |θ̂ − θ0|² < 2V(V + τ²)/τ² · (log(1/α) + ½ log((V + τ²)/V)).
  const half = Math.sqrt(((2 * v * (v + tau2)) / tau2) * (Math.log(1 / alpha) + 0.5 * Math.log((v + tau2) / v)));
  const min = o.minActions ?? kSequentialDefaults.minActions;
  const verdict: Verdict =
    actions.control < min || actions.arm < min
      ? 'collecting'
      : logLambda >= Math.log(1 / alpha)
        ? theta > 0
          ? 'better'
          : 'worse'
        : 'no difference yet';
  return {
    effect: { estimate: Math.expm1(theta), low: Math.expm1(theta - half), high: Math.expm1(theta + half) },
    lambda: Math.exp(logLambda),
    pValue: Math.min(1, Math.exp(-logLambda)),
    verdict,
  };
}
