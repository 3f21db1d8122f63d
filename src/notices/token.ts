/**
 * Signed notice tokens. Every bid's nurl/burl/lurl (and click URL) carries one; notices are trusted only
 * through it. A token binds the auction, imp, campaign, creative, channel, bid price and issue time, plus
 * what settlement needs (the instance that reserved the budget, the budget day, the person for frequency).
 *
 *   t = <keyId> "." base64url(JSON payload) "." base64url(HMAC-SHA256(key, keyId "." payload)[0..16])
 *
 * The first configured key signs; every configured key verifies, so keys rotate with two active. A
 * 128-bit truncated tag is ample for an online forgery bound (NIST SP 800-107 §5.3.4).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NoticeKey } from '../config/snapshot.js';

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
}

const kTagBytes = 16;

// An optional 15th element, 1, marks an exploration bid (tokens without it are regular bids). An optional
// 16th, the expected actions in parts per billion, follows it (the 15th is then 0 for a regular bid).
type Payload = [1, string, string, string, string, string, number, number, string, number, string, string, string, string, (1 | 0)?, number?];
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
  if (ppb >= 0 && ppb <= kPpb) payload.push(claims.explore === true ? 1 : 0, ppb);
  else if (claims.explore === true) payload.push(1);
  const body = `${key.id}.${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
  return `${body}.${tag(key.secret, body).toString('base64url')}`;
}

export type VerifyResult =
  | { readonly ok: true; readonly claims: NoticeClaims; readonly tokenId: string }
  | { readonly ok: false; readonly reason: 'bad_token' | 'expired' };

/** Verifies signature and age; `tokenId` (the tag) is unique per bid and keys de-duplication. */
export function verifyToken(token: string, keys: readonly NoticeKey[], nowMs: number, ttlSeconds: number): VerifyResult {
  const dot1 = token.indexOf('.');
  const dot2 = token.lastIndexOf('.');
  if (dot1 <= 0 || dot2 <= dot1 || token.length > 4096) return { ok: false, reason: 'bad_token' };
  const kid = token.slice(0, dot1);
  const key = keys.find((k) => k.id === kid);
  if (key === undefined) return { ok: false, reason: 'bad_token' };
  const body = token.slice(0, dot2);
  const given = Buffer.from(token.slice(dot2 + 1), 'base64url');
  if (given.length !== kTagBytes || !timingSafeEqual(given, tag(key.secret, body))) return { ok: false, reason: 'bad_token' };
  let p: unknown;
  try {
    p = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'bad_token' };
  }
  if (!isPayload(p)) return { ok: false, reason: 'bad_token' };
  const issuedAtMs = p[9] * 1000;
  // A token from the future (beyond clock skew) is as suspect as an old one.
  if (nowMs - issuedAtMs > ttlSeconds * 1000 || issuedAtMs - nowMs > 300_000) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    tokenId: token.slice(dot2 + 1),
    claims: {
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
      ...(p[14] === 1 ? { explore: true } : {}),
      ...(p[15] === undefined ? {} : { expected: p[15] / kPpb }),
    },
  };
}

function tag(secret: Buffer, body: string): Buffer {
  return createHmac('sha256', secret).update(body).digest().subarray(0, kTagBytes);
}

function isPayload(p: unknown): p is Payload {
  if (!Array.isArray(p) || p[0] !== 1) return false;
  if (p.length !== 14 && !(p.length === 15 && p[14] === 1) && !(p.length === 16 && (p[14] === 0 || p[14] === 1) && Number.isSafeInteger(p[15]) && p[15] >= 0 && p[15] <= kPpb)) return false;
  for (const i of [1, 2, 3, 4, 5, 8, 10, 11, 12, 13]) if (typeof p[i] !== 'string') return false;
  for (const i of [6, 7, 9]) if (!Number.isSafeInteger(p[i]) || (p[i] as number) < 0) return false;
  return true;
}
