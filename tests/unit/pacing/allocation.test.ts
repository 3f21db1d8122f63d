import { describe, expect, it } from 'vitest';
import { baseWeights, channelCapMicros, exploreCapMicros, reallocate, type ChannelView } from '../../../src/pacing/allocation.js';
import { campaign } from '../../helpers/campaigns.js';

const c = campaign({ budget: { daily: 1000, channels: { a: 0.6, b: 0.4 }, floating: 0.2, exploration: 0.1, pacing: 'even' } });
const opts = { step: 0.1, minRatio: 1.2, minSpend: 0.01 };
const view = (channelId: string, over: Partial<ChannelView> = {}): ChannelView => ({ channelId, capMicros: 500e6, spentMicros: 100e6, roi: 1, windowSpendMicros: 50e6, signal: 0.5, ...over });

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
    expect(() => campaign({ budget: { daily: 1, channels: { a: 1 }, floating: 0.95, exploration: 0.1 } })).toThrow(/budget\.floating|floating/);
  });
});

describe('reallocate', () => {
  it('moves one bounded step from the worst-ROI channel to the best', () => {
    const r = reallocate(c, { a: 0.6, b: 0.4 }, [view('a', { roi: 1 }), view('b', { roi: 2 })], opts);
    expect(r.move).toEqual({ from: 'a', to: 'b', fraction: 0.1 });
    expect(r.weights.a).toBeCloseTo(0.5);
    expect(r.weights.b).toBeCloseTo(0.5);
  });
  it('never takes the base: repeated steps empty the worst channel\'s floating part and stop there', () => {
    let w: Record<string, number> = { a: 0.6, b: 0.4 };
    for (let i = 0; i < 20; i++) w = { ...reallocate(c, w, [view('a', { roi: 1 }), view('b', { roi: 3 })], opts).weights };
    expect(w.a).toBeCloseTo(0);
    expect(w.b).toBeCloseTo(1);
    expect(channelCapMicros(c, 'a', w)).toBe(480e6);
  });
  it('never gives away budget the giving channel has already spent', () => {
    // a's cap 600 with 590 spent: only 10 of its floating part is left to move (5% of the 200 pool).
    const r = reallocate(c, { a: 0.6, b: 0.4 }, [view('a', { roi: 1, capMicros: 600e6, spentMicros: 590e6 }), view('b', { roi: 2 })], opts);
    expect(r.move!.fraction).toBeCloseTo(0.05);
  });
  it('holds still: ROI too close, too little spend in the window, no ROI, or the better channel cannot use more', () => {
    expect(reallocate(c, { a: 0.6, b: 0.4 }, [view('a', { roi: 1 }), view('b', { roi: 1.1 })], opts).move).toBeUndefined();
    expect(reallocate(c, { a: 0.6, b: 0.4 }, [view('a', { roi: 1 }), view('b', { roi: 2, windowSpendMicros: 1e6 })], opts).move).toBeUndefined();
    expect(reallocate(c, { a: 0.6, b: 0.4 }, [view('a', { roi: undefined }), view('b', { roi: 2 })], opts).move).toBeUndefined();
    expect(reallocate(c, { a: 0.6, b: 0.4 }, [view('a', { roi: 1 }), view('b', { roi: 2, signal: 1 })], opts).move).toBeUndefined();
    const noPool = campaign({ budget: { daily: 1000, channels: { a: 0.6, b: 0.4 } } });
    expect(reallocate(noPool, { a: 0.6, b: 0.4 }, [view('a', { roi: 1 }), view('b', { roi: 2 })], opts).move).toBeUndefined();
  });
  it('moves away from a channel that returns nothing', () => {
    expect(reallocate(c, { a: 0.6, b: 0.4 }, [view('a', { roi: 0 }), view('b', { roi: 0.5 })], opts).move).toEqual({ from: 'a', to: 'b', fraction: 0.1 });
  });
});
