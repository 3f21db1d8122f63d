import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createBidEndpoint, createPreflightEndpoint } from '../../../src/endpoints/bid-endpoint.js';
import type { HttpReply } from '../../../src/http/reply.js';
import { createMetrics } from '../../../src/metrics/registry.js';
import { auctionFixture, campaignCfg, type AuctionFixture } from '../auction/fixture.js';
import { jsonOf, requestInfo } from './request-info.js';

const kBanner = { id: 'r1', imp: [{ id: '1', banner: { w: 300, h: 250 }, bidfloor: 0.1 }] };

describe('bid endpoint', () => {
  let f: AuctionFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });
  async function endpoint(campaigns = [campaignCfg('c', 2)]) {
    f = await auctionFixture(campaigns);
    const fx = f;
    const metrics = createMetrics({ defaultMetrics: false });
    const bid = createBidEndpoint({ clock: fx.clock, config: { current: fx.snap }, bidPath: fx.bidPath, metrics });
    const post = async (channel: string, body: unknown, more = {}): Promise<HttpReply> =>
      bid(
        requestInfo({ param: channel, receivedAtMs: fx.clock.now(), arrivedAtMs: fx.clock.now(), ...more }),
        Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
      );
    const count = async (name: string, labels: Record<string, string>) => {
      const m = (await metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
      return m
        .filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
        .reduce((s, v) => s + v.value, 0);
    };
    return { post, count, metrics };
  }

  it('answers 200 with an OpenRTB response and counts the bid', async () => {
    const { post, count } = await endpoint();
    const r = await post('ex', kBanner);
    expect(r.status).toBe(200);
    expect(r.contentType).toBe('application/json');
    expect(r.headers).toContainEqual(['x-openrtb-version', '2.6']);
    expect(jsonOf(r.body)).toMatchObject({ id: 'r1', seatbid: [{ bid: [{ impid: '1', cid: 'c', price: 2 }] }] });
    expect(await count('peregrine_bid_requests_total', { channel: 'ex', outcome: 'bid' })).toBe(1);
  });

  it('answers 404 for an unknown channel before reading the body, 400 naming the field of a bad request', async () => {
    const { post, count } = await endpoint();
    expect((await post('nope', 'not json')).status).toBe(404);
    const bad = await post('ex', { id: 'r1', imp: [{ id: 1 }] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(jsonOf(bad.body))).toContain('imp[0].id');
    expect(await count('peregrine_bid_requests_total', { channel: 'ex', outcome: 'bad_request' })).toBe(1);
  });

  it('answers 204 with no body for a no-bid and counts its reason', async () => {
    const { post, count } = await endpoint();
    const r = await post('ex', { ...kBanner, imp: [{ id: '1', banner: { w: 300, h: 250 }, bidfloor: 50 }] });
    expect(r).toEqual({ status: 204 });
    expect(await count('peregrine_no_bids_total', { channel: 'ex', reason: 'below_floor' })).toBe(1);
  });

  it('inflates a gzip body, refuses other encodings (415) and a corrupt gzip body (400)', async () => {
    const { post } = await endpoint();
    const gz = gzipSync(Buffer.from(JSON.stringify(kBanner)));
    expect(jsonOf((await post('ex', gz, { contentEncoding: 'gzip' })).body)).toMatchObject({ id: 'r1' });
    expect((await post('ex', gz, { contentEncoding: 'br' })).status).toBe(415);
    expect((await post('ex', gz.subarray(0, 20), { contentEncoding: 'gzip' })).status).toBe(400);
  });

  it('on a Prebid channel answers as the bidder code asked for, targeting the Prebid placementId', async () => {
    const { post } = await endpoint([campaignCfg('top', 2, { targeting: { placements: ['homepage-top'] } })]);
    const prebidImp = (placementId: string) => ({
      id: '1',
      banner: { w: 300, h: 250 },
      ext: { prebid: { bidder: { peregrine: { placementId } } } },
    });
    const r = await post('pb', { id: 'p1', imp: [prebidImp('homepage-top')] });
    expect(r.status).toBe(200);
    expect(jsonOf(r.body)).toMatchObject({ seatbid: [{ seat: 'peregrine', bid: [{ cid: 'top' }] }] });
    // Another placement: Prebid's no-bid is a 200 with an empty seatbid, never a 204.
    const other = await post('pb', { id: 'p2', imp: [prebidImp('sidebar')] });
    expect(other.status).toBe(200);
    expect(jsonOf(other.body)).toMatchObject({ id: 'p2', seatbid: [] });
    // A malformed Prebid extension is a 400 naming it.
    const bad = await post('pb', { id: 'p3', imp: [{ id: '1', banner: { w: 300, h: 250 }, ext: { prebid: 1 } }] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(jsonOf(bad.body))).toContain('imp[0].ext.prebid');
  });

  it('answers a CORS preflight only for an allowed origin of the channel', async () => {
    const { metrics } = await endpoint();
    const preflight = createPreflightEndpoint({ current: f!.snap }, metrics);
    expect(preflight(requestInfo({ param: 'ex', origin: 'https://evil.example' }))).toEqual({ status: 204 });
    expect(preflight(requestInfo({ param: 'nope' })).status).toBe(404);
  });
});
