/**
 * A compiled model and the table of live models, as both the main thread and the workers hold them.
 * Everything here is structured-clone friendly: weights sit on a SharedArrayBuffer, so sending a table to
 * a worker shares the (MB-sized) weights instead of copying them.
 *
 * Prediction is logistic regression over hashed features: p = σ(bias + Σ w[rawHash & mask]) over the
 * slots of the model's features.
 */
import type { FeatureName } from './features.js';

export type ModelTarget = 'ctr' | 'cvr';

export interface CompiledModel {
  /** Process-unique id (never reused), the index in `ModelTable.byId`. */
  readonly id: number;
  /** `name@version`. */
  readonly key: string;
  readonly name: string;
  readonly version: number;
  readonly target: ModelTarget;
  readonly hashBits: number;
  readonly mask: number;
  readonly bias: number;
  readonly features: readonly FeatureName[];
  /** Row slots the model reads (see `features.ts`). */
  readonly slots: Int32Array;
  /** 2^hashBits weights on a SharedArrayBuffer. */
  readonly weights: Float32Array;
  readonly file: string;
}

/** The models a scorer may use, by id; `gen` increases on every change so workers know when to swap. */
export interface ModelTable {
  readonly gen: number;
  readonly byId: readonly (CompiledModel | null)[];
}

export const kEmptyTable: ModelTable = Object.freeze({ gen: 0, byId: Object.freeze([]) });

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** The logit for the row at `feats[base …]`. */
export function logit(m: CompiledModel, feats: Int32Array, base: number): number {
  const w = m.weights;
  const mask = m.mask;
  const slots = m.slots;
  let z = m.bias;
  for (let j = 0; j < slots.length; j++) {
    const h = feats[base + slots[j]!]!;
    if (h !== 0) z += w[h & mask]!;
  }
  return z;
}

/**
 * Like `logit`, also writing each slot's weight to `contrib[cbase + slot]` (debug explanations only).
 * Slots the model does not read are left as they are (NaN from the caller's fill).
 */
export function logitExplained(
  m: CompiledModel,
  feats: Int32Array,
  base: number,
  contrib: Float64Array,
  cbase: number,
): number {
  const w = m.weights;
  const slots = m.slots;
  let z = m.bias;
  for (let j = 0; j < slots.length; j++) {
    const s = slots[j]!;
    const h = feats[base + s]!;
    const v = h !== 0 ? w[h & m.mask]! : 0;
    contrib[cbase + s] = v;
    z += v;
  }
  return z;
}
