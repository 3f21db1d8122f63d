import { describe, expect, it } from 'vitest';
import { HyperLogLog } from '../../../../src/store/memory/hyperloglog.js';

function sketch(from: number, to: number, prefix = 'person-'): HyperLogLog {
  const h = new HyperLogLog();
  for (let i = from; i < to; i++) h.add(`${prefix}${i}`);
  return h;
}

describe('HyperLogLog', () => {
  it('counts small audiences exactly (linear counting) and ignores repeats', () => {
    const h = sketch(0, 10);
    for (let i = 0; i < 10; i++) h.add(`person-${i}`);
    expect(h.count()).toBe(10);
    expect(new HyperLogLog().count()).toBe(0);
  });

  it.each([1_000, 50_000, 300_000])('estimates %i distinct people within 3%%', (n) => {
    const c = sketch(0, n).count();
    expect(Math.abs(c - n) / n).toBeLessThan(0.03);
  });

  it('merges into the sketch of the union', () => {
    const a = sketch(0, 20_000);
    a.merge(sketch(10_000, 30_000));
    expect(Math.abs(a.count() - 30_000) / 30_000).toBeLessThan(0.03);
  });

  it('hashes short and long ids alike (odd lengths, non-ASCII)', () => {
    const h = new HyperLogLog();
    for (let i = 0; i < 5_000; i++) h.add(i % 2 === 0 ? `ü${i}` : `${i}`.repeat(7));
    expect(Math.abs(h.count() - 5_000) / 5_000).toBeLessThan(0.03);
  });
});
