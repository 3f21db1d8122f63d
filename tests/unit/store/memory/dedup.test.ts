import { describe, expect, it } from 'vitest';
import { MemoryDedupStore } from '../../../../src/store/memory/dedup.js';

describe('MemoryDedupStore', () => {
  it('answers once per id until the id expires, then once again', async () => {
    const d = new MemoryDedupStore();
    expect(await d.firstSeen('a', 10, 0)).toBe(true);
    expect(await d.firstSeen('a', 10, 9_999)).toBe(false);
    expect(await d.firstSeen('a', 10, 10_000)).toBe(true);
    expect(await d.firstSeen('a', 10, 15_000)).toBe(false);
  });

  it('sweeps expired ids away and keeps live ones', async () => {
    const d = new MemoryDedupStore();
    for (let i = 0; i < 1000; i++) await d.firstSeen(`id${i}`, 60, i); // the first call sweeps (next at 60 s)
    await d.firstSeen('late', 60, 60_500); // sweeps: id0…id500 expired by 60.5 s
    expect(d.size).toBe(500);
    expect(await d.firstSeen('id501', 60, 60_500)).toBe(false);
    expect(await d.firstSeen('id500', 60, 60_500)).toBe(true);
  });

  it('answers right with mixed TTLs (a short id behind a long one)', async () => {
    const m = new MemoryDedupStore();
    await m.firstSeen('long', 3600, 0);
    await m.firstSeen('short', 1, 0);
    expect(await m.firstSeen('short', 1, 70_000)).toBe(true);
    expect(await m.firstSeen('long', 3600, 70_000)).toBe(false);
    // An expired id set again moves to the end, so the sweep that passes its old place keeps it.
    await m.firstSeen('short', 1, 3_600_000);
    expect(await m.firstSeen('short', 1, 3_600_500)).toBe(false);
  });
});
