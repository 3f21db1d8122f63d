/**
 * Why the auction did not bid: the closed list of our no-bid reasons (the furthest stage any campaign
 * reached; also the `reason` label of `peregrine_no_bids_total`), mapped to OpenRTB 2.6 no-bid reason codes
 * (§5.24) for responses that carry `nbr` (a 200 with an empty seatbid, e.g. for Prebid). Reasons with no
 * fitting code map to 0 (unknown error) as the spec allows; the precise reason is always in our metrics.
 */

export const kNoBidReasons = [
  'no_campaign',
  'targeting',
  'blocked',
  'below_floor',
  'currency',
  'budget',
  'pacing',
  'frequency',
  'segments',
  'privacy',
  'deadline',
  'no_creative',
  'holdout',
  'scoring',
  'unknown_bidder',
  'error',
] as const;
export type NoBidReason = (typeof kNoBidReasons)[number];

export const kNbr: Readonly<Record<NoBidReason, number>> = {
  no_campaign: 0,
  targeting: 0,
  blocked: 7, // blocked publisher or site
  below_floor: 0,
  currency: 0,
  budget: 0,
  pacing: 0,
  frequency: 9, // daily reader cap met
  segments: 8, // unmatched user
  privacy: 0,
  deadline: 1, // technical error
  no_creative: 0,
  holdout: 0,
  scoring: 1,
  unknown_bidder: 0,
  error: 1,
};
