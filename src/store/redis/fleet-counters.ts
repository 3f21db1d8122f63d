/**
 * Fleet minute and hour counters in Redis: `<p>fc:{m:<minuteMs>}` and `<p>fc:{h:<hourMs>}` hashes with one
 * field per series and slot (`<series>#<slot>` → HINCRBY), expiring on their own; running totals that never
 * expire (experiment arms) in `<p>fc:{t}`. Each bucket is its own hash
 * tag, so in a Cluster the buckets spread over the nodes; a read is one HGETALL per bucket (60 for an hour,
 * 24 for a day), once a minute per instance with a console.
 */
import { type FleetCounterStore, kFleetHourTtlMs, kFleetMinuteTtlMs } from '../ports.js';
import { assertReady } from './connection.js';
import type { KeySchema } from './keys.js';
import type { RedisClient } from './scripts.js';

const kMinuteMs = 60_000;
const kHourMs = 3_600_000;

export class RedisFleetCounterStore implements FleetCounterStore {
  readonly #client: RedisClient;
  readonly #keys: KeySchema;

  constructor(client: RedisClient, keys: KeySchema) {
    this.#client = client;
    this.#keys = keys;
  }

  async add(minuteMs: number, counts: ReadonlyMap<string, readonly number[]>): Promise<void> {
    assertReady(this.#client);
    const hourMs = Math.floor(minuteMs / kHourMs) * kHourMs;
    const fields: [string, number][] = [];
    // A series with nothing to add is skipped; one with anything writes every slot, so reads see whole arrays.
    for (const [series, values] of counts) {
      if (values.every((v) => v === 0)) continue;
      for (let i = 0; i < values.length; i++) fields.push([`${series}#${i}`, Math.round(values[i]!)]);
    }
    if (fields.length === 0) return;
    await Promise.all(
      [
        [this.#keys.fleetMinute(minuteMs), kFleetMinuteTtlMs],
        [this.#keys.fleetHour(hourMs), kFleetHourTtlMs],
      ].map(([key, ttl]) => {
        const m = this.#client.multi();
        for (const [f, v] of fields) m.hincrby(key as string, f, v);
        m.pexpire(key as string, ttl as number);
        return m.exec();
      }),
    );
  }

  async addTotals(counts: ReadonlyMap<string, readonly number[]>): Promise<void> {
    assertReady(this.#client);
    const m = this.#client.multi();
    let any = false;
    for (const [series, values] of counts) {
      if (values.every((v) => v === 0)) continue;
      any = true;
      for (let i = 0; i < values.length; i++)
        m.hincrby(this.#keys.fleetTotals(), `${series}#${i}`, Math.round(values[i]!));
    }
    if (any) await m.exec();
  }

  async totals(): Promise<Map<string, number[]>> {
    assertReady(this.#client);
    return parse(await this.#client.hgetall(this.#keys.fleetTotals()), new Map());
  }

  async minutes(fromMs: number, toMs: number): Promise<Map<number, Map<string, number[]>>> {
    assertReady(this.#client);
    const starts: number[] = [];
    for (let t = Math.ceil(fromMs / kMinuteMs) * kMinuteMs; t < toMs; t += kMinuteMs) starts.push(t);
    const hashes = await Promise.all(starts.map((t) => this.#client.hgetall(this.#keys.fleetMinute(t))));
    const out = new Map<number, Map<string, number[]>>();
    hashes.forEach((h, i) => {
      if (Object.keys(h).length > 0) out.set(starts[i]!, parse(h, new Map()));
    });
    return out;
  }

  async hours(fromMs: number, toMs: number): Promise<Map<string, number[]>> {
    assertReady(this.#client);
    const starts: number[] = [];
    for (let t = Math.ceil(fromMs / kHourMs) * kHourMs; t < toMs; t += kHourMs) starts.push(t);
    const hashes = await Promise.all(starts.map((t) => this.#client.hgetall(this.#keys.fleetHour(t))));
    const out = new Map<string, number[]>();
    for (const h of hashes) parse(h, out);
    return out;
  }
}

/** Adds a bucket's `<series>#<slot>` fields into `out`. */
function parse(h: Record<string, string>, out: Map<string, number[]>): Map<string, number[]> {
  for (const [field, value] of Object.entries(h)) {
    const at = field.lastIndexOf('#');
    if (at < 0) continue;
    const series = field.slice(0, at);
    const slot = Number(field.slice(at + 1));
    const sums = out.get(series) ?? [];
    for (let i = sums.length; i < slot; i++) sums[i] = 0;
    sums[slot] = (sums[slot] ?? 0) + Number(value);
    out.set(series, sums);
  }
  return out;
}
