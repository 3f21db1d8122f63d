/**
 * The user ids a request carries, as identity-graph keys: `uid:` (exchange user id), `buid:<channel>:`
 * (buyer uid, meaningful per exchange), `ifa:` (advertising id; only when privacy allows it), and
 * `eid:<source>:` for each extended id (2.6 `user.eids`). The person behind any of them is one key away.
 */
import type { BidRequest } from '../openrtb/types.js';
import type { IdKey } from '../store/ports.js';

const kZeroIfa = /^[0-]+$/;

export function idKeysFor(req: BidRequest, channelId: string, useIfa: boolean): IdKey[] {
  const ids: IdKey[] = [];
  const user = req.user;
  if (user !== undefined) {
    if (user.id !== undefined && user.id !== '') ids.push(`uid:${user.id}`);
    if (user.buyeruid !== undefined && user.buyeruid !== '') ids.push(`buid:${channelId}:${user.buyeruid}`);
    for (const eid of user.eids) for (const uid of eid.uids) ids.push(`eid:${eid.source}:${uid.id}`);
  }
  const ifa = req.device?.ifa;
  // An all-zero IFA is what devices send when tracking is limited: it identifies nobody.
  if (useIfa && ifa !== undefined && ifa !== '' && !kZeroIfa.test(ifa)) ids.push(`ifa:${ifa.toLowerCase()}`);
  return ids;
}
