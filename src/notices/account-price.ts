/**
 * Clearing prices come back from the exchange in the bid's currency; budgets and the scorer think in the
 * account currency. A token carries the bid in both (`bidCpmMicros`, `bidCpmAccountMicros`), so a price
 * converts at the rate the bid was made at, with no rate table on the notice path.
 */
import type { NoticeClaims } from '../tokens/token.js';

export function accountMicros(c: NoticeClaims, cpmMicros: number): number {
  return c.bidCpmMicros === 0 ? 0 : Math.round((cpmMicros * c.bidCpmAccountMicros) / c.bidCpmMicros);
}
