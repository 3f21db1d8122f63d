/**
 * The protobuf bid response encoder: a protobuf request is answered in protobuf (OpenRTB 2.6 §2.3: the
 * response in the request's format), through the generated static encoder. Every field set here has the
 * same number in IAB's and Google's schemas except `mtype` (IAB only), which Google's decoders skip as an
 * unknown field. Absent (`undefined`) fields are not written.
 */
import type { Bid, BidResponse, SeatBid } from '../types.js';
import { openrtb } from './generated/openrtb.js';

type PbResponse = openrtb.BidResponse.$Properties;
type PbSeatBid = openrtb.BidResponse.SeatBid.$Properties;
type PbBid = openrtb.BidResponse.Bid.$Properties;

export function encodeProtoResponse(res: BidResponse): Uint8Array {
  const msg: PbResponse = {
    id: res.id,
    seatbid: res.seatbid.map(seatBid),
    bidid: res.bidid,
    cur: res.cur,
    nbr: res.nbr,
  };
  return openrtb.BidResponse.encode(msg).finish();
}

function seatBid(sb: SeatBid): PbSeatBid {
  return { bid: sb.bid.map(bid), seat: sb.seat };
}

function bid(b: Bid): PbBid {
  return {
    id: b.id,
    impid: b.impid,
    price: b.price,
    nurl: b.nurl,
    adm: b.adm,
    adomain: list(b.adomain),
    cid: b.cid,
    crid: b.crid,
    dealid: b.dealid,
    cat: list(b.cat),
    w: b.w,
    h: b.h,
    exp: b.exp,
    burl: b.burl,
    lurl: b.lurl,
    mtype: b.mtype,
  };
}

/** The encoder only reads the lists it is given, so the internal readonly arrays go in as they are. */
function list(v: readonly string[] | undefined): string[] | undefined {
  return v as string[] | undefined;
}
