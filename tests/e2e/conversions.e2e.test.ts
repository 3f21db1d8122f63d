/**
 * Conversions end to end, as the exchange, the browser and the advertiser drive them: a bid, its billing
 * notice, the click (302 to the configured landing page with `pgclid`), the advertiser's signed postback,
 * and the conversion and ROI on /metrics. Then the same across two bidders sharing Redis: the click lands
 * on one instance, the postback on the other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPostback } from '../../src/notices/postback-auth.js';
import { sampleBannerRequest, startBidder, type TestBidder } from '../helpers/bidder.js';
import { tempConfig, withoutBlock, type TempConfig } from '../helpers/config-dir.js';
import { testRedis, type TestRedis } from '../helpers/redis.js';

const kSecrets: Record<string, string> = {
  acme: 'acme-e2e-secret',
  volt: 'volt-e2e-secret',
  nimbus: 'nimbus-e2e-secret',
};
const kConversions = `
conversions:
  advertisers:
    - { id: acme, name: Acme Shoes, secret: env:ACME_POSTBACK_SECRET }
    - { id: volt, name: Volt Motors, secret: ${kSecrets.volt} }
    - { id: nimbus, name: Nimbus Bank, secret: ${kSecrets.nimbus} }
`;
const kEnv = { ACME_POSTBACK_SECRET: kSecrets.acme };

function conversionConfig(edit: (bidderYaml: string) => string = (t) => t): TempConfig {
  const cfg = tempConfig();
  const sample = withoutBlock(readFileSync(join(cfg.dir, 'bidder.yaml'), 'utf8'), 'conversions');
  cfg.write('bidder.yaml', edit(sample) + kConversions);
  return cfg;
}

interface Bid {
  cid: string;
  crid: string;
  adm: string;
  burl: string;
  nurl: string;
}

/**
 * Bids (second price, floor 0.50), bills at 1.25 CPM, clicks; returns what the browser landed on and who the
 * advertiser is. Second price: a first-price notice below our bid would be refused (docs/notice-prices.md).
 */
async function bidBillClick(b: TestBidder, clickVia: TestBidder = b) {
  const res = await b.bid('ssp-alpha', { ...sampleBannerRequest(), at: 2 });
  expect(res.status).toBe(200);
  const bid = ((await res.json()) as { seatbid: { bid: Bid[] }[] }).seatbid[0]!.bid[0]!;
  const local = (url: string, base: string) =>
    url.replace('http://localhost:8080', base).replace('${AUCTION_PRICE}', '1.25');
  expect((await fetch(local(bid.burl, b.url))).status).toBe(200);
  const click = await fetch(local(/href="([^"]+)"/.exec(bid.adm)![1]!, clickVia.url), { redirect: 'manual' });
  expect(click.status).toBe(302);
  const snap = b.app.config.current;
  const campaign = snap.campaignsById.get(bid.cid)!;
  const landing = campaign.creatives.find((c) => c.id === bid.crid)!.landingUrl;
  const adv = [...snap.advertisers.byId.values()].find((a) => a.name === campaign.advertiser)!.id;
  return { bid, landing, location: click.headers.get('location')!, adv };
}

const conv = (b: TestBidder, params: Record<string, string>, secret?: string) => {
  const p = new Map(Object.entries(params));
  if (secret !== undefined) p.set('sig', signPostback(p, secret));
  return fetch(`${b.url}/conv?${new URLSearchParams([...p]).toString()}`);
};

describe('conversions on one bidder (memory store)', () => {
  let cfg: TempConfig;
  let b: TestBidder;
  beforeAll(async () => {
    cfg = conversionConfig();
    b = await startBidder(cfg.dir, { env: kEnv });
  });
  afterAll(async () => {
    await b.stop();
    cfg.cleanup();
  });

  it('bid → bill → click with pgclid → signed postback → conversion and ROI on /metrics', async () => {
    const { bid, landing, location, adv } = await bidBillClick(b);
    expect(location.startsWith(`${landing}&pgclid=`)).toBe(true);
    const clid = new URL(location).searchParams.get('pgclid')!;
    expect(clid).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const labels = { campaign: bid.cid, channel: 'ssp-alpha' };
    const r = await conv(b, { adv, clid, id: `order-${clid}`, value: '10' }, kSecrets[adv]);
    expect(r.status).toBe(204);
    expect(await b.metric('peregrine_conversions_total', { ...labels, outcome: 'attributed' })).toBe(1);
    expect(await b.metric('peregrine_conversion_value_micros_total', labels)).toBe(10_000_000);
    // Spend 1.25 CPM = 0.00125 for the impression; value 10 → ROI 8000 in both windows.
    expect(await b.metric('peregrine_roi', { ...labels, window: '1h' })).toBeCloseTo(8000, 6);
    expect(await b.metric('peregrine_roi', { ...labels, window: '24h' })).toBeCloseTo(8000, 6);
    expect(b.app.roi.snapshot(bid.cid, b.clock.now()).get('ssp-alpha')).toMatchObject({
      spendMicros: 1250,
      conversionValueMicros: 10_000_000,
      clicks: 1,
      conversions: 1,
    });

    // The same conversion again, as a JSON POST: a duplicate, counted once.
    const params = new Map([
      ['adv', adv],
      ['clid', clid],
      ['id', `order-${clid}`],
      ['value', '10'],
    ]);
    const again = await fetch(`${b.url}/conv`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...Object.fromEntries(params), sig: signPostback(params, kSecrets[adv]!) }),
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ outcome: 'duplicate' });
    expect(await b.metric('peregrine_conversions_total', { ...labels, outcome: 'duplicate' })).toBe(1);
    expect(await b.metric('peregrine_conversion_value_micros_total', labels)).toBe(10_000_000);
  });

  it('credits a person’s last click; an unknown person is accepted unattributed', async () => {
    const { bid, location, adv } = await bidBillClick(b);
    const clid = new URL(location).searchParams.get('pgclid')!;
    const person = (await b.app.store.clicks.lookup(clid, b.clock.now()))?.personId;
    expect(person).toBeDefined();
    const form = new URLSearchParams({ adv, person: person!, id: `p-${clid}`, token: kSecrets[adv]! });
    const r = await fetch(`${b.url}/conv`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    expect(r.status).toBe(204);
    expect(
      await b.metric('peregrine_conversions_total', { campaign: bid.cid, outcome: 'attributed' }),
    ).toBeGreaterThanOrEqual(2);
    expect((await conv(b, { adv, person: 'someone-else', id: `u-${clid}` }, kSecrets[adv])).status).toBe(204);
    expect(
      await b.metric('peregrine_conversions_total', { campaign: 'none', channel: 'none', outcome: 'unattributed' }),
    ).toBe(1);
  });

  it('refuses bad postbacks with the registry’s codes, all counted', async () => {
    const expectError = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect(((await res.json()) as { code: string }).code).toBe(code);
    };
    await expectError(await conv(b, { adv: 'acme', clid: 'x', id: 'o1' }), 401, 'NO_CREDENTIALS');
    await expectError(await conv(b, { adv: 'acme', clid: 'x', id: 'o1' }, 'not-the-secret'), 403, 'BAD_CREDENTIALS');
    await expectError(
      await conv(b, { adv: 'acme', clid: 'never-issued', id: 'o1' }, kSecrets.acme),
      404,
      'UNKNOWN_CLICK',
    );
    await expectError(
      await conv(b, { adv: 'acme', clid: 'x', id: 'o1', value: '-5' }, kSecrets.acme),
      400,
      'BAD_PARAM',
    );
    await expectError(await fetch(`${b.url}/conv?adv=acme&adv=volt`), 400, 'BAD_PARAM');
    expect((await fetch(`${b.url}/conv`, { method: 'PUT' })).status).toBe(405);
    for (const outcome of ['no_credentials', 'bad_credentials', 'unknown_click', 'bad_request']) {
      expect(await b.metric('peregrine_conversions_total', { outcome }), outcome).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('conversions across two bidders on a shared Redis', () => {
  let redis: TestRedis;
  let cfg: TempConfig;
  let a: TestBidder;
  let b: TestBidder;
  beforeAll(async () => {
    redis = await testRedis();
    cfg = conversionConfig((t) =>
      t
        .replace('kind: memory ', 'kind: redis  ')
        .replace('keyPrefix: "pg:"', `keyPrefix: "${redis.prefix}"`)
        .replace('lookupTimeoutMs: 5', 'lookupTimeoutMs: 25'),
    );
    a = await startBidder(cfg.dir, { env: { ...kEnv, REDIS_URL: redis.url, PEREGRINE_INSTANCE_ID: 'conv-a' } });
    b = await startBidder(cfg.dir, { env: { ...kEnv, REDIS_URL: redis.url, PEREGRINE_INSTANCE_ID: 'conv-b' } });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    cfg?.cleanup();
    await redis?.stop();
  });

  it('a click recorded by one instance is credited by a postback to the other, once', async () => {
    expect(a.app.store.kind).toBe('redis');
    const { bid, location, adv } = await bidBillClick(a);
    const clid = new URL(location).searchParams.get('pgclid')!;
    expect((await conv(b, { adv, clid, id: `r-${clid}`, value: '2.5' }, kSecrets[adv])).status).toBe(204);
    expect((await conv(a, { adv, clid, id: `r-${clid}`, value: '2.5' }, kSecrets[adv])).status).toBe(200);
    expect(
      await b.metric('peregrine_conversions_total', { campaign: bid.cid, channel: 'ssp-alpha', outcome: 'attributed' }),
    ).toBe(1);
    expect(
      await a.metric('peregrine_conversions_total', { campaign: bid.cid, channel: 'ssp-alpha', outcome: 'duplicate' }),
    ).toBe(1);
  });
});
