/**
 * The JSON bid response encoder: string building with the field names as precomputed fragments, and a
 * fast path for strings that need no escaping (ids, URLs from our own config), falling back to
 * `JSON.stringify` of the single string only when a character needs it. Undefined fields are omitted.
 */
import type { Bid, BidResponse } from './types.js';

/** True when `s` can be written between quotes as is: no quote, backslash, control char or surrogate. */
function plain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/** A JSON string literal. JSON.stringify escapes lone surrogates (well-formed JSON.stringify, ES2019). */
export function jsonString(s: string): string {
  return plain(s) ? `"${s}"` : JSON.stringify(s);
}

function quote(s: string): string {
  return `"${s}"`;
}

function stringArray(list: readonly string[]): string {
  let out = '[';
  for (let i = 0; i < list.length; i++) out += (i === 0 ? '' : ',') + jsonString(list[i]!);
  return `${out}]`;
}

/** JSON numbers for prices: finite, no exponent for the magnitudes a CPM has. */
function number(n: number): string {
  return Number.isFinite(n) ? String(n) : '0';
}

function encodeBid(b: Bid): string {
  let out = `{"id":${jsonString(b.id)},"impid":${jsonString(b.impid)},"price":${number(b.price)}`;
  if (b.admJson !== undefined) out += `,"adm":${b.admJson}`;
  else if (b.adm !== undefined) out += `,"adm":${jsonString(b.adm)}`;
  const url = b.urlsSafe === true ? quote : jsonString;
  if (b.nurl !== undefined) out += `,"nurl":${url(b.nurl)}`;
  if (b.burl !== undefined) out += `,"burl":${url(b.burl)}`;
  if (b.lurl !== undefined) out += `,"lurl":${url(b.lurl)}`;
  out += `,"adomain":${stringArray(b.adomain)},"cid":${jsonString(b.cid)},"crid":${jsonString(b.crid)}`;
  if (b.cat !== undefined) out += `,"cat":${stringArray(b.cat)}`;
  if (b.dealid !== undefined) out += `,"dealid":${jsonString(b.dealid)}`;
  if (b.w !== undefined) out += `,"w":${b.w}`;
  if (b.h !== undefined) out += `,"h":${b.h}`;
  out += `,"mtype":${b.mtype}`;
  if (b.exp !== undefined) out += `,"exp":${b.exp}`;
  return `${out}}`;
}

export function encodeJsonResponse(res: BidResponse): string {
  let out = `{"id":${jsonString(res.id)}`;
  if (res.bidid !== undefined) out += `,"bidid":${jsonString(res.bidid)}`;
  out += `,"cur":${jsonString(res.cur)},"seatbid":[`;
  for (let s = 0; s < res.seatbid.length; s++) {
    const sb = res.seatbid[s]!;
    out += s === 0 ? '{' : ',{';
    if (sb.seat !== undefined) out += `"seat":${jsonString(sb.seat)},`;
    out += '"bid":[';
    for (let i = 0; i < sb.bid.length; i++) out += (i === 0 ? '' : ',') + encodeBid(sb.bid[i]!);
    out += ']}';
  }
  out += ']';
  if (res.nbr !== undefined) out += `,"nbr":${res.nbr}`;
  return `${out}}`;
}
