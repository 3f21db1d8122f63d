/**
 * A bidder process SIGKILLed mid-stream of billing notices and started again on the same ports: every
 * notice, retried until answered 200 as exchanges do, bills exactly once in Redis, to the micro. (Before
 * settling was one atomic step, a kill between the de-dup mark and the settle lost the notice for good.)
 * In the fault suite: a bidder process takes seconds to start on a busy machine.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeySchema } from '../../src/store/redis/keys.js';
import { startBidderProcess } from '../helpers/bidder-process.js';
import type { TempConfig } from '../helpers/config-dir.js';
import { billStream, deliverAll, redisConfig, summary, sumMicros } from '../helpers/notice-stream.js';
import { freePort, startOwnRedis, type OwnRedis } from '../helpers/redis.js';

describe('billing notices through a bidder SIGKILL', () => {
  let own: OwnRedis;
  let cfg: TempConfig;
  let redis: Redis;
  const prefix = `pgtest:${process.pid}:bkill:`;
  beforeAll(async () => {
    own = await startOwnRedis();
    cfg = redisConfig(prefix);
    redis = new Redis(own.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    cfg?.cleanup();
    await own?.stop();
  });

  it('the bidder SIGKILLed mid-stream and restarted: every notice bills once', async () => {
    const day = 'bidder-kill';
    const notices = billStream(300, day);
    const [port, opsPort] = [await freePort(), await freePort()];
    const start = () =>
      startBidderProcess({ configDir: cfg.dir, port, opsPort, instanceId: 'killed', env: { REDIS_URL: own.url } });
    let p = await start();
    let restarting: Promise<void> | undefined;
    const d = await deliverAll(
      notices,
      () => p.url,
      20,
      (i) => {
        if (i !== 100) return;
        restarting = (async () => {
          await p.kill();
          p = await start();
        })();
      },
    );
    await restarting;
    await p.stop();
    const recorded = Number(
      (await redis.hget(new KeySchema(prefix).budget('acme-prospecting'), `s:ssp-alpha:${day}`)) ?? 0,
    );
    expect(recorded, summary(d)).toBe(sumMicros(notices));
    // The kill shows as refused connections (0); those notices were retried against the new process.
    expect(d.statuses.get(0) ?? 0).toBeGreaterThan(0);
  }, 180_000);
});
