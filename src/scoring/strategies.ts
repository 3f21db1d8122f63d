/**
 * Bid strategies: what a campaign offers for an impression, in account CPM micros, given the floor.
 *   fixed_cpm — the configured CPM, or nothing when that is below the floor;
 *   max_cpm   — a fraction of the max CPM, raised to the floor when the max allows it.
 */
import type { BidStrategy } from '../campaigns/model.js';

export function priceFor(strategy: BidStrategy, floorMicros: number): number | undefined {
  switch (strategy.kind) {
    case 'fixed_cpm':
      return strategy.cpmMicros >= floorMicros ? strategy.cpmMicros : undefined;
    case 'max_cpm': {
      if (strategy.cpmMicros < floorMicros) return undefined;
      const base = Math.round(strategy.cpmMicros * strategy.bidFraction);
      return base >= floorMicros ? base : floorMicros;
    }
  }
}
