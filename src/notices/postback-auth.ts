/**
 * Authenticating an advertiser's conversion postback with its per-advertiser secret, one of:
 *
 *   token=<secret>                         for platforms that cannot sign (the secret travels in the URL)
 *   sig=hex(HMAC-SHA256(secret, canonical)) canonical = every other parameter, `sig` excluded, sorted by
 *                                          name (code-unit order), as encodeURIComponent(name) "="
 *                                          encodeURIComponent(value), joined by "&"
 *
 * Both comparisons are constant-time: the token through fixed-length digests (so neither its content nor
 * its length leaks through timing), the signature with `timingSafeEqual` on the decoded bytes.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Advertiser } from '../config/advertisers.js';

export type PostbackAuthResult = 'ok' | 'missing' | 'bad';

const kHexSig = /^[0-9a-fA-F]{64}$/;

export function canonicalQuery(params: ReadonlyMap<string, string>): string {
  const names = [...params.keys()].filter((n) => n !== 'sig').sort();
  return names.map((n) => `${encodeURIComponent(n)}=${encodeURIComponent(params.get(n)!)}`).join('&');
}

/** The `sig` an advertiser sends for these parameters (tests, docs and client examples use it too). */
export function signPostback(params: ReadonlyMap<string, string>, secret: Buffer | string): string {
  return createHmac('sha256', secret).update(canonicalQuery(params)).digest('hex');
}

/**
 * `missing` when the request carries neither `sig` nor `token`; `bad` when the advertiser is unknown, has
 * no secret, does not allow the method used, or the credential does not match. A request with both is
 * judged by its signature.
 */
export function verifyPostback(
  params: ReadonlyMap<string, string>,
  advertiser: Advertiser | undefined,
): PostbackAuthResult {
  const sig = params.get('sig');
  const token = params.get('token');
  if (sig === undefined && token === undefined) return 'missing';
  if (advertiser === undefined || advertiser.secret === undefined) return 'bad';
  if (sig !== undefined) {
    if (advertiser.auth === 'token' || !kHexSig.test(sig)) return 'bad';
    const want = createHmac('sha256', advertiser.secret).update(canonicalQuery(params)).digest();
    return timingSafeEqual(Buffer.from(sig, 'hex'), want) ? 'ok' : 'bad';
  }
  if (advertiser.auth === 'sig') return 'bad';
  const given = createHash('sha256').update(token!).digest();
  const want = createHash('sha256').update(advertiser.secret).digest();
  return timingSafeEqual(given, want) ? 'ok' : 'bad';
}
