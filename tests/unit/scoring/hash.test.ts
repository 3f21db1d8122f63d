import { describe, expect, it } from 'vitest';
import { hashInt, murmur3, murmur3Concat, toUnit } from '../../../src/scoring/hash.js';

describe('murmur3 x86_32', () => {
  it('matches the reference vectors (UTF-8 bytes, seeds)', () => {
    const cases: [string, number, number][] = [
      ['', 0, 0],
      ['', 1, 0x514e28b7],
      ['hello', 0, 0x248bfa47],
      ['The quick brown fox jumps over the lazy dog', 0, 0x2e4ff723],
      ['aaaa', 0x9747b28c, 0x5a97808a],
      ['Hello, world!', 0x9747b28c, 0x24884cba],
      ['ππππππππ', 0x9747b28c, 0xd58063c1],
    ];
    for (const [s, seed, want] of cases) expect(murmur3(s, seed) >>> 0, s).toBe(want);
  });
  it('equals a hash of the UTF-8 encoding for astral characters and lone surrogates', () => {
    // 😀 is 4 UTF-8 bytes; a lone surrogate encodes as U+FFFD (like TextEncoder) — same hash as the literal.
    expect(murmur3('a😀b')).toBe(murmur3Concat('a😀', 'b'));
    expect(murmur3('x\ud800y')).toBe(murmur3('x\ufffdy'));
  });
  it('folds ASCII case only when asked, and can skip a prefix', () => {
    expect(murmur3('News.EXAMPLE', 3, true)).toBe(murmur3('news.example', 3));
    expect(murmur3('News.EXAMPLE', 3)).not.toBe(murmur3('news.example', 3));
    expect(murmur3('www.news.example', 3, false, 4)).toBe(murmur3('news.example', 3));
  });
  it('concatenates without building the string', () => {
    expect(murmur3Concat('exp-1:', 'person-42')).toBe(murmur3('exp-1:person-42'));
  });
  it('spreads integers and strings uniformly enough for bucketing', () => {
    const bins = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) bins[Math.floor(toUnit(hashInt(i, 7)) * 16)]!++;
    for (const b of bins) expect(Math.abs(b - 1000)).toBeLessThan(150);
  });
});
