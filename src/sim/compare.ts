/**
 * Runs one scenario under each pacing configuration the issue compares — no pacing (ASAP), the pace cap
 * alone, the ±10%/minute throttle baseline, and the adaptive controller — on the same seed, and turns
 * the results into the comparison table and the report (report.ts). Metrics are computed here from the
 * run's per-channel series, the same way for every configuration.
 */
import type { Store } from '../store/ports.js';
import type { SimChart, SimReport, SimRunReport } from './report.js';
import { simulateDay, type DayResult } from './run-day.js';
import { scenarioCampaigns, scenarioChannels, type Scenario } from './scenario.js';

export interface PacingConfig {
  /** What `npm run simulate -- --configs` names it by. */
  readonly key: 'asap' | 'cap' | 'step' | 'adaptive';
  readonly label: string;
  readonly mode: 'even' | 'asap';
  readonly controller: 'adaptive' | 'step' | 'none';
}

export const kConfigs: readonly PacingConfig[] = [
  { key: 'asap', label: 'no pacing (ASAP)', mode: 'asap', controller: 'none' },
  { key: 'cap', label: 'pace cap only', mode: 'even', controller: 'none' },
  { key: 'step', label: '±10%/min throttle', mode: 'even', controller: 'step' },
  { key: 'adaptive', label: 'adaptive (ours)', mode: 'even', controller: 'adaptive' },
];

export interface RunMetrics {
  readonly label: string;
  readonly requests: number;
  readonly wallSeconds: number;
  readonly meanDelivery: number;
  readonly minDelivery: number;
  /** Largest overspend of any campaign, as a fraction of its daily budget. */
  readonly maxOverspend: number;
  /** Mean over campaigns of the hourly RMSE of cumulative spend vs the linear target. */
  readonly rmse: number;
  readonly cpm: number;
  readonly ecpc: number;
  /** Std of Δln(signal) between samples, mean over campaign × channel (0 for no controller). */
  readonly signalVolatility: number;
  /** Minutes after the traffic step ends until the stepped channel tracks its target within 1% for good. */
  readonly settleMinutes: number | undefined;
  readonly leaseTakes: number;
}

const kSampleMinutes = 5;

/** `configs`: the subset of kConfigs to run (default: all four, the comparison). */
export async function runScenario(s: Scenario, modelsDir: string, store?: () => Promise<{ store: Store; close(): Promise<void> }>, configs: readonly PacingConfig[] = kConfigs): Promise<{ metrics: RunMetrics[]; results: DayResult[] }> {
  const metrics: RunMetrics[] = [];
  const results: DayResult[] = [];
  let run = 0;
  for (const cfg of configs) {
    const shared = store === undefined ? undefined : await store();
    try {
      const r = await simulateDay({
        campaigns: scenarioCampaigns(s, cfg.mode),
        channels: scenarioChannels(s),
        seed: s.seed,
        modelsDir,
        pacing: { controller: cfg.controller },
        instances: s.instances,
        ...(shared !== undefined ? { store: shared.store, runTag: `r${run++}-` } : {}),
        ...(s.kill !== undefined ? { kill: s.kill } : {}),
        ...(s.budgetChange !== undefined ? { budgetChange: s.budgetChange } : {}),
        sampleMinutes: kSampleMinutes,
      });
      results.push(r);
      metrics.push(measure(cfg.label, r, s));
    } finally {
      await shared?.close();
    }
  }
  return { metrics, results };
}

export function measure(label: string, r: DayResult, s: Scenario): RunMetrics {
  const cs = r.campaigns;
  const mean = (f: (c: (typeof cs)[number]) => number) => cs.reduce((a, c) => a + f(c), 0) / cs.length;
  const spend = cs.reduce((a, c) => a + c.spend, 0);
  const imps = cs.reduce((a, c) => a + c.impressions, 0);
  const clicks = cs.reduce((a, c) => a + c.clicks, 0);
  let volSum = 0;
  let volN = 0;
  for (const c of cs) {
    for (const ch of c.channels) {
      const d: number[] = [];
      for (let i = 1; i < ch.signal.length; i++) d.push(Math.log(ch.signal[i]! / ch.signal[i - 1]!));
      if (d.length === 0) continue;
      const m = d.reduce((a, x) => a + x, 0) / d.length;
      volSum += Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / d.length);
      volN++;
    }
  }
  return {
    label,
    requests: r.requests,
    wallSeconds: r.wallMs / 1000,
    meanDelivery: mean((c) => c.delivery),
    minDelivery: Math.min(...cs.map((c) => c.delivery)),
    maxOverspend: Math.max(...cs.map((c) => c.overspend / c.budget)),
    rmse: mean((c) => c.rmseVsLinear),
    cpm: imps === 0 ? 0 : (1000 * spend) / imps,
    ecpc: clicks === 0 ? 0 : spend / clicks,
    signalVolatility: volN === 0 ? 0 : volSum / volN,
    settleMinutes: settle(r, s),
    leaseTakes: r.leaseTakes,
  };
}

/** Settling after the end of a traffic step: on the stepped channel, mean |spend fraction − linear target| ≤ 1%. */
function settle(r: DayResult, s: Scenario): number | undefined {
  const stepped = s.channels.find((c) => c.step !== undefined);
  if (stepped?.step === undefined) return undefined;
  const end = stepped.step.toMinute;
  const t = r.sampleMinutes;
  let settledAt: number | undefined;
  for (let i = 0; i < t.length; i++) {
    if (t[i]! < end) continue;
    let err = 0;
    for (const c of r.campaigns) {
      const ch = c.channels.find((x) => x.id === stepped.id)!;
      err += Math.abs(ch.spendFraction[i]! - t[i]! / 1440);
    }
    err /= r.campaigns.length;
    if (err <= 0.01) settledAt ??= t[i]!;
    else settledAt = undefined;
  }
  return settledAt === undefined ? Infinity : settledAt - end;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export function buildReport(s: Scenario, command: string, metrics: readonly RunMetrics[], results: readonly DayResult[]): SimReport {
  const columns = ['pacing', 'mean delivery', 'min delivery', 'max overspend', 'RMSE vs linear', 'CPM', 'eCPC', 'signal volatility', ...(s.channels.some((c) => c.step) ? ['settling after step (min)'] : []), 'lease takes', 'requests', 'wall s'];
  const rows = metrics.map((m) => [
    m.label,
    pct(m.meanDelivery),
    pct(m.minDelivery),
    pct(m.maxOverspend),
    m.rmse.toFixed(4),
    `$${m.cpm.toFixed(3)}`,
    `$${m.ecpc.toFixed(3)}`,
    m.signalVolatility.toFixed(3),
    ...(m.settleMinutes !== undefined ? [Number.isFinite(m.settleMinutes) ? String(m.settleMinutes) : 'never'] : []),
    String(m.leaseTakes),
    String(m.requests),
    m.wallSeconds.toFixed(1),
  ]);
  const runs: SimRunReport[] = metrics.map((m, k) => {
    const r = results[k]!;
    const hours = r.sampleMinutes.map((x) => x / 60);
    const charts: SimChart[] = [];
    for (const ch of s.channels) {
      charts.push({
        title: `Cumulative spend vs target — ${ch.id}`,
        yLabel: 'share of the channel budget',
        yMin: 0,
        yMax: 1.05,
        series: [
          { name: 'linear target', points: hours.map((h) => [h, Math.min(1, h / 24)] as const) },
          ...r.campaigns.map((c) => ({ name: c.id, points: (c.channels.find((x) => x.id === ch.id)?.spendFraction ?? []).map((y, i) => [hours[i]!, y] as const) })),
        ],
      });
    }
    if (m.signalVolatility > 0) {
      for (const ch of s.channels) {
        charts.push({
          title: `Pacing signal — ${ch.id}`,
          yLabel: 'signal (mean over instances)',
          yMin: 0,
          yMax: 1,
          series: r.campaigns.map((c) => ({ name: c.id, points: (c.channels.find((x) => x.id === ch.id)?.signal ?? []).map((y, i) => [hours[i]!, y] as const) })),
        });
      }
    }
    return { title: m.label, summary: columns.slice(1).map((metric, i) => ({ metric, value: rows[k]![i + 1]! })), charts };
  });
  return { scenario: s.name, seed: s.seed, generatedBy: command, comparison: { columns, rows }, runs, notes: [s.description] };
}
