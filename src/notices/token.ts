/**
 * Signed notice tokens. Every bid's nurl/burl/lurl (and click URL) carries one; notices are trusted only
 * through it. A token binds the auction, imp, campaign, creative, channel, bid price and issue time, plus
 * what settlement needs (the instance that reserved the budget, the budget day, the person for frequency),
 * and who may set the price: the lowest plain price accepted, and whether this is the markup's beacon copy
 * (docs/notice-prices.md).
 *
 *   t = <keyId> "." base64url(JSON payload) "." base64url(HMAC-SHA256(key, keyId "." payload)[0..16])
 *
 * The first configured key signs; every configured key verifies, so keys rotate with two active. A
 * 128-bit truncated tag is ample for an online forgery bound (NIST SP 800-107 §5.3.4).
 */
import type { NoticeKey } from '../config/snapshot.js';
import { hmacSha256Base64url } from './hmac.js';

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
  const b64 =
    json.length * 3 <= kMaxToken
      ? gText.toString('base64url', 0, gText.write(json, 0, 'utf8'))
      : Buffer.from(json, 'utf8').toString('base64url');
  const body = `${key.id}.${b64}`;
  return `${body}.${tagOf(key.secret, body)}`;
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
  let p: unknown;
  try {
    p = JSON.parse(gText.toString('utf8', 0, gText.write(token.slice(dot1 + 1, dot2), 0, 'base64url')));
  } catch {
    return { ok: false, reason: 'bad_token' };
  }
  if (!isPayload(p)) return { ok: false, reason: 'bad_token' };
  const issuedAtMs = p[9] * 1000;
  // A token from the future (beyond clock skew) is as suspect as an old one.
  if (nowMs - issuedAtMs > ttlSeconds * 1000 || issuedAtMs - nowMs > 300_000) return { ok: false, reason: 'expired' };
  const claims: { -readonly [K in keyof NoticeClaims]: NoticeClaims[K] } = {
    auctionId: p[1],
    impId: p[2],
    campaignId: p[3],
    creativeId: p[4],
    channelId: p[5],
    bidCpmMicros: p[6],
    bidCpmAccountMicros: p[7],
    currency: p[8],
    issuedAtMs,
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
