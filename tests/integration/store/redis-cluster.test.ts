/**
 * Redis Cluster: the key schema keeps every multi-key operation in one hash slot (checked by computing
 * slots, and by the real server's CLUSTER KEYSLOT), and the whole storage contract passes on a private
 * three-master cluster, where a cross-slot script would fail with CROSSSLOT.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, hashSlot, KeySchema } from '../../../src/store/redis/index.js';
import { startOwnCluster, type OwnCluster } from '../../helpers/redis.js';
import { describeStoreContract } from './store-contract.js';

const kOddIds = ['c1', 'acme-prospecting', 'a:b:c', 'x{y', 'x}y', '{t}', 'ünïcødé', '0', 'a'.repeat(64)];

let cluster: OwnCluster;
beforeAll(async () => {
  cluster = await startOwnCluster(3);
}, 30_000);
afterAll(async () => {
  await cluster?.stop();
});

describe('redis cluster key hashing', () => {
  const keys = new KeySchema('pg:');

  it('hashSlot is CRC16 mod 16384 with hash tags, as the server computes it', async () => {
    expect(hashSlot('123456789')).toBe(12739); // the CRC16-XMODEM check value
    expect(hashSlot('{user1000}.following')).toBe(hashSlot('{user1000}.followers'));
    expect(hashSlot('foo{}{bar}')).toBe(hashSlot('foo{}{bar}'));
    const node = new Redis(`redis://${cluster.nodes[0]}`);
    try {
      const samples = [
        ...kOddIds.flatMap((id) => [
          keys.budget(id),
          keys.leases(id),
          keys.id(`uid:${id}`),
          keys.segments(id),
          keys.dedup(id),
        ]),
        'foo{}{bar}',
        'foo{{bar}}zap',
        'plain',
      ];
      for (const k of samples) expect(hashSlot(k), k).toBe(Number(await node.call('CLUSTER', 'KEYSLOT', k)));
    } finally {
      node.disconnect();
    }
  });

  it('every key a budget script touches shares the campaign’s slot', () => {
    for (const c of kOddIds) {
      const k = { campaignId: c, channelId: 'ch-1', day: '2026-11-23' };
      const slots = new Set(
        [
          keys.budget(c),
          keys.leases(c),
          keys.settled(k),
          keys.settled({ ...k, channelId: 'other', day: '2027-01-01' }),
        ].map(hashSlot),
      );
      expect(slots.size, c).toBe(1);
    }
  });

  it('a person’s segments and frequency share a slot (one node for lookup step 2)', () => {
    for (const p of kOddIds) expect(hashSlot(keys.segments(p)), p).toBe(hashSlot(keys.frequency(p)));
  });

  it('refuses prefixes and ids that would break hash tags', () => {
    expect(() => new KeySchema('pg:{x}:')).toThrow(/braces/);
    expect(() => keys.budget('')).toThrow(/empty/);
  });

  it('spreads people and campaigns over the slots (tags are per entity, not per prefix)', () => {
    const slots = new Set(Array.from({ length: 200 }, (_, i) => hashSlot(keys.segments(`p${i}`))));
    expect(slots.size).toBeGreaterThan(190);
  });
});

let n = 0;
describeStoreContract('redis cluster (3 masters)', async () => {
  const store = await createRedisStore({
    cluster: { nodes: cluster.nodes },
    keyPrefix: `pgtest:cluster:${n++}:`,
    instanceId: 'contract',
  });
  return { store, realTimeDedup: true, close: () => store.close() };
});

describe('redis cluster bulk writes', () => {
  it('loads records whose keys span slots (commands per node, not one pipeline)', async () => {
    const store = await createRedisStore({
      cluster: { nodes: cluster.nodes },
      keyPrefix: 'pgtest:cluster:bulk:',
      instanceId: 'loader',
    });
    try {
      const T = Date.UTC(2026, 10, 23, 12);
      const records = Array.from({ length: 300 }, (_, i) => ({
        ids: [`uid:c${i}`, `ifa:c${i}`],
        personId: `pc${i}`,
        segments: [{ id: 'x' }],
        ttlSeconds: 600,
      }));
      expect(await store.profiles.bulk(records, T)).toBe(0);
      expect((await store.profiles.lookup(['ifa:c299'], T))?.personId).toBe('pc299');
    } finally {
      await store.close();
    }
  });
});
