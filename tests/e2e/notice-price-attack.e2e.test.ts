/**
 * The page that shows the ad fires its billing URL itself with a price of its choosing (`p=0`), then the
 * exchange sends its real notice: the recorded spend must be the exchange's price, on every kind of
 * channel (docs/notice-prices.md). Driven over HTTP against the real bidder: a bid is taken, the URL the
 * page can see is read out of the markup, the attack is fired, then the exchange's notice.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyToken } from '../../src/notices/token.js';
import { sampleBannerRequest, startBidder, kTestEnv, type TestBidder } from '../helpers/bidder.js';
import { tempConfig, type TempConfig } from '../helpers/config-dir.js';
import { kNoticeKey } from '../helpers/notice-stream.js';

interface Bid {
  readonly price: number;
  readonly adm: string;
  readonly nurl: string;
  readonly burl: string;
  readonly cid: string;
}

describe('a page firing its own billing URL cannot set the price', () => {
  let cfg: TempConfig;
  let b: TestBidder;
  beforeAll(async () => {
    cfg = tempConfig();
    // One campaign (fixed 2.10 CPM, as fast as it likes) so every bid is predictable; gamma bills s2s.
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
    cfg.write(
      'campaigns/acme-prospecting.yaml',
      readFileSync(join(cfg.dir, 'campaigns/acme-prospecting.yaml'), 'utf8').replace('pacing: even', 'pacing: asap'),
    );
    cfg.write(
      'channels.yaml',
      readFileSync(join(cfg.dir, 'channels.yaml'), 'utf8').replace(
        '  - id: ssp-gamma\n',
        '  - id: ssp-gamma\n    notices: { billing: s2s }\n',
      ),
    );
    b = await startBidder(cfg.dir, { env: { ...kTestEnv } });
  });
  afterAll(async () => {
    await b?.stop();
    cfg?.cleanup();
  });

  const local = (url: string) => url.replace('http://localhost:8080', b.url);
  const get = async (url: string) => (await fetch(local(url))).status;
  const bidOn = async (channel: string, at: 1 | 2): Promise<Bid> => {
    const r = await b.bid(channel, { ...sampleBannerRequest(), at });
    expect(r.status).toBe(200);
    return ((await r.json()) as { seatbid: { bid: Bid[] }[] }).seatbid[0]!.bid[0]!;
  };
  /** The billing pixel's URL in the markup: what the page sees. */
  const pixelOf = (bid: Bid) => /<img src="([^"]+)" width="1"/.exec(bid.adm)![1]!.replaceAll('&amp;', '&');
  const spentOn = async (url: string): Promise<number> => {
    const t = new URL(local(url)).searchParams.get('t')!;
    const v = verifyToken(t, [kNoticeKey], Date.now(), 3600);
    if (!v.ok) throw new Error('token does not verify');
    const c = v.claims;
    return b.app.store.budgets.spent({ campaignId: c.campaignId, channelId: c.channelId, day: c.day });
  };

  it('first price, markup billing: p=0 and any price below the bid are refused; the real notice bills the bid', async () => {
    const bid = await bidOn('ssp-alpha', 1);
    expect(bid.price).toBe(2.1);
    const pixel = pixelOf(bid);
    expect(pixel).toBe(bid.burl);
    expect(await get(pixel.replace('${AUCTION_PRICE}', '0'))).toBe(400);
    expect(await get(pixel.replace('${AUCTION_PRICE}', '1.50'))).toBe(400);
    // The same token on the other notice paths gets no further.
    expect(await get(pixel.replace('/notice/bill', '/notice/win').replace('${AUCTION_PRICE}', '0'))).toBe(400);
    expect(await spentOn(pixel)).toBe(0);
    expect(await get(bid.burl.replace('${AUCTION_PRICE}', '2.10'))).toBe(200);
    expect(await spentOn(bid.burl)).toBe(2100);
  });

  it('second price, markup billing: p=0 is refused; a shaved price in range is raised by the real notice', async () => {
    // ssp-beta bills on the win notice; the page has the token from the markup's pixel.
    const bid = await bidOn('ssp-beta', 2);
    const pixel = pixelOf(bid);
    const asWin = (p: string) => pixel.replace('/notice/bill', '/notice/win').replace('${AUCTION_PRICE}', p);
    expect(await get(asWin('0'))).toBe(400);
    expect(await get(asWin('0.40'))).toBe(400); // below the imp's floor of 0.50
    expect(await get(asWin('0.50'))).toBe(200); // in range: recorded for now …
    expect(await spentOn(pixel)).toBe(500);
    expect(await get(bid.nurl.replace('${AUCTION_PRICE}', '1.234'))).toBe(200); // … until the exchange's notice
    expect(await spentOn(pixel)).toBe(1234);
    expect(await get(asWin('0.60'))).toBe(200); // a duplicate now: lowers nothing
    expect(await spentOn(pixel)).toBe(1234);
  });

  it('s2s billing: the markup holds only a beacon token, which never bills; the exchange’s burl does', async () => {
    const bid = await bidOn('ssp-gamma', 1);
    const pixel = pixelOf(bid);
    expect(pixel).toMatch(/\/notice\/imp\?t=/);
    const billingToken = new URL(local(bid.burl)).searchParams.get('t')!;
    expect(bid.adm).not.toContain(billingToken);
    const beacon = new URL(local(pixel)).searchParams.get('t')!;
    for (const path of ['/notice/bill', '/notice/win'])
      expect(await get(`${b.url}${path}?t=${beacon}&p=0`), path).toBe(403);
    expect(await get(pixel)).toBe(200);
    expect(await b.metric('peregrine_notices_total', { type: 'imp', outcome: 'ok' })).toBe(1);
    expect(await spentOn(bid.burl)).toBe(0);
    expect(await get(bid.burl.replace('${AUCTION_PRICE}', '2.10'))).toBe(200);
    expect(await spentOn(bid.burl)).toBe(2100);
  });
});
