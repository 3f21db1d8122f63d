/**
 * The scoring service: the one object the bid path and the notice handlers talk to. It owns the model
 * registry (hot reload), the worker pool and the inline/pool choice, the shading curves, the experiment
 * counters and the event sink, and hands out pooled `ScoreBatch`es. See `index.ts` for how to call it.
 */
import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock.js';
import { ScoreBatch, type RequestInput } from './batch.js';
import type { ScoringCampaign } from './campaign-scoring.js';
import { CostController, type CostControllerOptions } from './cost-controller.js';
import { kNoopSink, type EventSink } from '../store/ports.js';
import { sampledAuction } from './events.js';
import { bucket, ExperimentStats, kHoldoutArm, type ArmCounters } from './experiments.js';
import { scoreTask } from './kernel.js';
import { ModeChooser, type ScoringMode } from './mode.js';
import { ModelRegistry, type ReloadReport } from './model-registry.js';
import {
  kNoScore,
  kScored,
  ScoringPool,
  type NoScoreReason,
  type PoolOptions,
  type PoolStats,
  type ScoreOutcome,
} from './pool.js';
import { ShadingModel, type ShadingOptions } from './shading.js';

export interface ScoringOptions {
  readonly mode?: ScoringMode;
  readonly modelsDir: string;
  /** Watch the models directory and hot-reload (default true). */
  readonly watchModels?: boolean;
  readonly modelNames?: { readonly ctr: string; readonly cvr: string };
  /** `threads: 0` = no pool. */
  readonly pool?: PoolOptions;
  readonly shading?: ShadingOptions;
  /** Fraction of bids logged with their features (default 0.01). */
  readonly bidSampleRate?: number;
  /** The cost controller of target_cpc/target_cpa campaigns (cost-controller.ts); `false` turns it off. */
  readonly costControl?: Partial<CostControllerOptions> | false;
}

export interface ScoringDeps {
  readonly clock: Clock;
  readonly sink?: EventSink;
  /** Every model reload's outcome (refusals included) — log them; the previous models stay live. */
  readonly onModelReport?: (r: ReloadReport | Error) => void;
  /** A models-directory watch failed (it is re-established); count it, it is never fatal. */
  readonly onWatchError?: (err: Error, dir: string) => void;
}

/** What a notice knows: ids from its signed token, plus the campaign's current scoring setup. */
export interface NoticeInput {
  /** For experiment attribution; undefined when the campaign is gone from the config. */
  readonly campaign: ScoringCampaign | undefined;
  readonly campaignId: string;
  readonly auctionId: string;
  readonly impId: string;
  readonly channelId: string;
  readonly placement?: string;
  /** The person the bid was for (bucketing unit), else the auction id is the unit. */
  readonly personId: string | undefined;
  readonly nowMs: number;
  /** The bid's budget day (token `day`): the cost controller's day. */
  readonly day?: string;
}

export interface ScoringStats {
  readonly mode: ScoringMode;
  readonly inlineUsPerCandidate: number;
  readonly poolOverheadUs: number;
  /** `fallback`: runs `auto` sent inline because the pool could not take them in time (counted in `inline`). */
  readonly runs: { inline: number; pool: number; fallback: number };
  readonly noScore: Record<NoScoreReason, number>;
  readonly pool: PoolStats | undefined;
  readonly modelGen: number;
  readonly models: readonly string[];
}

const kHealthWindowMs = 1_000;
const kHealthMinAttempts = 20;

interface HealthMark {
  readonly at: number;
  readonly attempts: number;
  readonly scored: number;
  readonly refused: Record<NoScoreReason, number>;
  verdict?: string;
}

export class ScoringService {
  readonly registry: ModelRegistry;
  readonly shading: ShadingModel;
  readonly experiments = new ExperimentStats();
  /** Undefined when turned off (`costControl: false`). */
  readonly cost: CostController | undefined;
  readonly sink: EventSink;
  readonly #clock: Clock;
  readonly #pool: ScoringPool | undefined;
  readonly #chooser: ModeChooser;
  readonly #free: ScoreBatch[] = [];
  readonly #rate: number;
  readonly #runs = { inline: 0, pool: 0, fallback: 0 };
  readonly #noScore: Record<NoScoreReason, number> = { queue_full: 0, deadline: 0, worker_error: 0 };
  /** Batches that reached the scorer with time left (the readiness check's denominator). */
  #attempts = 0;
  #health: HealthMark | undefined;

  private constructor(opts: ScoringOptions, deps: ScoringDeps, registry: ModelRegistry) {
    this.registry = registry;
    this.shading = new ShadingModel(opts.shading);
    this.cost = opts.costControl === false ? undefined : new CostController(opts.costControl);
    this.sink = deps.sink ?? kNoopSink;
    this.#clock = deps.clock;
    this.#rate = opts.bidSampleRate ?? 0.01;
    const mode = opts.mode ?? 'auto';
    const wantPool = mode !== 'inline' && (opts.pool?.threads ?? 1) > 0;
    this.#pool = wantPool ? new ScoringPool(opts.pool ?? {}, registry.table) : undefined;
    this.#chooser = new ModeChooser(mode, this.#pool !== undefined);
    registry.onChange((t) => this.#pool?.publish(t));
  }

  /** Loads the models (refusing bad files, reported through `onModelReport`), starts the pool, calibrates. */
  static async create(opts: ScoringOptions, deps: ScoringDeps): Promise<ScoringService> {
    const registry = new ModelRegistry({
      dir: opts.modelsDir,
      ...(opts.modelNames === undefined ? {} : { names: opts.modelNames }),
    });
    const report = await registry.reload();
    deps.onModelReport?.(report);
    const s = new ScoringService(opts, deps, registry);
    if (opts.watchModels ?? true)
      await registry.watch(
        (r) => deps.onModelReport?.(r),
        deps.onWatchError === undefined ? {} : { onError: deps.onWatchError },
      );
    if (s.#pool !== undefined) {
      if (s.#chooser.mode === 'auto') await s.calibrate();
      else await s.warm();
    }
    return s;
  }

  /** A batch for one request (pooled; give it back with `release`). */
  begin(input: RequestInput): ScoreBatch {
    const b =
      this.#free.pop() ??
      new ScoreBatch({
        registry: this.registry,
        shading: this.shading,
        stats: this.experiments,
        ...(this.cost === undefined ? {} : { cost: this.cost }),
      });
    b.begin(input);
    return b;
  }

  /**
   * Scores every candidate added to the batch. Synchronous when inline (the common case on small machines);
   * a promise when the pool runs it. Never answers after `deadlineMs` (the bid path's clock): a batch that
   * cannot be scored in time, or whose worker failed, gets a "no score" outcome instead.
   */
  run(batch: ScoreBatch, deadlineMs: number): ScoreOutcome | Promise<ScoreOutcome> {
    if (batch.n === 0) return kScored;
    const remaining = deadlineMs - this.#clock.now();
    if (!(remaining > 0)) {
      this.#noScore.deadline++;
      return kNoScore.deadline;
    }
    this.#attempts++;
    if (this.#pool !== undefined && this.#chooser.pick(batch.n) === 'pool') {
      const refused = this.#pool.admission(remaining);
      if (refused === undefined) {
        this.#runs.pool++;
        return this.#pool.dispatch(batch, remaining);
      }
      // Pool mode has no other way to score; auto scores inline rather than refuse (issue 15).
      if (this.#chooser.mode === 'pool') return this.#pool.refuse(refused);
      this.#runs.fallback++;
    }
    const t0 = performance.now();
    scoreTask(this.registry.table, batch.seal(this.registry.table.gen, Infinity));
    this.#chooser.noteInline((performance.now() - t0) * 1000, batch.n);
    this.#runs.inline++;
    return kScored;
  }

  /**
   * For `/readyz`: undefined while scoring works, else why not — when at least `kHealthMinAttempts` batches
   * reached the scorer since the previous verdict (taken at least `kHealthWindowMs` ago) and none was scored,
   * e.g. every worker crashing. Without traffic there is no evidence either way, so it reports ready.
   */
  notReadyReason(): string | undefined {
    const now = this.#clock.now();
    const mark = this.#mark(now);
    const prev = this.#health;
    if (prev === undefined) {
      this.#health = mark;
      return undefined;
    }
    if (now - prev.at < kHealthWindowMs) return prev.verdict;
    const attempts = mark.attempts - prev.attempts;
    const scored = mark.scored - prev.scored;
    if (attempts >= kHealthMinAttempts && scored === 0) {
      const why = (Object.keys(mark.refused) as NoScoreReason[])
        .map((r) => [r, mark.refused[r] - prev.refused[r]] as const)
        .filter(([, n]) => n > 0)
        .map(([r, n]) => `${r}: ${n}`)
        .join(', ');
      mark.verdict = `scoring refused all of the last ${attempts} requests (${why})`;
    }
    this.#health = mark;
    return mark.verdict;
  }

  #mark(at: number): HealthMark {
    const st = this.stats();
    return { at, attempts: this.#attempts, scored: st.runs.inline + (st.pool?.scored ?? 0), refused: st.noScore };
  }

  release(batch: ScoreBatch): void {
    batch.req = undefined;
    if (this.#free.length < 256) this.#free.push(batch);
  }

  /** The bid path sent candidate `i` as a bid: count it for its arms and log it when sampled. */
  recordBid(batch: ScoreBatch, i: number, auctionId: string, impId: string, bidId: string): void {
    for (let j = 0; j < batch.armCount(i); j++) this.experiments.counters(batch.arm(i, j)).bids++;
    if (!sampledAuction(auctionId, this.#rate)) return;
    const arms: string[] = [];
    for (let j = 0; j < batch.armCount(i); j++) arms.push(batch.arm(i, j).key);
    const camp = batch.campaign(i);
    const cr = batch.creative(i);
    const pctr = batch.pctr(i);
    const pcvr = batch.pcvr(i);
    this.sink.append({
      t: 'bid',
      ts: this.#clock.now(),
      auction: auctionId,
      imp: impId,
      bid: bidId,
      campaign: camp.id,
      creative: cr.id,
      channel: batch.channelId,
      priceMicros: batch.priceMicros(i),
      valueMicros: batch.valueMicros(i),
      ...(Number.isNaN(pctr) ? {} : { pctr }),
      ...(Number.isNaN(pcvr) ? {} : { pcvr }),
      ...(arms.length > 0 ? { arms } : {}),
      f: batch.features.record(batch.placement(i), camp.id, cr),
    });
  }

  onWin(n: NoticeInput, bidMicros: number, priceMicros: number, minToWinMicros?: number): void {
    this.shading.observe(n.channelId, bidMicros, true, minToWinMicros, n.placement);
    this.#forArms(n, (c) => {
      c.wins++;
      c.spendMicros += priceMicros / 1000;
      c.spendSq += (priceMicros / 1e9) ** 2;
    });
    // Without a log (the simulators, a single embedded instance) the event is not even built: once per notice.
    if (this.sink === kNoopSink) return;
    const e = {
      t: 'win',
      ts: n.nowMs,
      auction: n.auctionId,
      imp: n.impId,
      campaign: n.campaignId,
      channel: n.channelId,
      bidMicros,
      priceMicros,
    } as const;
    this.sink.append(minToWinMicros === undefined ? e : { ...e, minToWinMicros });
  }

  onLoss(n: NoticeInput, bidMicros: number, minToWinMicros?: number): void {
    this.shading.observe(n.channelId, bidMicros, false, minToWinMicros, n.placement);
    if (this.sink === kNoopSink) return;
    const e = {
      t: 'loss',
      ts: n.nowMs,
      auction: n.auctionId,
      imp: n.impId,
      campaign: n.campaignId,
      channel: n.channelId,
      bidMicros,
    } as const;
    this.sink.append(minToWinMicros === undefined ? e : { ...e, minToWinMicros });
  }

  /**
   * A billed impression (the spend ledger settled it): feeds the cost controller. `expected` is the token's
   * claim (expected actions the bid was priced on); impressions without one do not move it.
   */
  onSpend(n: NoticeInput, spendMicros: number, expected: number | undefined): void {
    if (n.day !== undefined) this.cost?.onSpend(n.campaign, n.channelId, n.day, spendMicros, expected, n.nowMs);
  }

  onClick(n: NoticeInput): void {
    if (n.day !== undefined) this.cost?.onAction(n.campaign, n.channelId, n.day);
    this.#forArms(n, (c) => c.clicks++);
    this.sink.append({ t: 'click', ts: n.nowMs, auction: n.auctionId, imp: n.impId, campaign: n.campaignId });
  }

  onConversion(n: NoticeInput, valueMicros?: number): void {
    this.#forArms(n, (c) => {
      c.conversions++;
      if (valueMicros === undefined) return;
      c.valueMicros += valueMicros;
      c.valueSq += (valueMicros / 1e6) ** 2;
    });
    const e = { t: 'conv', ts: n.nowMs, auction: n.auctionId, imp: n.impId, campaign: n.campaignId } as const;
    this.sink.append(valueMicros === undefined ? e : { ...e, valueMicros });
  }

  stats(): ScoringStats {
    return {
      mode: this.#chooser.mode,
      inlineUsPerCandidate: this.#chooser.inlineUsPerCandidate,
      poolOverheadUs: this.#chooser.poolOverheadUs,
      runs: { ...this.#runs },
      noScore: {
        queue_full: this.#noScore.queue_full + (this.#pool?.stats.noScore.queue_full ?? 0),
        deadline: this.#noScore.deadline + (this.#pool?.stats.noScore.deadline ?? 0),
        worker_error: this.#noScore.worker_error + (this.#pool?.stats.noScore.worker_error ?? 0),
      },
      pool: this.#pool?.stats,
      modelGen: this.registry.table.gen,
      models: this.registry.table.byId.flatMap((m) => (m === null ? [] : [m.key])),
    };
  }

  /** Waits until every pool worker is loaded and answering (done by `create`; again after a crash if you like). */
  async warm(): Promise<void> {
    await this.#pool?.warm();
  }

  /**
   * Measures the pool's main-thread cost per round trip with event-loop utilisation, for `auto`: what the
   * event loop pays to post a task and take the answer, whatever the model. Runs at start.
   */
  async calibrate(rounds = 200): Promise<number> {
    const pool = this.#pool;
    if (pool === undefined) return NaN;
    await pool.warm();
    // Two tasks in flight per worker, as under load (one at a time would also count idle wake-ups).
    const lanes = pool.threads * 2;
    const before = performance.eventLoopUtilization();
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (let i = 0; i < Math.ceil(rounds / lanes); i++) await pool.ping();
      }),
    );
    const us = (performance.eventLoopUtilization(before).active * 1000) / (Math.ceil(rounds / lanes) * lanes);
    this.#chooser.notePoolOverhead(us);
    return us;
  }

  async close(): Promise<void> {
    this.registry.close();
    await this.#pool?.close();
    await this.sink.flush();
  }

  #forArms(n: NoticeInput, fn: (c: ArmCounters) => void): void {
    const camp = n.campaign;
    if (camp === undefined || camp.experiments.length === 0) return;
    const unit = n.personId ?? n.auctionId;
    for (const exp of camp.experiments) {
      const a = bucket(exp, unit);
      if (a !== kHoldoutArm) fn(this.experiments.counters(exp.arms[a]!));
    }
  }
}
