import { describe, expect, it } from 'vitest';
import { accountMicros } from '../../../src/notices/account-price.js';
import type { NoticeClaims } from '../../../src/tokens/token.js';

const claims = (bidCpmMicros: number, bidCpmAccountMicros: number) =>
  ({ bidCpmMicros, bidCpmAccountMicros }) as Pick<NoticeClaims, 'bidCpmMicros' | 'bidCpmAccountMicros'> as NoticeClaims;

describe('accountMicros', () => {
  it('converts a clearing price at the rate the bid was made at', () => {
    // Bid 2.00 EUR = 2.20 USD (account): a 1.50 EUR clearing price is 1.65 USD.
    expect(accountMicros(claims(2_000_000, 2_200_000), 1_500_000)).toBe(1_650_000);
  });

  it('leaves a price in the account currency unchanged', () => {
    expect(accountMicros(claims(3_141_593, 3_141_593), 2_718_282)).toBe(2_718_282);
  });

  it('is 0 for a zero bid rather than dividing by it', () => {
    expect(accountMicros(claims(0, 0), 1_000_000)).toBe(0);
  });
});
