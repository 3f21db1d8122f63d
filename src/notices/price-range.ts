/**
 * The lowest plain price a notice may claim, bound into the token at bid time (docs/notice-prices.md).
 * On a channel whose billing URL sits in the ad markup, the page can fire that URL itself with any price up
 * to our bid (`?p=0`); the exchange never charges less than the auction's floor, so a price below it can
 * only come from the page and is refused, leaving the notice free for the exchange's real one.
 *
 *  - first price: the exchange charges our bid, so the floor is the bid;
 *  - second price: it charges at least the imp's (or deal's) floor.
 *
 * A slack below that absorbs rounding by exchanges (prices cut to cents) and, when the floor was in another
 * currency, the difference between the exchange's exchange rate and ours: refusing a real notice would
 * under-record spend, which costs more than letting the page shave a percent.
 */

/** Same currency: rounding only. */
export const kFloorSlack = 0.99;
/** Floor converted from another currency: rates differ between us and the exchange. */
export const kCrossCurrencyFloorSlack = 0.95;

export interface FloorInput {
  readonly minPrice: 'auction' | 'none';
  readonly firstPrice: boolean;
  /** Our bid, micros of the response currency. */
  readonly bidMicros: number;
  /** The auction's floor converted to the response currency, micros. */
  readonly floorMicros: number;
  /** The floor was set in the response currency (no conversion). */
  readonly sameCurrency: boolean;
}

/** Micros of the response currency; 0 when nothing is bound (`minPrice: none`, no floor). */
export function tokenFloorMicros(f: FloorInput): number {
  if (f.minPrice === 'none') return 0;
  if (f.firstPrice) return Math.floor(f.bidMicros * kFloorSlack);
  const slack = f.sameCurrency ? kFloorSlack : kCrossCurrencyFloorSlack;
  return Math.max(0, Math.floor(Math.min(f.bidMicros, f.floorMicros) * slack));
}
