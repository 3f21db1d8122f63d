/**
 * Per-request bookkeeping the other micro-benchmarks leave out, in CPU µs (process.cpuUsage, so waiting is
 * not counted): a profile lookup against the memory store (cache miss: the async store call, its timeout
 * guard, the promise chain), and the request-path counters (prom-client children vs the local counters).
 * With `--baseline <dist dir>` (another build, e.g. of an earlier commit) its ProfileLookup is measured in the
 * same run, alternating, for an A/B of the lookup's cost.
 * Run: npx tsx bench/micro/request-overheads.bench.ts [--baseline bench/.corpus/base-dist]
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Counter, Registry } from 'prom-client';
import { systemClock } from '../../src/clock.js';
import { LocalCounter } from '../../src/metrics/local-counter.js';
import { ProfileLookup } from '../../src/segments/profile-lookup.js';
import { MemoryProfileStore } from '../../src/store/memory/profiles.js';

type LookupCtor = typeof ProfileLookup;

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * A lookup as the app configures it (10,000 cached profiles, 100,000 people tracked for reach), already past
 * 120,000 distinct users so both are full and every new user evicts: the steady state of a live bidder.
 */
async function warmLookup(Ctor: LookupCtor): Promise<ProfileLookup> {
  const lookup = new Ctor(new MemoryProfileStore(), systemClock, {
    timeoutMs: 5,
    cacheSize: 10_000,
    cacheTtlMs: 2_000,
  });
  for (let i = 0; i < 120_000; i++) await lookup.lookup([`uid:w${i}`], Date.now() + 50, 'ssp-alpha');
  return lookup;
}

/** CPU µs per awaited lookup, each for a new user (a cache miss: the store is asked). */
async function lookups(lookup: ProfileLookup, n: number, offset: number): Promise<number> {
  const t0 = cpuMicros();
  for (let i = 0; i < n; i++) await lookup.lookup([`uid:u${offset + i}`], Date.now() + 50, 'ssp-alpha');
  return (cpuMicros() - t0) / n;
}

function counters(n: number): { promClient: number; local: number } {
  const registry = new Registry();
  const mk = (name: string) =>
    new Counter({ name, help: name, labelNames: ['channel', 'outcome'] as const, registers: [registry] });
  const child = mk('a_total').labels('ssp-alpha', 'nobid');
  const local = new LocalCounter(mk('b_total'), ['channel', 'outcome']).labels('ssp-alpha', 'nobid');
  let t0 = cpuMicros();
  for (let i = 0; i < n; i++) child.inc();
  const promClient = (cpuMicros() - t0) / n;
  t0 = cpuMicros();
  for (let i = 0; i < n; i++) local.inc();
  return { promClient, local: (cpuMicros() - t0) / n };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const i = process.argv.indexOf('--baseline');
const baselineDir = i > 0 ? process.argv[i + 1] : undefined;
const Baseline: LookupCtor | undefined =
  baselineDir === undefined
    ? undefined
    : (
        (await import(pathToFileURL(join(resolve(baselineDir), 'segments/profile-lookup.js')).href)) as {
          ProfileLookup: LookupCtor;
        }
      ).ProfileLookup;

const rounds = 7;
const n = 10_000;
const current: number[] = [];
const base: number[] = [];
const promClient: number[] = [];
const local: number[] = [];
const currentLookup = await warmLookup(ProfileLookup);
const baseLookup = Baseline === undefined ? undefined : await warmLookup(Baseline);
for (let r = 0; r < rounds; r++) {
  current.push(await lookups(currentLookup, n, r * n));
  if (baseLookup !== undefined) base.push(await lookups(baseLookup, n, r * n));
  const c = counters(1_000_000);
  promClient.push(c.promClient);
  local.push(c.local);
}
console.log(`request overheads (node ${process.version}), CPU µs per operation, median of ${rounds} rounds`);
console.table({
  'profile lookup, memory store, new user (cache and reach full)': median(current).toFixed(3),
  ...(Baseline === undefined ? {} : { 'profile lookup, baseline build': median(base).toFixed(3) }),
  'prom-client child inc()': median(promClient).toFixed(4),
  'local counter inc()': median(local).toFixed(4),
});
