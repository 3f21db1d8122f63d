/**
 * Profile lookups against real Redis: how many sequential round trips a lookup costs on a realistic mix,
 * and what that means in latency when Redis is a 2 ms round trip away.
 *
 *   npx tsx bench/micro/segments-lookup.bench.ts [--redis URL] [--lookups 200000] [--known 100000] [--delay 1]
 *
 * Traffic: 1M users with Zipf(1.0) popularity (a few hot users, a long tail), the `known` most active linked
 * to the graph (buid + ifa + uid, 5 segments); each request carries the user's buid on one of 3 channels,
 * plus ifa and uid. 128 requests in flight (8 for the latency run). Reported: store round trips per lookup (the id cache saves
 * the resolution step for repeat users), and with ProfileLookup in front (its 2 s profile cache and
 * shared in-flight calls), round trips per bid-path lookup. Then the same traffic through a proxy adding
 * `delay` ms each way, for latency.
 */
import { systemClock } from '../../src/clock.js';
import { ProfileLookup } from '../../src/segments/profile-lookup.js';
import { createRedisStore, type RedisStore } from '../../src/store/redis/index.js';
import { deleteByPrefix, startCountingProxy, startOwnRedis, type OwnRedis } from '../../tests/helpers/redis.js';
import { prng } from './harness.js';

const arg = (name: string, def: string): string =>
  process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : def;
const kUsers = 1_000_000;
const kKnown = Number(arg('known', '100000'));
const kLookups = Number(arg('lookups', '200000'));
// Node timers fire at ≥ 1 ms, so the proxy's smallest honest delay is 1 ms each way (a 2 ms round trip).
const kDelayMs = Math.max(1, Number(arg('delay', '1')));
const kConcurrency = 128;
const kChannels = ['xa', 'xb', 'xc'];

// Zipf(1.0) over ranks 1..kUsers by inverse CDF.
const cdf = new Float64Array(kUsers);
let acc = 0;
for (let r = 0; r < kUsers; r++) cdf[r] = acc += 1 / (r + 1);
const rnd = prng(42);
function drawUser(): number {
  const x = rnd() * acc;
  let lo = 0;
  let hi = kUsers - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
const idsOf = (u: number, ch: string): string[] => [`buid:${ch}:b${u}`, `ifa:f${u}`, `uid:u${u}`];
const traffic = Array.from({ length: kLookups }, () => {
  const u = drawUser();
  return idsOf(u, kChannels[u % 3]!);
});

async function run(
  store: RedisStore,
  viaLookup: boolean,
  concurrency = kConcurrency,
  count = traffic.length,
): Promise<{ seconds: number; lat: number[]; calls: number }> {
  const lookup = new ProfileLookup(store.profiles, systemClock, {
    timeoutMs: 1_000,
    cacheSize: 10_000,
    cacheTtlMs: 2_000,
  });
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const ids = traffic[next++]!;
      const t = performance.now();
      if (viaLookup) await lookup.lookup(ids, systemClock.now() + 1_000);
      else await store.profiles.lookup(ids, systemClock.now());
      lat.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { seconds: (performance.now() - t0) / 1000, lat: lat.sort((a, b) => a - b), calls: count };
}

const pct = (xs: number[], p: number): string => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]!.toFixed(2);

const own: OwnRedis | undefined = process.argv.includes('--redis') ? undefined : await startOwnRedis();
const url = own?.url ?? arg('redis', '');
const prefix = `pgbench:${process.pid}:`;
try {
  const loader = await createRedisStore({ url, keyPrefix: prefix, instanceId: 'bench', commandTimeoutMs: 0 });
  const now = Date.now();
  for (let i = 0; i < kKnown; i += 5_000) {
    const batch = Array.from({ length: 5_000 }, (_, j) => ({
      ids: kChannels.map((ch) => `buid:${ch}:b${i + j}`).concat([`ifa:f${i + j}`, `uid:u${i + j}`]),
      personId: `p${i + j}`,
      segments: ['a', 'b', 'c', 'd', `s${(i + j) % 50}`].map((id) => ({ id })),
      ttlSeconds: 3600,
    }));
    await loader.profiles.bulk(batch, now);
  }
  await loader.close();
  const known = traffic.filter((ids) => Number(ids[2]!.slice(5)) < kKnown).length;
  console.log(
    `node ${process.version}; ${kLookups.toLocaleString('en-US')} lookups, ${((known / kLookups) * 100).toFixed(0)}% of them for known users, ${kConcurrency} in flight`,
  );

  for (const [label, viaLookup] of [
    ['store.lookup', false],
    ['ProfileLookup → store', true],
  ] as const) {
    const store = await createRedisStore({ url, keyPrefix: prefix, instanceId: 'bench' });
    const r = await run(store, viaLookup);
    const st = store.stats();
    console.log(
      `${label.padEnd(22)} round trips/lookup ${(st.roundTrips / r.calls).toFixed(3)} (store: ${(st.roundTrips / Math.max(1, st.lookups)).toFixed(3)} per call, id-cache hits ${((st.idCacheHits / Math.max(1, st.lookups)) * 100).toFixed(0)}%), ` +
        `${Math.round(r.calls / r.seconds).toLocaleString('en-US')} lookups/s, p50 ${pct(r.lat, 0.5)} ms, p99 ${pct(r.lat, 0.99)} ms`,
    );
    await store.close();
  }

  const proxy = await startCountingProxy(url, kDelayMs);
  const far = await createRedisStore({ url: proxy.url, keyPrefix: prefix, instanceId: 'bench' });
  // Few in flight, so latency shows round trips rather than queueing on this machine's CPUs.
  const r = await run(far, false, 8, Math.min(20_000, traffic.length));
  const st = far.stats();
  console.log(
    `store.lookup, Redis ${kDelayMs * 2} ms round trip, 8 in flight: mean ${(r.lat.reduce((a, b) => a + b, 0) / r.lat.length).toFixed(2)} ms, p50 ${pct(r.lat, 0.5)} ms, p90 ${pct(r.lat, 0.9)} ms, p99 ${pct(r.lat, 0.99)} ms; ` +
      `${(st.roundTrips / r.calls).toFixed(3)} round trips/lookup; ${(proxy.writes() / r.calls).toFixed(3)} socket writes/lookup (auto-pipelining)`,
  );
  await far.close();
  await proxy.stop();
} finally {
  await deleteByPrefix(url, prefix);
  await own?.stop();
}
