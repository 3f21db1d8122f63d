/**
 * Currency at the edges: floors arrive in the imp's (or deal's) currency, bids leave in one the request
 * allows (`cur`, OpenRTB 2.6 §3.2.1), and everything in between is account-currency micros.
 */

/** Floor CPM in account micros, or `undefined` when the currency is not in the rate table. */
export function floorMicros(bidfloor: number, cur: string, fx: ReadonlyMap<string, number>): number | undefined {
  if (bidfloor <= 0) return 0;
  const rate = fx.get(cur);
  return rate === undefined ? undefined : Math.ceil(bidfloor * rate * 1_000_000);
}

/**
 * The response currency: the account currency when the request allows it (or says nothing), else the
 * first allowed currency we have a rate for; `undefined` when we can price in none of them.
 */
export function responseCurrency(
  allowed: readonly string[] | undefined,
  account: string,
  fx: ReadonlyMap<string, number>,
): string | undefined {
  if (allowed === undefined || allowed.length === 0 || allowed.includes(account)) return account;
  for (const c of allowed) if (fx.has(c)) return c;
  return undefined;
}

/** Account micros → micros of `cur`, rounded up so a bid at the floor never converts to below it. */
export function toCurrencyMicros(accountMicros: number, cur: string, fx: ReadonlyMap<string, number>): number {
  const rate = fx.get(cur) ?? 1;
  return rate === 1 ? accountMicros : Math.ceil(accountMicros / rate);
}
