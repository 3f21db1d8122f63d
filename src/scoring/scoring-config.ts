/**
 * The configuration the scoring module reads, as plain TypeScript types ready to be mirrored by zod schemas
 * in `config/schema.ts` (owned by the config module: nothing here imports zod). Money is in account-currency
 * units as people write it (CPM, CPC, CPA); compiling turns it into integer micros. Ranges a schema should
 * enforce are given as `@range` tags; `compileStrategy` and friends re-check what they depend on and throw a
 * `ScoringConfigError` with a field path, so a hand-built config cannot slip through either.
 */
import type { ScoringStrategy } from './strategies.js';

/** A campaign's `bid` block: the existing two strategies plus the two value-based ones. */
export type StrategyConfig =
  | { readonly strategy: 'fixed_cpm' /** @range > 0 */; readonly cpm: number }
  | {
      readonly strategy: 'max_cpm' /** @range > 0 */;
      readonly cpm: number /** @range (0, 1], default 0.8 */;
      readonly bidFraction?: number;
    }
  | {
      readonly strategy: 'target_cpc' /** @range > 0 */;
      readonly cpc: number /** @range > 0 */;
      readonly maxCpm: number;
    }
  | {
      readonly strategy: 'target_cpa' /** @range > 0 */;
      readonly cpa: number /** @range > 0 */;
      readonly maxCpm: number;
    };

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Multipliers on the strategy's price; they compose by product. @range each multiplier in [0, 10] */
export interface MultipliersConfig {
  /** channel id → the buyer's value weight for that channel (missing = 1). */
  readonly channels?: Readonly<Record<string, number>>;
  /** In the campaign's time zone; later entries win where they overlap. hours: [from, to), 0..24. */
  readonly dayparts?: readonly {
    readonly days: readonly Weekday[];
    readonly hours: readonly [number, number];
    readonly multiplier: number;
  }[];
  /** journey-stage segment (`stage:consideration`, …) → multiplier (missing or unknown stage = 1). */
  readonly stages?: Readonly<Record<string, number>>;
}

export interface ExperimentArmConfig {
  /** @range non-empty, unique within the experiment */
  readonly id: string;
  /** Relative size. @range > 0 */
  readonly weight: number;
  /** Replaces the campaign's strategy for units in this arm. */
  readonly strategy?: StrategyConfig;
  /** Model names (`pctr-b`, latest version) or pinned versions (`pctr@3`) for this arm. */
  readonly model?: { readonly pctr?: string; readonly pcvr?: string };
}

export interface ExperimentConfig {
  /** Also the bucketing salt: renaming an experiment reshuffles its units. @range non-empty, unique */
  readonly id: string;
  /** @range at least one arm */
  readonly arms: readonly ExperimentArmConfig[];
  /** Fraction of units that get no bid (the control for incrementality). @range [0, 1), default 0 */
  readonly holdout?: number;
}

/** What a campaign file gains for scoring (next to its existing `bid`). */
export interface CampaignScoringConfig {
  readonly bid: StrategyConfig;
  readonly multipliers?: MultipliersConfig;
  /** Shade first-price bids (default true; fixed_cpm is never shaded: a fixed price is the buyer's word). */
  readonly shading?: boolean;
  /** Models for this campaign (default: the live `pctr` / `pcvr`). */
  readonly models?: { readonly pctr?: string; readonly pcvr?: string };
  readonly experiments?: readonly ExperimentConfig[];
}

export class ScoringConfigError extends Error {
  readonly path: string;

  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'ScoringConfigError';
    this.path = path;
  }
}

const kMicros = 1_000_000;

function positive(path: string, x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new ScoringConfigError(path, `expected a positive number, got ${x}`);
  return Math.round(x * kMicros);
}

export function compileStrategy(s: StrategyConfig, path = 'bid'): ScoringStrategy {
  switch (s.strategy) {
    case 'fixed_cpm':
      return Object.freeze({ kind: 'fixed_cpm', cpmMicros: positive(`${path}.cpm`, s.cpm) });
    case 'max_cpm': {
      const f = s.bidFraction ?? 0.8;
      if (!(f > 0 && f <= 1)) throw new ScoringConfigError(`${path}.bidFraction`, `expected (0, 1], got ${f}`);
      return Object.freeze({ kind: 'max_cpm', cpmMicros: positive(`${path}.cpm`, s.cpm), bidFraction: f });
    }
    case 'target_cpc':
      return Object.freeze({
        kind: 'target_cpc',
        cpcMicros: positive(`${path}.cpc`, s.cpc),
        maxCpmMicros: positive(`${path}.maxCpm`, s.maxCpm),
      });
    case 'target_cpa':
      return Object.freeze({
        kind: 'target_cpa',
        cpaMicros: positive(`${path}.cpa`, s.cpa),
        maxCpmMicros: positive(`${path}.maxCpm`, s.maxCpm),
      });
  }
}

export function checkMultiplier(path: string, m: number): number {
  if (!(m >= 0 && m <= 10)) throw new ScoringConfigError(path, `expected a multiplier in [0, 10], got ${m}`);
  return m;
}
