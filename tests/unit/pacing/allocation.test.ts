import { describe, expect, it } from 'vitest';
import {
  baseWeights,
  channelCapMicros,
  exploreCapMicros,
  reallocate,
  type ChannelView,
} from '../../../src/pacing/allocation.js';
import { campaign } from '../../helpers/campaigns.js';

const c = campaign({
  budget: { daily: 1000, channels: { a: 0.6, b: 0.4 }, floating: 0.2, exploration: 0.1, pacing: 'even' },
});
const opts = { step: 0.1, minRatio: 1.2, minSpend: 0.01, confidence: 2 };
/** A channel that spent 100 and returned `events` clicks worth 1 each. */
const view = (channelId: string, events: number, over: Partial<ChannelView> = {}): ChannelView => ({
  channelId,
  capMicros: 500e6,
  spentMicros: 100e6,
  targetMicros: 100e6,
  valueMicros: events * 1e6,
  events,
  signal: 0.5,
  ...over,
});

describe('budget split', () => {
  it('caps are base + floating part; exploration is spread by base share; without a split the pool follows base', () => {
    expect(channelCapMicros(c, 'a', undefined)).toBe(600e6);
    expect(channelCapMicros(c, 'a', { a: 1, b: 0 })).toBe(680e6);
    expect(channelCapMicros(c, 'b', { a: 1, b: 0 })).toBe(320e6);
    expect(channelCapMicros(c, 'zz', undefined)).toBeUndefined();
    expect(exploreCapMicros(c, 'a')).toBe(60e6);
    expect(exploreCapMicros(c, 'b')).toBe(40e6);
    expect(baseWeights(c)).toEqual({ a: 0.6, b: 0.4 });
  });
  it('refuses floating + exploration above the whole budget, with the field path', () => {
    expect(() => campaign({ budget: { daily: 1, channels: { a: 1 }, floating: 0.95, exploration: 0.1 } })).toThrow(
      /budget\.floating|floating/,
    );
  });
});

describe('reallocate', () => {
  it('moves one bounded step from the worst-ROI channel to the best', () => {
    const r = reallocate(c, { a: 0.6, b: 0.4 }, [view('a', 100), view('b', 200)], opts);
    expect(r.move).toMatchObject({ from: 'a', to: 'b', fraction: 0.1 });
    expect(r.move!.roiTo! / r.move!.roiFrom!).toBeCloseTo(200.5 / 100.5);
    expect(r.weights.a).toBeCloseTo(0.5);
    expect(r.weights.b).toBeCloseTo(0.5);
  });
  it('decides on marginal ROI: a channel whose next impression costs twice its average is worth half at the margin', () => {
    // b returns 2× on average, but its operating point pays half its bid (second price): at the margin they tie.
    expect(
      reallocate(c, { a: 0.6, b: 0.4 }, [view('a', 400), view('b', 800, { marginal: 0.5 })], opts).move,
    ).toBeUndefined();
    // a's next dollar is the one that costs more: the pool moves toward b although the averages are equal.
    const r = reallocate(c, { a: 0.6, b: 0.4 }, [view('a', 400, { marginal: 0.4 }), view('b', 400)], opts);
    expect(r.move).toMatchObject({ from: 'a', to: 'b', reason: 'roi' });
    expect(r.move!.marginalTo! / r.move!.marginalFrom!).toBeCloseTo(1 / 0.4);
    expect(r.move!.roiTo! / r.move!.roiFrom!).toBeCloseTo(1);
    // And the other way: money flows back out of a channel whose margin has fallen below the other's.
    expect(
      reallocate(c, { a: 0.2, b: 0.8 }, [view('a', 400), view('b', 600, { marginal: 0.4 })], opts).move,
    ).toMatchObject({ from: 'b', to: 'a' });
  });
  it('sizes the step by how far the gap clears its bar: small near equality or on thin evidence, full when clear', () => {
    const step = (a: number, b: number) =>
      reallocate(c, { a: 0.6, b: 0.4 }, [view('a', a), view('b', b)], opts).move?.fraction ?? 0;
    // Many events: the bar is ln 1.2 = 0.18; a 1.3× gap (0.26) clears it by 0.08 → 0.1 × 0.08/0.18 ≈ 0.045.
    expect(step(4000, 5200)).toBeGreaterThan(0.03);
    expect(step(4000, 5200)).toBeLessThan(0.06);
    // The same 2× gap moves less on fewer events (the bar is 2 standard errors), never below a tenth of a step.
    expect(step(15, 30)).toBeLessThan(step(60, 120));
    expect(step(15, 30)).toBeGreaterThanOrEqual(0.01);
    expect(step(400, 800)).toBeCloseTo(0.1);
  });
  it("never takes the base: repeated steps empty the worst channel's floating part and stop there", () => {
    let w: Record<string, number> = { a: 0.6, b: 0.4 };
    for (let i = 0; i < 20; i++) w = { ...reallocate(c, w, [view('a', 50), view('b', 150)], opts).weights };
    expect(w.a).toBeCloseTo(0);
    expect(w.b).toBeCloseTo(1);
    expect(channelCapMicros(c, 'a', w)).toBe(480e6);
  });
  it('never gives away budget the giving channel has already spent', () => {
    // a's cap 600 with 590 spent: only 10 of its floating part is left to move (5% of the 200 pool).
    const r = reallocate(
      c,
      { a: 0.6, b: 0.4 },
      [view('a', 300, { capMicros: 600e6, spentMicros: 590e6 }), view('b', 100)],
      opts,
    );
    expect(r.move!.fraction).toBeCloseTo(0.05);
  });
  it('a 2× ROI gap on a handful of clicks is noise: it moves only once the counts make it significant', () => {
    // 3 vs 6 clicks: ln 2 = 0.69 against a standard error of 0.69 — not 2 of them.
    expect(reallocate(c, { a: 0.6, b: 0.4 }, [view('a', 3), view('b', 6)], opts).move).toBeUndefined();
    // 15 vs 30: the standard error falls to 0.32, the gap is over 2 of them.
    expect(reallocate(c, { a: 0.6, b: 0.4 }, [view('a', 15), view('b', 30)], opts).move).toMatchObject({
      from: 'a',
      to: 'b',
    });
    // No clicks at all on a channel is still evidence once the other has many.
    expect(reallocate(c, { a: 0.6, b: 0.4 }, [view('a', 0), view('b', 20)], opts).move).toMatchObject({
      from: 'a',
      to: 'b',
    });
  });
  it('holds still: ROI too close, too little spend, no events, or the better channel cannot use more', () => {
    expect(reallocate(c, { a: 0.6, b: 0.4 }, [view('a', 1000), view('b', 1100)], opts).move).toBeUndefined();
    expect(
      reallocate(c, { a: 0.6, b: 0.4 }, [view('a', 50), view('b', 100, { spentMicros: 1e6 })], opts).move?.to,
    ).not.toBe('b');
    expect(reallocate(c, { a: 0.6, b: 0.4 }, [view('a', 0), view('b', 0)], opts).move).toBeUndefined();
    expect(
      reallocate(c, { a: 0.6, b: 0.4 }, [view('a', 50), view('b', 100, { signal: 1 })], opts).move,
    ).toBeUndefined();
    const noPool = campaign({ budget: { daily: 1000, channels: { a: 0.6, b: 0.4 } } });
    expect(reallocate(noPool, { a: 0.6, b: 0.4 }, [view('a', 50), view('b', 100)], opts).move).toBeUndefined();
  });
  it('gives floating budget a channel cannot spend to the one with headroom, before any ROI step', () => {
    // b returns more, but it is wide open and behind its curve: its floating part goes to a, step by step.
    const r = reallocate(
      c,
      { a: 0.3, b: 0.7 },
      [view('a', 50, { signal: 0.4 }), view('b', 100, { signal: 1, targetMicros: 150e6 })],
      opts,
    );
    expect(r.move).toEqual({ from: 'b', to: 'a', fraction: 0.1, reason: 'delivery' });
    // Wide open but on its curve: nothing to give back, and no ROI step toward it either (no headroom).
    expect(
      reallocate(
        c,
        { a: 0.3, b: 0.7 },
        [view('a', 50, { signal: 0.4 }), view('b', 100, { signal: 1, targetMicros: 105e6 })],
        opts,
      ).move,
    ).toBeUndefined();
  });
});
