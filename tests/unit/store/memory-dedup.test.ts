import { describe, expect, it } from 'vitest';
import { MemoryDedupStore } from '../../../src/store/memory/dedup.js';

describe('MemoryDedupStore', () => {
  it('answers first, duplicate, and first again after the TTL, across the sweeps of a growing map', async () => {
    const d = new MemoryDedupStore();
    const t0 = Date.UTC(2026, 10, 23);
    // 5,000 ids a minute for 10 minutes with a 3-minute TTL: the sweeps drop expired ids as they go.
    for (let m = 0; m < 10; m++) {
      const now = t0 + m * 60_000;
      for (let i = 0; i < 5000; i++) expect(await d.firstSeen(`bill:${m}:${i}`, 180, now)).toBe(true);
      for (let i = 0; i < 5000; i += 97) expect(await d.firstSeen(`bill:${m}:${i}`, 180, now + 1)).toBe(false);
      if (m >= 2)
        for (let i = 0; i < 5000; i += 89) expect(await d.firstSeen(`bill:${m - 2}:${i}`, 180, now + 2)).toBe(false);
      if (m >= 3)
        for (let i = 0; i < 5000; i += 83)
          expect(await d.firstSeen(`bill:${m - 3}:${i}`, 180, now + 2), `minute ${m - 3} id ${i}`).toBe(true);
    }
  });
});
