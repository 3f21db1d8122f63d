/**
 * One log line per store outage, not one per notice: during an outage every notice fails the same way
 * (hundreds a second), and a line with a stack for each buried the log (279 lines in 10 s). The first
 * failure is logged with its message; later ones within `intervalMs` are only counted, and the count is
 * logged with the next failure after the interval.
 */
import type { Clock } from '../clock.js';

export interface WarnLog {
  warn(obj: object, msg: string): void;
}

export class StoreErrorLog {
  readonly #log: WarnLog;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  #lastAt = Number.NEGATIVE_INFINITY;
  #suppressed = 0;

  constructor(log: WarnLog, clock: Clock, intervalMs = 10_000) {
    this.#log = log;
    this.#clock = clock;
    this.#intervalMs = intervalMs;
  }

  report(err: unknown): void {
    const now = this.#clock.now();
    if (now - this.#lastAt < this.#intervalMs) {
      this.#suppressed++;
      return;
    }
    const error = err instanceof Error ? err.message : String(err);
    this.#log.warn(
      { error, suppressed: this.#suppressed },
      'notice store unavailable: answering 503 so senders retry (failures in between counted in suppressed)',
    );
    this.#lastAt = now;
    this.#suppressed = 0;
  }
}
