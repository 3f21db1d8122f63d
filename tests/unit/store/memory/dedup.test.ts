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

  it('answers first, duplicate, and first again after the TTL, across the sweeps of a growing map', async () => {
    const d = new MemoryDedupStore();
    const t0 = Date.UTC(2026, 10, 23);
    // 2,000 ids a minute for 10 minutes with a 3-minute TTL: the sweeps drop expired ids as they go.
    for (let m = 0; m < 10; m++) {
      const now = t0 + m * 60_000;
      for (let i = 0; i < 2000; i++) expect(await d.firstSeen(`bill:${m}:${i}`, 180, now)).toBe(true);
      for (let i = 0; i < 2000; i += 97) expect(await d.firstSeen(`bill:${m}:${i}`, 180, now + 1)).toBe(false);
      if (m >= 2)
        for (let i = 0; i < 2000; i += 89) expect(await d.firstSeen(`bill:${m - 2}:${i}`, 180, now + 2)).toBe(false);
      if (m >= 3)
        for (let i = 0; i < 2000; i += 83)
          expect(await d.firstSeen(`bill:${m - 3}:${i}`, 180, now + 2), `minute ${m - 3} id ${i}`).toBe(true);
    }
  });
});
