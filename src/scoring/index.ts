/**
 * Scoring: predicted value (pCTR/pCVR), bid strategies, first-price shading, experiments, the event log —
 * in a piscina worker pool or inline. This file is the module's public surface; import from here.
 *
 * ── Start-up (app.ts) ─────────────────────────────────────────────────────────────────────────────────────
 *   const scoring = await ScoringService.create(
 *     { mode: 'auto', modelsDir: 'config/models', pool: { threads, maxQueue, taskDeadlineMs },
 *       shading: { minObservations, coldStartFactor }, bidSampleRate: 0.01 },
 *     { clock, sink: new RotatingJsonlSink({ dir: 'var/events' }), onModelReport: (r) => log(r) });
 *   …
 *   await scoring.close();                      // on shutdown: stops the workers, flushes the sink
 *
 * ── Config snapshot build (config/compile-campaign.ts) ─────────────────────────────────────────────────────
 *   const sc: ScoringCampaign = compileCampaignScoring(cfg.id, { bid, multipliers, shading, models, experiments });
 *   // keep it next to the Campaign; use sc.boundMicros as Campaign.boundMicros (multipliers can lift a
 *   // fixed CPM, experiment arms can change the strategy). Types for the schema: `scoring-config.ts`.
 *
 * ── Per request (auction/) ────────────────────────────────────────────────────────────────────────────────
 *   const batch = scoring.begin({ req, channelId, nowMs, profile, stage, debug });   // hashes request features once
 *   for (each imp × campaign × creative that passed targeting, creative match and currency)
 *     batch.add({ impIndex, placement, campaign: sc, creative, floorMicros,
 *                 firstPrice: (deal?.at ?? req.at) === 1, hourOfWeek, pacingMultiplier });
 *     // value strategies also get the cost controller's λ (× pacingMultiplier) inside `add`
 *   const outcome = scoring.run(batch, deadlineMs);            // ScoreOutcome | Promise<ScoreOutcome>
 *   if (!outcome.ok) → no bid for the request: outcome.reason is 'queue_full' | 'deadline' | 'worker_error'
 *   for i < batch.n: batch.status(i) === ScoreStatus.Ok → bid batch.priceMicros(i) (CPM micros, shaded when
 *     first price; batch.valueMicros(i) is the unshaded value); BelowFloor → 'below_floor'; Holdout → no bid
 *     (experiment control); NoModel → the strategy needs a model that is not loaded (count as 'error').
 *   scoring.recordBid(batch, i, auctionId, impId, bidId);     // for each bid actually sent (counters + sampled log)
 *   batch.expectedActions(i)                                  // pCTR (× pCVR) priced on: the token's `expected` claim
 *   batch.explain(i)                                          // BidExplanation, when begun with debug: true
 *   scoring.release(batch);                                   // when done reading (after the bid is built)
 *
 * ── Notices (notices/) ─────────────────────────────────────────────────────────────────────────────────────
 *   const n: NoticeInput = { campaign: sc, campaignId, auctionId, impId, channelId, placement, personId, nowMs };
 *   scoring.onWin(n, bidCpmMicros, clearingCpmMicros, minToWinCpmMicros?);   // shading + arm counters + log
 *   scoring.onLoss(n, bidCpmMicros, minToWinCpmMicros?);                     // `${AUCTION_MIN_TO_WIN}` / loss price
 *   scoring.onSpend(n, spendMicros, claims.expected);  // billed: the cost controller of target_cpc/target_cpa
 *   scoring.onClick(n); scoring.onConversion(n, valueMicros?);     // n.day = the token's budget day
 *
 * ── Metrics (metrics/) ─────────────────────────────────────────────────────────────────────────────────────
 *   scoring.stats()                  mode, inline µs/candidate, pool overhead µs, runs, no-score counts by reason,
 *                                    pool stats (tasks, stale retries, RTT), model generation and keys
 *   scoring.experiments.snapshot()   { [experimentId]: { holdouts, arms: { [armId]: { bids, wins, spendMicros,
 *                                    clicks, conversions, ecpcMicros, ecpaMicros } } } }
 *   scoring.experiments.report(metric, { alpha })   per arm spend, wins, clicks, conversions, value, CTR, eCPC,
 *                                    eCPA, ROI with 95% intervals; each arm vs arm 0 by the mixture SPRT
 *                                    (sequential.ts): effect, p-values, verdict (GET /admin/experiments)
 *   scoring.shading.state(channel)   fitted curve: a, k, n, confidence, median price
 *
 * Money is integer CPM micros throughout. The bid path must not await anything else between `begin` and
 * `run` that could outlive the deadline; a batch is reusable only after `release`. Design notes, benchmark
 * figures and when the pool pays: `README.md` in this folder.
 */
import { kScoreBelowFloor, kScoreHoldout, kScoreNoModel, kScoreOk } from './task-buffer.js';

export { ScoreBatch, type CandidateInput } from './batch.js';
export { compileCampaignScoring, type ScoringCampaign } from './campaign-scoring.js';
// The event types are the store port's; re-exported for the simulator until it imports the port itself.
export type { EventSink, ScoringEvent } from './events.js';
export type { BidExplanation } from './explain.js';
export { ExperimentStats, kExperimentMetrics, type ExperimentMetric } from './experiments.js';
export type { FeatureRecord } from './features.js';
export { RotatingJsonlSink } from './jsonl-sink.js';
export type { NoScoreReason, ScoreOutcome } from './pool.js';
export { ScoringService } from './service.js';
export type { ScoringStrategy } from './strategies.js';

/** Candidate status after `run` (`batch.status(i)`). */
export const ScoreStatus = Object.freeze({
  Ok: kScoreOk,
  BelowFloor: kScoreBelowFloor,
  NoModel: kScoreNoModel,
  Holdout: kScoreHoldout,
} as const);
