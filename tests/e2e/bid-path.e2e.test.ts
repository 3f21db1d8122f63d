/**
 * The bidder driven as an exchange drives it: real uWebSockets.js listeners on loopback, the sample config,
 * the memory store. Bids, no-bids with reasons, edge errors, every OpenRTB fixture, notices and metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempConfig, type TempConfig } from '../helpers/config-dir.js';
import { sampleBannerRequest, startBidder, type TestBidder } from '../helpers/bidder.js';
import { loadFixtures } from '../helpers/openrtb-fixtures.js';

let cfg: TempConfig;
let b: TestBidder;

beforeAll(async () => {
  cfg = tempConfig();
  b = await startBidder(cfg.dir);
});
afterAll(async () => {
  await b.stop();
  cfg.cleanup();
});

interface BidJson {
  id: string;
  cur: string;
  seatbid: {
    seat: string;
    bid: {
      id: string;
      impid: string;
      price: number;
      adm: string;
      nurl: string;
      burl: string;
      lurl: string;
      adomain: string[];
      cid: string;
      crid: string;
      w?: number;
      h?: number;
      mtype: number;
      dealid?: string;
    }[];
  }[];
}

describe('bid requests', () => {
  it('bids on a typical banner request with a response that obeys it', async () => {
    const req = sampleBannerRequest('auction-obeys');
    const res = await b.bid('ssp-alpha', req);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as BidJson;
    expect(body.id).toBe('auction-obeys');
    expect(body.cur).toBe('USD');
    const bid = body.seatbid[0]!.bid[0]!;
    expect(bid.impid).toBe('1');
    expect(bid.price).toBeGreaterThanOrEqual(0.5);
    expect([bid.w, bid.h]).toEqual([300, 250]);
    expect(bid.mtype).toBe(1);
    expect(bid.adomain.length).toBeGreaterThan(0);
    expect(bid.cid).toBeTruthy();
    expect(bid.crid).toBeTruthy();
    expect(bid.nurl).toMatch(/^http:\/\/localhost:8080\/notice\/win\?t=[\w.-]+&p=\$\{AUCTION_PRICE\}$/);
    expect(bid.burl).toContain('/notice/bill?t=');
    expect(bid.lurl).toContain('&r=${AUCTION_LOSS}');
    expect(bid.adm).toContain('/click?t=');
    expect(bid.adm).not.toContain('{{');
  });

  it('answers 204 with an empty body and counts the reason when nothing matches', async () => {
    const before = await b.metric('peregrine_no_bids_total', { channel: 'ssp-alpha', reason: 'no_campaign' });
    const req = { ...sampleBannerRequest(), imp: [{ id: '1', banner: { w: 123, h: 45 } }] };
    const res = await b.bid('ssp-alpha', req);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(await b.metric('peregrine_no_bids_total', { channel: 'ssp-alpha', reason: 'no_campaign' })).toBe(before + 1);
  });

  it('never bids below the floor, and says so', async () => {
    const req = sampleBannerRequest();
    (req.imp as { bidfloor: number }[])[0]!.bidfloor = 50;
    const res = await b.bid('ssp-alpha', req);
    expect(res.status).toBe(204);
    expect(await b.metric('peregrine_no_bids_total', { reason: 'below_floor' })).toBeGreaterThan(0);
  });

  it('respects badv and bcat', async () => {
    const r1 = await b.bid('ssp-alpha', {
      ...sampleBannerRequest(),
      badv: ['acmeshoes.example', 'voltmotors.example', 'nimbusbank.example'],
    });
    expect(r1.status).toBe(204);
    const r2 = await b.bid('ssp-alpha', { ...sampleBannerRequest(), bcat: ['IAB18-3', 'IAB2-1', 'IAB13'] });
    expect(r2.status).toBe(204);
  });

  it('bids through a deal with its dealid, and private auctions get deal bids only', async () => {
    const req = {
      ...sampleBannerRequest(),
      imp: [
        {
          id: '1',
          banner: { w: 300, h: 250 },
          pmp: { private_auction: 1, deals: [{ id: 'NB-PREMIUM-2026', bidfloor: 4, bidfloorcur: 'USD' }] },
        },
      ],
    };
    const res = await b.bid('ssp-alpha', req);
    expect(res.status).toBe(200);
    const bid = ((await res.json()) as BidJson).seatbid[0]!.bid[0]!;
    expect(bid.dealid).toBe('NB-PREMIUM-2026');
    expect(bid.cid).toBe('nimbus-pmp');
    expect(bid.price).toBeGreaterThanOrEqual(4);
    const other = {
      ...req,
      imp: [
        {
          id: '1',
          banner: { w: 300, h: 250 },
          pmp: { private_auction: 1, deals: [{ id: 'SOMEONE-ELSE', bidfloor: 1 }] },
        },
      ],
    };
    expect((await b.bid('ssp-alpha', other)).status).toBe(204);
  });

  it('answers video imps with VAST and native imps with native markup', async () => {
    const video = {
      ...sampleBannerRequest(),
      imp: [
        {
          id: 'v',
          video: { mimes: ['video/mp4'], minduration: 5, maxduration: 30, protocols: [2, 3], w: 640, h: 360, plcmt: 1 },
          bidfloor: 3,
        },
      ],
    };
    const vr = await b.bid('ssp-gamma', video);
    expect(vr.status).toBe(200);
    const vbid = ((await vr.json()) as BidJson).seatbid[0]!.bid[0]!;
    expect(vbid.mtype).toBe(2);
    expect(vbid.adm).toMatch(/^<VAST version="4.2">/);
    const native = {
      ...sampleBannerRequest(),
      imp: [
        {
          id: 'n',
          native: { request: '{"ver":"1.2","assets":[{"id":1,"required":1,"title":{"len":90}}]}', ver: '1.2' },
        },
      ],
    };
    const nr = await b.bid('ssp-alpha', native);
    expect(nr.status).toBe(200);
    const nbid = ((await nr.json()) as BidJson).seatbid[0]!.bid[0]!;
    expect(nbid.mtype).toBe(4);
    expect(JSON.parse(nbid.adm).native.assets.length).toBeGreaterThan(0);
  });

  it('prices in a currency the request allows, converting the floor', async () => {
    const req = {
      ...sampleBannerRequest(),
      cur: ['EUR'],
      imp: [{ id: '1', banner: { w: 300, h: 250 }, bidfloor: 1, bidfloorcur: 'EUR' }],
    };
    const res = await b.bid('ssp-alpha', req);
    expect(res.status).toBe(200);
    const body = (await res.json()) as BidJson;
    expect(body.cur).toBe('EUR');
    expect(body.seatbid[0]!.bid[0]!.price).toBeGreaterThanOrEqual(1);
    expect((await b.bid('ssp-alpha', { ...req, cur: ['CHF'] })).status).toBe(204);
  });
});

describe('edge errors', () => {
  it('404 for an unknown channel, 405 for other methods, 404 for unknown paths', async () => {
    const r = await b.bid('nope', sampleBannerRequest());
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ code: 'UNKNOWN_CHANNEL' });
    const g = await fetch(`${b.url}/bid/ssp-alpha`);
    expect(g.status).toBe(405);
    expect(g.headers.get('allow')).toBe('POST, OPTIONS');
    expect((await fetch(`${b.url}/elsewhere`)).status).toBe(404);
  });
  it('400 naming the field path', async () => {
    const r = await b.bid('ssp-alpha', { id: 'x', imp: [{ id: '1', banner: { w: 'wide', h: 250 } }] });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({
      code: 'BAD_REQUEST',
      error: 'imp[0].banner.w: expected integer',
      path: 'imp[0].banner.w',
    });
    expect((await b.bid('ssp-alpha', '{not json')).status).toBe(400);
    expect((await b.bid('ssp-alpha', '')).status).toBe(400);
  });
  it('413 over the body limit (declared or streamed)', async () => {
    const big = JSON.stringify({ ...sampleBannerRequest(), ext: { pad: 'x'.repeat(70_000) } });
    expect((await b.bid('ssp-alpha', big)).status).toBe(413);
    expect(
      (
        await fetch(`${b.url}/bid/ssp-alpha`, {
          method: 'POST',
          body: new Blob([big]).stream(),
          duplex: 'half',
        } as RequestInit)
      ).status,
    ).toBe(413);
    expect((await b.bid('ssp-alpha', sampleBannerRequest())).status).toBe(200);
  });
  it('accepts text/plain and no content type (Prebid and friends)', async () => {
    expect((await b.bid('ssp-alpha', sampleBannerRequest(), { 'content-type': 'text/plain' })).status).toBe(200);
    const res = await fetch(`${b.url}/bid/ssp-alpha`, {
      method: 'POST',
      body: new TextEncoder().encode(JSON.stringify(sampleBannerRequest())),
    });
    expect(res.status).toBe(200);
  });
});

describe('OpenRTB fixtures', () => {
  for (const f of loadFixtures('valid')) {
    it(`valid: ${f.name}`, async () => {
      const res = await b.bid('ssp-beta', f.request);
      expect([200, 204]).toContain(res.status);
      if (f.expectedStatus !== undefined) expect(res.status).toBe(f.expectedStatus);
    });
  }
  for (const f of loadFixtures('invalid')) {
    it(`invalid: ${f.name}`, async () => {
      const res = await b.bid('ssp-beta', f.request);
      expect(res.status).toBe(400);
      if (f.expectedError !== undefined) expect(((await res.json()) as { error: string }).error).toBe(f.expectedError);
    });
  }
});

describe('notices', () => {
  async function winningBid(channel: string): Promise<BidJson['seatbid'][number]['bid'][number]> {
    const res = await b.bid(channel, sampleBannerRequest());
    expect(res.status).toBe(200);
    return ((await res.json()) as BidJson).seatbid[0]!.bid[0]!;
  }
  const call = (url: string, price: string) =>
    fetch(
      url.replace('http://localhost:8080', b.url).replace('${AUCTION_PRICE}', price).replace('${AUCTION_LOSS}', '102'),
    );

  it('the billable event debits spend once; replays and the other events do not', async () => {
    const bid = await winningBid('ssp-alpha'); // ssp-alpha bills on `bill`
    const spend = () => b.metric('peregrine_spend_micros_total', { campaign: bid.cid, channel: 'ssp-alpha' });
    const before = await spend();
    // First price: the exchange charges our bid (a plain price below it is refused, docs/notice-prices.md).
    const price = bid.price.toFixed(6);
    expect((await call(bid.nurl, price)).status).toBe(200);
    expect(await spend()).toBe(before);
    expect((await call(bid.burl, price)).status).toBe(200);
    expect((await call(bid.burl, price)).status).toBe(200);
    expect(await spend()).toBe(before + Math.round(Math.round(bid.price * 1e6) / 1000)); // CPM micros / 1000
    expect(await b.metric('peregrine_notices_total', { type: 'bill', outcome: 'duplicate' })).toBeGreaterThanOrEqual(1);
  });
  it('forged tokens get 403, bad prices 400, all counted', async () => {
    const bid = await winningBid('ssp-beta');
    expect((await call(bid.nurl.replace(/t=k1\.\w/, 't=k1.Z'), '1')).status).toBe(403);
    expect((await call(bid.nurl, '${AUCTION_PRICE}')).status).toBe(400);
    expect((await call(bid.nurl, String(bid.price + 0.01))).status).toBe(400);
    expect((await call(bid.nurl, '-1')).status).toBe(400);
    expect((await call(bid.nurl, 'abc')).status).toBe(400);
    expect(await b.metric('peregrine_notices_total', { type: 'win', outcome: 'bad_token' })).toBeGreaterThanOrEqual(1);
    expect(await b.metric('peregrine_notices_total', { type: 'win', outcome: 'bad_price' })).toBeGreaterThanOrEqual(4);
    expect((await call(bid.lurl, '0.9')).status).toBe(200);
  });
  it('clicks redirect to the landing page from config', async () => {
    const bid = await winningBid('ssp-alpha');
    const click = /href="([^"]+)"/.exec(bid.adm)![1]!.replace('http://localhost:8080', b.url);
    const res = await fetch(click, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^https:\/\/www\.\w+\.example\//);
  });
});

describe('ops', () => {
  it('serves metrics with conventional names, health and readiness', async () => {
    const text = await (await fetch(`${b.opsUrl}/metrics`)).text();
    for (const name of [
      'peregrine_bid_requests_total',
      'peregrine_bids_total',
      'peregrine_no_bids_total',
      'peregrine_bid_request_duration_seconds_bucket',
      'peregrine_notices_total',
      'peregrine_spend_micros_total',
      'peregrine_config_version',
      'peregrine_nodejs_eventloop_lag_seconds',
      'peregrine_process_cpu_seconds_total',
      'peregrine_budget_remaining_micros',
      'peregrine_budget_reserved_micros',
      'peregrine_pacing_cap_micros',
      'peregrine_pacing_target_micros',
      'peregrine_pacing_spent_micros',
      'peregrine_pacing_signal',
    ]) {
      expect(text, name).toContain(name);
    }
    expect((await fetch(`${b.opsUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${b.opsUrl}/readyz`)).status).toBe(200);
    expect((await fetch(`${b.url}/metrics`)).status).toBe(404);
  });
  it('reports spend per campaign and channel on the admin API (loopback without a token)', async () => {
    const res = await fetch(`${b.opsUrl}/admin/spend`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      currency: string;
      rows: {
        campaign: string;
        channel: string;
        dailyBudget: number;
        target: number;
        exploration?: { budget: number };
      }[];
    };
    expect(body.currency).toBe('USD');
    const row = body.rows.find((r) => r.campaign === 'acme-prospecting' && r.channel === 'ssp-alpha')!;
    expect(row.dailyBudget).toBe(240);
    // The default exploration reserve: 10% of the channel's base share, inside its budget.
    expect(row.exploration?.budget).toBe(24);
    expect(row.target).toBeGreaterThanOrEqual(0);
    expect(row.target).toBeLessThanOrEqual(240);
  });
});

describe('replay with explanations (ops port)', () => {
  it('explains every scored candidate without spending, and never on the public port', async () => {
    const spendBefore = [...b.app.gate.remaining()].reduce((s, r) => s + r.reservedMicros, 0);
    const res = await fetch(`${b.opsUrl}/admin/replay/ssp-alpha?debug=1`, {
      method: 'POST',
      body: JSON.stringify(sampleBannerRequest('replay-1')),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      bid: boolean;
      explanations: {
        campaignId: string;
        status: string;
        valueMicros: number;
        priceMicros: number;
        multipliers: { product: number };
        features: unknown;
      }[];
    };
    expect(body.bid).toBe(true);
    expect(body.explanations.length).toBeGreaterThan(0);
    for (const e of body.explanations) {
      expect(e.campaignId).toBeTruthy();
      expect(e.features).toBeDefined();
      expect(e.multipliers.product).toBeGreaterThan(0);
    }
    const spendAfter = [...b.app.gate.remaining()].reduce((s, r) => s + r.reservedMicros, 0);
    expect(spendAfter).toBe(spendBefore);
    expect((await fetch(`${b.url}/admin/replay/ssp-alpha?debug=1`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
