import { describe, expect, it } from 'vitest';
import { budgetField, hashSlot, KeySchema } from '../../../src/store/redis/keys.js';

describe('redis key schema', () => {
  const k = new KeySchema('pg:');

  it('follows the documented patterns', () => {
    expect(k.id('uid:42')).toBe('pg:id:{uid:42}');
    expect(k.segments('p1')).toBe('pg:seg:{p1}');
    expect(k.frequency('p1')).toBe('pg:fq:{p1}');
    expect(k.budget('c1')).toBe('pg:bud:{c1}');
    expect(k.leases('c1')).toBe('pg:bud:{c1}:l');
    expect(k.settled({ campaignId: 'c1', channelId: 'x', day: '2026-11-23' })).toBe('pg:bud:{c1}:st:x:2026-11-23');
    expect(k.dedup('bill:t')).toBe('pg:dn:{bill:t}');
    expect(k.click('AbC_-1')).toBe('pg:clk:{AbC_-1}');
    expect(k.lastClick('acme', 'p1')).toBe('pg:lclk:{acme:p1}');
    expect(budgetField({ campaignId: 'c1', channelId: 'x', day: '2026-11-23' })).toBe('x:2026-11-23');
  });

  it('rejects a prefix with braces and empty ids (either would break the hash tags)', () => {
    expect(() => new KeySchema('a{b}:')).toThrow(RangeError);
    expect(() => k.segments('')).toThrow(RangeError);
  });
});

describe('hashSlot', () => {
  it('matches Redis Cluster reference values', () => {
    expect(hashSlot('123456789')).toBe(12739);
    expect(hashSlot('foo')).toBe(12182);
    expect(hashSlot('bar')).toBe(5061);
    expect(hashSlot('{foo}bar')).toBe(12182);
    // An empty tag hashes the whole key; only the first `{…}` counts.
    expect(hashSlot('foo{}{bar}')).not.toBe(hashSlot('bar'));
    expect(hashSlot('foo{bar}{zap}')).toBe(hashSlot('bar'));
  });
});
