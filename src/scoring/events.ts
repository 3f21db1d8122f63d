/**
 * Which bids the learning loop logs. Sampling is by a hash of the auction id, so a sampled bid's notices are
 * never missing for lack of a coin flip elsewhere. The events and the sink port are the store's
 * (`store/ports.ts`), re-exported for the scoring barrel.
 */
import { murmur3, toUnit } from './hash.js';

export type { EventSink, ScoringEvent } from '../store/ports.js';

/** Whether a bid in this auction is logged at `rate` (deterministic per auction id). */
export function sampledAuction(auctionId: string, rate: number): boolean {
  return rate >= 1 || (rate > 0 && toUnit(murmur3(auctionId, 0x10c)) < rate);
}
