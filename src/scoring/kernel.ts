/**
 * The scoring function: one task buffer in, prices out, with a model table and nothing else — no clock, no
 * I/O, no allocation. The worker runs it and inline mode runs it on the event loop, so both modes give the
 * same answer by construction.
 *
 * Per candidate: pCTR and pCVR (when a model id is set), the strategy's price with the multiplier product,
 * then first-price shading with the channel curve's numbers (`shading-math.ts` `shadeWith`).
 */
import { kSlots } from './features.js';
import { logit, logitExplained, sigmoid, type ModelTable } from './model.js';
import { shadeWith } from './shading-math.js';
import { kBelowFloor, kHoldoutCode, kNeedsModel, strategyPrice } from './strategies.js';
import {
  kFlagDebug,
  kH,
  kO,
  kOut,
  kP,
  kParams,
  kScoreBelowFloor,
  kScoreHoldout,
  kScoreNoModel,
  kScoreOk,
  kTaskDone,
  type TaskViews,
} from './task-buffer.js';

function predict(table: ModelTable, id: number, v: TaskViews, i: number, debug: boolean, which: number): number {
  if (!(id >= 0)) return NaN;
  const m = table.byId[id];
  if (m === undefined || m === null) return NaN;
  const z = debug
    ? logitExplained(m, v.feats, i * kSlots, v.contrib, (i * 2 + which) * kSlots)
    : logit(m, v.feats, i * kSlots);
  return sigmoid(z);
}

export function scoreTask(table: ModelTable, v: TaskViews): void {
  const { header, params, out } = v;
  const n = header[kH.n]!;
  const debug = (header[kH.flags]! & kFlagDebug) !== 0;
  if (debug) v.contrib.fill(NaN, 0, n * kSlots * 2);
  for (let i = 0; i < n; i++) {
    const p = i * kParams;
    const o = i * kOut;
    const code = params[p + kP.code]!;
    if (code === kHoldoutCode) {
      out[o + kO.status] = kScoreHoldout;
      out[o + kO.price] = 0;
      out[o + kO.value] = 0;
      out[o + kO.pctr] = NaN;
      out[o + kO.pcvr] = NaN;
      continue;
    }
    const pctr = predict(table, params[p + kP.ctr]!, v, i, debug, 0);
    const pcvr = predict(table, params[p + kP.cvr]!, v, i, debug, 1);
    const floor = params[p + kP.floor]!;
    const value = strategyPrice(code, params[p + kP.a]!, params[p + kP.b]!, params[p + kP.mult]!, pctr, pcvr, floor);
    out[o + kO.pctr] = pctr;
    out[o + kO.pcvr] = pcvr;
    if (value === kNeedsModel || value === kBelowFloor) {
      out[o + kO.status] = value === kNeedsModel ? kScoreNoModel : kScoreBelowFloor;
      out[o + kO.price] = 0;
      out[o + kO.value] = 0;
      continue;
    }
    out[o + kO.status] = kScoreOk;
    out[o + kO.value] = value;
    out[o + kO.price] = params[p + kP.shade] === 1 ? shadeWith(value, floor, params, p + kP.shading) : value;
  }
  header[kH.status] = kTaskDone;
}
