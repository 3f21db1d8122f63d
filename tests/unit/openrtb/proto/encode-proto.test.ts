/**
 * The protobuf response encoder: what it writes decodes back with the generated decoder field for field,
 * absent fields are not written, and a no-bid carries only its reason.
 */
import { describe, expect, it } from 'vitest';
import { encodeProtoResponse } from '../../../../src/openrtb/proto/encode-proto.js';
import { openrtb } from '../../../../src/openrtb/proto/generated/openrtb.js';
import { MarkupType, type Bid, type BidResponse } from '../../../../src/openrtb/types.js';

const kBid: Bid = {
  id: 'b-1',
  impid: '1',
  price: 1.37,
  adm: '<a href="https://ads.example/c">ad</a>',
  nurl: 'https://bid.example/win?p=${AUCTION_PRICE}',
  burl: 'https://bid.example/bill?p=${AUCTION_PRICE}',
  lurl: 'https://bid.example/loss?r=${AUCTION_LOSS}',
  adomain: ['brand.example'],
  cid: 'c-42',
  crid: 'cr-7',
  cat: ['IAB12', 'IAB12-2'],
  dealid: 'D1',
  w: 300,
  h: 250,
  mtype: MarkupType.Banner,
  exp: 300,
};

describe('protobuf response encoder', () => {
  it('round-trips every field through the generated decoder', () => {
    const video: Bid = {
      ...kBid,
      id: 'b-2',
      impid: '2',
      adm: '<VAST version="4.0"/>',
      mtype: MarkupType.Video,
      w: undefined,
      h: undefined,
      cat: undefined,
      dealid: undefined,
    };
    const res: BidResponse = {
      id: 'req-1',
      bidid: 'resp-1',
      cur: 'EUR',
      nbr: undefined,
      seatbid: [
        { seat: 'peregrine', bid: [kBid, video] },
        { seat: undefined, bid: [{ ...kBid, id: 'b-3' }] },
      ],
    };
    const back = openrtb.BidResponse.decode(encodeProtoResponse(res));
    expect(back).toMatchObject({ id: 'req-1', bidid: 'resp-1', cur: 'EUR' });
    expect(Object.hasOwn(back, 'nbr')).toBe(false);
    expect(back.seatbid).toHaveLength(2);
    const [first, second] = back.seatbid;
    expect(first!.seat).toBe('peregrine');
    expect(Object.hasOwn(second!, 'seat')).toBe(false);
    const { admJson: _a, urlsSafe: _u, ...expected } = kBid;
    const bids = first!.bid ?? [];
    expect(bids[0]).toMatchObject({ ...expected, adomain: ['brand.example'], cat: ['IAB12', 'IAB12-2'] });
    const v = bids[1]!;
    expect(v).toMatchObject({ id: 'b-2', impid: '2', adm: '<VAST version="4.0"/>', mtype: 2 });
    for (const absent of ['w', 'h', 'dealid'] as const) expect(Object.hasOwn(v, absent), absent).toBe(false);
    expect(v.cat).toStrictEqual([]);
  });

  it('writes a no-bid as id + nbr only', () => {
    const bytes = encodeProtoResponse({ id: 'req-2', bidid: undefined, cur: 'USD', nbr: 2, seatbid: [] });
    const back = openrtb.BidResponse.decode(bytes);
    expect(back).toMatchObject({ id: 'req-2', cur: 'USD', nbr: 2 });
    expect(back.seatbid).toStrictEqual([]);
    expect(Object.keys(back).sort()).toStrictEqual(['cur', 'id', 'nbr', 'seatbid']);
  });

  it("uses the field numbers Google's decoders know (id 1, seatbid 2, bid 1, price 3) for the core", () => {
    const bytes = encodeProtoResponse({
      id: 'r',
      bidid: undefined,
      cur: 'USD',
      nbr: undefined,
      seatbid: [{ seat: undefined, bid: [kBid] }],
    });
    expect(bytes[0]).toBe((1 << 3) | 2); // BidResponse.id
    expect(bytes[3]).toBe((2 << 3) | 2); // BidResponse.seatbid
  });
});
