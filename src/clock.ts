/**
 * The injected clock. Everything that reads time (deadlines, pacing, token expiry, day boundaries, leases)
 * takes a `Clock`, so tests and the simulator can run the same code in virtual time.
 */

export interface Clock {
  /** Milliseconds since the Unix epoch, with sub-millisecond precision where the source has it. */
  now(): number;
}

/** Wall-clock time with sub-millisecond resolution (performance.now() anchored at the time origin). */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
};

/** A clock that only moves when told to: for tests and the simulator. */
export class VirtualClock implements Clock {
  #now: number;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  set(ms: number): void {
    if (ms < this.#now) throw new RangeError(`virtual clock cannot go back (${ms} < ${this.#now})`);
    this.#now = ms;
  }

  advance(ms: number): void {
    this.set(this.#now + ms);
  }
}
