/**
 * A/B and multi-arm experiments per campaign: deterministic bucketing of a unit (the person id, or the request
 * id when there is no person) with murmur3(experimentId + ':' + unit) → u ∈ [0, 1):
 *
 *   0 ──── holdout ────┬──── arm 0 ────┬── arm 1 ──┬─ … ── 1      (arm widths ∝ weight, over 1 − holdout)
 *
 * The same unit always lands in the same arm (no state to store, and a notice can be attributed again from
 * the ids in its token), and experiments are independent of each other because the id salts the hash.
 * Holdout units get no bid from that campaign. Counters per arm are plain numbers; `ExperimentStats.report`
 * turns them into what a buyer reads (`GET /admin/experiments`): per arm spend, wins, clicks, conversions, CTR,
 * eCPC, eCPA and ROI with 95% intervals, and each arm against the first one (the control) by the sequential test
 * of sequential.ts, valid however often the report is read.
 */
import { murmur3Concat, toUnit } from './hash.js';
import { compileStrategy, ScoringConfigError, type ExperimentConfig } from './scoring-config.js';
import {
  inverse,
  kSequentialDefaults,
  mixtureSprt,
  ratioInterval,
  wilson,
  type Interval,
  type RatioSample,
  type SequentialOptions,
  type SequentialResult,
} from './sequential.js';
import type { ScoringStrategy } from './strategies.js';

export interface CompiledArm {
  readonly experimentId: string;
  readonly id: string;
  /** Position in the experiment; arm 0 is the control the report compares the others with. */
  readonly index: number;
  /** `experimentId/armId`, the counters key. */
  readonly key: string;
  readonly strategy: ScoringStrategy | undefined;
  readonly ctrModel: string | undefined;
  readonly cvrModel: string | undefined;
}

export interface CompiledExperiment {
  readonly id: string;
  /** `id + ':'`, the hash prefix. */
  readonly prefix: string;
  readonly holdout: number;
  /** Cumulative arm weights, normalised to end at 1. */
  readonly cumulative: Float64Array;
  readonly arms: readonly CompiledArm[];
}

/** `bucket` result for a held-out unit. */
export const kHoldoutArm = -1;

export function compileExperiments(
  list: readonly ExperimentConfig[] | undefined,
  path = 'experiments',
): readonly CompiledExperiment[] {
  if (list === undefined || list.length === 0) return Object.freeze([]);
  const ids = new Set<string>();
  return Object.freeze(
    list.map((e, i) => {
      const p = `${path}[${i}]`;
      if (e.id === '' || ids.has(e.id))
        throw new ScoringConfigError(`${p}.id`, `experiment id must be non-empty and unique, got "${e.id}"`);
      ids.add(e.id);
      const holdout = e.holdout ?? 0;
      if (!(holdout >= 0 && holdout < 1))
        throw new ScoringConfigError(`${p}.holdout`, `expected [0, 1), got ${holdout}`);
      if (e.arms.length === 0) throw new ScoringConfigError(`${p}.arms`, 'an experiment needs at least one arm');
      let total = 0;
      const armIds = new Set<string>();
      e.arms.forEach((a, j) => {
        if (!(a.weight > 0) || !Number.isFinite(a.weight))
          throw new ScoringConfigError(`${p}.arms[${j}].weight`, `expected a positive weight, got ${a.weight}`);
        if (a.id === '' || armIds.has(a.id))
          throw new ScoringConfigError(`${p}.arms[${j}].id`, `arm id must be non-empty and unique, got "${a.id}"`);
        armIds.add(a.id);
        total += a.weight;
      });
      const cumulative = new Float64Array(e.arms.length);
      let acc = 0;
      e.arms.forEach((a, j) => {
        acc += a.weight;
        cumulative[j] = acc / total;
      });
      cumulative[e.arms.length - 1] = 1;
      const arms = e.arms.map((a, j) =>
        Object.freeze({
          experimentId: e.id,
          id: a.id,
          index: j,
          key: `${e.id}/${a.id}`,
          strategy: a.strategy === undefined ? undefined : compileStrategy(a.strategy, `${p}.arms[${j}].strategy`),
          ctrModel: a.model?.pctr,
          cvrModel: a.model?.pcvr,
        }),
      );
      return Object.freeze({ id: e.id, prefix: `${e.id}:`, holdout, cumulative, arms: Object.freeze(arms) });
    }),
  );
}

/** The arm index of `unit` in `exp`, or `kHoldoutArm`. */
export function bucket(exp: CompiledExperiment, unit: string): number {
  const u = toUnit(murmur3Concat(exp.prefix, unit));
  if (u < exp.holdout) return kHoldoutArm;
  const r = (u - exp.holdout) / (1 - exp.holdout);
  const cum = exp.cumulative;
  for (let i = 0; i < cum.length - 1; i++) if (r < cum[i]!) return i;
  return cum.length - 1;
}

export interface ArmCounters {
  bids: number;
  wins: number;
  spendMicros: number;
  /** Σ (spend of one impression, account currency)²: the spend's variance, for the intervals and the test. */
  spendSq: number;
  clicks: number;
  conversions: number;
  /** Σ conversion value (micros) and Σ (value, account currency)², when conversions carry a value. */
  valueMicros: number;
  valueSq: number;
}

/** The per-dollar rate an experiment's verdict compares: clicks (eCPC), conversions (eCPA) or value (ROI). */
export type ExperimentMetric = 'clicks' | 'conversions' | 'value';
export const kExperimentMetrics: readonly ExperimentMetric[] = ['clicks', 'conversions', 'value'];

export interface ArmReport {
  readonly bids: number;
  readonly wins: number;
  /** Account currency. */
  readonly spend: number;
  readonly clicks: number;
  readonly conversions: number;
  /** Σ conversion value, account currency. */
  readonly value: number;
  /** Clicks ÷ wins (Wilson interval). */
  readonly ctr: Interval | null;
  /** Spend ÷ clicks, spend ÷ conversions, value ÷ spend (delta-method intervals); null before the first. */
  readonly ecpc: Interval | null;
  readonly ecpa: Interval | null;
  readonly roi: Interval | null;
  /**
   * Against the control (arm 0) on `metric` per dollar: the relative effect with its always-valid interval,
   * this look's p-value, the always-valid p-value (the minimum over every report so far) and the verdict.
   * Absent for the control; null before both arms have an action.
   */
  readonly test?: (SequentialResult & { readonly pAlwaysValid: number }) | null;
}

export interface ExperimentReport {
  readonly holdouts: number;
  readonly control: string | undefined;
  readonly metric: ExperimentMetric;
  readonly alpha: number;
  readonly arms: Record<string, ArmReport>;
}

export interface ArmSnapshot extends Omit<ArmCounters, 'spendSq' | 'valueMicros' | 'valueSq'> {
  /** spend / clicks, micros; null before the first click. */
  readonly ecpcMicros: number | null;
  /** spend / conversions, micros; null before the first conversion. */
  readonly ecpaMicros: number | null;
}

export type ExperimentsSnapshot = Record<string, { holdouts: number; arms: Record<string, ArmSnapshot> }>;

/** Per-arm counters, kept across config reloads (keyed by ids, not by compiled objects). */
type Counted = ArmCounters & { readonly experimentId: string; readonly armId: string; readonly index: number };

/** The ratio sample of `metric` per dollar over an arm's won impressions. */
function sampleOf(c: ArmCounters, metric: ExperimentMetric): RatioSample {
  const sumS = c.spendMicros / 1e6;
  if (metric === 'value') return { n: c.wins, sumY: c.valueMicros / 1e6, sumY2: c.valueSq, sumS, sumS2: c.spendSq };
  // A click or a conversion is 0/1 per impression, so Σy² = Σy.
  const y = metric === 'clicks' ? c.clicks : c.conversions;
  return { n: c.wins, sumY: y, sumY2: y, sumS, sumS2: c.spendSq };
}

function actionsOf(c: ArmCounters, metric: ExperimentMetric): number {
  return metric === 'clicks' ? c.clicks : c.conversions;
}

export class ExperimentStats {
  readonly #arms = new Map<string, Counted>();
  readonly #holdouts = new Map<string, number>();
  /** Running minimum of each arm's p-value per metric and α: the always-valid p-value. */
  readonly #pMin = new Map<string, number>();

  counters(arm: CompiledArm): ArmCounters {
    let c = this.#arms.get(arm.key);
    if (c === undefined) {
      c = {
        experimentId: arm.experimentId,
        armId: arm.id,
        index: arm.index,
        bids: 0,
        wins: 0,
        spendMicros: 0,
        spendSq: 0,
        clicks: 0,
        conversions: 0,
        valueMicros: 0,
        valueSq: 0,
      };
      this.#arms.set(arm.key, c);
    }
    return c;
  }

  /** Every arm's raw counters and every experiment's holdout count (what a fleet sums). */
  entries(): {
    readonly arms: readonly (Readonly<ArmCounters> & { experimentId: string; armId: string; index: number })[];
    readonly holdouts: ReadonlyMap<string, number>;
  } {
    return { arms: [...this.#arms.values()], holdouts: this.#holdouts };
  }

  /**
   * Replaces every counter with `arms` and `holdouts` (the fleet's sums, read back from the store), keeping
   * the running minimum p-values: the fleet's report is one sequence of looks, however often it is rebuilt.
   */
  replace(
    arms: readonly (ArmCounters & { experimentId: string; armId: string; index: number })[],
    holdouts: ReadonlyMap<string, number>,
  ): void {
    this.#arms.clear();
    for (const a of arms) this.#arms.set(`${a.experimentId}/${a.armId}`, { ...a });
    this.#holdouts.clear();
    for (const [id, n] of holdouts) this.#holdouts.set(id, n);
  }

  holdout(exp: CompiledExperiment): void {
    this.#holdouts.set(exp.id, (this.#holdouts.get(exp.id) ?? 0) + 1);
  }

  /**
   * Every experiment's arms with intervals, and each arm against the control by the sequential test on
   * `metric` per dollar. Each call is a look: the always-valid p-values keep their minimum across calls.
   */
  report(metric: ExperimentMetric = 'clicks', o: SequentialOptions = {}): Record<string, ExperimentReport> {
    const alpha = o.alpha ?? kSequentialDefaults.alpha;
    const byExperiment = new Map<string, Counted[]>();
    for (const id of this.#holdouts.keys()) byExperiment.set(id, []);
    for (const c of this.#arms.values()) {
      const list = byExperiment.get(c.experimentId);
      if (list === undefined) byExperiment.set(c.experimentId, [c]);
      else list.push(c);
    }
    const out: Record<string, ExperimentReport> = {};
    for (const [id, list] of byExperiment) {
      list.sort((a, b) => a.index - b.index);
      // The control is arm 0; until it has counters there is nothing to compare with.
      const control = list[0]?.index === 0 ? list[0] : undefined;
      const arms: Record<string, ArmReport> = {};
      for (const c of list) {
        const figures = armFigures(c);
        if (control === undefined || c === control) {
          arms[c.armId] = figures;
          continue;
        }
        const t = mixtureSprt(
          sampleOf(control, metric),
          sampleOf(c, metric),
          { control: actionsOf(control, metric), arm: actionsOf(c, metric) },
          o,
        );
        let test: ArmReport['test'] = null;
        if (t !== null) {
          const key = `${id}\u0000${c.armId}\u0000${metric}\u0000${alpha}\u0000${o.tau ?? ''}\u0000${o.minActions ?? ''}`;
          const p = Math.min(this.#pMin.get(key) ?? 1, t.pValue);
          this.#pMin.set(key, p);
          test = { ...t, pAlwaysValid: p };
        }
        arms[c.armId] = { ...figures, test };
      }
      out[id] = { holdouts: this.#holdouts.get(id) ?? 0, control: control?.armId, metric, alpha, arms };
    }
    return out;
  }

  snapshot(): ExperimentsSnapshot {
    const out: ExperimentsSnapshot = {};
    const entry = (id: string) => (out[id] ??= { holdouts: this.#holdouts.get(id) ?? 0, arms: {} });
    for (const id of this.#holdouts.keys()) entry(id);
    for (const c of this.#arms.values()) {
      entry(c.experimentId).arms[c.armId] = {
        bids: c.bids,
        wins: c.wins,
        spendMicros: c.spendMicros,
        clicks: c.clicks,
        conversions: c.conversions,
        ecpcMicros: c.clicks > 0 ? Math.round(c.spendMicros / c.clicks) : null,
        ecpaMicros: c.conversions > 0 ? Math.round(c.spendMicros / c.conversions) : null,
      };
    }
    return out;
  }
}

function armFigures(c: ArmCounters): ArmReport {
  const clicks = sampleOf(c, 'clicks');
  const conversions = sampleOf(c, 'conversions');
  const value = sampleOf(c, 'value');
  return {
    bids: c.bids,
    wins: c.wins,
    spend: c.spendMicros / 1e6,
    clicks: c.clicks,
    conversions: c.conversions,
    value: c.valueMicros / 1e6,
    ctr: wilson(c.clicks, c.wins),
    ecpc: inverse(ratioInterval(clicks)),
    ecpa: inverse(ratioInterval(conversions)),
    roi: ratioInterval(value),
  };
}
