/**
 * A fleet: three bidder instances on one Redis (then on a 3-master Redis Cluster) behind the same bounded
 * load (two in this process, one a child process). Every bid's billing notice
 * is delivered to another instance than the one that bid (as a load balancer would), retried until
 * answered 200 as exchanges do; one instance is SIGKILLed mid-run (its leases and reservations die with
 * it). Afterwards the fleet's recorded spend equals the sum of the billed notices, to the micro, and no
 * campaign's day spend is over its daily budget — small budgets, so the caps are reached during the run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyToken } from '../../src/tokens/token.js';
import { KeySchema } from '../../src/store/redis/keys.js';
import { kTestEnv, sampleBannerRequest, startBidder } from '../helpers/bidder.js';
import { startBidderProcess } from '../helpers/bidder-process.js';
import type { TempConfig } from '../helpers/config-dir.js';
import { deliver, kNoticeKey, newDelivery, redisConfig, summary } from '../helpers/notice-stream.js';
import { freePort, startOwnCluster, startOwnRedis } from '../helpers/redis.js';

/** Daily budgets, USD: a few hundred impressions at ~2 CPM, so both campaigns hit their caps in the run. */
const kCampaigns = { 'acme-prospecting': 0.3, 'acme-second': 0.5 } as const;
const kRequests = 900;

function fleetConfig(prefix: string): TempConfig {
  const cfg = redisConfig(prefix);
  for (const f of [
    'acme-mobile-app',
    'acme-retargeting',
    'acme-video',
    'nimbus-business-hours',
    'nimbus-finance-sites',
    'nimbus-native',
    'nimbus-pmp',
    'peregrine-demo',
    'volt-conquest',
    'volt-desktop',
    'volt-launch',
    'volt-service-paused',
  ])
    cfg.remove(`campaigns/${f}.yaml`);
  // Small leases, so a dead instance's lease (returned only when it expires) does not hold a whole budget.
  cfg.write(
    'bidder.yaml',
    readFileSync(join(cfg.dir, 'bidder.yaml'), 'utf8').replace('minLeaseMicros: 200000', 'minLeaseMicros: 20000'),
  );
  const base = readFileSync(join(cfg.dir, 'campaigns/acme-prospecting.yaml'), 'utf8')
    .replace('pacing: even', 'pacing: asap')
    .replace('channels: { ssp-alpha: 0.4, ssp-beta: 0.4, ssp-gamma: 0.2 }', 'channels: { ssp-alpha: 1 }');
  cfg.write('campaigns/acme-prospecting.yaml', base.replace('daily: 600', `daily: ${kCampaigns['acme-prospecting']}`));
  cfg.write(
    'campaigns/acme-second.yaml',
    base
      .replace('id: acme-prospecting', 'id: acme-second')
      .replace('daily: 600', `daily: ${kCampaigns['acme-second']}`)
      .replace('cpm: 2.10', 'cpm: 1.90')
      .replaceAll('acme-pro-', 'acme-2nd-'),
  );
  return cfg;
}

interface Bid {
  readonly price: number;
  readonly burl: string;
  readonly cid: string;
}

/** Where the fleet keeps its state: a standalone Redis or a 3-master Cluster, both private to the test. */
interface FleetRedis {
  /** The store section of bidder.yaml and the environment that select it. */
  readonly yaml: (text: string) => string;
  readonly env: Record<string, string>;
  readonly client: Redis | Cluster;
  stop(): Promise<void>;
}

async function standalone(): Promise<FleetRedis> {
  const own = await startOwnRedis();
  const client = new Redis(own.url);
  return {
    yaml: (t) => t,
    env: { REDIS_URL: own.url },
    client,
    stop: async () => {
      client.disconnect();
      await own.stop();
    },
  };
}

async function cluster(): Promise<FleetRedis> {
  const c = await startOwnCluster(3);
  const client = new Cluster(c.nodes.map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) })));
  return {
    yaml: (t) => t.replace('  redis:\n', `  redis:\n    cluster: [${c.nodes.map((n) => `"${n}"`).join(', ')}]\n`),
    env: { REDIS_URL: '' },
    client,
    stop: async () => {
      client.disconnect();
      await c.stop();
    },
  };
}

describe.each([
  ['one Redis', standalone],
  ['a 3-master Redis Cluster', cluster],
])('a fleet of three bidders on %s', (_name, open) => {
  let store: FleetRedis;
  let cfg: TempConfig;
  /** Instances 0 and 1 run in this process; 2 is a child process (SIGKILLed mid-run). */
  const fleet: { readonly url: string; kill(): Promise<void>; stop(): Promise<void> }[] = [];
  const prefix = `pgtest:${process.pid}:fleet:`;
  beforeAll(async () => {
    store = await open();
    cfg = fleetConfig(prefix);
    cfg.write('bidder.yaml', store.yaml(readFileSync(join(cfg.dir, 'bidder.yaml'), 'utf8')));
    // Two instances in this process (they start in a blink) and one child process, the one that is killed.
    const [port, opsPort] = [await freePort(), await freePort()];
    const inProcess = (i: number) =>
      startBidder(cfg.dir, { env: { ...kTestEnv, ...store.env, PEREGRINE_INSTANCE_ID: `fleet-${i}` } });
    const [a, b, c] = await Promise.all([
      inProcess(0),
      inProcess(1),
      startBidderProcess({ configDir: cfg.dir, port, opsPort, instanceId: 'fleet-2', env: store.env }),
    ]);
    fleet.push({ url: a.url, kill: async () => {}, stop: () => a.stop() });
    fleet.push({ url: b.url, kill: async () => {}, stop: () => b.stop() });
    fleet.push({ url: c.url, kill: () => c.kill(), stop: () => c.stop() });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(fleet.splice(0).map((p) => p.stop()));
    cfg?.cleanup();
    await store?.stop();
  }, 60_000);

  it('records exactly the billed notices, across instances and a SIGKILL, and keeps every campaign under its cap', async () => {
    const alive = [true, true, true];
    /** The next live instance after `i`: never the one that bid (two stay alive). */
    const other = (i: number) => {
      for (let k = 1; k < 3; k++) if (alive[(i + k) % 3]) return (i + k) % 3;
      throw new Error('no other live instance');
    };
    const d = newDelivery();
    const billed = new Map<string, number>(); // campaign → micros billed
    const days = new Map<string, string>(); // campaign → budget day (from the tokens)
    const pending: Promise<void>[] = [];
    let bids = 0;
    let crossInstance = 0;
    let next = 0;
    let killed: Promise<void> | undefined;
    const worker = async () => {
      while (next < kRequests) {
        const n = next++;
        if (n === Math.floor(kRequests * 0.4)) {
          alive[2] = false;
          killed = fleet[2]!.kill();
        }
        const at = n % 3;
        if (!alive[at]) continue;
        const r = await fetch(`${fleet[at]!.url}/bid/ssp-alpha`, {
          method: 'POST',
          body: JSON.stringify(sampleBannerRequest(`fleet-${n}`)),
          headers: { 'content-type': 'application/json' },
        }).catch(() => undefined);
        if (r?.status !== 200) {
          await r?.arrayBuffer();
          continue;
        }
        const bid = ((await r.json()) as { seatbid: { bid: Bid[] }[] }).seatbid[0]!.bid[0]!;
        bids++;
        const path = bid.burl.replace('http://localhost:8080', '').replace('${AUCTION_PRICE}', bid.price.toFixed(6));
        const v = verifyToken(new URL(`http://x${path}`).searchParams.get('t')!, [kNoticeKey], Date.now(), 3600);
        if (!v.ok) throw new Error('bid token does not verify');
        days.set(bid.cid, v.claims.day);
        const micros = Math.round(bid.price * 1_000_000) / 1000;
        // Delivered to another instance than the bidder, re-chosen on every try (the target may die).
        pending.push(
          deliver(
            () => {
              const to = other(at);
              if (to !== at) crossInstance++;
              return fleet[to]!.url;
            },
            { path, micros },
            d,
          ).then(() => {
            billed.set(bid.cid, (billed.get(bid.cid) ?? 0) + micros);
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await Promise.all(pending);
    await killed;

    const keys = new KeySchema(prefix);
    let fleetSpend = 0;
    let billedSum = 0;
    for (const [campaign, budget] of Object.entries(kCampaigns)) {
      const day = days.get(campaign);
      const spent = day === undefined ? 0 : Number((await store.client.hget(keys.budget(campaign), `d:${day}`)) ?? 0);
      fleetSpend += spent;
      billedSum += billed.get(campaign) ?? 0;
      expect(spent, `${campaign} spent ${spent} of ${budget * 1e6}`).toBeLessThanOrEqual(budget * 1e6);
      expect(spent, campaign).toBe(billed.get(campaign) ?? 0);
    }
    expect(fleetSpend, summary(d)).toBe(billedSum);
    expect(bids).toBeGreaterThan(150);
    expect(crossInstance).toBeGreaterThanOrEqual(bids);
    // Both campaigns spent a good part of their days (the rest is the exploration reserve, the floating pool
    // and the dead instance's lease): the caps were in play, not a bystander.
    for (const [campaign, budget] of Object.entries(kCampaigns))
      expect(billed.get(campaign) ?? 0, campaign).toBeGreaterThan(budget * 1e6 * 0.4);
  }, 120_000);
});
