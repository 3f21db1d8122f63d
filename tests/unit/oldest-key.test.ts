import { describe, expect, it } from 'vitest';
import { OldestKey } from '../../src/oldest-key.js';

describe('OldestKey', () => {
  it('gives the least recently set key of an LRU map, across touches, deletes and additions', () => {
    const m = new Map<string, number>();
    const oldest = new OldestKey(m);
    expect(oldest.take()).toBeUndefined();
    for (const k of ['a', 'b', 'c', 'd']) m.set(k, 0);
    expect(oldest.take()).toBe('a');
    m.delete('a');
    // Touch b: it becomes the newest.
    m.delete('b');
    m.set('b', 1);
    expect(oldest.take()).toBe('c');
    m.delete('c');
    m.delete('d');
    expect(oldest.take()).toBe('b');
    m.delete('b');
    expect(oldest.take()).toBeUndefined();
    m.set('e', 0);
    expect(oldest.take()).toBe('e');
  });

  it('matches keys().next() over a long LRU workload, and starts over after clear()', () => {
    const m = new Map<number, number>();
    const oldest = new OldestKey(m);
    let seed = 1;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20_000; i++) {
      const k = Math.floor(rand() * 3_000);
      if (m.has(k)) m.delete(k);
      m.set(k, i);
      if (m.size > 1_000) {
        const expected = m.keys().next().value;
        expect(oldest.take()).toBe(expected);
        m.delete(expected!);
      }
    }
    m.clear();
    oldest.reset();
    m.set(7, 0);
    expect(oldest.take()).toBe(7);
  });
});
