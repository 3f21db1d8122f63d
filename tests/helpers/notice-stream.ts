/**
 * Billing notices as an exchange sends them, for the exactly-once and fleet tests: tokens signed with the
 * test notice key, each notice delivered (GET) until it is answered 200 — exchanges retry 5xx and
 * connection failures — and the answers counted. Each notice bills a distinct number of micros, so a lost
 * or doubled one shows in the sum.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signToken, type NoticeClaims } from '../../src/notices/token.js';
import { kTestEnv } from './bidder.js';
import { tempConfig, type TempConfig } from './config-dir.js';

export const kNoticeKey = { id: 'k1', secret: Buffer.from(kTestEnv.PEREGRINE_NOTICE_KEY_1, 'utf8') };

/** The sample config on a Redis store under `prefix`. */
export function redisConfig(prefix: string): TempConfig {
  const cfg = tempConfig();
  cfg.write(
    'bidder.yaml',
    readFileSync(join(cfg.dir, 'bidder.yaml'), 'utf8')
      .replace('kind: memory ', 'kind: redis  ')
      .replace('keyPrefix: "pg:"', `keyPrefix: "${prefix}"`),
  );
  return cfg;
}

export interface Notice {
  readonly path: string;
  /** Account micros this notice bills (CPM micros / 1000). */
  readonly micros: number;
}

let gSeq = 0;

/**
 * A billing notice of ssp-alpha (billable event `bill`), bid 5.00 USD, cleared at `priceMicros` (CPM), on
 * budget day `day` of `campaignId` (a test's own day keeps its spend apart from other tests').
 */
export function billNotice(priceMicros: number, day: string, campaignId = 'acme-prospecting'): Notice {
  const claims: NoticeClaims = {
    auctionId: `${day}-${++gSeq}`,
    impId: '1',
    campaignId,
    creativeId: 'acme-300x250',
    channelId: 'ssp-alpha',
    bidCpmMicros: 5_000_000,
    bidCpmAccountMicros: 5_000_000,
    currency: 'USD',
    issuedAtMs: Date.now(),
    instanceId: 'elsewhere',
    day,
    personId: undefined,
    dealId: undefined,
  };
  const p = (priceMicros / 1_000_000).toFixed(6);
  return { path: `/notice/bill?t=${signToken(claims, kNoticeKey)}&p=${p}`, micros: priceMicros / 1000 };
}

/** Prices 1.000000, 1.001000, …: each notice bills a different number of micros. */
export function billStream(n: number, day: string): Notice[] {
  return Array.from({ length: n }, (_, i) => billNotice(1_000_000 + i * 1000, day));
}

export interface Delivery {
  /** Answers by status; 0 is a refused or reset connection. */
  readonly statuses: Map<number, number>;
  readonly retryAfter: Set<string>;
}

export const newDelivery = (): Delivery => ({ statuses: new Map(), retryAfter: new Set() });

export const summary = (d: Delivery): string => `answers ${JSON.stringify(Object.fromEntries(d.statuses))}`;

/** GET until 200, as an exchange retries 5xx and connection failures; a 4xx is a bug in the test: throws. */
export async function deliver(base: () => string, n: Notice, d: Delivery): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const r = await fetch(base() + n.path).then(
      async (res) => {
        await res.arrayBuffer();
        return res;
      },
      () => undefined,
    );
    const status = r?.status ?? 0;
    d.statuses.set(status, (d.statuses.get(status) ?? 0) + 1);
    if (status === 200) return;
    if (status >= 400 && status < 500) throw new Error(`${status} for ${n.path}`);
    const ra = r?.headers.get('retry-after');
    if (ra !== null && ra !== undefined) d.retryAfter.add(ra);
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`notice never accepted: ${n.path}`);
}

/** `concurrency` workers through the notices; `at(i)` runs when notice i is taken, before it is sent. */
export async function deliverAll(
  notices: readonly Notice[],
  base: (i: number) => string,
  concurrency: number,
  at: (i: number) => Promise<void> | void = () => {},
): Promise<Delivery> {
  const d = newDelivery();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < notices.length) {
        const i = next++;
        await at(i);
        await deliver(() => base(i), notices[i]!, d);
      }
    }),
  );
  return d;
}

export const sumMicros = (ns: readonly Notice[]): number => ns.reduce((s, n) => s + n.micros, 0);
