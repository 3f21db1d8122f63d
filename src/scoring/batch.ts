/**
 * One request's scoring batch on the main thread: the request features hashed once, then one row per
 * candidate (imp × campaign × creative) written straight into the task buffer — strategy (after experiment
 * overrides), multiplier product, floor, model ids and shading numbers. Batches are pooled by the service and
 * reused, so a request allocates nothing here beyond what it logs; after scoring, the accessors read the
 * results back from the same buffer.
 */
import type { BidRequest } from '../openrtb/types.js';
import type { Profile } from '../store/ports.js';
import type { ScoringCampaign } from './campaign-scoring.js';
import type { CostController } from './cost-controller.js';
import { explainModel, statusName, type BidExplanation } from './explain.js';
import { bucket, kHoldoutArm, type CompiledArm, type CompiledExperiment, type ExperimentStats } from './experiments.js';
import { hashString, kSlot, kSlots } from './features.js';
import type { ModelRegistry } from './model-registry.js';
import { creativeHashes, RequestFeatures, type CreativeRef } from './request-features.js';
import type { ShadingModel } from './shading.js';
import {
  kHoldoutCode,
  kStrategyCode,
  needsCtr,
  needsCvr,
  strategyA,
  strategyB,
  type ScoringStrategy,
} from './strategies.js';
import { allocTask, kFlagDebug, kH, kO, kOut, kP, kParams, viewsOf, type TaskViews } from './task-buffer.js';

export interface BatchDeps {
  readonly registry: ModelRegistry;
  readonly shading: ShadingModel;
  readonly stats: ExperimentStats;
  /** λ for value strategies (cost per action toward the target); none = 1. */
  readonly cost?: CostController;
}

/** The request-level input. Build it once per request; nothing is kept beyond the batch's life. */
export interface RequestInput {
  readonly req: BidRequest;
  readonly channelId: string;
  readonly nowMs: number;
  /** The looked-up person (segments, person id for experiment bucketing); undefined when unknown. */
  readonly profile: Profile | undefined;
  /** The person's journey-stage segment (`stage:…`), for stage multipliers. */
  readonly stage: string | undefined;
  /** Keep per-feature weights so `explain(i)` can answer (costs a little more per candidate). */
  readonly debug?: boolean;
}

/** One candidate. Fields are copied out, so the caller may reuse one mutable object for every `add`. */
export interface CandidateInput {
  readonly impIndex: number;
  /** The imp's placement id (`tagid`, or the Prebid `placementId`). */
  readonly placement: string | undefined;
  readonly campaign: ScoringCampaign;
  readonly creative: CreativeRef;
  readonly floorMicros: number;
  /** First-price auction for this candidate (request `at` = 1, or the deal's `at`). */
  readonly firstPrice: boolean;
  /** Campaign-local hour of week (`TimeZoneTable.at(c.timezone, now).hourOfWeek`). */
  readonly hourOfWeek: number;
  /** From the pacing controller; 1 = neutral. */
  readonly pacingMultiplier: number;
}

/** Multiplier components kept per candidate for explanations: channel, daypart, stage, pacing, cost. */
const kMults = 5;

export class ScoreBatch {
  readonly features = new RequestFeatures();
  readonly #deps: BatchDeps;
  #v: TaskViews;
  #cap: number;
  n = 0;
  req: BidRequest | undefined = undefined;
  channelId = '';
  stage: string | undefined = undefined;
  unit = '';
  debug = false;
  /** Model table generation the rows were built against. */
  gen = 0;
  readonly #campaigns: ScoringCampaign[] = [];
  readonly #creatives: CreativeRef[] = [];
  readonly #placements: (string | undefined)[] = [];
  readonly #strategies: ScoringStrategy[] = [];
  #imps: Int32Array;
  #mults: Float64Array;
  #armStart: Int32Array;
  #armCount: Int32Array;
  readonly #arms: CompiledArm[] = [];
  readonly #memoExp: CompiledExperiment[] = [];
  readonly #memoArm: number[] = [];
  #liveCtr = -1;
  #liveCvr = -1;
  #lastPlacement: string | undefined = undefined;
  #lastPlacementHash = 0;

  constructor(deps: BatchDeps, capacity = 16) {
    this.#deps = deps;
    this.#cap = capacity;
    this.#v = allocTask(capacity);
    this.#imps = new Int32Array(capacity);
    this.#mults = new Float64Array(capacity * kMults);
    this.#armStart = new Int32Array(capacity);
    this.#armCount = new Int32Array(capacity);
  }

  /** Starts a request: hashes its features once and resets the rows. */
  begin(input: RequestInput): void {
    if (this.#v.buf.byteLength === 0) this.#v = allocTask(this.#cap); // the last task's buffer never came back
    this.n = 0;
    this.req = input.req;
    this.channelId = input.channelId;
    this.stage = input.stage;
    this.debug = input.debug === true;
    this.unit = input.profile?.personId ?? input.req.id;
    this.features.set(input.req, input.channelId, input.nowMs, input.profile);
    this.#campaigns.length = 0;
    this.#creatives.length = 0;
    this.#placements.length = 0;
    this.#strategies.length = 0;
    this.#arms.length = 0;
    this.#memoExp.length = 0;
    this.#memoArm.length = 0;
    const reg = this.#deps.registry;
    this.gen = reg.table.gen;
    this.#liveCtr = reg.live('ctr')?.id ?? -1;
    this.#liveCvr = reg.live('cvr')?.id ?? -1;
    this.#lastPlacement = undefined;
  }

  /** Adds a candidate; returns its index for the accessors. */
  add(c: CandidateInput): number {
    if (this.n === this.#cap) this.#grow();
    const i = this.n++;
    const camp = c.campaign;
    let strategy = camp.strategy;
    let ctrRef = camp.ctrModel;
    let cvrRef = camp.cvrModel;
    let holdout = false;
    this.#armStart[i] = this.#arms.length;
    for (let e = 0; e < camp.experiments.length; e++) {
      const exp = camp.experiments[e]!;
      const a = this.#armOf(exp);
      if (a === kHoldoutArm) {
        holdout = true;
        continue;
      }
      const arm = exp.arms[a]!;
      this.#arms.push(arm);
      if (arm.strategy !== undefined) strategy = arm.strategy;
      if (arm.ctrModel !== undefined) ctrRef = arm.ctrModel;
      if (arm.cvrModel !== undefined) cvrRef = arm.cvrModel;
    }
    this.#armCount[i] = this.#arms.length - this.#armStart[i]!;
    this.#campaigns.push(camp);
    this.#creatives.push(c.creative);
    this.#placements.push(c.placement);
    this.#strategies.push(strategy);
    this.#imps[i] = c.impIndex;

    const v = this.#v;
    const base = i * kSlots;
    v.feats.set(this.features.row, base);
    if (c.placement !== this.#lastPlacement || i === 0) {
      this.#lastPlacement = c.placement;
      this.#lastPlacementHash = hashString(kSlot.placement, c.placement);
    }
    const ch = creativeHashes(camp.idHash, c.creative);
    v.feats[base + kSlot.placement] = this.#lastPlacementHash;
    v.feats[base + kSlot.size] = ch.size;
    v.feats[base + kSlot.format] = ch.format;
    v.feats[base + kSlot.creative] = ch.creative;
    v.feats[base + kSlot.campaign] = camp.idHash;

    const m = i * kMults;
    const mults = this.#mults;
    mults[m] = camp.channelMult.size === 0 ? 1 : (camp.channelMult.get(this.channelId) ?? 1);
    mults[m + 1] = camp.daypartMult === undefined ? 1 : (camp.daypartMult[c.hourOfWeek] ?? 1);
    mults[m + 2] = this.stage === undefined || camp.stageMult.size === 0 ? 1 : (camp.stageMult.get(this.stage) ?? 1);
    mults[m + 3] = c.pacingMultiplier;
    mults[m + 4] =
      !holdout && needsCtr(strategy) && this.#deps.cost !== undefined
        ? this.#deps.cost.multiplier(camp, this.channelId, c.pacingMultiplier)
        : 1;

    const p = i * kParams;
    const params = v.params;
    const reg = this.#deps.registry;
    params[p + kP.code] = holdout ? kHoldoutCode : kStrategyCode[strategy.kind];
    params[p + kP.a] = strategyA(strategy);
    params[p + kP.b] = strategyB(strategy);
    params[p + kP.mult] = mults[m]! * mults[m + 1]! * mults[m + 2]! * mults[m + 3]! * mults[m + 4]!;
    params[p + kP.floor] = c.floorMicros;
    // pCTR is cheap and worth logging for every strategy; pCVR only when priced on or explained.
    params[p + kP.ctr] = ctrRef === undefined ? this.#liveCtr : (reg.resolve(ctrRef)?.id ?? -1);
    params[p + kP.cvr] =
      !needsCvr(strategy) && !this.debug ? -1 : cvrRef === undefined ? this.#liveCvr : (reg.resolve(cvrRef)?.id ?? -1);
    if (c.firstPrice && camp.shading && strategy.kind !== 'fixed_cpm') {
      params[p + kP.shade] = 1;
      this.#deps.shading.writeParams(this.channelId, c.placement, params, p + kP.shading);
    } else {
      params[p + kP.shade] = 0;
    }
    return i;
  }

  /** The task buffer, with the header filled in for a run against table generation `gen`. */
  seal(gen: number, wallDeadlineMs: number): TaskViews {
    const h = this.#v.header;
    h[kH.n] = this.n;
    h[kH.flags] = this.debug ? kFlagDebug : 0;
    h[kH.gen] = gen;
    h[kH.deadline] = wallDeadlineMs;
    return this.#v;
  }

  /** Takes back a buffer that went to a worker. */
  adopt(buf: ArrayBuffer): void {
    this.#v = viewsOf(buf);
  }

  status(i: number): number {
    return this.#v.out[i * kOut + kO.status]!;
  }
  /** The bid price (shaded when first price), CPM micros; 0 unless status is ok. */
  priceMicros(i: number): number {
    return this.#v.out[i * kOut + kO.price]!;
  }
  /** The strategy's price before shading, CPM micros. */
  valueMicros(i: number): number {
    return this.#v.out[i * kOut + kO.value]!;
  }
  pctr(i: number): number {
    return this.#v.out[i * kOut + kO.pctr]!;
  }
  pcvr(i: number): number {
    return this.#v.out[i * kOut + kO.pcvr]!;
  }
  impIndex(i: number): number {
    return this.#imps[i]!;
  }
  campaign(i: number): ScoringCampaign {
    return this.#campaigns[i]!;
  }
  creative(i: number): CreativeRef {
    return this.#creatives[i]!;
  }
  placement(i: number): string | undefined {
    return this.#placements[i];
  }
  strategy(i: number): ScoringStrategy {
    return this.#strategies[i]!;
  }
  armCount(i: number): number {
    return this.#armCount[i]!;
  }
  arm(i: number, j: number): CompiledArm {
    return this.#arms[this.#armStart[i]! + j]!;
  }
  multipliers(i: number): { channel: number; daypart: number; stage: number; pacing: number; cost: number } {
    const m = i * kMults;
    return {
      channel: this.#mults[m]!,
      daypart: this.#mults[m + 1]!,
      stage: this.#mults[m + 2]!,
      pacing: this.#mults[m + 3]!,
      cost: this.#mults[m + 4]!,
    };
  }
  /**
   * The expected actions per impression a value strategy priced candidate `i` on (pCTR for target_cpc,
   * pCTR × pCVR for target_cpa), for the notice token; undefined for other strategies or without a score.
   */
  expectedActions(i: number): number | undefined {
    const s = this.#strategies[i]!;
    const p = s.kind === 'target_cpc' ? this.pctr(i) : s.kind === 'target_cpa' ? this.pctr(i) * this.pcvr(i) : NaN;
    return p >= 0 && p <= 1 ? p : undefined;
  }
  /** Model ids the row was scored with (−1 = none). */
  modelIds(i: number): { ctr: number; cvr: number } {
    return { ctr: this.#v.params[i * kParams + kP.ctr]!, cvr: this.#v.params[i * kParams + kP.cvr]! };
  }
  shaded(i: number): boolean {
    return this.#v.params[i * kParams + kP.shade] === 1;
  }
  floorMicros(i: number): number {
    return this.#v.params[i * kParams + kP.floor]!;
  }
  /** The explanation of a scored candidate (a batch begun with `debug`), else undefined. */
  explain(i: number): BidExplanation | undefined {
    if (!this.debug || i >= this.n) return undefined;
    const v = this.#v;
    const table = this.#deps.registry.table;
    const camp = this.campaign(i);
    const cr = this.creative(i);
    const ids = this.modelIds(i);
    const mults = this.multipliers(i);
    const arms: string[] = [];
    for (let j = 0; j < this.armCount(i); j++) arms.push(this.arm(i, j).key);
    return {
      campaignId: camp.id,
      creativeId: cr.id,
      impIndex: this.impIndex(i),
      status: statusName(this.status(i)),
      strategy: this.strategy(i),
      arms,
      features: this.features.record(this.placement(i), camp.id, cr),
      pctr: explainModel(table, ids.ctr, v, i, 0, this.pctr(i)),
      pcvr: explainModel(table, ids.cvr, v, i, 1, this.pcvr(i)),
      multipliers: { ...mults, product: mults.channel * mults.daypart * mults.stage * mults.pacing * mults.cost },
      floorMicros: this.floorMicros(i),
      valueMicros: this.valueMicros(i),
      priceMicros: this.priceMicros(i),
      shaded: this.shaded(i),
    };
  }

  #armOf(exp: CompiledExperiment): number {
    for (let k = 0; k < this.#memoExp.length; k++) if (this.#memoExp[k] === exp) return this.#memoArm[k]!;
    const a = bucket(exp, this.unit);
    this.#memoExp.push(exp);
    this.#memoArm.push(a);
    if (a === kHoldoutArm) this.#deps.stats.holdout(exp);
    return a;
  }

  #grow(): void {
    const cap = this.#cap * 2;
    const next = allocTask(cap);
    next.params.set(this.#v.params);
    next.feats.set(this.#v.feats);
    this.#v = next;
    this.#cap = cap;
    const imps = new Int32Array(cap);
    imps.set(this.#imps);
    this.#imps = imps;
    const mults = new Float64Array(cap * kMults);
    mults.set(this.#mults);
    this.#mults = mults;
    const s = new Int32Array(cap);
    s.set(this.#armStart);
    this.#armStart = s;
    const c = new Int32Array(cap);
    c.set(this.#armCount);
    this.#armCount = c;
  }
}
