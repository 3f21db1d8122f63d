/**
 * Fleet minute and hour counters in process memory: the embedded store serves one instance, so its "fleet"
 * is that instance. Buckets older than their keep time (measured from the newest bucket added, not a clock)
 * are dropped on the next add.
 */
import { type FleetCounterStore, kFleetHourTtlMs, kFleetMinuteTtlMs } from '../ports.js';

const kHourMs = 3_600_000;

export class MemoryFleetCounterStore implements FleetCounterStore {
  readonly #minutes = new Map<number, Map<string, number[]>>();
  readonly #hours = new Map<number, Map<string, number[]>>();
  readonly #totals = new Map<string, number[]>();

  async add(minuteMs: number, counts: ReadonlyMap<string, readonly number[]>): Promise<void> {
    const hourMs = Math.floor(minuteMs / kHourMs) * kHourMs;
    for (const [bucket, at] of [
      [this.#minutes, minuteMs],
      [this.#hours, hourMs],
    ] as const) {
      let m = bucket.get(at);
      if (m === undefined) bucket.set(at, (m = new Map()));
      addInto(m, counts);
    }
    for (const at of this.#minutes.keys()) if (at <= minuteMs - kFleetMinuteTtlMs) this.#minutes.delete(at);
    for (const at of this.#hours.keys()) if (at <= hourMs - kFleetHourTtlMs) this.#hours.delete(at);
  }

  async minutes(fromMs: number, toMs: number): Promise<Map<number, Map<string, number[]>>> {
    const out = new Map<number, Map<string, number[]>>();
    for (const [at, m] of this.#minutes)
      if (at >= fromMs && at < toMs) out.set(at, new Map([...m].map(([k, v]) => [k, [...v]])));
    return out;
  }

  async addTotals(counts: ReadonlyMap<string, readonly number[]>): Promise<void> {
    addInto(this.#totals, counts);
  }

  async totals(): Promise<Map<string, number[]>> {
    return new Map([...this.#totals].map(([k, v]) => [k, [...v]]));
  }

  async hours(fromMs: number, toMs: number): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const [at, m] of this.#hours) if (at >= fromMs && at < toMs) addInto(out, m);
    return out;
  }
}

function addInto(out: Map<string, number[]>, m: ReadonlyMap<string, readonly number[]>): void {
  for (const [series, values] of m) {
    if (values.every((v) => v === 0)) continue;
    const sums = out.get(series) ?? [];
    for (let i = 0; i < values.length; i++) sums[i] = (sums[i] ?? 0) + values[i]!;
    out.set(series, sums);
  }
}
