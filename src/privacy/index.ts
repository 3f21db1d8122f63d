/** The privacy port the bid path uses: a decider bound to the live policy and a shared consent cache. */
import type { BidRequest } from '../openrtb/types.js';
import { ConsentCache, decidePrivacy, type PrivacyDecision, type PrivacyPolicy } from './decision.js';

export type { PrivacyDecision, PrivacyPolicy } from './decision.js';

export function createPrivacyDecider(
  policy: () => PrivacyPolicy,
  cache = new ConsentCache(),
): (req: BidRequest) => PrivacyDecision {
  return (req) => decidePrivacy(req, policy(), cache);
}
