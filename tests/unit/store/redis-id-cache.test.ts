import { describe, expect, it } from 'vitest';
import { IdCache } from '../../../src/store/redis/id-cache.js';

describe('IdCache', () => {
  it('answers alone only when it knows the first id that maps to a person (or that all are unknown)', () => {
    const c = new IdCache(10, 1_000, 100);
    expect(c.resolve(['a'], 0)).toBeUndefined();
    c.put('a', null, 0, 0);
    c.put('b', 'P', 10_000, 0);
    expect(c.resolve(['a', 'b'], 1)).toBe('P');
    expect(c.resolve(['a'], 1)).toBeNull();
    expect(c.resolve(['a', 'zz'], 1)).toBeUndefined();
    expect(c.resolve(['zz', 'b'], 1)).toBeUndefined();
  });

  it('expires by the caller’s clock, never later than the edge, sooner for unknown ids', () => {
    const c = new IdCache(10, 1_000, 100);
    c.put('a', 'P', 500, 0);
    c.put('b', 'Q', 10_000, 0);
    c.put('n', null, 0, 0);
    expect(c.resolve(['a'], 499)).toBe('P');
    expect(c.resolve(['a'], 500)).toBeUndefined();
    expect(c.resolve(['b'], 999)).toBe('Q');
    expect(c.resolve(['b'], 1_000)).toBeUndefined();
    expect(c.resolve(['n'], 99)).toBeNull();
    expect(c.resolve(['n'], 100)).toBeUndefined();
  });

  it('is bounded, evicting the least recently used; size 0 disables it', () => {
    const c = new IdCache(2, 1_000, 1_000);
    c.put('a', 'A', 1e9, 0);
    c.put('b', 'B', 1e9, 0);
    c.resolve(['a'], 1);
    c.put('c', 'C', 1e9, 1);
    expect(c.size).toBe(2);
    expect(c.resolve(['b'], 2)).toBeUndefined();
    expect(c.resolve(['a'], 2)).toBe('A');
    const off = new IdCache(0, 1_000, 1_000);
    off.put('a', 'A', 1e9, 0);
    expect(off.resolve(['a'], 1)).toBeUndefined();
  });
});
