/**
 * Collects the people billed impressions reached (campaign × channel × day) and hands them to the store in
 * batches — once a second or every 500 people — so the notice path pays an array push, not a store round trip,
 * per impression. A failed batch is dropped and reported: reach is an audience figure for the console, never
 * money.
 */
import type { ReachEntry, ReachStore } from '../store/ports.js';

export interface ReachRecorderOptions {
  readonly maxBatch?: number;
  readonly flushMs?: number;
  readonly onError?: (err: unknown) => void;
}

export class ReachRecorder {
  readonly #store: ReachStore;
  readonly #maxBatch: number;
  readonly #onError: (err: unknown) => void;
  #batch: ReachEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #inFlight = new Set<Promise<void>>();

  constructor(store: ReachStore, o: ReachRecorderOptions = {}) {
    this.#store = store;
    this.#maxBatch = o.maxBatch ?? 500;
    this.#onError = o.onError ?? (() => {});
    this.#timer = setInterval(() => void this.flush(), o.flushMs ?? 1000);
    this.#timer.unref();
  }

  record(e: ReachEntry): void {
    this.#batch.push(e);
    if (this.#batch.length >= this.#maxBatch) void this.flush();
  }

  /** Sends what has been collected; resolves when every batch sent so far has been written (or failed). */
  async flush(): Promise<void> {
    if (this.#batch.length > 0) {
      const batch = this.#batch;
      this.#batch = [];
      const p = this.#store.add(batch).catch(this.#onError);
      this.#inFlight.add(p);
      void p.finally(() => this.#inFlight.delete(p));
    }
    await Promise.all(this.#inFlight);
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
