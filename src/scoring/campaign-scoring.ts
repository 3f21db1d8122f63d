/**
 * A campaign's scoring setup compiled once per config snapshot: strategy in micros, multiplier tables
 * (channel map, 168-slot hour-of-week table, stage map), experiments, and the price bound selection may use.
 * The bid path holds one `ScoringCampaign` per `Campaign` and passes it with each candidate.
 */
import { hashCampaign } from './features.js';
import { compileExperiments, type CompiledExperiment } from './experiments.js';
import { checkMultiplier, compileStrategy, ScoringConfigError, type CampaignScoringConfig } from './scoring-config.js';
import { strategyBoundMicros, type ScoringStrategy } from './strategies.js';

export interface ScoringCampaign {
  readonly id: string;
  /** The campaign feature's raw hash (seeds the creative feature too). */
  readonly idHash: number;
  readonly strategy: ScoringStrategy;
  readonly channelMult: ReadonlyMap<string, number>;
  /** 168 multipliers by campaign-local hour of week (0 = Monday 00:00); undefined = all 1. */
  readonly daypartMult: Float64Array | undefined;
  readonly stageMult: ReadonlyMap<string, number>;
  readonly shading: boolean;
  readonly ctrModel: string | undefined;
  readonly cvrModel: string | undefined;
  readonly experiments: readonly CompiledExperiment[];
  /** The most any candidate of this campaign can bid (CPM micros), for the selection's branch and bound. */
  readonly boundMicros: number;
}

const kDays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

function maxOf(values: Iterable<number>): number {
  let m = 1;
  for (const v of values) if (v > m) m = v;
  return m;
}

/**
 * Compiles a campaign's scoring config; throws `ScoringConfigError` (with a field path) on values a schema
 * should have refused. `maxPacingMultiplier`: the largest multiplier the pacing controller may apply.
 */
export function compileCampaignScoring(
  id: string,
  cfg: CampaignScoringConfig,
  maxPacingMultiplier = 1,
): ScoringCampaign {
  const strategy = compileStrategy(cfg.bid);
  const m = cfg.multipliers ?? {};
  const channelMult = new Map<string, number>();
  for (const [ch, v] of Object.entries(m.channels ?? {}))
    channelMult.set(ch, checkMultiplier(`multipliers.channels.${ch}`, v));
  const stageMult = new Map<string, number>();
  for (const [st, v] of Object.entries(m.stages ?? {}))
    stageMult.set(st, checkMultiplier(`multipliers.stages.${st}`, v));
  let daypartMult: Float64Array | undefined;
  if (m.dayparts !== undefined && m.dayparts.length > 0) {
    const table = new Float64Array(168).fill(1);
    daypartMult = table;
    m.dayparts.forEach((dp, i) => {
      const [from, to] = dp.hours;
      if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to <= 24 && from < to)) {
        throw new ScoringConfigError(
          `multipliers.dayparts[${i}].hours`,
          `expected [from, to) with 0 ≤ from < to ≤ 24, got [${from}, ${to}]`,
        );
      }
      const mult = checkMultiplier(`multipliers.dayparts[${i}].multiplier`, dp.multiplier);
      for (const day of dp.days) {
        const d = kDays.indexOf(day);
        if (d < 0) throw new ScoringConfigError(`multipliers.dayparts[${i}].days`, `unknown day ${String(day)}`);
        for (let h = from; h < to; h++) table[d * 24 + h] = mult;
      }
    });
  }
  const experiments = compileExperiments(cfg.experiments);
  const maxMult =
    maxOf(channelMult.values()) *
    (daypartMult === undefined ? 1 : maxOf(daypartMult)) *
    maxOf(stageMult.values()) *
    Math.max(1, maxPacingMultiplier);
  let bound = strategyBoundMicros(strategy, maxMult);
  for (const e of experiments)
    for (const a of e.arms)
      if (a.strategy !== undefined) bound = Math.max(bound, strategyBoundMicros(a.strategy, maxMult));
  return Object.freeze({
    id,
    idHash: hashCampaign(id),
    strategy,
    channelMult,
    daypartMult,
    stageMult,
    shading: cfg.shading ?? true,
    ctrModel: cfg.models?.pctr,
    cvrModel: cfg.models?.pcvr,
    experiments,
    boundMicros: bound,
  });
}
