/**
 * Starts the real bidder in-process (both uWebSockets.js listeners on free loopback ports) for end-to-end
 * tests, and gives them an exchange's view of it: POST a bid request, GET a notice, scrape metrics.
 *
 * The bidder runs on the clock the test injects (`{ clock }`, exposed as `TestBidder.clock`; default the system
 * clock, which out-of-process bidders and tokens signed by tests share). `anchoredClock()` ticks at wall-clock
 * speed from a fixed instant (`kTestStart`, a Monday noon in New York), for a test whose dayparts or pacing
 * curves must see the same time of day whenever the suite runs.
 */
import { pino } from 'pino';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { systemClock, type Clock } from '../../src/clock.js';

/** Monday 2026-11-23, 12:00 in New York (17:00 UTC): inside every sample campaign's dayparts. */
export const kTestStart = Date.UTC(2026, 10, 23, 17);

/** Real time elapsing from `startMs`: timers and timeouts behave as in production, the date is fixed. */
export function anchoredClock(startMs = kTestStart): Clock {
  const t0 = performance.now();
  return { now: () => startMs + (performance.now() - t0) };
}

export interface TestBidder {
  readonly app: App;
  /** The bidder's clock (the system clock unless the test passed its own). */
  readonly clock: Clock;
  readonly url: string;
  readonly opsUrl: string;
  bid(channel: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Fixed notice keys, and the admin API in its development mode (loopback callers need no token); the tests
 * of the admin API's default (token required) override `PEREGRINE_ADMIN_OPEN`.
 */
export const kTestEnv = {
  PEREGRINE_NOTICE_KEY_1: 'e2e-key-1',
  PEREGRINE_NOTICE_KEY_0: 'e2e-key-0',
  PEREGRINE_ADMIN_OPEN: 'loopback',
};

export async function startBidder(configDir: string, more: Partial<AppOptions> = {}): Promise<TestBidder> {
  const clock = more.clock ?? systemClock;
  const app = await createApp({
    configDir,
    clock,
    port: 0,
    opsPort: 0,
    host: '127.0.0.1',
    logger: pino({ level: 'silent' }),
    ...more,
    // A test's own `env` replaces kTestEnv (tests of unset secrets rely on that) but keeps the admin API's
    // development mode unless it sets PEREGRINE_ADMIN_OPEN itself.
    env: more.env === undefined ? kTestEnv : { PEREGRINE_ADMIN_OPEN: 'loopback', ...more.env },
  });
  const url = `http://127.0.0.1:${app.port}`;
  const opsUrl = `http://127.0.0.1:${app.opsPort}`;
  return {
    app,
    clock,
    url,
    opsUrl,
    bid: (channel, body, headers = {}) =>
      fetch(`${url}/bid/${channel}`, {
        method: 'POST',
        body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
        headers: { 'content-type': 'application/json', ...headers },
      }),
    metric: async (name, labels = {}) => {
      const text = await (await fetch(`${opsUrl}/metrics`)).text();
      let sum = 0;
      for (const line of text.split('\n')) {
        if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
        if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
          sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return sum;
    },
    stop: () => app.shutdown(),
  };
}

/** A typical banner request that the sample config bids on (acme-prospecting, US desktop, 300x250). */
export function sampleBannerRequest(id = `auc-${Math.random().toString(36).slice(2)}`): Record<string, unknown> {
  return {
    id,
    at: 1,
    tmax: 120,
    cur: ['USD'],
    imp: [
      {
        id: '1',
        banner: { w: 300, h: 250, format: [{ w: 300, h: 250 }] },
        bidfloor: 0.5,
        bidfloorcur: 'USD',
        secure: 1,
      },
    ],
    site: {
      id: 's1',
      domain: 'news.example',
      page: 'https://news.example/a',
      cat: ['IAB12'],
      publisher: { id: 'pub-1' },
    },
    device: {
      ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      ip: '203.0.113.10',
      devicetype: 2,
      os: 'Windows',
      geo: { country: 'USA', region: 'NY' },
    },
    user: { id: 'u-1' },
    regs: { coppa: 0 },
  };
}
