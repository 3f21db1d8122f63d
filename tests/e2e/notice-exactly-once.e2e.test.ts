/**
 * Billing notices settle exactly once through store failures, as an exchange sees it over HTTP: every
 * notice is retried until it gets a 200 (as exchanges retry), and the spend Redis records must equal the
 * sum of the notices' prices, to the micro. Redis is paused (SIGSTOP) and killed mid-stream, the bidder is
 * SIGKILLed mid-stream and restarted (tests/faults/, slower), and one notice is sent 50 times at once. Redis runs with
 * `appendfsync always`, so what it acknowledged survives its kill (the test is about the bidder's side).
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeySchema } from '../../src/store/redis/keys.js';
import { kTestEnv, startBidder, type TestBidder } from '../helpers/bidder.js';
import type { TempConfig } from '../helpers/config-dir.js';
import {
  billStream,
  deliver,
  deliverAll,
  newDelivery,
  redisConfig,
  summary,
  sumMicros,
} from '../helpers/notice-stream.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis.js';

const kCampaign = 'acme-prospecting';

describe('billing notices settle exactly once when the store fails', () => {
  let own: OwnRedis;
  let cfg: TempConfig;
  let b: TestBidder;
  let redis: Redis;
  const prefix = `pgtest:${process.pid}:once:`;
  const keys = new KeySchema(prefix);
  const logLines: string[] = [];
  /** Spend recorded on one day's budget key (each test bills its own `day`, so tests do not mix). */
  const recorded = async (day: string) => Number((await redis.hget(keys.budget(kCampaign), `s:ssp-alpha:${day}`)) ?? 0);

  beforeAll(async () => {
    own = await startOwnRedis(undefined, ['--appendonly', 'yes', '--appendfsync', 'always']);
    cfg = redisConfig(prefix);
    const logger = pino({ level: 'info' }, { write: (s: string) => void logLines.push(s) });
    b = await startBidder(cfg.dir, { env: { ...kTestEnv, REDIS_URL: own.url }, logger });
    redis = new Redis(own.url);
    redis.on('error', () => {}); // the test kills this server; the client reconnects by itself
  });
  afterAll(async () => {
    redis?.disconnect();
    await b?.stop();
    cfg?.cleanup();
    await own?.stop();
  });

  it('Redis paused mid-stream: failed settles answer 503 + Retry-After, log little, and the retries bill', async () => {
    const day = 'pause';
    const notices = billStream(300, day);
    logLines.length = 0;
    const d = await deliverAll(
      notices,
      () => b.url,
      20,
      (i) => {
        if (i !== 60) return;
        own.pause();
        setTimeout(() => own.resume(), 2_500);
      },
    );
    expect(await recorded(day), summary(d)).toBe(sumMicros(notices));
    expect(d.statuses.get(500) ?? 0).toBe(0);
    expect(d.statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect([...d.retryAfter]).toEqual(['1']);
    // One line for the outage (and perhaps one for its end), not one per failed notice, and no stack.
    const noticeLines = logLines.filter((l) => l.includes('notice'));
    expect(noticeLines.length).toBeGreaterThan(0);
    expect(noticeLines.length).toBeLessThanOrEqual(3);
    for (const l of noticeLines) expect(l).not.toContain('"stack"');
  });

  it('Redis killed mid-stream and restarted: every notice bills once', async () => {
    const day = 'kill';
    const notices = billStream(300, day);
    const d = await deliverAll(
      notices,
      () => b.url,
      20,
      async (i) => {
        if (i !== 80) return;
        await own.kill();
        setTimeout(() => void own.restart(), 1_000);
      },
    );
    expect(await recorded(day), summary(d)).toBe(sumMicros(notices));
    expect(d.statuses.get(503) ?? 0).toBeGreaterThan(0);
    expect(d.statuses.get(500) ?? 0).toBe(0);
  });

  it('50 concurrent deliveries of one notice bill it once, also while Redis is paused', async () => {
    const day = 'same';
    const [one, two] = billStream(2, day);
    await Promise.all(Array.from({ length: 50 }, () => deliver(() => b.url, one!, newDelivery())));
    expect(await recorded(day)).toBe(one!.micros);
    own.pause();
    setTimeout(() => own.resume(), 1_500);
    await Promise.all(Array.from({ length: 50 }, () => deliver(() => b.url, two!, newDelivery())));
    expect(await recorded(day)).toBe(one!.micros + two!.micros);
  });
});
