/**
 * Closed label sets. Metric labels come only from closed lists or from config ids (channels, campaigns),
 * never from request data, so cardinality is bounded by the config. The domain's own words are defined where
 * they are decided and imported here by the registry: no-bid reasons (`auction/nbr.ts`), notice and
 * conversion outcomes (`notices/`), lookup outcomes (`segments/profile-lookup.ts`). This file holds the
 * words of the HTTP edge.
 */

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

/** Why a bid request was answered 204 at once, unpriced: its deadline could not be met, or too many wait. */
export const kShedReasons = ['deadline', 'queue'] as const;
export type ShedReason = (typeof kShedReasons)[number];
