/**
 * Bid strategies: what a campaign offers for an impression, in account CPM micros, given the floor.
 *   fixed_cpm  — the configured CPM (× multipliers), or nothing when that is below the floor;
 *   max_cpm    — a fraction of the max CPM (× multipliers, never above the max), raised to the floor when
 *                the max allows it;
 *   target_cpc — value = pCTR × target CPC × 1000 (CPC micros → CPM micros) × multipliers, capped by max CPM;
 *   target_cpa — value = pCTR × pCVR × target CPA × 1000 × multipliers, capped by max CPM.
 * Value strategies never bid above their value, so below the floor they do not bid.
 *
 * `priceFor` is the model-free price the bid path uses today; `strategyPrice` is the same arithmetic over
 * plain numbers, which is what the scoring kernel runs (in a worker or inline) for every strategy.
 */
/** The model-free strategies. */
export type FixedStrategy =
  | { readonly kind: 'fixed_cpm'; readonly cpmMicros: number }
  | { readonly kind: 'max_cpm'; readonly cpmMicros: number; readonly bidFraction: number };

export type ScoringStrategy =
  | FixedStrategy
  | { readonly kind: 'target_cpc'; readonly cpcMicros: number; readonly maxCpmMicros: number }
  | { readonly kind: 'target_cpa'; readonly cpaMicros: number; readonly maxCpmMicros: number };

export type StrategyKind = ScoringStrategy['kind'];

/** Strategy codes in the task buffer; `kHoldoutCode` marks a candidate an experiment holds out. */
export const kStrategyCode: Readonly<Record<StrategyKind, number>> = Object.freeze({
  fixed_cpm: 0,
  max_cpm: 1,
  target_cpc: 2,
  target_cpa: 3,
});
export const kHoldoutCode = -1;

/** `strategyPrice` results that are not prices. */
export const kBelowFloor = -1;
export const kNeedsModel = -2;

export function priceFor(strategy: ScoringStrategy, floorMicros: number): number | undefined {
  const p = strategyPrice(
    kStrategyCode[strategy.kind],
    strategyA(strategy),
    strategyB(strategy),
    1,
    NaN,
    NaN,
    floorMicros,
  );
  return p >= 0 ? p : undefined;
}

/** First numeric parameter: the CPM, target CPC or target CPA, in micros. */
export function strategyA(s: ScoringStrategy): number {
  switch (s.kind) {
    case 'fixed_cpm':
    case 'max_cpm':
      return s.cpmMicros;
    case 'target_cpc':
      return s.cpcMicros;
    case 'target_cpa':
      return s.cpaMicros;
  }
}

/** Second numeric parameter: the bid fraction (max_cpm) or the max CPM cap in micros (value strategies). */
export function strategyB(s: ScoringStrategy): number {
  switch (s.kind) {
    case 'fixed_cpm':
      return 0;
    case 'max_cpm':
      return s.bidFraction;
    case 'target_cpc':
    case 'target_cpa':
      return s.maxCpmMicros;
  }
}

export function needsCtr(s: ScoringStrategy): boolean {
  return s.kind === 'target_cpc' || s.kind === 'target_cpa';
}

export function needsCvr(s: ScoringStrategy): boolean {
  return s.kind === 'target_cpa';
}

/**
 * The price in CPM micros (≥ 0), `kBelowFloor`, or `kNeedsModel` when a value strategy lacks a prediction.
 * `mult` is the product of every multiplier (channel, daypart, stage, pacing); pCTR/pCVR may be NaN for
 * strategies that do not read them.
 */
export function strategyPrice(
  code: number,
  a: number,
  b: number,
  mult: number,
  pctr: number,
  pcvr: number,
  floor: number,
): number {
  switch (code) {
    case 0: {
      const v = Math.round(a * mult);
      return v >= floor && v > 0 ? v : kBelowFloor;
    }
    case 1: {
      if (a < floor) return kBelowFloor;
      const base = Math.min(a, Math.round(a * b * mult));
      return Math.max(base, floor);
    }
    case 2: {
      if (!(pctr >= 0)) return kNeedsModel;
      const v = Math.min(b, Math.round(pctr * a * 1000 * mult));
      return v >= floor && v > 0 ? v : kBelowFloor;
    }
    case 3: {
      if (!(pctr >= 0) || !(pcvr >= 0)) return kNeedsModel;
      const v = Math.min(b, Math.round(pctr * pcvr * a * 1000 * mult));
      return v >= floor && v > 0 ? v : kBelowFloor;
    }
    default:
      return kBelowFloor;
  }
}

/**
 * The most a strategy can bid with multipliers up to `maxMultiplier` (for the selection's price bound): the
 * fixed CPM scaled by the multipliers, the max CPM otherwise (multipliers never lift a capped strategy).
 */
export function strategyBoundMicros(s: ScoringStrategy, maxMultiplier: number): number {
  switch (s.kind) {
    case 'fixed_cpm':
      return Math.round(s.cpmMicros * Math.max(1, maxMultiplier));
    case 'max_cpm':
      return s.cpmMicros;
    case 'target_cpc':
    case 'target_cpa':
      return s.maxCpmMicros;
  }
}
