import { describe, expect, it } from 'vitest';
import { tokenFloorMicros } from '../../../src/notices/price-range.js';

describe('token price floor', () => {
  const base = { minPrice: 'auction', bidMicros: 2_100_000, floorMicros: 500_000, sameCurrency: true } as const;
  it('first price: the bid, less 1% for rounding', () => {
    expect(tokenFloorMicros({ ...base, firstPrice: true })).toBe(2_079_000);
  });
  it('second price: the auction floor, less 1% (5% when converted from another currency)', () => {
    expect(tokenFloorMicros({ ...base, firstPrice: false })).toBe(495_000);
    expect(tokenFloorMicros({ ...base, firstPrice: false, sameCurrency: false })).toBe(475_000);
    expect(tokenFloorMicros({ ...base, firstPrice: false, floorMicros: 0 })).toBe(0);
    // A floor above the bid (a deal's, say) never puts the range above the bid.
    expect(tokenFloorMicros({ ...base, firstPrice: false, floorMicros: 9_000_000 })).toBe(2_079_000);
  });
  it('minPrice none binds nothing', () => {
    expect(tokenFloorMicros({ ...base, minPrice: 'none', firstPrice: true })).toBe(0);
  });
});
