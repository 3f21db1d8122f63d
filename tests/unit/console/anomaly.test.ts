import { describe, expect, it } from 'vitest';
import { AnomalyDetector, band, kDefaultAnomalyOptions } from '../../../src/console/anomaly.js';

/** A seeded noise source, so the clean series is the same on every run. */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

const kMinute = 60_000;
const t0 = Date.UTC(2026, 0, 5, 9, 0);

describe('anomaly detector (virtual minutes)', () => {
  it('raises after N consecutive minutes out of band and clears after N back in', () => {
    const d = new AnomalyDetector({ raiseAfter: 3, clearAfter: 3, minHistory: 15, window: 60 });
    const rnd = noise(7);
    const events: { kind: string; minute: number }[] = [];
    // 60 clean minutes of a win rate around 0.30, then 6 minutes collapsed to 0.05, then back.
    const value = (m: number) => (m >= 60 && m < 66 ? 0.05 : 0.3 + 0.02 * rnd());
    for (let m = 0; m < 90; m++) {
      const e = d.observe('acme', 'ssp-alpha', 'win_rate', t0 + m * kMinute, value(m));
      if (e !== undefined) events.push({ kind: e.kind, minute: m });
    }
    expect(events).toEqual([
      { kind: 'raised', minute: 62 },
      { kind: 'cleared', minute: 68 },
    ]);
    expect(d.active()).toEqual([]);
    expect(d.feed().map((e) => e.kind)).toEqual(['raised', 'cleared']);
  });

  it('stays quiet on a clean noisy day, and ignores single-minute spikes', () => {
    const d = new AnomalyDetector();
    const rnd = noise(11);
    let alerts = 0;
    for (let m = 0; m < 1440; m++) {
      // ±20% noise around a daily cycle, plus a lone spike every two hours.
      const base = 100 + 40 * Math.sin((2 * Math.PI * m) / 1440);
      const v = m % 120 === 0 && m > 0 ? base * 3 : base * (1 + 0.2 * rnd());
      if (d.observe('c', 'ch', 'bid_rate', t0 + m * kMinute, v)?.kind === 'raised') alerts++;
    }
    expect(alerts).toBe(0);
  });

  it('reports the gauge per series, 1 while alerting', () => {
    const d = new AnomalyDetector({ minHistory: 5, raiseAfter: 2 });
    for (let m = 0; m < 10; m++) d.observe('c', 'x', 'spend_rate', t0 + m * kMinute, 10);
    d.observe('c', 'x', 'ctr', t0, 0.01);
    d.observe('c', 'x', 'spend_rate', t0 + 10 * kMinute, 20);
    expect([...d.gauges()].find((g) => g.signal === 'spend_rate')!.value).toBe(0);
    d.observe('c', 'x', 'spend_rate', t0 + 11 * kMinute, 20);
    expect([...d.gauges()]).toEqual([
      { campaignId: 'c', channelId: 'x', signal: 'spend_rate', value: 1 },
      { campaignId: 'c', channelId: 'x', signal: 'ctr', value: 0 },
    ]);
    expect(d.active()).toEqual([{ campaignId: 'c', channelId: 'x', signal: 'spend_rate', sinceMs: t0 + 11 * kMinute }]);
    d.retain(new Set(['other']));
    expect([...d.gauges()]).toEqual([]);
  });

  it('minutes without a value neither raise nor clear', () => {
    const d = new AnomalyDetector({ minHistory: 5, raiseAfter: 2, clearAfter: 2 });
    for (let m = 0; m < 10; m++) d.observe('c', 'x', 'ctr', t0 + m * kMinute, 0.02);
    expect(d.observe('c', 'x', 'ctr', t0 + 10 * kMinute, undefined)).toBeUndefined();
    d.observe('c', 'x', 'ctr', t0 + 11 * kMinute, 0);
    expect(d.observe('c', 'x', 'ctr', t0 + 12 * kMinute, undefined)).toBeUndefined();
    expect(d.observe('c', 'x', 'ctr', t0 + 13 * kMinute, 0)?.kind).toBe('raised');
  });

  it('band: median ± k scaled MADs, at least the relative floor; no band on an all-zero history', () => {
    const o = { ...kDefaultAnomalyOptions, k: 2, minRelativeBand: 0.1 };
    expect(band([1, 2, 3, 4, 100], o)).toEqual({ expected: 3, low: 3 - 2 * 1.4826, high: 3 + 2 * 1.4826 });
    expect(band([10, 10, 10], o)).toEqual({ expected: 10, low: 9, high: 11 });
    expect(band([0, 0, 0], o).high).toBe(Number.POSITIVE_INFINITY);
    // A proportion over 100 trials cannot be pinned down closer than its binomial noise: 2 × √(0.5·0.5/100).
    expect(band([0.5, 0.5, 0.5], o, 100)).toEqual({ expected: 0.5, low: 0.4, high: 0.6 });
  });
});

describe('anomaly alert rules', () => {
  it('page on a spend-rate anomaly and open a ticket on the other signals, from the peregrine_anomaly gauge', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse } = await import('yaml');
    const doc = parse(readFileSync(new URL('../../../deploy/prometheus/alerts.yaml', import.meta.url), 'utf8')) as {
      groups: { rules: { alert: string; expr: string; labels: { severity: string } }[] }[];
    };
    const rules = doc.groups.flatMap((g) => g.rules).filter((r) => r.expr.includes('peregrine_anomaly'));
    expect(rules.map((r) => [r.alert, r.labels.severity])).toEqual([
      ['PeregrineAnomaly', 'ticket'],
      ['PeregrineSpendAnomaly', 'page'],
    ]);
    expect(rules[1]!.expr).toContain('signal="spend_rate"');
  });
});

describe('seasonal baseline (same quarter hour on previous days)', () => {
  const kDay = 86_400_000;
  const day0 = Date.UTC(2026, 0, 5);
  /** A bid rate that triples at 08:00 every day (a traffic surge), with noise; `fault` zeroes it for an hour. */
  function feed(d: AnomalyDetector, days: number, fault?: { day: number; fromMinute: number }) {
    const rnd = noise(11);
    const raised: { day: number; minute: number }[] = [];
    for (let day = 0; day < days; day++)
      for (let m = 0; m < 1440; m++) {
        let v = (m >= 480 && m < 1200 ? 30 : 10) * (1 + 0.1 * rnd());
        if (fault !== undefined && day === fault.day && m >= fault.fromMinute && m < fault.fromMinute + 60) v = 0;
        const e = d.observe('acme', 'ssp-alpha', 'bid_rate', day0 + day * kDay + m * kMinute, v);
        if (e?.kind === 'raised') raised.push({ day, minute: m });
      }
    return raised;
  }

  it('expects the daily surge once two previous days have it; the rolling median alerts on it', () => {
    const seasonal = feed(new AnomalyDetector(), 3).filter((r) => r.day === 2);
    const rolling = feed(new AnomalyDetector({ minDays: 99 }), 3).filter((r) => r.day === 2);
    expect(seasonal).toEqual([]);
    // Without history the 08:00 surge and the 20:00 drop leave the rolling band for minutes on end.
    expect(rolling.map((r) => r.minute)).toEqual([482, 1202]);
  });

  it('still catches a fault at once on the seasonal baseline', () => {
    const raised = feed(new AnomalyDetector(), 3, { day: 2, fromMinute: 720 });
    // Raised three minutes into the hour-long outage; like the rolling median, the baseline takes a long
    // outage for the new normal after about half a window, so the recovery is news again.
    expect(raised.filter((r) => r.day === 2)[0]).toEqual({ day: 2, minute: 722 });
    expect(raised.filter((r) => r.day === 2 && r.minute < 750)).toHaveLength(1);
  });
});
