import { describe, expect, it } from 'vitest';
import { ReachTracker } from '../../../src/segments/reach.js';

describe('ReachTracker', () => {
  it('counts people and those seen on two or more channels', () => {
    const r = new ReachTracker(10);
    r.note('p1', 'a');
    r.note('p1', 'a');
    r.note('p2', 'a');
    expect(r.snapshot()).toEqual({ people: 2, multiChannel: 0 });
    r.note('p1', 'b');
    r.note('p1', 'c');
    expect(r.snapshot()).toEqual({ people: 2, multiChannel: 1 });
  });

  it('stays bounded, evicting the least recently seen (and its multi-channel mark)', () => {
    const r = new ReachTracker(2);
    r.note('p1', 'a');
    r.note('p1', 'b');
    r.note('p2', 'a');
    r.note('p3', 'a'); // evicts p1, the oldest
    expect(r.snapshot()).toEqual({ people: 2, multiChannel: 0 });
  });

  it('more channels than bits share the last bit rather than break', () => {
    const r = new ReachTracker(10);
    for (let i = 0; i < 40; i++) r.note('p', `ch${i}`);
    expect(r.snapshot()).toEqual({ people: 1, multiChannel: 1 });
  });
});
