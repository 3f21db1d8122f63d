/**
 * Runs one scenario under each pacing configuration the issue compares — no pacing (ASAP), the pace cap
 * alone, the ±10%/minute throttle baseline, and the adaptive controller — on the same seed, and turns
 * the results into the comparison table and the report (report.ts). Metrics are computed here from the
 * run's per-channel series, the same way for every configuration.
 */
import { kFinishWindowMs } from '../src/pacing/gate.js';
import type { Store } from '../src/store/ports.js';
import type { SimChart, SimReport, SimRunReport } from './report.js';
import { simulateDay, type DayResult, type SimStep } from './run-day.js';
import { scenarioCampaigns, scenarioChanges, scenarioChannels, type Scenario } from './scenario.js';

export interface PacingConfig {
  /** What `npm run sim:day -- --configs` names it by. */
  readonly key: 'asap' | 'cap' | 'step' | 'adaptive' | 'static';
  readonly label: string;
  readonly mode: 'even' | 'asap';
  readonly controller: 'adaptive' | 'step' | 'none';
  /** Keep the scenario's floating pool (default); false pins every channel to its base share. */
  readonly floating?: boolean;
}

export const kConfigs: readonly PacingConfig[] = [
  { key: 'asap', label: 'no pacing (ASAP)', mode: 'asap', controller: 'none' },
  { key: 'cap', label: 'pace cap only', mode: 'even', controller: 'none' },
  { key: 'step', label: '±10%/min throttle', mode: 'even', controller: 'step' },
  { key: 'adaptive', label: 'adaptive (ours)', mode: 'even', controller: 'adaptive' },
];

/** Added when the scenario has a floating pool: the same controller with the pool pinned to base shares. */
export const kStaticSplit: PacingConfig = {
  key: 'static',
  label: 'adaptive, static split',
  mode: 'even',
  controller: 'adaptive',
  floating: false,
};

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
  /**
   * Spend ÷ expected clicks (impressions × the channel's true CTR): eCPC without the binomial noise of the
   * clicks drawn (±2–3% a day at ~1,700 clicks), which is what tells a few-% difference in buying apart.
   */
  readonly expectedEcpc: number;
  /** Std of Δln(signal) between samples, mean over campaign × channel (0 for no controller). */
  readonly signalVolatility: number;
  /** Minutes after the traffic step ends until the stepped channel tracks its target within 1% for good. */
  readonly settleMinutes: number | undefined;
  readonly leaseTakes: number;
  /** Exploration spend ÷ exploration reserve, over all campaigns (undefined without a reserve). */
  readonly explorationUse: number | undefined;
  /**
   * With a floating pool: the floating weight of the channel with the best true CTR (its cap above base,
   * as a share of the pool), mean over campaigns, at 3 h, 6 h and the end of the day; and the first hour it
   * held ≥ 0.75 from then on.
   */
  readonly bestWeight:
    | { readonly at3h: number; readonly at6h: number; readonly end: number; readonly reach75h: number | undefined }
    | undefined;
  /** With mid-day changes: delivery against what the remaining day could deliver (`deliverable`). */
  readonly deliverable?: {
    readonly min: number;
    readonly rows: readonly {
      readonly id: string;
      readonly budget: number;
      readonly before: number;
      readonly capacity: number | undefined;
      readonly deliverable: number;
      readonly spend: number;
    }[];
  };
}

const kSampleMinutes = 5;

/** `configs`: the subset of kConfigs to run (default: all four, the comparison). */
export async function runScenario(
  s: Scenario,
  modelsDir: string,
  store?: () => Promise<{ store: Store; close(): Promise<void> }>,
  configs: readonly PacingConfig[] = kConfigs,
  onMinute?: (run: number, label: string, minute: number) => void,
): Promise<{ metrics: RunMetrics[]; results: DayResult[] }> {
  const metrics: RunMetrics[] = [];
  const results: DayResult[] = [];
  let run = 0;
  let index = 0;
  for (const cfg of s.budget.floating > 0 && configs === kConfigs ? [...kConfigs, kStaticSplit] : configs) {
    const i = index++;
    const shared = store === undefined ? undefined : await store();
    try {
      const r = await simulateDay({
        campaigns: scenarioCampaigns(s, cfg.mode, cfg.floating ?? true),
        channels: scenarioChannels(s),
        seed: s.seed,
        modelsDir,
        pacing: { controller: cfg.controller, ...(s.finishEarly === undefined ? {} : { finishEarly: s.finishEarly }) },
        instances: s.instances,
        ...(shared !== undefined ? { store: shared.store, runTag: `r${run++}-` } : {}),
        ...(s.kill !== undefined ? { kill: s.kill } : {}),
        changes: scenarioChanges(s),
        sampleMinutes: kSampleMinutes,
        ...(onMinute !== undefined ? { onMinute: (m: number) => onMinute(i, cfg.label, m) } : {}),
      });
      results.push(r);
      metrics.push(measure(cfg.label, r, cfg.floating === false ? { ...s, budget: { ...s.budget, floating: 0 } } : s));
    } finally {
      await shared?.close();
    }
  }
  if (scenarioChanges(s).length === 0) return { metrics, results };
  const capacity = await remainingCapacity(s, modelsDir);
  return {
    metrics: metrics.map((m, k) => ({ ...m, deliverable: deliverable(s, results[k]!, capacity) })),
    results,
  };
}

/**
 * When each campaign's day last changed (minutes): a budget factor changes every campaign's, a resume or an
 * add that campaign's; a pause alone leaves it at the pause (nothing more can be delivered after it).
 */
function lastChange(s: Scenario): Map<string, number> {
  const at = new Map<string, number>();
  const ids = scenarioCampaigns(s, 'even').map((c) => c.id);
  for (const ch of scenarioChanges(s)) {
    if (ch.factor !== undefined) for (const id of ids) at.set(id, ch.atMinute);
    for (const id of [...(ch.resume ?? []), ...(ch.add ?? []), ...(ch.pause ?? [])]) at.set(id, ch.atMinute);
  }
  return at;
}

/**
 * What each campaign could buy from its last change to midnight, bidding alone and unpaced at its full bid
 * with a budget it cannot exhaust: the same market and seed, the campaign added to the config at that
 * minute, ASAP pacing, budget × 1000. Alone, so the fleet's other campaigns do not take supply from it:
 * this is the supply the market offers the campaign, an upper bound on what pacing could have bought.
 */
async function remainingCapacity(s: Scenario, modelsDir: string): Promise<Map<string, number>> {
  const at = lastChange(s);
  const paused = new Set(scenarioChanges(s).flatMap((ch) => ch.pause ?? []));
  const out = new Map<string, number>();
  for (const c of scenarioCampaigns(s, 'asap', false)) {
    const minute = at.get(c.id);
    if (minute === undefined) continue;
    // Paused and not resumed after: nothing more to buy.
    const resumed = scenarioChanges(s).some((ch) => ch.atMinute >= minute && (ch.resume ?? []).includes(c.id));
    if (paused.has(c.id) && !resumed && !scenarioChanges(s).some((ch) => ch.atMinute === minute && ch.factor)) {
      out.set(c.id, 0);
      continue;
    }
    const r = await simulateDay({
      campaigns: [{ ...c, budget: { ...c.budget, daily: c.budget.daily * 1000 } }],
      channels: scenarioChannels(s),
      seed: s.seed,
      modelsDir,
      pacing: { controller: 'none' },
      instances: 1,
      changes: [{ atMinute: minute, add: [c.id] }],
      sampleMinutes: 60,
    });
    out.set(c.id, r.campaigns[0]!.spend);
  }
  return out;
}

/**
 * Delivery against what the remaining day could deliver: per campaign, D = min(final budget, spend at its
 * last change + the remaining supply it could buy from then, `remainingCapacity`); the minimum over
 * campaigns of spend ÷ D, and the rows behind it.
 */
function deliverable(s: Scenario, r: DayResult, capacity: Map<string, number>): RunMetrics['deliverable'] {
  const at = lastChange(s);
  const rows = r.campaigns.map((c) => {
    const minute = at.get(c.id);
    const h = minute === undefined ? 0 : Math.floor(minute / 60);
    // Hourly cumulative fractions of the final budget; changes fall on the hour in the scenarios.
    const before = h === 0 ? 0 : c.hourly[h - 1]! * c.budget;
    const cap = capacity.get(c.id);
    const d = cap === undefined ? c.budget : Math.min(c.budget, before + cap);
    return { id: c.id, budget: c.budget, before, capacity: cap, deliverable: d, spend: c.spend };
  });
  return { min: Math.min(...rows.map((x) => (x.deliverable > 0 ? x.spend / x.deliverable : 1))), rows };
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
    expectedEcpc:
      spend / cs.reduce((a, c) => a + c.channels.reduce((b, ch) => b + ch.impressions * ctrOf(s, ch.id), 0), 0),
    signalVolatility: volN === 0 ? 0 : volSum / volN,
    settleMinutes: settle(r, s),
    leaseTakes: r.leaseTakes,
    explorationUse:
      s.budget.exploration > 0
        ? cs.reduce((a, c) => a + c.explorationSpend, 0) / cs.reduce((a, c) => a + c.explorationReserve, 0)
        : undefined,
    bestWeight: bestWeight(r, s),
  };
}

function ctrOf(s: Scenario, channelId: string): number {
  return s.channels.find((c) => c.id === channelId)?.ctr ?? 0;
}

function bestWeight(r: DayResult, s: Scenario): RunMetrics['bestWeight'] {
  const f = s.budget.floating;
  if (f <= 0 || s.channels.length < 2) return undefined;
  const best = s.channels.reduce((a, c) => (c.ctr > a.ctr ? c : a));
  const base = 1 / s.channels.length;
  const weights = r.sampleMinutes.map((_, i) => {
    let sum = 0;
    for (const c of r.campaigns)
      sum += ((c.channels.find((x) => x.id === best.id)!.capShare[i] ?? 0) - (1 - f) * base) / f;
    return sum / r.campaigns.length;
  });
  const at = (minute: number) => weights[r.sampleMinutes.findIndex((m) => m >= minute)] ?? Number.NaN;
  let reach: number | undefined;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i]! >= 0.75) reach ??= r.sampleMinutes[i]! / 60;
    else reach = undefined;
  }
  return { at3h: at(180), at6h: at(360), end: weights[weights.length - 1]!, reach75h: reach };
}

/** The day's last hours, where `pacing.finishEarly` aims ahead of the linear curve on purpose (gate.ts). */
const kFinishWindowMinutes = kFinishWindowMs / 60_000;

/**
 * Settling after the end of a traffic step: on the stepped channel, mean |spend fraction − linear target| ≤ 1%,
 * up to the day's finish window (from there the bidder aims ahead of the linear curve by design).
 */
function settle(r: DayResult, s: Scenario): number | undefined {
  const stepped = s.channels.find((c) => c.step !== undefined);
  if (stepped?.step === undefined) return undefined;
  const end = stepped.step.toMinute;
  const t = r.sampleMinutes;
  let settledAt: number | undefined;
  for (let i = 0; i < t.length; i++) {
    if (t[i]! < end || t[i]! >= 1440 - kFinishWindowMinutes) continue;
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

function deliverableTable(d: NonNullable<RunMetrics['deliverable']>): {
  title: string;
  columns: string[];
  rows: string[][];
} {
  const usd = (x: number) => `$${x.toFixed(2)}`;
  return {
    title: 'Delivery vs what the remaining day could deliver',
    columns: [
      'campaign',
      'final budget',
      'spent by its last change',
      'supply after it',
      'deliverable',
      'spent',
      'spent ÷ deliverable',
      'overspend',
    ],
    rows: d.rows.map((x) => [
      x.id,
      usd(x.budget),
      usd(x.before),
      x.capacity === undefined ? '—' : usd(x.capacity),
      usd(x.deliverable),
      usd(x.spend),
      pct(x.deliverable > 0 ? x.spend / x.deliverable : 1),
      usd(Math.max(0, x.spend - x.budget)),
    ]),
  };
}

/**
 * Every floating-pool step of a run with the figures it was decided on: per channel the day's spend and
 * events, average ROI, the operating point (mean bid, mean paid, marginal cost of the next impression, CPM)
 * and the marginal factor; then the gap in ln marginal ROI, its standard error and the bar it cleared.
 */
function stepTable(steps: readonly SimStep[]): { title: string; columns: string[]; rows: string[][] } {
  const cpm = (x: number | undefined) => (x === undefined ? '—' : (x / 1e6).toFixed(3));
  const hhmm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(Math.floor(m % 60)).padStart(2, '0')}`;
  const side = (s: SimStep, id: string) => {
    const f = s.figures.find((x) => x.channelId === id);
    if (f === undefined) return '—';
    const roi = f.spentMicros > 0 ? f.valueMicros / f.spentMicros : Number.NaN;
    return (
      `${id}: spent $${(f.spentMicros / 1e6).toFixed(2)}/${(f.capMicros / 1e6).toFixed(2)}, ${f.events} ev, ` +
      `ROI ${roi.toFixed(2)}, bid ${cpm(f.bidCpmMicros)} paid ${cpm(f.paidCpmMicros)} MC ${cpm(f.marginalCpmMicros)}, ` +
      `×${f.factor.toFixed(2)}, signal ${f.signal.toFixed(2)}` +
      (f.prior === undefined ? '' : `, prior ${f.prior.events.toFixed(0)} ev at ROI ${f.prior.roi.toFixed(2)}`)
    );
  };
  return {
    title: `Floating-pool steps (${steps.length})`,
    columns: [
      'time',
      'campaign',
      'reason',
      'from → to',
      'moved',
      'giving channel',
      'receiving channel',
      'mROI from → to',
      'gap / se / bar',
    ],
    rows: steps.map((s) => [
      hhmm(s.minute),
      s.campaignId,
      s.move.reason,
      `${s.move.from} → ${s.move.to}`,
      pct(s.move.fraction),
      side(s, s.move.from),
      side(s, s.move.to),
      s.move.marginalFrom === undefined ? '—' : `${s.move.marginalFrom.toFixed(2)} → ${s.move.marginalTo!.toFixed(2)}`,
      s.move.gap === undefined
        ? '—'
        : `${s.move.gap.toFixed(3)} / ${s.move.se!.toFixed(3)} / ${s.move.threshold!.toFixed(3)}`,
    ]),
  };
}

export function buildReport(
  s: Scenario,
  command: string,
  metrics: readonly RunMetrics[],
  results: readonly DayResult[],
): SimReport {
  const floating = s.budget.floating > 0;
  const columns = [
    'pacing',
    'mean delivery',
    'min delivery',
    'max overspend',
    'RMSE vs linear',
    'CPM',
    'eCPC',
    'signal volatility',
    ...(s.channels.some((c) => c.step) ? ['settling after step (min)'] : []),
    ...(s.budget.exploration > 0 ? ['exploration spend ÷ reserve'] : []),
    ...(floating
      ? ['pool on best channel 3h / 6h / 24h', 'pool ≥ 75% on best from (h)', 'eCPC at true CTR', 'steps']
      : []),
    ...(metrics.some((m) => m.deliverable !== undefined) ? ['min delivery vs deliverable'] : []),
    'lease takes',
    'requests',
    'wall s',
  ];
  const rows = metrics.map((m) => [
    m.label,
    pct(m.meanDelivery),
    pct(m.minDelivery),
    pct(m.maxOverspend),
    m.rmse.toFixed(4),
    `$${m.cpm.toFixed(3)}`,
    `$${m.ecpc.toFixed(4)}`,
    m.signalVolatility.toFixed(3),
    ...(m.settleMinutes !== undefined ? [Number.isFinite(m.settleMinutes) ? String(m.settleMinutes) : 'never'] : []),
    ...(s.budget.exploration > 0 ? [m.explorationUse === undefined ? '—' : pct(m.explorationUse)] : []),
    ...(floating
      ? m.bestWeight === undefined
        ? ['static', '—']
        : [
            `${pct(m.bestWeight.at3h)} / ${pct(m.bestWeight.at6h)} / ${pct(m.bestWeight.end)}`,
            m.bestWeight.reach75h === undefined ? 'never' : m.bestWeight.reach75h.toFixed(1),
          ]
      : []),
    ...(floating ? [`$${m.expectedEcpc.toFixed(4)}`, String(results[metrics.indexOf(m)]?.steps.length ?? 0)] : []),
    ...(metrics.some((x) => x.deliverable !== undefined)
      ? [m.deliverable === undefined ? '—' : pct(m.deliverable.min)]
      : []),
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
          ...r.campaigns.map((c) => ({
            name: c.id,
            points: (c.channels.find((x) => x.id === ch.id)?.spendFraction ?? []).map(
              (y, i) => [hours[i]!, y] as const,
            ),
          })),
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
          series: r.campaigns.map((c) => ({
            name: c.id,
            points: (c.channels.find((x) => x.id === ch.id)?.signal ?? []).map((y, i) => [hours[i]!, y] as const),
          })),
        });
      }
    }
    if (floating) {
      const mean = (pick: (ch: DayResult['campaigns'][number]['channels'][number]) => readonly number[], id: string) =>
        hours.map((h, i) => {
          let sum = 0;
          let n = 0;
          for (const c of r.campaigns) {
            const y = pick(c.channels.find((x) => x.id === id)!)[i];
            if (y !== undefined && Number.isFinite(y)) {
              sum += y;
              n++;
            }
          }
          return [h, n === 0 ? 0 : sum / n] as const;
        });
      charts.push({
        title: 'Channel allocation — cap ÷ daily budget, mean over campaigns',
        yLabel: 'share of the daily budget',
        yMin: 0,
        yMax: 1,
        series: s.channels.map((ch) => ({ name: ch.id, points: mean((x) => x.capShare, ch.id) })),
      });
      charts.push({
        title: 'ROI per channel — clicks × value ÷ spend, trailing hour, mean over campaigns',
        yLabel: 'ROI',
        yMin: 0,
        series: s.channels.map((ch) => ({ name: ch.id, points: mean((x) => x.roi, ch.id) })),
      });
    }
    return {
      title: m.label,
      summary: columns.slice(1).map((metric, i) => ({ metric, value: rows[k]![i + 1]! })),
      charts,
      tables: [
        ...(m.deliverable !== undefined ? [deliverableTable(m.deliverable)] : []),
        ...(r.steps.length > 0 ? [stepTable(r.steps)] : []),
      ],
    };
  });
  return {
    scenario: s.name,
    seed: s.seed,
    generatedBy: command,
    comparison: { columns, rows },
    runs,
    notes: [s.description],
  };
}
