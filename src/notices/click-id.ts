/**
 * Click ids (`pgclid`): what the landing page keeps and the advertiser posts back with a conversion.
 *
 *   pgclid = base64url(HMAC-SHA256(notice key that signed the click token, "pgclid\0" tokenId)[0..16])
 *
 * Deterministic, so a repeated click on the same ad carries the same id to the landing page; keyed, so the
 * id cannot be computed by anyone who saw the click URL (the exchange, the publisher page) or guessed for
 * someone else's click, unlike the token's tag itself, which is public in the ad markup.
 */
import { createHmac } from 'node:crypto';

const kClickIdParam = 'pgclid';
const kIdBytes = 16;

export function clickIdFor(tokenId: string, key: Buffer): string {
  return createHmac('sha256', key)
    .update('pgclid\0')
    .update(tokenId)
    .digest()
    .subarray(0, kIdBytes)
    .toString('base64url');
}

/**
 * Appends `pgclid=<id>` to a landing URL, keeping its query and fragment byte for byte (re-serialising it
 * through `URL.searchParams` would re-encode the advertiser's own parameters).
 */
export function withClickId(landingUrl: string, clickId: string): string {
  const hash = landingUrl.indexOf('#');
  const base = hash === -1 ? landingUrl : landingUrl.slice(0, hash);
  const fragment = hash === -1 ? '' : landingUrl.slice(hash);
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${sep}${kClickIdParam}=${clickId}${fragment}`;
}
