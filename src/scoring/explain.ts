/**
 * Bid explanations for debugging a price: the features a candidate was scored on, each model's bias and the
 * weight every feature contributed, the multipliers, the experiment arms, and value vs shaded price. Built
 * on demand (debug batches only, `ScoreBatch.explain`) from what the kernel left in the task buffer.
 */
import type { FeatureRecord } from '../store/ports.js';
import { kFeatureNames, kSegmentSlots, kSlot, kSlots } from './features.js';
import type { ModelTable } from './model.js';
import type { ScoringStrategy } from './strategies.js';
import { kScoreBelowFloor, kScoreHoldout, kScoreNoModel, type TaskViews } from './task-buffer.js';

export type ScoreStatusName = 'ok' | 'below_floor' | 'no_model' | 'holdout';

export function statusName(s: number): ScoreStatusName {
  return s === kScoreBelowFloor
    ? 'below_floor'
    : s === kScoreNoModel
      ? 'no_model'
      : s === kScoreHoldout
        ? 'holdout'
        : 'ok';
}

export interface ModelExplanation {
  readonly key: string;
  readonly bias: number;
  readonly logit: number;
  readonly p: number;
  /** Feature (segments as `segment[j]`) → weight added to the logit. */
  readonly weights: Readonly<Record<string, number>>;
}

export interface BidExplanation {
  readonly campaignId: string;
  readonly creativeId: string;
  readonly impIndex: number;
  readonly status: ScoreStatusName;
  /** The strategy actually used (after experiment overrides). */
  readonly strategy: ScoringStrategy;
  /** `experimentId/armId` of every arm the unit is in. */
  readonly arms: readonly string[];
  readonly features: FeatureRecord;
  readonly pctr: ModelExplanation | undefined;
  readonly pcvr: ModelExplanation | undefined;
  readonly multipliers: {
    readonly channel: number;
    readonly daypart: number;
    readonly stage: number;
    readonly pacing: number;
    readonly cost: number;
    readonly product: number;
  };
  readonly floorMicros: number;
  readonly valueMicros: number;
  readonly priceMicros: number;
  readonly shaded: boolean;
}

function slotName(s: number): string {
  return s < kSlot.segment ? kFeatureNames[s]! : `segment[${s - kSlot.segment}]`;
}

/** One model's part in a candidate's score: bias, the weight each feature added, the logit and `p`. */
export function explainModel(
  table: ModelTable,
  id: number,
  v: TaskViews,
  i: number,
  which: number,
  p: number,
): ModelExplanation | undefined {
  const m = id >= 0 ? table.byId[id] : undefined;
  if (m === undefined || m === null) return undefined;
  const weights: Record<string, number> = {};
  let z = m.bias;
  const cbase = (i * 2 + which) * kSlots;
  for (let s = 0; s < kSlot.segment + kSegmentSlots; s++) {
    const w = v.contrib[cbase + s]!;
    if (Number.isNaN(w)) continue;
    if (s >= kSlot.segment && v.feats[i * kSlots + s] === 0) continue;
    weights[slotName(s)] = w;
    z += w;
  }
  return { key: m.key, bias: m.bias, logit: z, p, weights };
}
