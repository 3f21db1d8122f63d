/**
 * Pacing controllers: per campaign × channel, turn "how far is spend from the target curve" into a pacing
 * signal the bid path applies to every candidate bid. The signal `s ∈ [minSignal, 1]` is spent first as a
 * bid multiplier (down to `minMultiplier`) and only below that as a participation probability:
 *
 *     s ≥ minMultiplier:  bid × s, every auction            (soft: in first price we also pay less)
 *     s < minMultiplier:  bid × minMultiplier, with probability s / minMultiplier   (hard: throttle)
 *
 * Why both: a multiplier lowers the price paid per impression in first-price auctions (the Mystique
 * baselines show soft pacing buying at ~17% lower CPM than hard), but multiplying a bid far down only
 * loses it to the floor, so below a point throttling keeps the bids that are made meaningful.
 *
 * `AdaptivePacer` (the default) is an integral controller in log space on the spend rate:
 *
 *     desired rate  = (cap · T(t + H) − spent) / H          catch up (or wait) over the horizon H
 *     observed rate = EWMA of Δspent/Δt, time constant τ     smooths notices arriving in bursts
 *     s ← s · (desired ÷ observed)^(Δt / τc), step clamped  integral action, no steady-state error
 *
 * Integral action in log space makes the loop scale-free (a $5 and a $5,000 campaign converge alike), and
 * because Δt/τc is small the signal moves by at most a few percent per update: no oscillation on steady
 * traffic, while a persistent error compounds quickly enough to settle within minutes after a traffic step.
 *
 * A new day starts from the controller's state (signal and rate estimate) as it was before the end-of-day
 * catch-up, i.e. at the last update that still aimed a full horizon ahead. In the last horizon of the day the
 * time left shrinks towards zero, so the desired rate for whatever is left grows without bound; when what is
 * left cannot be spent (no bid fits in it) nothing is spent, the rate estimate decays and the signal winds
 * up to 1. Carried into the next midnight, that wound-up signal bid full price into the first minutes of
 * the day: in the Mystique anchor, campaigns whose single wins cost a third of their budget spent the whole
 * day's budget in its first hour. The state half an hour before midnight is the better prior: same time of
 * day, same traffic, not distorted by the day's end.
 *
 * `StepThrottle` is the baseline the issue compares against (LinkedIn-style): a participation probability
 * raised or lowered by 10% once a minute depending on whether spend is behind or ahead of the curve.
 *
 * Controllers never see budgets run out: the budget itself is enforced by leases (gate.ts). They hold no
 * clock: every update gets `nowMs`, so they run unchanged under the simulator's virtual clock.
 */

export interface PacerInput {
  readonly nowMs: number;
  /** Spend known so far today (micros). */
  readonly spentMicros: number;
  /** Today's cap on this campaign × channel (micros). */
  readonly capMicros: number;
  /** Target cumulative fraction of the cap at `t` and at `t + horizon` (0..1). */
  readonly targetNow: number;
  readonly targetAhead: number;
  /** Time from now to the point `targetAhead` is for (the horizon, shorter near the end of the day). */
  readonly aheadMs: number;
}

export interface Pacer {
  /** Pacing signal in [minSignal, 1]. */
  readonly signal: number;
  /** `update` before this time does nothing, so callers can skip building its input. */
  readonly dueAtMs: number;
  /** Feeds the controller; it acts at most once per its interval, so calling per request is cheap. */
  update(input: PacerInput): void;
  /** A new day: spend restarts from zero; the signal is yesterday's (the best prior). */
  newDay(nowMs: number): void;
}

export interface AdaptivePacerOptions {
  /** Update period (ms). */
  readonly intervalMs: number;
  /** Time constant of the spend-rate estimate (ms). */
  readonly rateTauMs: number;
  /** Integral time constant (ms): how quickly a persistent rate error moves the signal. */
  readonly controlTauMs: number;
  /**
   * Catch-up horizon (ms) the caller aims with (aim.ts); `aheadMs` below it means the day's end is within a
   * horizon, and the state from before that is what the next day starts from.
   */
  readonly horizonMs: number;
  /** Lowest signal; below `minMultiplier` the signal throttles instead of multiplying. */
  readonly minSignal: number;
  /** Largest factor the signal may change by in one update. */
  readonly maxStep: number;
  readonly initialSignal: number;
}

const kAdaptiveDefaults: AdaptivePacerOptions = {
  intervalMs: 5_000,
  rateTauMs: 300_000,
  controlTauMs: 600_000,
  horizonMs: 1_800_000,
  minSignal: 0.001,
  maxStep: 1.1,
  initialSignal: 1,
};

export class AdaptivePacer implements Pacer {
  signal: number;
  readonly #o: AdaptivePacerOptions;
  #lastMs = -1;
  #lastSpent = 0;
  dueAtMs = -Infinity;
  /** Spend rate estimate, micros per ms; negative until the first interval has been observed. */
  #rate = -1;
  /**
   * Signal and rate estimate at today's last update that aimed a full horizon ahead (NaN: none yet today):
   * the state tomorrow starts from (see `newDay`).
   */
  #prior = NaN;
  #priorRate = -1;

  constructor(opts: Partial<AdaptivePacerOptions> = {}) {
    this.#o = { ...kAdaptiveDefaults, ...opts };
    this.signal = this.#o.initialSignal;
  }

  update(x: PacerInput): void {
    const o = this.#o;
    if (this.#lastMs < 0) {
      this.#lastMs = x.nowMs;
      this.#lastSpent = x.spentMicros;
      this.dueAtMs = x.nowMs + o.intervalMs;
      return;
    }
    const dt = x.nowMs - this.#lastMs;
    if (dt < o.intervalMs) return;
    this.dueAtMs = x.nowMs + o.intervalMs;
    const observed = Math.max(0, x.spentMicros - this.#lastSpent) / dt;
    this.#lastMs = x.nowMs;
    this.#lastSpent = x.spentMicros;
    const a = Math.min(1, dt / o.rateTauMs);
    this.#rate = this.#rate < 0 ? observed : this.#rate + a * (observed - this.#rate);

    const desired = Math.max(0, x.capMicros * x.targetAhead - x.spentMicros) / Math.max(x.aheadMs, o.intervalMs);
    let ratio: number;
    if (desired === 0) ratio = 0;
    else if (this.#rate <= 0) ratio = Infinity;
    else ratio = desired / this.#rate;
    // Integral action in log space; ratio 0 / ∞ (nothing wanted / nothing observed) saturate at the step.
    const step =
      ratio === 0
        ? 1 / o.maxStep
        : ratio === Infinity
          ? o.maxStep
          : Math.min(o.maxStep, Math.max(1 / o.maxStep, ratio ** Math.min(1, dt / o.controlTauMs)));
    this.signal = Math.min(1, Math.max(o.minSignal, this.signal * step));
    if (x.aheadMs >= o.horizonMs) {
      this.#prior = this.signal;
      this.#priorRate = this.#rate;
    }
  }

  newDay(nowMs: number): void {
    if (!Number.isNaN(this.#prior)) {
      this.signal = this.#prior;
      this.#rate = this.#priorRate;
    }
    this.#prior = NaN;
    this.#lastMs = nowMs;
    this.#lastSpent = 0;
    this.dueAtMs = nowMs + this.#o.intervalMs;
  }
}

export interface StepThrottleOptions {
  readonly intervalMs: number;
  /** Relative change per update (0.1 = ±10%). */
  readonly step: number;
  readonly minSignal: number;
}

/** The baseline: participation probability ±10% per minute, by the sign of the pacing error. */
export class StepThrottle implements Pacer {
  signal = 1;
  dueAtMs = -Infinity;
  readonly #o: StepThrottleOptions;

  constructor(opts: Partial<StepThrottleOptions> = {}) {
    this.#o = { intervalMs: 60_000, step: 0.1, minSignal: 0.001, ...opts };
  }

  update(x: PacerInput): void {
    if (x.nowMs < this.dueAtMs) return;
    this.dueAtMs = x.nowMs + this.#o.intervalMs;
    const ahead = x.spentMicros > x.capMicros * x.targetNow;
    this.signal = Math.min(1, Math.max(this.#o.minSignal, this.signal * (ahead ? 1 - this.#o.step : 1 + this.#o.step)));
  }

  newDay(): void {}
}

/** The factor for one candidate bid: 0 = throttled out of this auction, else the bid multiplier. */
export function pacingFactor(signal: number, minMultiplier: number, random: () => number): number {
  if (signal >= minMultiplier) return signal;
  return random() * minMultiplier < signal ? minMultiplier : 0;
}
