/** The scoring event log on a real Redis Stream: appended without blocking, flushed in batches, capped. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStore } from '../../../src/store/redis/index.js';
import { testRedis, type TestRedis } from '../../helpers/redis.js';

let redis: TestRedis;
let store: RedisStore;
beforeAll(async () => {
  redis = await testRedis();
  store = await createRedisStore({ url: redis.url, keyPrefix: redis.prefix, instanceId: 'events-test' });
});
afterAll(async () => {
  await store.close();
  await redis.cleanup();
  await redis.stop();
});

describe('Redis Stream event sink', () => {
  it('writes appended events to <prefix>events, capped near maxLen', async () => {
    const sink = store.eventSink(100);
    for (let i = 0; i < 500; i++)
      sink.append({
        type: 'click',
        t: i,
        campaignId: 'c',
        channelId: 'ch',
        auctionId: `a${i}`,
        impId: '1',
      } as unknown as Parameters<typeof sink.append>[0]);
    await sink.close();
    expect(sink.stats.written).toBe(500);
    const client = new Redis(redis.url);
    const len = await client.xlen(`${redis.prefix}events`);
    const last = await client.xrevrange(`${redis.prefix}events`, '+', '-', 'COUNT', 1);
    await client.quit();
    // MAXLEN ~ trims in whole macro-nodes, so the length is near the cap, never the full 500.
    expect(len).toBeGreaterThanOrEqual(100);
    expect(len).toBeLessThan(500);
    expect(JSON.parse(last[0]![1][1]!)).toMatchObject({ type: 'click', auctionId: 'a499' });
  });
});
