import { describe, expect, it } from 'vitest';
import { ArrivalEstimator } from '../../../src/http/arrival.js';

/** A fake loop: `turn(ms)` runs one turn of request handling that lasts `ms`, then its after-turn callbacks. */
function fakeLoop() {
  let now = 1_000;
  let pending: (() => void)[] = [];
  const est = new ArrivalEstimator({ now: () => now, afterTurn: (fn) => pending.push(fn) });
  return {
    est,
    advance(ms: number) {
      now += ms;
    },
    /** Handles `n` requests spread over `ms`; returns each request's estimated arrival and when it was read. */
    turn(n: number, ms: number): { arrival: number; readAt: number }[] {
      const out = [];
      for (let i = 0; i < n; i++) {
        out.push({ arrival: est.arrival(), readAt: now });
        now += ms / n;
      }
      const fns = pending;
      pending = [];
      for (const fn of fns) fn();
      return out;
    },
  };
}

describe('ArrivalEstimator', () => {
  it('after an idle gap, a request arrived when its turn began', () => {
    const loop = fakeLoop();
    loop.turn(1, 0.1);
    loop.advance(50);
    const [r] = loop.turn(1, 0.1);
    expect(r!.arrival).toBe(r!.readAt);
  });

  it('requests later in a long turn count the turn so far as waiting', () => {
    const loop = fakeLoop();
    loop.advance(10);
    const rs = loop.turn(10, 40);
    expect(rs[9]!.readAt - rs[9]!.arrival).toBeCloseTo(36, 5);
  });

  it('back-to-back turns (overload): a request may have waited since the previous turn began', () => {
    const loop = fakeLoop();
    loop.advance(10);
    const first = loop.turn(100, 30);
    loop.advance(0.2);
    const second = loop.turn(100, 30);
    expect(second[0]!.arrival).toBe(first[0]!.readAt);
    expect(second[99]!.readAt - second[99]!.arrival).toBeGreaterThan(59);
  });

  it('the estimate falls back once the backlog is gone', () => {
    const loop = fakeLoop();
    loop.turn(100, 30);
    loop.advance(0.2);
    loop.turn(100, 30);
    loop.advance(5);
    const [r] = loop.turn(1, 0.1);
    expect(r!.arrival).toBe(r!.readAt);
  });
});
