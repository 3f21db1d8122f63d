/**
 * The scoring task as one ArrayBuffer, so a request's whole batch crosses to a worker and back by transfer
 * (two pointer moves, no cloning, no per-task objects beyond the buffer) and inline scoring reads the very
 * same layout. Capacity C candidates, all regions sized by C:
 *
 *   ┌ header f64×8 ┬ params f64×C×15 ┬ out f64×C×5 ┬ contrib f64×C×kSlots×2 ┬ feats i32×C×kSlots ┐
 *   └──────────────┴─────────────────┴─────────────┴────────────────────────┴────────────────────┘
 *   header: n, flags (1 = debug), model gen, task status (out), wall deadline (epoch ms), capacity
 *   params: strategy code (−1 holdout), a, b, multiplier product, floor, pCTR model id, pCVR model id,
 *           shade? (0/1), then the 7 shading numbers (`shading-math.ts` kS: a, k, confidence, cold factor,
 *           minimum win ratio, lowest price with evidence, exploration factor)
 *   out:    status, price (shaded), value, pCTR, pCVR
 *   contrib (debug only): per slot, the pCTR model's weight then the pCVR model's (NaN = not used)
 */
import { kSlots } from './features.js';
import { kShadeParams } from './shading-math.js';

const kHeader = 8;
export const kH = { n: 0, flags: 1, gen: 2, status: 3, deadline: 4, capacity: 5 } as const;
export const kFlagDebug = 1;

export const kParams = 8 + kShadeParams;
export const kP = { code: 0, a: 1, b: 2, mult: 3, floor: 4, ctr: 5, cvr: 6, shade: 7, shading: 8 } as const;

export const kOut = 5;
export const kO = { status: 0, price: 1, value: 2, pctr: 3, pcvr: 4 } as const;

/** Task status in the header. */
export const kTaskDone = 0;
/** The worker did not have the model generation the task was built for (the pool resends the table). */
export const kTaskStale = 1;
/** The task reached a worker after its deadline and was not scored. */
export const kTaskLate = 2;

/** Candidate status in `out`. */
export const kScoreOk = 0;
export const kScoreBelowFloor = 1;
export const kScoreNoModel = 2;
export const kScoreHoldout = 3;

export interface TaskViews {
  readonly buf: ArrayBuffer;
  readonly header: Float64Array;
  readonly params: Float64Array;
  readonly out: Float64Array;
  readonly contrib: Float64Array;
  readonly feats: Int32Array;
}

function bytesFor(capacity: number): number {
  return 8 * (kHeader + capacity * (kParams + kOut + kSlots * 2)) + 4 * capacity * kSlots;
}

export function allocTask(capacity: number): TaskViews {
  const v = viewsOf(new ArrayBuffer(bytesFor(capacity)), capacity);
  v.header[kH.capacity] = capacity;
  return v;
}

export function viewsOf(buf: ArrayBuffer, capacity = new Float64Array(buf, 0, kHeader)[kH.capacity]!): TaskViews {
  let off = 0;
  const header = new Float64Array(buf, off, kHeader);
  off += kHeader * 8;
  const params = new Float64Array(buf, off, capacity * kParams);
  off += capacity * kParams * 8;
  const out = new Float64Array(buf, off, capacity * kOut);
  off += capacity * kOut * 8;
  const contrib = new Float64Array(buf, off, capacity * kSlots * 2);
  off += capacity * kSlots * 2 * 8;
  const feats = new Int32Array(buf, off, capacity * kSlots);
  return { buf, header, params, out, contrib, feats };
}
