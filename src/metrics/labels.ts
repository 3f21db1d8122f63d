/**
 * Closed label sets. Metric labels come only from these lists or from config ids (channels, campaigns),
 * never from request data, so cardinality is bounded by the config.
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

/** `imp`: the impression beacon in the markup of channels billed server to server (never billed). */
export const kNoticeTypes = ['win', 'bill', 'loss', 'click', 'imp'] as const;
export type NoticeType = (typeof kNoticeTypes)[number];

/** `raised`: a notice settled before came again at a higher price (the ledger keeps the highest);
 * `unavailable`: the store failed, answered 503 so the sender retries. */
export const kNoticeOutcomes = [
  'ok',
  'duplicate',
  'raised',
  'bad_token',
  'expired',
  'bad_price',
  'unknown_campaign',
  'unavailable',
] as const;
export type NoticeOutcome = (typeof kNoticeOutcomes)[number];

/** Why a bid request was answered 204 at once, unpriced: its deadline could not be met, or too many wait. */
export const kShedReasons = ['deadline', 'queue'] as const;
export type ShedReason = (typeof kShedReasons)[number];

export const kRequestOutcomes = [
  'bid',
  'nobid',
  'bad_request',
  'too_large',
  'unknown_channel',
  'unsupported',
  'error',
] as const;
export type RequestOutcome = (typeof kRequestOutcomes)[number];

export const kLookupOutcomes = [
  'hit',
  'unknown',
  'cache',
  'timeout',
  'error',
  'no_ids',
  'skipped',
  'no_consent',
] as const;
export type LookupOutcome = (typeof kLookupOutcomes)[number];

/** Conversion postbacks: credited to a click, accepted without one, or refused (and why). */
export const kConversionOutcomes = [
  'attributed',
  'unattributed',
  'duplicate',
  'bad_request',
  'no_credentials',
  'bad_credentials',
  'unknown_click',
  'error',
] as const;
export type ConversionOutcome = (typeof kConversionOutcomes)[number];
