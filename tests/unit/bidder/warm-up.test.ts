/**
 * The warm-up runs the sample config's campaigns through a throwaway copy of the bid endpoint: real bids come
 * out (so the code that matters is the code that ran), and the rounds
 * stop at their bound.
 */
import { describe, expect, it } from 'vitest';
import { warmUp } from '../../../src/bidder/warm-up.js';
import { sampleSnapshot } from '../../helpers/snapshot.js';

describe('warmUp', () => {
  it('bids through the real endpoint on the sample config, within its request bound', async () => {
    const snap = await sampleSnapshot();
    const r = await warmUp(snap, { budgetMs: 10_000, maxRequests: 300 });
    // Whole rounds: it stops after the round in which it reached the bound.
    expect(r.requests).toBeGreaterThanOrEqual(300);
    expect(r.requests).toBeLessThan(600);
    // Most synthetic requests match a campaign (some are priced out or held back by pacing).
    expect(r.bids / r.requests).toBeGreaterThan(0.5);
  }, 30_000);

  it('stops at its time budget', async () => {
    const r = await warmUp(await sampleSnapshot(), { budgetMs: 1, maxRequests: 1_000_000 });
    expect(r.requests).toBeGreaterThan(0);
    expect(r.requests).toBeLessThan(1_000_000);
  }, 30_000);
});
