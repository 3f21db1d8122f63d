/**
 * Budget leases under real concurrency: several independent connections (as several bidder instances
 * would have) race takeLease/settle on one campaign. The Lua scripts must make the cap exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BudgetKey } from '../../../src/store/ports.js';
import { createRedisStore, type RedisStore } from '../../../src/store/redis/index.js';
import { testRedis, type TestRedis } from '../../helpers/redis.js';

const T = Date.UTC(2026, 10, 23, 12);
const kClients = 4;
const kPerClient = 200;

/** A deterministic LCG: the same wants on every run. */
function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('redis budget leases under concurrency', () => {
  let redis: TestRedis;
  let stores: RedisStore[];
  beforeAll(async () => {
    redis = await testRedis();
    stores = await Promise.all(
      Array.from({ length: kClients }, (_, i) =>
        createRedisStore({ url: redis.url, keyPrefix: redis.prefix, instanceId: `c${i}` }),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis.stop();
  });

  it(`${kClients} clients × ${kPerClient} concurrent takeLease never exceed the cap, and fill it exactly`, async () => {
    const key: BudgetKey = { campaignId: 'race', channelId: 'ch', day: '2026-11-23' };
    const cap = 5_000;
    const rnd = prng(7);
    const wants = Array.from({ length: kClients * kPerClient }, () => 1 + Math.floor(rnd() * 50));
    expect(wants.reduce((a, b) => a + b, 0)).toBeGreaterThan(3 * cap);
    const calls = stores.flatMap((s, c) =>
      Array.from({ length: kPerClient }, (_, j) =>
        s.budgets.takeLease(
          key,
          `c${c}-${j}`,
          wants[c * kPerClient + j]!,
          { dailyMicros: cap, totalMicros: Infinity },
          10_000,
          T,
        ),
      ),
    );
    const grants = await Promise.all(calls);
    expect(grants.reduce((a, g) => a + g.grantedMicros, 0)).toBe(cap);
    expect(grants.every((g) => g.leaseMicros === g.grantedMicros)).toBe(true);

    // Settling spend against leases keeps spent + leases ≤ cap; nothing more can be leased.
    const winners = grants
      .map((g, i) => ({ g, i }))
      .filter((x) => x.g.grantedMicros > 0)
      .slice(0, 20);
    const settled = await Promise.all(
      winners.map(({ g, i }) =>
        stores[i % kClients]!.budgets.settle(
          key,
          `c${Math.floor(i / kPerClient)}-${i % kPerClient}`,
          `n${i}`,
          Math.floor(g.grantedMicros / 2),
          T + 1,
        ),
      ),
    );
    expect(settled.every((r) => r.outcome === 'first')).toBe(true);
    const spent = winners.reduce((a, { g }) => a + Math.floor(g.grantedMicros / 2), 0);
    expect(await stores[0]!.budgets.spent(key)).toBe(spent);
    expect(
      (
        await stores[1]!.budgets.takeLease(
          key,
          'late',
          1_000,
          { dailyMicros: cap, totalMicros: Infinity },
          10_000,
          T + 2,
        )
      ).grantedMicros,
    ).toBe(0);

    // After the leases expire, exactly cap − spent comes back.
    const back = await Promise.all(
      stores.map((s, c) =>
        s.budgets.takeLease(key, `after-${c}`, cap, { dailyMicros: cap, totalMicros: Infinity }, 10_000, T + 10_001),
      ),
    );
    expect(back.reduce((a, g) => a + g.grantedMicros, 0)).toBe(cap - spent);
  });

  it('the total cap holds across channels under concurrency', async () => {
    const total = 3_000;
    const keys: BudgetKey[] = ['a', 'b', 'c'].map((ch) => ({
      campaignId: 'race-total',
      channelId: ch,
      day: '2026-11-23',
    }));
    const calls = stores.flatMap((s, c) =>
      Array.from({ length: kPerClient }, (_, j) =>
        s.budgets.takeLease(keys[j % 3]!, `c${c}-${j}`, 25, { dailyMicros: 2_000, totalMicros: total }, 10_000, T),
      ),
    );
    const grants = await Promise.all(calls);
    expect(grants.reduce((a, g) => a + g.grantedMicros, 0)).toBe(total);
  });

  it('the same notice settled concurrently from every client counts once', async () => {
    const key: BudgetKey = { campaignId: 'race-notice', channelId: 'ch', day: '2026-11-23' };
    const results = await Promise.all(
      stores.flatMap((s) => Array.from({ length: 50 }, () => s.budgets.settle(key, 'c0', 'same', 100, T))),
    );
    expect(results.filter((r) => r.outcome === 'first')).toHaveLength(1);
    expect(await stores[2]!.budgets.spent(key)).toBe(100);
  });
});
