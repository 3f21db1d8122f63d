import { describe, expect, it } from 'vitest';
import { VirtualClock, systemClock } from '../../src/clock.js';

describe('clock', () => {
  it('virtual clock moves only forward and only when told', () => {
    const c = new VirtualClock(1000);
    expect(c.now()).toBe(1000);
    c.advance(250);
    expect(c.now()).toBe(1250);
    expect(() => c.set(10)).toThrow(RangeError);
  });
  it('system clock tracks Date.now within a few ms', () => {
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(50);
  });
});
