/**
 * The pool's estimate of one round trip (post → worker → answer), used to refuse at once the tasks that
 * could not come back before their deadline. An estimate that refuses work starves itself of the samples
 * that would correct it — after an overload the old average stayed above every budget and the pool refused
 * every request for good (issue 15) — so this one cannot latch:
 *
 * - it learns from every answer, late ones included (a late answer is the most telling sample);
 * - it is an average over time, not over answers: while no answer arrives it decays toward zero with
 *   half-life `halfLifeMs`, and a sample after a silence weighs more (up to `maxWeight`) than one of a
 *   steady stream (`alpha`), so one slow answer after a quiet spell cannot shut the pool by itself;
 * - while it refuses, it asks for a probe every `probeEveryMs` (the pool sends an empty task, so no
 *   request is risked on it), so a wrong estimate meets a real round trip within that period.
 *
 * Times are milliseconds from the pool's clock (any monotonic source; tests inject one).
 */

export interface RttEstimateOptions {
  /** The estimate before any sample, ms. Default 0.2. */
  readonly initialMs?: number;
  /** Weight of one sample when samples come close together. Default 0.05. */
  readonly alpha?: number;
  /** Weight of a sample after a long silence. Default 0.25. */
  readonly maxWeight?: number;
  /** Half-life of the estimate without samples, ms. Default 100. */
  readonly halfLifeMs?: number;
  /** While the estimate refuses, a probe is due this often, ms. Default 50. */
  readonly probeEveryMs?: number;
}

export class RttEstimate {
  readonly #alpha: number;
  readonly #maxWeight: number;
  readonly #halfLifeMs: number;
  readonly #probeEveryMs: number;
  #avg: number;
  #at = Number.NEGATIVE_INFINITY;
  #nextProbeAt = Number.NEGATIVE_INFINITY;

  constructor(opts: RttEstimateOptions = {}) {
    this.#avg = opts.initialMs ?? 0.2;
    this.#alpha = opts.alpha ?? 0.05;
    this.#maxWeight = opts.maxWeight ?? 0.25;
    this.#halfLifeMs = opts.halfLifeMs ?? 100;
    this.#probeEveryMs = opts.probeEveryMs ?? 50;
  }

  /** The estimate at `now`, ms: the average, decayed for the time since the last sample. */
  at(now: number): number {
    const idle = now - this.#at;
    return idle > 0 && Number.isFinite(idle) ? this.#avg * 2 ** (-idle / this.#halfLifeMs) : this.#avg;
  }

  /** A round trip of `ms` ended at `now` (answered in time or not). */
  sample(ms: number, now: number): void {
    const idle = now - this.#at;
    const silence = Number.isFinite(idle) ? 1 - 2 ** (-Math.max(0, idle) / this.#halfLifeMs) : 1;
    const w = Math.max(this.#alpha, Math.min(this.#maxWeight, silence));
    // Blend with the average itself, not its decayed value: a steady stream is a plain moving average.
    this.#avg += w * (ms - this.#avg);
    this.#at = now;
  }

  /** Would a task with `budgetMs` left come back in time? */
  fits(budgetMs: number, now: number): boolean {
    return budgetMs > this.at(now);
  }

  /** After a refusal: is a probe due? (True at most once per `probeEveryMs`.) */
  probeDue(now: number): boolean {
    if (now < this.#nextProbeAt) return false;
    this.#nextProbeAt = now + this.#probeEveryMs;
    return true;
  }
}
