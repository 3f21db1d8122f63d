/**
 * When did a request reach us? uWS hands a request over when the event loop reads it, and under load the
 * kernel holds it while the loop is busy serving earlier ones, so the handler's own clock reading hides
 * that wait — and an answer that looks fast to us arrives after the exchange's tmax.
 *
 * The estimate works per event-loop turn in which uWS handed over requests (one `setImmediate` marks where a
 * turn ends; nothing per request): a request read in a turn that began right after the previous one ended
 * may have been waiting since that previous turn began, because the loop never stopped serving requests in
 * between; after a gap, it arrived when its turn began. Overload is exactly the back-to-back case, so the
 * estimate grows with the backlog and the bid endpoint sheds what can no longer make its deadline.
 *
 * Not counted: a loop blocked by other work (a long GC, a synchronous reload) while requests wait, which
 * the turns cannot tell apart from an idle gap. libuv's idle-time counter would tell them apart, but it also
 * counts an in-process client's own work as waiting (tests drive the bidder from the same loop), so the
 * estimate stays with what it can see for sure.
 */

export interface ArrivalClock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Runs `fn` once the current event-loop turn's I/O callbacks are done (`setImmediate` in production). */
  afterTurn(fn: () => void): void;
}

/** Turns that start within this long of the previous one's end are taken as back to back. */
export const kBackToBackMs = 1;

export class ArrivalEstimator {
  readonly #clock: ArrivalClock;
  #turnStart = -1;
  #turnArrival = 0;
  #prevTurnStart = 0;
  #prevTurnEnd = Number.NEGATIVE_INFINITY;

  constructor(clock: ArrivalClock) {
    this.#clock = clock;
  }

  /** The estimated arrival of a request being handed over now (same value for every request of a turn). */
  arrival(): number {
    if (this.#turnStart < 0) {
      const now = this.#clock.now();
      this.#turnArrival = now - this.#prevTurnEnd <= kBackToBackMs ? this.#prevTurnStart : now;
      this.#turnStart = now;
      this.#clock.afterTurn(this.#endTurn);
    }
    return this.#turnArrival;
  }

  readonly #endTurn = (): void => {
    this.#prevTurnStart = this.#turnStart;
    this.#prevTurnEnd = this.#clock.now();
    this.#turnStart = -1;
  };
}
