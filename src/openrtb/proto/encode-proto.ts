/**
 * The protobuf bid response encoder: a protobuf request is answered in protobuf (OpenRTB 2.6 §2.3), through
 * the generated static encoder. Field numbers are shared by the IAB and Google schemas for everything we
 * set (`mtype` is IAB-only; Google's decoders skip it as an unknown field).
 */
import type { BidResponse } from '../types.js';
import { peregrine } from './generated/openrtb.js';

const pb = peregrine.openrtb;

export function encodeProtoResponse(res: BidResponse): Uint8Array {
  return pb.BidResponse.encode({
    id: res.id,
    bidid: res.bidid,
    cur: res.cur,
    nbr: res.nbr,
    seatbid: res.seatbid.map((sb) => ({
      seat: sb.seat,
      bid: sb.bid.map((b) => ({
        id: b.id,
        impid: b.impid,
        price: b.price,
        adm: b.adm,
        nurl: b.nurl,
        burl: b.burl,
        lurl: b.lurl,
        adomain: [...b.adomain],
        cid: b.cid,
        crid: b.crid,
        cat: b.cat === undefined ? [] : [...b.cat],
        dealid: b.dealid,
        w: b.w,
        h: b.h,
        mtype: b.mtype,
        exp: b.exp,
      })),
    })),
  }).finish();
}
