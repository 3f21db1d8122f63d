/**
 * Every Prometheus metric the bidder exports, defined in one place (`peregrine_` prefix, base units in the
 * name: seconds, bytes, and money as `_micros`, millionths of the account currency that
 * `peregrine_account_currency_info{currency}` names — exact integers, one unit whatever the currency; counters
 * end in `_total`, nothing else does; tests/e2e/metrics-names.e2e.test.ts checks these rules and promtool's).
 * Label values come from closed lists (`labels.ts`, the domain's no-bid reasons) or config ids; the
 * request-path counters count locally (local-counter.ts), pre-resolved per label value, so the hot path does
 * no label hashing. With several workers (cluster/) the primary adds their registries up: gauges that show a
 * fleet-wide view (the store's budgets, the config) say how to combine them (`aggregator`), instead of a sum.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { kNoBidReasons, type NoBidReason } from '../auction/nbr.js';
import type { LookupOutcome } from '../segments/profile-lookup.js';
import { kRequestOutcomes, kShedReasons, type RequestOutcome, type ShedReason } from './labels.js';
import { type LocalCount, LocalCounter } from './local-counter.js';

/** What the ROI gauge shows on a scrape (see `roi/roi-tracker.ts`). */
export type RoiSource = () => Iterable<{
  readonly campaignId: string;
  readonly channelId: string;
  readonly window: string;
  readonly roi: number;
}>;

/** What the anomaly gauge shows on a scrape (see `console/anomaly.ts`). */
export type AnomalySource = () => Iterable<{
  readonly campaignId: string;
  readonly channelId: string;
  readonly signal: string;
  readonly value: number;
}>;

export interface MetricsOptions {
  readonly defaultMetrics?: boolean;
}

export function createMetrics(opts: MetricsOptions = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) {
    collectDefaultMetrics({ register: registry, prefix: 'peregrine_', eventLoopMonitoringPrecision: 10 });
    // prom-client also exports the sum over types of active handles/requests/resources as gauges named
    // `…_total`, a suffix reserved for counters (promtool check metrics refuses it). The per-type gauges stay;
    // the total is `sum(peregrine_nodejs_active_handles)`.
    for (const what of ['handles', 'requests', 'resources'])
      registry.removeSingleMetric(`peregrine_nodejs_active_${what}_total`);
  }

  const requests = new Counter({
    name: 'peregrine_bid_requests_total',
    help: 'Bid requests by channel and outcome.',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  const bids = new Counter({
    name: 'peregrine_bids_total',
    help: 'Bids sent (one per imp bid on), by channel and campaign.',
    labelNames: ['channel', 'campaign'] as const,
    registers: [registry],
  });
  const noBids = new Counter({
    name: 'peregrine_no_bids_total',
    help: 'Requests answered without a bid, by channel and reason.',
    labelNames: ['channel', 'reason'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'peregrine_bid_request_duration_seconds',
    help: 'Time from the last body byte to the response, by channel.',
    labelNames: ['channel'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [registry],
  });
  const notices = new Counter({
    name: 'peregrine_notices_total',
    help: 'Win, billing, loss notices and clicks, by type, channel and outcome.',
    labelNames: ['type', 'channel', 'outcome'] as const,
    registers: [registry],
  });
  const spend = new Counter({
    name: 'peregrine_spend_micros_total',
    help: 'Spend recorded from billable notices, in micros (millionths) of the account currency.',
    labelNames: ['campaign', 'channel'] as const,
    registers: [registry],
  });
  const impressions = new Counter({
    name: 'peregrine_impressions_total',
    help: 'Billable events recorded.',
    labelNames: ['campaign', 'channel'] as const,
    registers: [registry],
  });
  const accountCurrency = new Gauge({
    name: 'peregrine_account_currency_info',
    aggregator: 'max',
    help: 'The account currency (ISO 4217) that every _micros money metric is counted in; always 1.',
    labelNames: ['currency'] as const,
    registers: [registry],
  });
  const configVersion = new Gauge({
    name: 'peregrine_config_version',
    aggregator: 'min',
    help: 'Version number of the live config snapshot (increments per applied reload).',
    registers: [registry],
  });
  const configReloads = new Counter({
    name: 'peregrine_config_reloads_total',
    help: 'Config reload attempts by result: ok (applied), unchanged, invalid (refused), error (could not load).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const configLastReloadSuccess = new Gauge({
    name: 'peregrine_config_last_reload_success_timestamp_seconds',
    aggregator: 'min',
    help: 'When the config directory last loaded valid (applied or unchanged), in Unix seconds.',
    registers: [registry],
  });
  const watchErrors = new Counter({
    name: 'peregrine_watch_errors_total',
    help: 'Failures of a directory watch (re-established by the next event or poll), by watched directory.',
    labelNames: ['watcher'] as const,
    registers: [registry],
  });
  const modelReloads = new Counter({
    name: 'peregrine_model_reloads_total',
    help: 'Model directory reload passes by result: ok (models changed), unchanged, refused (a file was refused), error.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const configCampaigns = new Gauge({
    name: 'peregrine_config_campaigns',
    aggregator: 'max',
    help: 'Campaigns in the live config, by status.',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const lookups = new Counter({
    name: 'peregrine_user_lookups_total',
    help: 'User profile lookups by outcome.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const privacy = new Counter({
    name: 'peregrine_privacy_decisions_total',
    help: 'Privacy decisions that restricted personal data, by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const budgetRemaining = new Gauge({
    name: 'peregrine_budget_remaining_micros',
    aggregator: 'min',
    help: 'Daily budget not yet spent, per campaign, channel and pool (regular or exploration; micros of the account currency, this instance view).',
    labelNames: ['campaign', 'channel', 'pool'] as const,
    registers: [registry],
  });
  const budgetReserved = new Gauge({
    name: 'peregrine_budget_reserved_micros',
    help: 'Bids reserved and not yet settled by a notice, per campaign, channel and pool (micros of the account currency, this instance).',
    labelNames: ['campaign', 'channel', 'pool'] as const,
    registers: [registry],
  });
  const pacingCap = new Gauge({
    name: 'peregrine_pacing_cap_micros',
    aggregator: 'max',
    help: "Today's budget per campaign and channel: base share plus its part of the floating pool (micros of the account currency).",
    labelNames: ['campaign', 'channel'] as const,
    registers: [registry],
  });
  const pacingTarget = new Gauge({
    name: 'peregrine_pacing_target_micros',
    aggregator: 'max',
    help: 'Spend the target curve calls for by now, per campaign and channel (micros of the account currency).',
    labelNames: ['campaign', 'channel'] as const,
    registers: [registry],
  });
  const pacingSpent = new Gauge({
    name: 'peregrine_pacing_spent_micros',
    aggregator: 'max',
    help: 'Spend known today per campaign and channel, both pools (micros of the account currency, this instance view).',
    labelNames: ['campaign', 'channel'] as const,
    registers: [registry],
  });
  const pacingSignal = new Gauge({
    name: 'peregrine_pacing_signal',
    aggregator: 'average',
    help: 'Pacing controller signal per campaign and channel: a bid multiplier above the configured minimum, a participation probability below.',
    labelNames: ['campaign', 'channel'] as const,
    registers: [registry],
  });
  const floatingWeight = new Gauge({
    name: 'peregrine_floating_pool_weight',
    aggregator: 'max',
    help: "Share of the campaign's floating pool allocated to the channel (the fleet's split).",
    labelNames: ['campaign', 'channel'] as const,
    registers: [registry],
  });
  const reallocations = new Counter({
    name: 'peregrine_reallocation_moves_total',
    help: 'Floating-pool steps this instance decided, by campaign, direction and reason (roi, delivery).',
    labelNames: ['campaign', 'from', 'to', 'reason'] as const,
    registers: [registry],
  });
  const reallocationMoved = new Counter({
    name: 'peregrine_reallocation_moved_fraction_total',
    help: 'Fraction of the floating pool moved by the steps this instance decided, by campaign and direction.',
    labelNames: ['campaign', 'from', 'to'] as const,
    registers: [registry],
  });
  const costMultiplier = new Gauge({
    name: 'peregrine_cost_multiplier',
    aggregator: 'average',
    help: 'Bid multiplier of the cost controller (target_cpc / target_cpa campaigns) per campaign and channel, steering cost per expected action to the target.',
    labelNames: ['campaign', 'channel'] as const,
    registers: [registry],
  });
  const explorationSpend = new Counter({
    name: 'peregrine_exploration_spend_micros_total',
    help: 'Spend of exploration bids (the reserve), in micros of the account currency.',
    labelNames: ['campaign', 'channel'] as const,
    registers: [registry],
  });
  const leaseTakes = new Counter({
    name: 'peregrine_budget_lease_requests_total',
    help: 'Budget lease requests to the store, by result.',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const httpErrors = new Counter({
    name: 'peregrine_http_errors_total',
    help: 'Requests refused at the HTTP edge, by error code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const ready = new Gauge({
    name: 'peregrine_ready',
    aggregator: 'min',
    help: '1 when /readyz would answer 200 (config loaded, store reachable, not draining), else 0.',
    registers: [registry],
  });
  const identity = new Counter({
    name: 'peregrine_identity_lookups_total',
    help: 'Requests with user ids looked up, by whether a person was matched.',
    labelNames: ['matched'] as const,
    registers: [registry],
  });
  const identityMatchRate = new Gauge({
    name: 'peregrine_identity_match_ratio',
    aggregator: 'average',
    help: 'Share of lookups with ids whose ids are linked to a person in the identity graph (this instance).',
    registers: [registry],
  });
  const duplicateReach = new Gauge({
    name: 'peregrine_duplicate_reach_ratio',
    aggregator: 'average',
    help: 'Share of recently matched people seen through more than one channel (this instance).',
    registers: [registry],
  });
  const noScore = new Counter({
    name: 'peregrine_scoring_failures_total',
    help: 'Requests answered without a bid because scoring could not finish (queue full, deadline, worker error).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const adminRequests = new Counter({
    name: 'peregrine_admin_requests_total',
    help: 'Admin API calls by route and outcome (ok, unauthorized, error).',
    labelNames: ['route', 'outcome'] as const,
    registers: [registry],
  });
  const inflight = new Gauge({
    name: 'peregrine_bid_requests_in_flight',
    help: 'Bid requests waiting on a store lookup or the scoring pool (decoded, not yet answered).',
    registers: [registry],
  });
  const shed = new Counter({
    name: 'peregrine_shed_total',
    help: 'Bid requests answered 204 at once, unpriced, under overload: the deadline could not be met (counting the estimated wait before the request was read) or too many requests were already waiting.',
    labelNames: ['channel', 'reason'] as const,
    registers: [registry],
  });
  // Conversions: campaign and channel come from the click they are credited to (`none` when unattributed or refused).
  const conversions = new Counter({
    name: 'peregrine_conversions_total',
    help: 'Conversion postbacks by campaign, channel and outcome.',
    labelNames: ['campaign', 'channel', 'outcome'] as const,
    registers: [registry],
  });
  const conversionValue = new Counter({
    name: 'peregrine_conversion_value_micros_total',
    help: 'Value of accepted conversions, in micros of the account currency.',
    labelNames: ['campaign', 'channel'] as const,
    registers: [registry],
  });
  let roiSource: RoiSource | undefined;
  const roi = new Gauge({
    name: 'peregrine_roi',
    aggregator: 'average',
    help: 'Value returned per unit spent, per campaign, channel and sliding window (this instance view; absent without spend).',
    labelNames: ['campaign', 'channel', 'window'] as const,
    registers: [registry],
    // Computed on scrape from the tracker's windows; reset first so campaigns that left the window drop out.
    collect() {
      if (roiSource === undefined) return;
      this.reset();
      for (const r of roiSource()) this.labels(r.campaignId, r.channelId, r.window).set(r.roi);
    },
  });

  const consoleSignIns = new Counter({
    name: 'peregrine_console_sign_ins_total',
    help: 'Console sign-in attempts by outcome (ok, bad_token, throttled: refused while backing off).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  let anomalySource: AnomalySource | undefined;
  const anomaly = new Gauge({
    name: 'peregrine_anomaly',
    aggregator: 'max',
    help: 'Minute-level anomaly per campaign, channel and signal: 1 while alerting, 0 otherwise (this instance view).',
    labelNames: ['campaign', 'channel', 'signal'] as const,
    registers: [registry],
    collect() {
      if (anomalySource === undefined) return;
      this.reset();
      for (const a of anomalySource()) this.labels(a.campaignId, a.channelId, a.signal).set(a.value);
    },
  });

  // The request-path counters count locally and hand their totals to prom-client when metrics are read:
  // prom-client hashes and validates the labels on every inc(), even on a child resolved in advance.
  const localRequests = new LocalCounter(requests, ['channel', 'outcome']);
  const localNoBids = new LocalCounter(noBids, ['channel', 'reason']);
  const localBids = new LocalCounter(bids, ['channel', 'campaign']);
  const localLookups = new LocalCounter(lookups, ['outcome']);
  const localIdentity = new LocalCounter(identity, ['matched']);
  const localPrivacy = new LocalCounter(privacy, ['reason']);
  const noBidByChannel = new Map<string, Record<NoBidReason, LocalCount>>();
  const requestByChannel = new Map<string, Record<RequestOutcome, LocalCount>>();
  const latencyByChannel = new Map<string, Histogram.Internal<'channel'>>();
  const shedByChannel = new Map<string, Record<ShedReason, Counter.Internal>>();

  /** Pre-resolves the per-channel children so the request path only calls `inc()`/`observe()`. */
  function preload(channelIds: readonly string[]): void {
    for (const ch of channelIds) {
      if (!noBidByChannel.has(ch)) {
        const nb = {} as Record<NoBidReason, LocalCount>;
        for (const r of kNoBidReasons) nb[r] = localNoBids.labels(ch, r);
        noBidByChannel.set(ch, nb);
        const rq = {} as Record<RequestOutcome, LocalCount>;
        for (const o of kRequestOutcomes) rq[o] = localRequests.labels(ch, o);
        requestByChannel.set(ch, rq);
        latencyByChannel.set(ch, latency.labels(ch));
        const sh = {} as Record<ShedReason, Counter.Internal>;
        for (const r of kShedReasons) sh[r] = shed.labels(ch, r);
        shedByChannel.set(ch, sh);
      }
    }
  }

  return {
    registry,
    requests,
    bids,
    noBids,
    latency,
    notices,
    spend,
    impressions,
    configVersion,
    accountCurrency,
    configReloads,
    configLastReloadSuccess,
    watchErrors,
    modelReloads,
    configCampaigns,
    lookups,
    privacy,
    budgetRemaining,
    budgetReserved,
    pacingCap,
    pacingTarget,
    pacingSpent,
    pacingSignal,
    floatingWeight,
    reallocations,
    reallocationMoved,
    explorationSpend,
    costMultiplier,
    leaseTakes,
    httpErrors,
    adminRequests,
    inflight,
    shedTotal: shed,
    conversions,
    conversionValue,
    roi,
    /** Where the `peregrine_roi` gauge reads its values on each scrape. */
    setRoiSource(source: RoiSource): void {
      roiSource = source;
    },
    consoleSignIns,
    anomaly,
    /** Where the `peregrine_anomaly` gauge reads its values on each scrape. */
    setAnomalySource(source: AnomalySource): void {
      anomalySource = source;
    },
    ready,
    noScore,
    identity,
    identityMatchRate,
    duplicateReach,
    preload,
    noBid(channel: string, reason: NoBidReason): void {
      const c = noBidByChannel.get(channel);
      if (c !== undefined) c[reason].inc();
      else localNoBids.labels(channel, reason).inc();
    },
    shed(channel: string, reason: ShedReason): void {
      const c = shedByChannel.get(channel);
      if (c !== undefined) c[reason].inc();
      else shed.labels(channel, reason).inc();
    },
    request(channel: string, outcome: RequestOutcome): void {
      const c = requestByChannel.get(channel);
      if (c !== undefined) c[outcome].inc();
      else localRequests.labels(channel, outcome).inc();
    },
    /** One bid sent for `campaign` on `channel` (both config ids). */
    bid(channel: string, campaign: string): void {
      localBids.labels(channel, campaign).inc();
    },
    /** A profile lookup's outcome, and whether the profile found is linked in the identity graph. */
    lookup(outcome: LookupOutcome, linked: boolean | undefined): void {
      localLookups.labels(outcome).inc();
      if (linked !== undefined) localIdentity.labels(linked ? 'true' : 'false').inc();
    },
    privacyDecision(reason: string): void {
      localPrivacy.labels(reason).inc();
    },
    observeLatency(channel: string, seconds: number): void {
      const h = latencyByChannel.get(channel);
      if (h !== undefined) h.observe(seconds);
      else latency.labels(channel).observe(seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
