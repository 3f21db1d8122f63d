/**
 * Signed notice tokens. Every bid's nurl/burl/lurl (and click URL) carries one; notices are trusted only
 * through it. A token binds the auction, imp, campaign, creative, channel, bid price and issue time, plus
 * what settlement needs (the instance that reserved the budget, the budget day, the person for frequency),
 * and who may set the price: the lowest plain price accepted, and whether this is the markup's beacon copy
 * (docs/notice-prices.md).
 *
 *   t = <keyId> "." base64url(payload) "." base64url(HMAC-SHA256(key, keyId "." base64url(payload))[0..16])
 *
 * Two payload versions, told apart by the payload's first byte (so by the first character after the key id):
 *  - v2 (signed now): binary — the byte 2, a flags byte, then the fields in a fixed order, counts as LEB128
 *    varints and ASCII strings each after its length (`signV2` spells out the layout). About half the size of
 *    v1 and built and read without JSON: signing and verifying cost a fraction of what they did, on every
 *    bid and every notice.
 *  - v1: a JSON array starting `[1,` (base64url `WzEs`). Still verified, so tokens in flight when a fleet
 *    upgrades keep billing; still signed for the rare claims v2 does not carry (a string field with a
 *    non-ASCII character, or a count that is not a non-negative safe integer, which v1 then refuses on
 *    verification as it always did).
 * The tag covers the payload's text as sent, and only one spelling of each payload is accepted (minimal
 * varints, no trailing bytes, no unknown flags), so a token verifies in exactly one form.
 *
 * The first configured key signs; every configured key verifies, so keys rotate with two active. A
 * 128-bit truncated tag is ample for an online forgery bound (NIST SP 800-107 §5.3.4).
 */
import { hmacSha256Base64url } from './hmac.js';

/** A configured signing key (`bidder.notices.keys`, secrets resolved by the config snapshot). */
export interface NoticeKey {
  readonly id: string;
  readonly secret: Buffer;
}

export interface NoticeClaims {
  readonly auctionId: string;
  readonly impId: string;
  readonly campaignId: string;
  readonly creativeId: string;
  readonly channelId: string;
  /** Bid CPM in the response currency, micros. `${AUCTION_PRICE}` comes back in this currency. */
  readonly bidCpmMicros: number;
  /** The same bid in account currency micros (fixes the exchange rate at bid time). */
  readonly bidCpmAccountMicros: number;
  readonly currency: string;
  readonly issuedAtMs: number;
  readonly instanceId: string;
  readonly day: string;
  readonly personId: string | undefined;
  readonly dealId: string | undefined;
  /** An exploration bid: its spend settles against the channel's exploration reserve. */
  readonly explore?: boolean;
  /**
   * The model's expected actions per impression when the bid was priced (pCTR for target_cpc, pCTR × pCVR
   * for target_cpa): the cost controller on whichever instance gets the notice divides spend by it.
   */
  readonly expected?: number;
  /**
   * The lowest plain price a notice may carry, micros of the bid currency (see price-range.ts): set on
   * channels whose billing URL the page can see, so the page cannot bill below the auction's floor.
   */
  readonly floorCpmMicros?: number;
  /**
   * The copy of the token placed in the ad markup on a channel whose exchange bills server to server: it
   * counts an impression (`/notice/imp`) and a click, and never wins, loses or bills.
   */
  readonly beacon?: boolean;
}

const kMaxToken = 4096;
/** 16 bytes in base64url: 21 characters of 6 bits and one carrying the last 2 bits (its low 4 bits zero). */
const kTagChars = 22;
const kBase64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Character code → base64url digit, −1 for anything else. */
const kDigit = new Int8Array(128).fill(-1);
for (let i = 0; i < kBase64url.length; i++) kDigit[kBase64url.charCodeAt(i)] = i;

// Scratch for encoding and decoding without a Buffer per call (signing and verifying are synchronous). A
// payload longer than the scratch takes the allocating path; a token never is (kMaxToken).
const gText = Buffer.alloc(kMaxToken);

/** The tag: HMAC-SHA256 truncated to 16 bytes, in base64url, cut from the whole MAC's encoding. */
function tagOf(secret: Buffer, body: string): string {
  const mac = hmacSha256Base64url(secret, body);
  return mac.slice(0, kTagChars - 1) + kBase64url[kDigit[mac.charCodeAt(kTagChars - 1)]! & 0x30]!;
}

/**
 * The only spelling of a tag signToken produces. The decoder would also take '+' and '/', padding, and set
 * unused bits in the last character; another spelling of the same tag would pass de-duplication (keyed by
 * the tag text) and bill twice.
 */
function isCanonicalTag(t: string): boolean {
  if (t.length !== kTagChars) return false;
  for (let i = 0; i < kTagChars; i++) {
    const c = t.charCodeAt(i);
    if (c >= 128 || kDigit[c]! < 0) return false;
  }
  return (kDigit[t.charCodeAt(kTagChars - 1)]! & 0x0f) === 0;
}

/** Equal tags, in time independent of where they differ (both are kTagChars long). */
function sameTag(a: string, b: string): boolean {
  let diff = 0;
  for (let i = 0; i < kTagChars; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

// An optional 15th element, 1, marks an exploration bid (tokens without it are regular bids). An optional
// 16th, the expected actions in parts per billion, follows it (the 15th is then 0 for a regular bid; −1 is
// "none" in the 18-element form). The 18-element form adds the price floor (17th) and the beacon flag
// (18th); tokens without a floor or beacon keep the shorter forms.
type Payload = [
  1,
  string,
  string,
  string,
  string,
  string,
  number,
  number,
  string,
  number,
  string,
  string,
  string,
  string,
  (1 | 0)?,
  number?,
  number?,
  (1 | 0)?,
];
const kPpb = 1e9;

export function signToken(claims: NoticeClaims, key: NoticeKey): string {
  const b64 = signV2(claims) ?? payloadV1(claims);
  const body = `${key.id}.${b64}`;
  return `${body}.${tagOf(key.secret, body)}`;
}

/** The v1 payload, base64url: a JSON array (see `Payload`). */
function payloadV1(claims: NoticeClaims): string {
  const payload: Payload = [
    1,
    claims.auctionId,
    claims.impId,
    claims.campaignId,
    claims.creativeId,
    claims.channelId,
    claims.bidCpmMicros,
    claims.bidCpmAccountMicros,
    claims.currency,
    Math.floor(claims.issuedAtMs / 1000),
    claims.instanceId,
    claims.day,
    claims.personId ?? '',
    claims.dealId ?? '',
  ];
  const ppb = claims.expected === undefined ? -1 : Math.round(claims.expected * kPpb);
  const floor = claims.floorCpmMicros ?? 0;
  if (floor > 0 || claims.beacon === true)
    payload.push(claims.explore === true ? 1 : 0, ppb >= 0 && ppb <= kPpb ? ppb : -1, floor, claims.beacon ? 1 : 0);
  else if (ppb >= 0 && ppb <= kPpb) payload.push(claims.explore === true ? 1 : 0, ppb);
  else if (claims.explore === true) payload.push(1);
  const json = JSON.stringify(payload);
  return json.length * 3 <= kMaxToken
    ? gText.toString('base64url', 0, gText.write(json, 0, 'utf8'))
    : Buffer.from(json, 'utf8').toString('base64url');
}

// ── v2 ────────────────────────────────────────────────────────────────────────────────────────────────────
const kV2 = 2;
/** Flags byte: which optional claims follow. Any other bit set is refused. */
const kExplore = 1;
const kExpected = 2;
const kFloor = 4;
const kBeacon = 8;
const kPerson = 16;
const kDeal = 32;
const kAllFlags = 63;
/** Room a payload may take in the scratch (a v2 payload is bounded by the token's own limit). */
const kMaxPayload = (kMaxToken * 3) >> 2;
// The binary payload is assembled here (signing) or decoded here (verifying); synchronous, like gText.
const gBin = Buffer.alloc(kMaxPayload + 16);

/**
 * The v2 payload, base64url, or undefined when a claim does not fit it (v1 is signed instead):
 *
 *   2, flags, auctionId, impId, campaignId, creativeId, channelId, bidCpmMicros, bidCpmAccountMicros,
 *   currency, issued-at seconds, instanceId, day, [personId], [dealId], [expected ppb], [floor micros]
 *
 * Counts are LEB128 varints (minimal), strings a varint length then that many ASCII bytes. The bracketed
 * fields are present exactly when their flag is set (kPerson, kDeal, kExpected, kFloor); kExplore and
 * kBeacon carry their claim alone. The same claims as v1 come back: person and deal '' are absent, the
 * expected actions in parts per billion within [0, 1], a floor only when above 0.
 */
function signV2(c: NoticeClaims): string | undefined {
  const b = gBin;
  const ppb = c.expected === undefined ? -1 : Math.round(c.expected * kPpb);
  const floor = c.floorCpmMicros ?? 0;
  const person = c.personId !== undefined && c.personId !== '';
  const deal = c.dealId !== undefined && c.dealId !== '';
  const expected = ppb >= 0 && ppb <= kPpb;
  b[0] = kV2;
  b[1] =
    (c.explore === true ? kExplore : 0) |
    (expected ? kExpected : 0) |
    (floor > 0 ? kFloor : 0) |
    (c.beacon === true ? kBeacon : 0) |
    (person ? kPerson : 0) |
    (deal ? kDeal : 0);
  let n = putAscii(b, 2, c.auctionId);
  n = putAscii(b, n, c.impId);
  n = putAscii(b, n, c.campaignId);
  n = putAscii(b, n, c.creativeId);
  n = putAscii(b, n, c.channelId);
  n = putCount(b, n, c.bidCpmMicros);
  n = putCount(b, n, c.bidCpmAccountMicros);
  n = putAscii(b, n, c.currency);
  n = putCount(b, n, Math.floor(c.issuedAtMs / 1000));
  n = putAscii(b, n, c.instanceId);
  n = putAscii(b, n, c.day);
  if (person) n = putAscii(b, n, c.personId!);
  if (deal) n = putAscii(b, n, c.dealId!);
  if (expected) n = putCount(b, n, ppb);
  if (floor > 0) n = putCount(b, n, floor);
  return n < 0 ? undefined : b.toString('base64url', 0, n);
}

/** A varint at `n`; −1 (and stays −1) when `n` is −1 or `v` is not a non-negative safe integer. */
function putCount(b: Buffer, n: number, v: number): number {
  if (n < 0 || !Number.isSafeInteger(v) || v < 0) return -1;
  while (v >= 0x80) {
    b[n++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  b[n++] = v;
  return n;
}

/** Length and bytes of an ASCII string at `n`; −1 when `n` is −1, a character is not ASCII, or no room. */
function putAscii(b: Buffer, n: number, s: string): number {
  if (n < 0 || n + s.length + 8 > kMaxPayload) return -1;
  n = putCount(b, n, s.length);
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch >= 0x80) return -1;
    b[n + i] = ch;
  }
  return n + s.length;
}

/** Reading position through a v2 payload; `at` −1 once anything was malformed. */
interface Reader {
  at: number;
  readonly end: number;
  /** The payload as latin1 text: strings are sliced from it, no call into the runtime per field. */
  readonly text: string;
}

function getCount(r: Reader): number {
  const b = gBin;
  let v = 0;
  let scale = 1;
  for (let i = r.at; r.at >= 0 && i < r.end && i - r.at < 8; i++) {
    const byte = b[i]!;
    v += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      // Minimal form only: a last byte of 0 after others would be a second spelling of the same number.
      if ((byte === 0 && i > r.at) || v > Number.MAX_SAFE_INTEGER) break;
      r.at = i + 1;
      return v;
    }
    scale *= 0x80;
  }
  r.at = -1;
  return 0;
}

function getAscii(r: Reader): string {
  const len = getCount(r);
  const from = r.at;
  if (from < 0 || len > r.end - from) {
    r.at = -1;
    return '';
  }
  const b = gBin;
  for (let i = from; i < from + len; i++) {
    if (b[i]! >= 0x80) {
      r.at = -1;
      return '';
    }
  }
  r.at = from + len;
  return r.text.slice(from, from + len);
}

/** Claims of a v2 payload decoded into `gBin[0..end)`, or undefined when it is not the one v2 spelling. */
function decodeV2(end: number): { -readonly [K in keyof NoticeClaims]: NoticeClaims[K] } | undefined {
  const flags = gBin[1]!;
  if (end < 2 || gBin[0] !== kV2 || (flags & ~kAllFlags) !== 0) return undefined;
  const r: Reader = { at: 2, end, text: gBin.toString('latin1', 0, end) };
  const auctionId = getAscii(r);
  const impId = getAscii(r);
  const campaignId = getAscii(r);
  const creativeId = getAscii(r);
  const channelId = getAscii(r);
  const bidCpmMicros = getCount(r);
  const bidCpmAccountMicros = getCount(r);
  const currency = getAscii(r);
  const issuedAtMs = getCount(r) * 1000;
  const instanceId = getAscii(r);
  const day = getAscii(r);
  const personId = (flags & kPerson) !== 0 ? getAscii(r) : undefined;
  const dealId = (flags & kDeal) !== 0 ? getAscii(r) : undefined;
  const claims: { -readonly [K in keyof NoticeClaims]: NoticeClaims[K] } = {
    auctionId,
    impId,
    campaignId,
    creativeId,
    channelId,
    bidCpmMicros,
    bidCpmAccountMicros,
    currency,
    issuedAtMs,
    instanceId,
    day,
    personId,
    dealId,
  };
  if ((flags & kExplore) !== 0) claims.explore = true;
  if ((flags & kExpected) !== 0) {
    const ppb = getCount(r);
    if (ppb > kPpb) return undefined;
    claims.expected = ppb / kPpb;
  }
  if ((flags & kFloor) !== 0) {
    claims.floorCpmMicros = getCount(r);
    if (claims.floorCpmMicros === 0) return undefined;
  }
  if ((flags & kBeacon) !== 0) claims.beacon = true;
  // Every field read (none malformed), nothing after them, and present optional strings are not empty.
  if (r.at !== end || personId === '' || dealId === '') return undefined;
  return claims;
}

export type VerifyResult =
  | { readonly ok: true; readonly claims: NoticeClaims; readonly tokenId: string }
  | { readonly ok: false; readonly reason: 'bad_token' | 'expired' };

/** Verifies signature and age; `tokenId` (the tag) is unique per bid and keys de-duplication. */
export function verifyToken(
  token: string,
  keys: readonly NoticeKey[],
  nowMs: number,
  ttlSeconds: number,
): VerifyResult {
  const dot1 = token.indexOf('.');
  const dot2 = token.lastIndexOf('.');
  if (dot1 <= 0 || dot2 <= dot1 || token.length > kMaxToken) return { ok: false, reason: 'bad_token' };
  let key: NoticeKey | undefined;
  for (const k of keys) {
    if (k.id.length === dot1 && token.startsWith(k.id)) {
      key = k;
      break;
    }
  }
  if (key === undefined) return { ok: false, reason: 'bad_token' };
  const given = token.slice(dot2 + 1);
  if (!isCanonicalTag(given)) return { ok: false, reason: 'bad_token' };
  const tokenId = tagOf(key.secret, token.slice(0, dot2));
  // `tokenId` (equal to `given`) is a string of its own, so the de-dup sets that keep it for days do not
  // keep the whole token alive through a substring.
  if (!sameTag(given, tokenId)) return { ok: false, reason: 'bad_token' };
  const b64 = token.slice(dot1 + 1, dot2);
  // v2 starts with the byte 2 (base64url 'A'), v1 with '[' ('W'); nothing else was ever signed.
  if (b64.charCodeAt(0) === 0x41) {
    const claims = b64.length <= (kMaxPayload * 4) / 3 ? decodeV2(gBin.write(b64, 0, 'base64url')) : undefined;
    if (claims === undefined) return { ok: false, reason: 'bad_token' };
    return fresh(claims, tokenId, nowMs, ttlSeconds);
  }
  let p: unknown;
  try {
    p = JSON.parse(gText.toString('utf8', 0, gText.write(b64, 0, 'base64url')));
  } catch {
    return { ok: false, reason: 'bad_token' };
  }
  if (!isPayload(p)) return { ok: false, reason: 'bad_token' };
  const claims: { -readonly [K in keyof NoticeClaims]: NoticeClaims[K] } = {
    auctionId: p[1],
    impId: p[2],
    campaignId: p[3],
    creativeId: p[4],
    channelId: p[5],
    bidCpmMicros: p[6],
    bidCpmAccountMicros: p[7],
    currency: p[8],
    issuedAtMs: p[9] * 1000,
    instanceId: p[10],
    day: p[11],
    personId: p[12] === '' ? undefined : p[12],
    dealId: p[13] === '' ? undefined : p[13],
  };
  // Assigned rather than spread in: the same keys in the same order, without an object copy per notice.
  if (p[14] === 1) claims.explore = true;
  if (p[15] !== undefined && p[15] >= 0) claims.expected = p[15] / kPpb;
  if (p[16] !== undefined && p[16] > 0) claims.floorCpmMicros = p[16];
  if (p[17] === 1) claims.beacon = true;
  return fresh(claims, tokenId, nowMs, ttlSeconds);
}

/** Verified claims, unless issued longer than the TTL ago or from the future (beyond clock skew). */
function fresh(claims: NoticeClaims, tokenId: string, nowMs: number, ttlSeconds: number): VerifyResult {
  const issuedAtMs = claims.issuedAtMs;
  // A token from the future (beyond clock skew) is as suspect as an old one.
  if (nowMs - issuedAtMs > ttlSeconds * 1000 || issuedAtMs - nowMs > 300_000) return { ok: false, reason: 'expired' };
  return { ok: true, tokenId, claims };
}

const kStringFields: readonly number[] = [1, 2, 3, 4, 5, 8, 10, 11, 12, 13];
const kCountFields: readonly number[] = [6, 7, 9];

function isPayload(p: unknown): p is Payload {
  if (!Array.isArray(p) || p[0] !== 1) return false;
  if (
    p.length !== 14 &&
    !(p.length === 15 && p[14] === 1) &&
    !(p.length === 16 && (p[14] === 0 || p[14] === 1) && Number.isSafeInteger(p[15]) && p[15] >= 0 && p[15] <= kPpb) &&
    !(
      p.length === 18 &&
      (p[14] === 0 || p[14] === 1) &&
      Number.isSafeInteger(p[15]) &&
      p[15] >= -1 &&
      p[15] <= kPpb &&
      Number.isSafeInteger(p[16]) &&
      p[16] >= 0 &&
      (p[17] === 0 || p[17] === 1)
    )
  )
    return false;
  for (const i of kStringFields) if (typeof p[i] !== 'string') return false;
  for (const i of kCountFields) if (!Number.isSafeInteger(p[i]) || (p[i] as number) < 0) return false;
  return true;
}
