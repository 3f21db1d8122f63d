import { describe, expect, it } from 'vitest';
import { buildLinks } from '../../../src/auction/bid-markup.js';
import { verifyToken, type NoticeClaims } from '../../../src/notices/token.js';

const key = { id: 'k1', secret: Buffer.from('s') };
const claims: NoticeClaims = {
  auctionId: 'a1',
  impId: '1',
  campaignId: 'c1',
  creativeId: 'cr1',
  channelId: 'ch',
  bidCpmMicros: 2_000_000,
  bidCpmAccountMicros: 2_000_000,
  currency: 'USD',
  issuedAtMs: Date.UTC(2026, 10, 23),
  instanceId: 'i1',
  day: '2026-11-23',
  personId: undefined,
  dealId: undefined,
};

/** The three macros replaced in turn, as the bidder first did it. */
function reference(markup: string, click: string, clickEnc: string, bill: string): string {
  return markup
    .replaceAll('{{CLICK_URL}}', click)
    .replaceAll('{{CLICK_URL_ENC}}', clickEnc)
    .replaceAll('{{BILL_URL}}', bill);
}

describe('buildLinks', () => {
  const markups = [
    'plain, no macros',
    '<a href="{{CLICK_URL}}">ad</a>',
    '{{CLICK_URL}}{{CLICK_URL}}',
    '<img src="{{BILL_URL}}"><a href="x?u={{CLICK_URL_ENC}}&v={{CLICK_URL}}">{{BILL_URL}}</a>',
    '{{CLICK_URL_EN}} {{CLICK_URL_ENC}}} {{{CLICK_URL}}} {{BILL_URL',
    '{{UNKNOWN}} and ${AUCTION_PRICE}',
  ];
  for (const publicUrl of ['https://bid.example', 'https://odd.example/{{BILL_URL}}']) {
    it(`fills every macro as replacing them in turn would (${publicUrl})`, () => {
      for (const markup of markups) {
        const markupJson = JSON.stringify(markup).slice(1, -1);
        for (let n = 0; n < 2; n++) {
          const l = buildLinks(publicUrl, claims, key, markup, markupJson);
          const click = `${publicUrl}/click?t=${l.token}`;
          expect(l.burl).toBe(`${publicUrl}/notice/bill?t=${l.token}&p=\${AUCTION_PRICE}`);
          expect(l.adm, markup).toBe(reference(markup, click, encodeURIComponent(click), l.burl));
          expect(l.admJson, markup).toBe(`"${reference(markupJson, click, encodeURIComponent(click), l.burl)}"`);
        }
      }
    });
  }

  it('on an s2s channel the markup carries a beacon token for /notice/imp and clicks, never the billing token', () => {
    const markup = '<a href="{{CLICK_URL}}"><img src="{{BILL_URL}}"></a>';
    const l = buildLinks('https://bid.example', claims, key, markup, markup, true);
    expect(l.burl).toContain(l.token);
    expect(l.adm).not.toContain(l.token);
    const beacon = /notice\/imp\?t=([^"]+)"/.exec(l.adm)?.[1];
    expect(beacon).toBeDefined();
    expect(l.adm).toBe(
      `<a href="https://bid.example/click?t=${beacon}"><img src="https://bid.example/notice/imp?t=${beacon}"></a>`,
    );
    const v = verifyToken(beacon!, [key], claims.issuedAtMs, 3600);
    expect(v.ok && v.claims.beacon).toBe(true);
    const real = verifyToken(l.token, [key], claims.issuedAtMs, 3600);
    expect(real.ok && real.claims.beacon).toBe(undefined);
  });
});
