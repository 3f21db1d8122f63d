import { describe, expect, it } from 'vitest';
import { RttEstimate } from '../../../src/scoring/rtt-estimate.js';

describe('round-trip estimate', () => {
  it('follows a steady stream of samples as an average over answers', () => {
    const e = new RttEstimate();
    for (let t = 0; t < 1_000; t++) e.sample(2, t);
    expect(e.at(1_000)).toBeCloseTo(2, 1);
    expect(e.fits(3, 1_000)).toBe(true);
    expect(e.fits(1.5, 1_000)).toBe(false);
  });

  it('decays toward zero while no answer arrives (half-life 100 ms), so refusing cannot last', () => {
    const e = new RttEstimate();
    for (let t = 0; t < 200; t++) e.sample(80, t);
    const high = e.at(199);
    expect(high).toBeGreaterThan(70);
    expect(e.fits(40, 199)).toBe(false);
    expect(e.at(299)).toBeCloseTo(high / 2, 5);
    expect(e.fits(40, 250)).toBe(false);
    expect(e.fits(40, 400)).toBe(true);
  });

  it('weighs a sample after a silence more than one of a stream, but never all of it', () => {
    const a = new RttEstimate();
    const b = new RttEstimate();
    for (let t = 0; t < 100; t++) {
      a.sample(1, t);
      b.sample(1, t);
    }
    a.sample(100, 100); // 1 ms after the previous answer: weight 0.05
    b.sample(100, 10_099); // after 10 s of silence: weight 0.25 (and the old average has decayed)
    expect(a.at(100)).toBeCloseTo(1 + 0.05 * 99, 1);
    expect(b.at(10_099)).toBeCloseTo(1 + 0.25 * 99, 1);
  });

  it('asks for a probe at most once per 50 ms', () => {
    const e = new RttEstimate();
    const due = [0, 10, 49, 50, 99, 100, 170].filter((t) => e.probeDue(t));
    expect(due).toEqual([0, 50, 100, 170]);
  });
});
