/**
 * The storage contract run against the memory store (the reference) and the Redis store on a real server
 * (REDIS_URL, local 6379, or a private redis-server), each test under its own key prefix.
 */
import { afterAll, beforeAll } from 'vitest';
import { createMemoryStore } from '../../../src/store/memory/index.js';
import { createRedisStore } from '../../../src/store/redis/index.js';
import { testRedis, type TestRedis } from '../../helpers/redis.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('memory', async () => ({
  store: createMemoryStore(),
  realTimeDedup: false,
  close: async () => {},
}));

let redis: TestRedis;
beforeAll(async () => {
  redis = await testRedis();
});
afterAll(async () => {
  await redis.stop();
});

let n = 0;
describeStoreContract('redis', async () => {
  const keyPrefix = `${redis.prefix}${n++}:`;
  const store = await createRedisStore({ url: redis.url, keyPrefix, instanceId: 'contract' });
  return {
    store,
    realTimeDedup: true,
    close: async () => {
      await store.close();
      await redis.cleanup();
    },
  };
});
