/**
 * Failure behaviour on a private redis-server (never the shared one): the server's script cache is lost
 * (SCRIPT FLUSH → NOSCRIPT), the server dies and comes back on the same port, the server stops answering
 * (SIGSTOP). The bid path must never hang on Redis, and the store must recover without a restart.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/clock.js';
import { ProfileLookup } from '../../../src/segments/profile-lookup.js';
import { createRedisStore, StoreUnavailableError, type RedisStore } from '../../../src/store/redis/index.js';
import { freePort, sleep, startOwnRedis, type OwnRedis } from '../../helpers/redis.js';

const T = Date.UTC(2026, 10, 23, 12);
const key = { campaignId: 'c', channelId: 'ch', day: '2026-11-23' };
const caps = { dailyMicros: 1_000_000, totalMicros: Infinity };

async function stat(admin: Redis, section: string, name: string): Promise<number> {
  const text = await admin.info(section);
  const m = new RegExp(`^${name}:(?:calls|count)=(\\d+)`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (await ok().catch(() => false)) return performance.now() - t0;
    await sleep(20);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}

describe('redis store faults (private server)', () => {
  let server: OwnRedis;
  let admin: Redis;
  let store: RedisStore | undefined;
  beforeAll(async () => {
    server = await startOwnRedis();
    admin = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    admin.on('error', () => {});
  });
  afterEach(async () => {
    server.resume();
    await store?.close();
    store = undefined;
  });
  afterAll(async () => {
    admin.disconnect();
    await server.stop();
  });

  it('recovers from a flushed script cache (NOSCRIPT → EVAL) and otherwise calls scripts by SHA', async () => {
    store = await createRedisStore({ url: server.url, keyPrefix: 'faults:', instanceId: 'i1' });
    await store.budgets.takeLease(key, 'i1', 10, caps, 60_000, T);
    const shaBefore = await stat(admin, 'commandstats', 'cmdstat_evalsha');
    await store.budgets.takeLease(key, 'i1', 10, caps, 60_000, T);
    expect(await stat(admin, 'commandstats', 'cmdstat_evalsha')).toBe(shaBefore + 1);

    await admin.script('FLUSH');
    const noscript = await stat(admin, 'errorstats', 'errorstat_NOSCRIPT');
    expect((await store.budgets.takeLease(key, 'i1', 10, caps, 60_000, T)).leaseMicros).toBe(30);
    expect(await stat(admin, 'errorstats', 'errorstat_NOSCRIPT')).toBe(noscript + 1);
    // Auto-pipelined script calls recover too.
    await admin.script('FLUSH');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store!.profiles.addSegments(`p${i}`, [{ id: 's' }], 60, T)),
    );
    expect(results).toHaveLength(20);
    await store.profiles.link(['uid:x'], 'p3', 60, T);
    expect((await store.profiles.lookup(['uid:x'], T))?.segments.has('s')).toBe(true);
    // And scripts inside an explicit pipeline (the bulk loader's path).
    await admin.script('FLUSH');
    const records = Array.from({ length: 50 }, (_, i) => ({
      ids: [`uid:bulk${i}`],
      personId: `pb${i}`,
      segments: [{ id: 'b' }],
      ttlSeconds: 60,
    }));
    expect(await store.profiles.bulk(records, T)).toBe(0);
    expect((await store.profiles.lookup(['uid:bulk49'], T))?.segments.has('b')).toBe(true);
  });

  it('rejects fast while the server is down and recovers by itself when it is back', async () => {
    store = await createRedisStore({ url: server.url, keyPrefix: 'faults:', instanceId: 'i1', idCacheSize: 0 });
    await store.profiles.link(['uid:k'], 'pk', 600, T);
    expect((await store.profiles.lookup(['uid:k'], T))?.personId).toBe('pk');
    const inflight = Array.from({ length: 50 }, () =>
      store!.profiles.lookup(['uid:k'], T).then(
        () => 'ok',
        () => 'rejected',
      ),
    );
    await server.kill();
    const tKill = performance.now();
    await Promise.all(inflight);
    expect(performance.now() - tKill).toBeLessThan(100);

    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await expect(store.profiles.lookup(['uid:k'], T)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.budgets.takeLease(key, 'i1', 1, caps, 1_000, T)).rejects.toThrow();
      expect(performance.now() - t0).toBeLessThan(100);
      await sleep(30);
    }
    expect(await store.ping()).toBe(false);

    await server.restart();
    const s = store;
    const took = await until(
      'store recovers',
      async () => (await s.ping()) && (await s.profiles.lookup(['uid:k'], T))?.linked === false,
      5_000,
    );
    expect(took).toBeLessThan(3_000);
    // The restarted server is empty (no persistence): the store works again, scripts included.
    await s.profiles.link(['uid:k'], 'pk2', 600, T);
    expect((await s.profiles.lookup(['uid:k'], T))?.personId).toBe('pk2');
    expect((await s.budgets.takeLease(key, 'i1', 5, caps, 60_000, T)).grantedMicros).toBe(5);
  });

  it('a paused server: store calls time out at commandTimeout, profile lookups at their own deadline', async () => {
    store = await createRedisStore({
      url: server.url,
      keyPrefix: 'faults:',
      instanceId: 'i1',
      commandTimeoutMs: 200,
      idCacheSize: 0,
    });
    await store.profiles.link(['uid:z'], 'pz', 600, T);
    const clock = new VirtualClock(T);
    const lookup = new ProfileLookup(
      store.profiles,
      { now: () => clock.now() },
      { timeoutMs: 15, cacheSize: 0, cacheTtlMs: 0 },
    );
    server.pause();

    const t0 = performance.now();
    await expect(store.profiles.lookup(['uid:z'], T)).rejects.toThrow(/timed out/i);
    const storeMs = performance.now() - t0;
    expect(storeMs).toBeGreaterThanOrEqual(190);
    expect(storeMs).toBeLessThan(400);

    const t1 = performance.now();
    const r = await lookup.lookup(['uid:z'], T + 1_000);
    expect(r.outcome).toBe('timeout');
    expect(performance.now() - t1).toBeLessThan(60);
    expect(await store.ping()).toBe(false);

    server.resume();
    const s = store;
    await until('answers after resume', async () => (await s.profiles.lookup(['uid:z'], T))?.personId === 'pz', 3_000);
  });

  it('createRedisStore rejects within its connect timeout when nothing listens', async () => {
    const port = await freePort();
    const t0 = performance.now();
    await expect(
      createRedisStore({ url: `redis://127.0.0.1:${port}`, instanceId: 'x', connectTimeoutMs: 300 }),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});
