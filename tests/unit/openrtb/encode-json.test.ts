import { describe, expect, it } from 'vitest';
import { encodeJsonResponse, jsonString } from '../../../src/openrtb/encode-json.js';
import { MarkupType, type Bid, type BidResponse } from '../../../src/openrtb/types.js';

const bid = (over: Partial<Bid> = {}): Bid => ({
  id: 'b1', impid: '1', price: 2.5, adm: '<a href="x">ad</a>', nurl: 'http://n/${AUCTION_PRICE}', burl: undefined, lurl: undefined,
  adomain: ['adv.example'], cid: 'c', crid: 'cr', cat: undefined, dealid: undefined, w: 300, h: 250, mtype: MarkupType.Banner, exp: undefined, ...over,
});
const res = (bids: Bid[], over: Partial<BidResponse> = {}): BidResponse => ({ id: 'r1', bidid: undefined, cur: 'USD', seatbid: [{ seat: 'peregrine', bid: bids }], nbr: undefined, ...over });

function plainJson(r: BidResponse): unknown {
  return JSON.parse(JSON.stringify(r));
}

describe('JSON encoder', () => {
  it('produces JSON equal to the obvious serialisation, omitting undefined fields', () => {
    const r = res([bid(), bid({ id: 'b2', dealid: 'D', cat: ['IAB1'], exp: 300, w: undefined, h: undefined, mtype: MarkupType.Native })]);
    expect(JSON.parse(encodeJsonResponse(r))).toEqual(plainJson(r));
  });
  it('escapes every hostile string correctly', () => {
    const nasty = ['"quoted"', 'back\\slash', 'line\nbreak\ttab', '\u0000\u001f', 'émoji 🦅', '</script><script>alert(1)</script>', '\u2028\u2029', '\ud800 lone'];
    for (const s of nasty) {
      const r = res([bid({ adm: s, id: s, crid: s })], { id: s });
      const text = encodeJsonResponse(r);
      expect(JSON.parse(text)).toEqual(plainJson(r));
    }
  });
  it('encodes an empty seatbid with a no-bid reason (the Prebid no-bid)', () => {
    expect(JSON.parse(encodeJsonResponse({ id: 'r', bidid: undefined, cur: 'USD', seatbid: [], nbr: 8 }))).toEqual({ id: 'r', cur: 'USD', seatbid: [], nbr: 8 });
  });
  it('leaves plain ids unescaped (fast path)', () => {
    expect(jsonString('acme-prospecting_1.2')).toBe('"acme-prospecting_1.2"');
  });
});
