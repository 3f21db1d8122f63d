import { describe, expect, it } from 'vitest';
import { aim } from '../../../src/pacing/aim.js';
import { AdaptivePacer, pacingFactor, StepThrottle, type Pacer } from '../../../src/pacing/controller.js';
import { prng } from '../../../tools/train/synthetic.js';

/**
 * A plant: spend rate = signal × capacity (micros/ms), capacity changing over the day. The controller
 * sees only cumulative spend, as in the gate. Returns the signal and spend fraction every minute.
 */
function drive(
  p: Pacer,
  capacity: (minute: number) => number,
  capMicros = 10_000_000,
  seconds = 86_400,
  stepMs = 1_000,
) {
  const dayMs = 86_400_000;
  let spent = 0;
  const signals: number[] = [];
  const spendAt: number[] = [];
  for (let t = 0; t < seconds * 1000; t += stepMs) {
    const minute = Math.floor(t / 60_000);
    spent = Math.min(capMicros, spent + p.signal * capacity(minute) * stepMs);
    const ahead = Math.min(dayMs, t + 1_800_000);
    p.update({
      nowMs: t,
      spentMicros: spent,
      capMicros,
      targetNow: t / dayMs,
      targetAhead: ahead / dayMs,
      aheadMs: ahead - t,
    });
    if (t % 60_000 === 0) {
      signals.push(p.signal);
      spendAt.push(spent / capMicros);
    }
  }
  return { signals, spendAt };
}

describe('adaptive pacer', () => {
  it('tracks a linear target when traffic offers 3× the budget, without oscillating', () => {
    // Capacity: 3× the linear rate (10M micros / 86.4M ms).
    const rate = (10_000_000 / 86_400_000) * 3;
    const { signals, spendAt } = drive(new AdaptivePacer(), () => rate);
    for (let h = 2; h < 24; h++) expect(Math.abs(spendAt[h * 60]! - h / 24), `hour ${h}`).toBeLessThan(0.02);
    // Converges near 1/3 and then stays there: no limit cycle.
    const late = signals.slice(300);
    expect(Math.min(...late)).toBeGreaterThan(0.25);
    expect(Math.max(...late)).toBeLessThan(0.42);
  });
  it('recovers within minutes after a traffic step and stays within [minSignal, 1]', () => {
    const rate = (10_000_000 / 86_400_000) * 3;
    // Traffic drops by 80% 10:00–12:00: the controller opens up (signal → 1), then closes again.
    const { signals, spendAt } = drive(new AdaptivePacer(), (m) => (m >= 600 && m < 720 ? rate * 0.2 : rate));
    expect(Math.max(...signals.slice(600, 720))).toBe(1);
    for (const s of signals) expect(s).toBeGreaterThanOrEqual(0.001);
    // Behind after the step; back within 1% of the curve by 13:00.
    expect(spendAt[720]!).toBeLessThan(0.5 - 0.02);
    for (let m = 780; m < 1440; m += 30) expect(Math.abs(spendAt[m]! - m / 1440), `minute ${m}`).toBeLessThan(0.01);
  });
  it('lowers the signal when nothing more is wanted and keeps it on a new day', () => {
    const p = new AdaptivePacer({ intervalMs: 1_000 });
    p.update({ nowMs: 0, spentMicros: 0, capMicros: 1_000, targetNow: 0, targetAhead: 0.1, aheadMs: 60_000 });
    for (let t = 1_000; t <= 60_000; t += 1_000)
      p.update({ nowMs: t, spentMicros: 1_000, capMicros: 1_000, targetNow: 0.5, targetAhead: 0.5, aheadMs: 60_000 });
    const low = p.signal;
    expect(low).toBeLessThan(0.1);
    p.newDay(61_000);
    expect(p.signal).toBe(low);
  });
});

describe('adaptive pacer across midnight', () => {
  /**
   * One day through the gate's aim (10 min lead, 30 min horizon) on a plant with 3× the linear rate on
   * offer, where the last `crumbMicros` of the cap can never be spent (no bid fits in what is left).
   */
  function day(p: AdaptivePacer, dayStartMs: number, crumbMicros: number, capMicros = 10_000_000) {
    const dayMs = 86_400_000;
    const rate = (capMicros / dayMs) * 3;
    let spent = 0;
    let at2330 = NaN;
    let firstHourMax = 0;
    for (let t = 0; t < dayMs; t += 1_000) {
      spent = Math.min(capMicros - crumbMicros, spent + p.signal * rate * 1_000);
      const now = dayStartMs + t;
      const a = aim(now, dayStartMs + dayMs, 600_000, 1_800_000);
      p.update({
        nowMs: now,
        spentMicros: spent,
        capMicros,
        targetNow: (a.leadAt - dayStartMs) / dayMs,
        targetAhead: (a.aheadAt - dayStartMs) / dayMs,
        aheadMs: a.aheadMs,
      });
      if (t === dayMs - 1_800_000) at2330 = p.signal;
      if (t < 3_600_000) firstHourMax = Math.max(firstHourMax, p.signal);
    }
    return { firstHourMax, at2330, atMidnight: p.signal };
  }
  it('starts the next day from the signal it had before the end-of-day catch-up, not the wound-up one', () => {
    const p = new AdaptivePacer();
    // The last 1% of the budget cannot be spent: as the time left shrinks, the desired rate for it grows
    // without bound while nothing is spent, and the signal climbs.
    const d0 = day(p, 0, 100_000);
    expect(d0.at2330).toBeLessThan(0.45);
    expect(d0.atMidnight).toBeGreaterThan(0.9);
    p.newDay(86_400_000);
    expect(p.signal).toBeCloseTo(d0.at2330, 6);
    // The next day's first bids are not made at full price (3× what is needed): a campaign whose few wins
    // each cost a large share of its budget would spend the day's budget in its first minutes.
    const d1 = day(p, 86_400_000, 100_000);
    expect(d1.firstHourMax).toBeLessThan(0.4);
  });
});

describe('step throttle baseline', () => {
  it('moves ±10% at most once a minute', () => {
    const p = new StepThrottle();
    p.update({ nowMs: 0, spentMicros: 100, capMicros: 1_000, targetNow: 0, targetAhead: 0, aheadMs: 0 });
    expect(p.signal).toBeCloseTo(0.9);
    p.update({ nowMs: 30_000, spentMicros: 100, capMicros: 1_000, targetNow: 0, targetAhead: 0, aheadMs: 0 });
    expect(p.signal).toBeCloseTo(0.9);
    p.update({ nowMs: 60_000, spentMicros: 0, capMicros: 1_000, targetNow: 0.5, targetAhead: 0, aheadMs: 0 });
    expect(p.signal).toBeCloseTo(0.99);
  });
});

describe('pacing factor', () => {
  it('multiplies above the minimum multiplier and throttles below it', () => {
    const r = prng(1);
    expect(pacingFactor(0.6, 0.3, r)).toBe(0.6);
    let kept = 0;
    for (let i = 0; i < 20_000; i++) {
      const f = pacingFactor(0.06, 0.3, r);
      if (f > 0) {
        expect(f).toBe(0.3);
        kept++;
      }
    }
    // Participation = 0.06 / 0.3 = 20%.
    expect(kept / 20_000).toBeGreaterThan(0.18);
    expect(kept / 20_000).toBeLessThan(0.22);
  });
});
