import { describe, expect, it } from 'vitest';
import { CostController, kCostControllerDefaults } from '../../../src/scoring/cost-controller.js';
import { prng } from '../../../tools/train/synthetic.js';
import { kStrategyCode, strategyPrice } from '../../../src/scoring/strategies.js';
import { campaign } from './fixtures.js';

const cpc = campaign('cpc', { bid: { strategy: 'target_cpc', cpc: 0.1, maxCpm: 20 } });
const cpa = campaign('cpa', { bid: { strategy: 'target_cpa', cpa: 5, maxCpm: 20 } });
const t0 = Date.parse('2026-11-23T00:00:00Z');

interface Stream {
  /** Seconds between requests. */
  readonly everyMs: number;
  readonly auction: 'first' | 'second';
  /** First price: the fraction of the bid paid (a stand-in for shading). */
  readonly shade?: number;
  readonly pacing?: number;
  /** Clearing CPM lognormal median. */
  readonly median: number;
}

/**
 * A synthetic win stream for one campaign × channel: pCTR spread over a decade, clearing prices lognormal,
 * the bid = pCTR × CPC × 1000 × λ × pacing (capped at max CPM, as the strategy does). Returns per-hour
 * cost per expected click ÷ target and the λ after each update.
 */
function run(ctl: CostController, s: Stream, hours: number, day = '2026-11-23', start = t0) {
  const r = prng(7);
  const perHour: number[] = [];
  const lambdas: number[] = [];
  let spend = 0;
  let expected = 0;
  let last = ctl.multiplier(cpc, 'ch', 1);
  for (let t = start; t < start + hours * 3_600_000; t += s.everyMs) {
    const p = 0.005 * Math.exp(r() * Math.log(10));
    const lambda = ctl.multiplier(cpc, 'ch', s.pacing ?? 1);
    if (lambda !== last) {
      lambdas.push(lambda);
      last = lambda;
    }
    const bidMicros = strategyPrice(kStrategyCode.target_cpc, 100_000, 20_000_000, lambda * (s.pacing ?? 1), p, NaN, 0);
    const clearing = s.median * 1e6 * Math.exp(0.6 * gauss(r));
    if (bidMicros < clearing) continue;
    const paidCpm = s.auction === 'second' ? clearing : bidMicros * (s.shade ?? 1);
    ctl.onSpend(cpc, 'ch', day, paidCpm / 1000, p, t);
    spend += paidCpm / 1000;
    expected += p;
    if ((t - start) % 3_600_000 < s.everyMs) {
      perHour.push(spend / expected / 100_000);
      spend = 0;
      expected = 0;
    }
  }
  return { perHour, lambdas };
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

describe('cost controller', () => {
  it('brings second-price cost per expected click to the target from far below it', () => {
    const ctl = new CostController({ priorExpected: Infinity });
    const { perHour } = run(ctl, { everyMs: 500, auction: 'second', median: 2.5 }, 6);
    // Without λ (pinned at 1), second price pays well under value here.
    const off = run(
      new CostController({ minMultiplier: 1, maxMultiplier: 1 }),
      { everyMs: 500, auction: 'second', median: 2.5 },
      2,
    );
    for (const h of off.perHour) expect(h).toBeLessThan(0.85);
    for (const h of perHour.slice(2))
      expect(Math.abs(h - 1), `hourly ratios ${perHour.map((x) => x.toFixed(3)).join(' ')}`).toBeLessThan(0.05);
    expect(ctl.multiplier(cpc, 'ch', 1)).toBeGreaterThan(1.2);
  });
  it('brings first-price cost down to the target when the bids pay too much, and up when shaded', () => {
    const high = new CostController({ priorExpected: Infinity });
    // Paying 150% of value (a model that under-predicts would): λ must fall.
    const a = run(high, { everyMs: 500, auction: 'first', shade: 1.5, median: 1.0 }, 4);
    for (const h of a.perHour.slice(2)) expect(Math.abs(h - 1)).toBeLessThan(0.05);
    expect(high.multiplier(cpc, 'ch', 1)).toBeLessThan(0.8);
    const low = new CostController({ priorExpected: Infinity });
    const b = run(low, { everyMs: 500, auction: 'first', shade: 0.7, median: 1.0 }, 4);
    for (const h of b.perHour.slice(2)) expect(Math.abs(h - 1)).toBeLessThan(0.05);
  });
  it('moves by at most maxStep per update, at most once per interval, and stays within its bounds', () => {
    const ctl = new CostController({ maxStep: 1.2, maxMultiplier: 3, minMultiplier: 0.5, priorExpected: Infinity });
    // Everything almost free: λ wants to rise without end.
    const { lambdas } = run(ctl, { everyMs: 200, auction: 'second', median: 0.05 }, 2);
    let prev = 1;
    for (const l of lambdas) {
      expect(l / prev).toBeLessThanOrEqual(1.2 + 1e-12);
      expect(l / prev).toBeGreaterThanOrEqual(1 / 1.2 - 1e-12);
      prev = l;
    }
    expect(Math.max(...lambdas)).toBe(3);
    // At most one update per minute over two hours.
    expect(ctl.state(cpc, 'ch')!.updates).toBeLessThanOrEqual(120);
    const down = new CostController({ maxStep: 1.2, minMultiplier: 0.5, priorExpected: Infinity });
    const d = run(down, { everyMs: 200, auction: 'first', shade: 3, median: 0.05 }, 2);
    expect(Math.min(...d.lambdas)).toBe(0.5);
  });
  it('never lifts a bid above the max CPM, whatever λ', () => {
    const ctl = new CostController({ priorExpected: Infinity });
    run(ctl, { everyMs: 200, auction: 'second', median: 0.05 }, 3);
    const lambda = ctl.multiplier(cpc, 'ch', 1);
    expect(lambda).toBe(kCostControllerDefaults.maxMultiplier);
    for (const p of [0.01, 0.1, 0.5, 1])
      expect(strategyPrice(kStrategyCode.target_cpc, 100_000, 20_000_000, lambda, p, NaN, 0)).toBeLessThanOrEqual(
        20_000_000,
      );
  });
  it('does not raise λ while pacing holds the bids down, but still lowers it', () => {
    const held = new CostController({ priorExpected: Infinity });
    run(held, { everyMs: 500, auction: 'second', median: 1.2, pacing: 0.6 }, 2);
    expect(held.multiplier(cpc, 'ch', 0.6)).toBe(1);
    expect(held.state(cpc, 'ch')!.updates).toBeGreaterThan(10);
    const over = new CostController({ priorExpected: Infinity });
    run(over, { everyMs: 500, auction: 'first', shade: 2, median: 0.5, pacing: 0.9 }, 1);
    expect(over.multiplier(cpc, 'ch', 0.9)).toBeLessThan(0.8);
  });
  it('keeps state per campaign × channel, and only for value strategies', () => {
    const ctl = new CostController({ priorExpected: Infinity });
    run(ctl, { everyMs: 500, auction: 'second', median: 1.2 }, 2);
    expect(ctl.multiplier(cpc, 'ch', 1)).toBeGreaterThan(1.2);
    expect(ctl.multiplier(cpc, 'other', 1)).toBe(1);
    expect(ctl.multiplier(cpa, 'ch', 1)).toBe(1);
    const fixed = campaign('fixed');
    ctl.onSpend(fixed, 'ch', '2026-11-23', 1000, 0.01, t0);
    expect(ctl.multiplier(fixed, 'ch', 1)).toBe(1);
    expect(ctl.state(fixed, 'ch')).toBeUndefined();
    expect([...ctl.multipliers()].map((m) => `${m.campaignId}/${m.channelId}`).sort()).toEqual([
      'cpa/ch',
      'cpc/ch',
      'cpc/other',
    ]);
  });
  it("resets the day's counters on a new budget day, keeps λ as the prior, ignores late notices of yesterday", () => {
    const ctl = new CostController({ priorExpected: Infinity });
    run(ctl, { everyMs: 500, auction: 'second', median: 1.2 }, 3);
    const before = ctl.state(cpc, 'ch')!;
    expect(before.updates).toBeGreaterThan(0);
    expect(before.expected).toBeGreaterThan(10);
    const t1 = t0 + 86_400_000;
    ctl.onSpend(cpc, 'ch', '2026-11-24', 1000, 0.01, t1);
    const after = ctl.state(cpc, 'ch')!;
    expect(after).toMatchObject({
      day: '2026-11-24',
      spendMicros: 1000,
      expected: 0.01,
      actions: 0,
      updates: 0,
      multiplier: before.multiplier,
    });
    ctl.onSpend(cpc, 'ch', '2026-11-23', 500, 0.01, t1 + 1000);
    ctl.onAction(cpc, 'ch', '2026-11-23');
    expect(ctl.state(cpc, 'ch')!.day).toBe('2026-11-24');
  });
  it('corrects target_cpc toward the realised clicks when the model over-predicts them', () => {
    const ctl = new CostController({ priorExpected: 50 });
    const r = prng(3);
    let t = t0;
    // The model promises 2× the clicks that come; the auction pays exactly the target per promised click.
    for (let i = 0; i < 40_000; i++, t += 500) {
      const lambda = ctl.multiplier(cpc, 'ch', 1);
      const p = 0.02;
      ctl.onSpend(cpc, 'ch', '2026-11-23', p * 100_000 * lambda, p, t);
      if (r() < p / 2) ctl.onAction(cpc, 'ch', '2026-11-23');
    }
    // Cost per realised click = cost per promised click × 2 = target when λ ≈ 0.5.
    expect(ctl.multiplier(cpc, 'ch', 1)).toBeGreaterThan(0.4);
    expect(ctl.multiplier(cpc, 'ch', 1)).toBeLessThan(0.6);
  });
});
