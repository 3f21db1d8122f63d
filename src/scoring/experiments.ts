/**
 * A/B and multi-arm experiments per campaign: deterministic bucketing of a unit (the person id, or the request
 * id when there is no person) with murmur3(experimentId + ':' + unit) → u ∈ [0, 1):
 *
 *   0 ──── holdout ────┬──── arm 0 ────┬── arm 1 ──┬─ … ── 1      (arm widths ∝ weight, over 1 − holdout)
 *
 * The same unit always lands in the same arm (no state to store, and a notice can be attributed again from
 * the ids in its token), and experiments are independent of each other because the id salts the hash.
 * Holdout units get no bid from that campaign. Counters per arm are plain numbers the metrics module exports.
 */
import { murmur3Concat, toUnit } from './hash.js';
import { compileStrategy, ScoringConfigError, type ExperimentConfig } from './scoring-config.js';
import type { ScoringStrategy } from './strategies.js';

export interface CompiledArm {
  readonly experimentId: string;
  readonly id: string;
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
  clicks: number;
  conversions: number;
}

export interface ArmSnapshot extends ArmCounters {
  /** spend / clicks, micros; null before the first click. */
  readonly ecpcMicros: number | null;
  /** spend / conversions, micros; null before the first conversion. */
  readonly ecpaMicros: number | null;
}

export type ExperimentsSnapshot = Record<string, { holdouts: number; arms: Record<string, ArmSnapshot> }>;

/** Per-arm counters, kept across config reloads (keyed by ids, not by compiled objects). */
export class ExperimentStats {
  readonly #arms = new Map<string, ArmCounters & { readonly experimentId: string; readonly armId: string }>();
  readonly #holdouts = new Map<string, number>();

  counters(arm: CompiledArm): ArmCounters {
    let c = this.#arms.get(arm.key);
    if (c === undefined) {
      c = {
        experimentId: arm.experimentId,
        armId: arm.id,
        bids: 0,
        wins: 0,
        spendMicros: 0,
        clicks: 0,
        conversions: 0,
      };
      this.#arms.set(arm.key, c);
    }
    return c;
  }

  holdout(exp: CompiledExperiment): void {
    this.#holdouts.set(exp.id, (this.#holdouts.get(exp.id) ?? 0) + 1);
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
