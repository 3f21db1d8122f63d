import { describe, expect, it } from 'vitest';
import { aim } from '../../../src/pacing/aim.js';

const M = 60_000;
const dayEnd = 1_440 * M;

describe('aim', () => {
  it('mid-day: the lead, then the horizon beyond it', () => {
    expect(aim(600 * M, dayEnd, 10 * M, 30 * M)).toEqual({ leadAt: 610 * M, aheadAt: 640 * M, aheadMs: 40 * M });
  });
  it('no lead, no horizon: both points are now', () => {
    expect(aim(600 * M, dayEnd, 0, 0)).toEqual({ leadAt: 600 * M, aheadAt: 600 * M, aheadMs: 0 });
  });
  it('near the end of the day the horizon, then the lead, pile up at midnight', () => {
    // 20 minutes left: the lead still fits, the horizon does not.
    expect(aim(1_420 * M, dayEnd, 10 * M, 30 * M)).toEqual({ leadAt: 1_430 * M, aheadAt: dayEnd, aheadMs: 20 * M });
    // 5 minutes left: neither fits.
    expect(aim(1_435 * M, dayEnd, 10 * M, 30 * M)).toEqual({ leadAt: dayEnd, aheadAt: dayEnd, aheadMs: 5 * M });
  });
  it('at or past the end of the day the time left is zero, never negative', () => {
    expect(aim(dayEnd, dayEnd, 10 * M, 30 * M).aheadMs).toBe(0);
    expect(aim(dayEnd + M, dayEnd, 10 * M, 30 * M)).toEqual({ leadAt: dayEnd, aheadAt: dayEnd, aheadMs: 0 });
  });
  it('works on absolute times (the gate passes epoch milliseconds)', () => {
    const now = Date.UTC(2026, 10, 23, 12);
    const end = Date.UTC(2026, 10, 24);
    const a = aim(now, end, 10 * M, 30 * M);
    expect(a.leadAt - now).toBe(10 * M);
    expect(a.aheadAt - now).toBe(40 * M);
  });
});
