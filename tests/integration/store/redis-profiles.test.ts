/**
 * Redis-specific profile behaviour beyond the contract: how many round trips a lookup costs (the id cache),
 * that every key we write carries a garbage-collection TTL, and bulk writes for the loader.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStore } from '../../../src/store/redis/index.js';
import { startCountingProxy, testRedis, type TestRedis } from '../../helpers/redis.js';

const T = Date.UTC(2026, 10, 23, 12);

describe('redis profiles', () => {
  let redis: TestRedis;
  let admin: Redis;
  let store: RedisStore;
  beforeAll(async () => {
    redis = await testRedis();
    admin = new Redis(redis.url);
  });
  beforeEach(async () => {
    store = await createRedisStore({ url: redis.url, keyPrefix: redis.prefix, instanceId: 'i1', idCacheTtlMs: 10_000 });
  });
  afterEach(async () => {
    await store.close();
    await redis.cleanup();
  });
  afterAll(async () => {
    await admin.quit();
    await redis.stop();
  });

  const delta = async (f: () => Promise<unknown>): Promise<number> => {
    const before = store.stats().roundTrips;
    await f();
    return store.stats().roundTrips - before;
  };

  it('an unlinked user costs 1 round trip; a linked one 2 the first time, then 1 while the id cache holds it', async () => {
    await store.profiles.link(['uid:a', 'ifa:a'], 'pa', 3600, T);
    store.profiles.clearCache();
    expect(await delta(() => store.profiles.lookup(['uid:a', 'ifa:a'], T))).toBe(2);
    expect(await delta(() => store.profiles.lookup(['uid:a', 'ifa:a'], T + 1_000))).toBe(1);
    // Unlinked: the implicit person's data came in the same trip as the id resolution.
    expect(await delta(() => store.profiles.lookup(['uid:nobody'], T))).toBe(1);
    expect(await delta(() => store.profiles.lookup(['uid:nobody'], T + 1))).toBe(1);
    // The cache TTL is in the caller's time: 10 s later the ids are resolved again.
    expect(await delta(() => store.profiles.lookup(['uid:a', 'ifa:a'], T + 11_000))).toBe(2);
    // An unknown first id cached as unknown does not hide the linked second one.
    expect(await delta(() => store.profiles.lookup(['uid:nobody', 'uid:a'], T + 11_001))).toBe(2);
    expect(await store.profiles.lookup(['uid:nobody', 'uid:a'], T + 11_002)).toMatchObject({
      personId: 'pa',
      linked: true,
    });
    expect(await delta(() => store.profiles.lookup(['uid:nobody', 'uid:a'], T + 11_003))).toBe(1);
  });

  it('this instance’s own links update the id cache at once', async () => {
    await store.profiles.link(['uid:m'], 'p1', 3600, T);
    expect((await store.profiles.lookup(['uid:m'], T))?.personId).toBe('p1');
    await store.profiles.link(['uid:m'], 'p2', 3600, T);
    expect((await store.profiles.lookup(['uid:m'], T))?.personId).toBe('p2');
  });

  it('concurrent lookups share round trips (auto-pipelining)', async () => {
    const proxy = await startCountingProxy(redis.url);
    const viaProxy = await createRedisStore({ url: proxy.url, keyPrefix: redis.prefix, instanceId: 'i2' });
    try {
      await viaProxy.profiles.link(['uid:c'], 'pc', 3600, T);
      const before = proxy.writes();
      const results = await Promise.all(Array.from({ length: 100 }, () => viaProxy.profiles.lookup(['uid:c'], T)));
      expect(results.every((r) => r?.personId === 'pc')).toBe(true);
      // 100 lookups × 2 HGETALLs (ids cached by link) left the client in a handful of writes, not 200.
      expect(proxy.writes() - before).toBeLessThanOrEqual(3);
    } finally {
      await viaProxy.close();
      await proxy.stop();
    }
  });

  it('every profile key gets a GC TTL; lease hashes too; only the spend ledger is kept', async () => {
    await store.profiles.link(['uid:g'], 'pg', 3600, T);
    await store.profiles.addSegments('pg', [{ id: 's1' }, { id: 's2', expiresAt: T + 7_200_000 }], 60, T);
    await store.profiles.recordImpression('pg', [{ campaignId: 'c', windowSeconds: 86_400 }], T);
    await store.budgets.takeLease(
      { campaignId: 'c', channelId: 'ch', day: '2026-11-23' },
      'i1',
      10,
      { dailyMicros: 100, totalMicros: Infinity },
      60_000,
      T,
    );
    await store.budgets.settle({ campaignId: 'c', channelId: 'ch', day: '2026-11-23' }, 'i1', 'n', 5, T);
    await store.dedup.firstSeen('win:x', 60, T);
    const k = store.keys;
    const ttl = async (key: string): Promise<number> => admin.pttl(key);
    expect(await ttl(k.id('uid:g'))).toBeGreaterThan(3_500_000);
    // Segment key lives as long as its longest segment (2 h), not the default TTL (60 s).
    expect(await ttl(k.segments('pg'))).toBeGreaterThan(7_100_000);
    // Frequency key lives to the end of the day bucket (12 h after T).
    expect(await ttl(k.frequency('pg'))).toBeGreaterThan(12 * 3_600_000 - 60_000);
    expect(await ttl(k.leases('c'))).toBeGreaterThan(86_400_000);
    expect(await ttl(k.settled({ campaignId: 'c', channelId: 'ch', day: '2026-11-23' }))).toBeGreaterThan(
      2 * 86_400_000,
    );
    expect(await ttl(k.dedup('win:x'))).toBeGreaterThan(59_000);
    expect(await ttl(k.budget('c'))).toBe(-1);
  });

  it('expired segments and frequency buckets are pruned on write, so hashes do not grow forever', async () => {
    await store.profiles.addSegments(
      'pp',
      [
        { id: 'old', expiresAt: T + 1_000 },
        { id: 'keep', expiresAt: T + 3_600_000 },
      ],
      60,
      T,
    );
    await store.profiles.addSegments('pp', [{ id: 'new' }], 60, T + 2_000);
    expect((await admin.hkeys(store.keys.segments('pp'))).sort()).toEqual(['keep', 'new']);
    await store.profiles.recordImpression(
      'pp',
      [
        { campaignId: 'c', windowSeconds: 60 },
        { campaignId: 'd', windowSeconds: 60 },
      ],
      T,
    );
    await store.profiles.recordImpression('pp', [{ campaignId: 'c', windowSeconds: 60 }], T + 120_000);
    expect(await admin.hgetall(store.keys.frequency('pp'))).toEqual({ 'c:60': `${T + 180_000}:1` });
  });

  it('bulk writes link ids and add segments for many records in one go', async () => {
    const records = Array.from({ length: 500 }, (_, i) => ({
      ids: [`uid:b${i}`, `ifa:b${i}`],
      personId: `pb${i}`,
      segments: [{ id: 'auto' }, { id: `s${i % 7}` }],
      ttlSeconds: 3600,
    }));
    expect(await store.profiles.bulk(records, T)).toBe(0);
    const p = await store.profiles.lookup(['ifa:b42'], T);
    expect(p?.personId).toBe('pb42');
    expect([...p!.segments].sort()).toEqual(['auto', 's0']);
  });
});
