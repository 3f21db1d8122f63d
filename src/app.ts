/**
 * The composition root: the only module that knows every piece. It builds the store, config holder,
 * privacy, profile lookup, pacing gate, bid path, notice handler and metrics, wires them to the two HTTP
 * servers (public: exchange traffic; ops: metrics, health, admin), and owns the shutdown sequence.
 */
import { hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BidPath } from './auction/bid-path.js';
import { TimeZoneTable } from './campaigns/time-zones.js';
import { systemClock, type Clock } from './clock.js';
import { ConfigHolder, type ConfigHolderOptions } from './config/config-holder.js';
import { formatIssues } from './config/load.js';
import { errorReply, errors } from './errors.js';
import type { ConfigSnapshot } from './config/snapshot.js';
import { createBidEndpoint, createPreflightEndpoint } from './endpoints/bid-endpoint.js';
import { createClickEndpoint, createImpressionEndpoint, createNoticeEndpoint } from './endpoints/notice-endpoints.js';
import { createConversionEndpoint } from './endpoints/conversion-endpoint.js';
import { kOpsOpenApi } from './endpoints/openapi.js';
import { jsonReply } from './http/reply.js';
import { createOpsEndpoints, requireAdmin } from './endpoints/ops-endpoints.js';
import { createReplayEndpoint } from './endpoints/replay-endpoint.js';
import { loadNativeUws, type Uws } from './http/native-check.js';
import { HttpServer } from './http/server.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics/registry.js';
import { NoticeHandler } from './notices/notice-handler.js';
import { StoreErrorLog } from './notices/store-error-log.js';
import { ConversionHandler } from './notices/conversion-handler.js';
import { RoiTracker } from './roi/roi-tracker.js';
import { createPriceCrypter, decodeWebSafeBase64, type PriceCrypter } from './notices/price-crypto.js';
import type { NoticeClaims } from './notices/token.js';
import { RotatingJsonlSink, ScoringService } from './scoring/index.js';
import type { RedisStore } from './store/redis/index.js';
import { PacingGate, type AccountRow } from './pacing/gate.js';
import { Reallocator } from './pacing/reallocator.js';
import { createPrivacyDecider } from './privacy/index.js';
import { idKeysFor } from './segments/ids.js';
import { ProfileLookup } from './segments/profile-lookup.js';
import { createMemoryStore } from './store/memory/index.js';
import type { Store } from './store/ports.js';

export interface AppOptions {
  readonly configDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly clock?: Clock;
  /** Override the configured ports (tests pass 0 for a free port). */
  readonly port?: number;
  readonly opsPort?: number;
  readonly host?: string;
  /** Use this store instead of the one the config/env selects. */
  readonly store?: Store;
  readonly logger?: Logger;
  /** Config loading and watching (limits, watch timing); the environment's limits apply otherwise. */
  readonly configOptions?: ConfigHolderOptions;
}

export interface App {
  readonly port: number;
  readonly opsPort: number;
  readonly config: ConfigHolder;
  readonly store: Store;
  readonly metrics: Metrics;
  readonly gate: PacingGate;
  /** Real-time ROI per campaign × channel (spend, clicks, conversions), for pacing and metrics. */
  readonly roi: RoiTracker;
  readonly instanceId: string;
  readonly logger: Logger;
  /** The ops port's routes (pattern and methods), which docs/openapi.yaml must describe. */
  readonly opsRoutes: readonly { readonly pattern: string; readonly methods: readonly string[] }[];
  /** Requests on both ports that have arrived and are not yet answered or dropped. */
  inflight(): number;
  /** Stops taking requests, answers those in flight, returns leases, closes the store. */
  shutdown(): Promise<void>;
}

export async function createApp(opts: AppOptions): Promise<App> {
  const env = opts.env ?? process.env;
  const clock = opts.clock ?? systemClock;
  const uws = loadNativeUws();
  const config = await ConfigHolder.open(opts.configDir, clock, env, opts.configOptions);
  const snap = config.current;
  const logger = opts.logger ?? createLogger(env.LOG_LEVEL ?? snap.bidder.logLevel);
  for (const w of config.loadWarnings) logger.warn(`config: ${w}`);
  const instanceId =
    env.PEREGRINE_INSTANCE_ID ??
    snap.bidder.instanceId ??
    `${hostname().slice(0, 24)}-${process.pid}-${randomBytes(2).toString('hex')}`;
  const store = opts.store ?? (await openStore(snap, env, instanceId, logger));
  const metrics = createMetrics();
  const roi = new RoiTracker({
    clickValueMicros: (id) => config.current.campaignsById.get(id)?.roi.clickValueMicros ?? 0,
  });
  metrics.setRoiSource(() => roi.gauges(clock.now()));
  const zones = new TimeZoneTable();

  const gate = new PacingGate(
    store.budgets,
    clock,
    zones,
    {
      instanceId,
      leaseTtlMs: snap.bidder.pacing.leaseTtl * 1000,
      noticeWindowMs: snap.bidder.pacing.noticeWindow * 1000,
      minLeaseMicros: snap.bidder.pacing.minLeaseMicros,
      controller: snap.bidder.pacing.controller,
      minMultiplier: snap.bidder.pacing.minMultiplier,
      lookahead: snap.bidder.pacing.lookahead / 86_400,
      adaptive: { intervalMs: snap.bidder.pacing.interval * 1000, horizonMs: snap.bidder.pacing.horizon * 1000 },
    },
    { onLease: (r) => metrics.leaseTakes.labels(r).inc() },
  );
  const lookup = new ProfileLookup(store.profiles, clock, {
    timeoutMs: snap.bidder.limits.lookupTimeoutMs,
    cacheSize: 10_000,
    cacheTtlMs: 2_000,
  });
  const privacy = createPrivacyDecider(() => config.current.bidder.privacy);
  const sc = snap.bidder.scoring;
  const scoring = await ScoringService.create(
    {
      mode: sc.mode,
      modelsDir: isAbsolute(sc.modelsDir) ? sc.modelsDir : join(opts.configDir, sc.modelsDir),
      pool: { threads: sc.pool.threads, maxQueue: sc.pool.maxQueue, taskDeadlineMs: sc.pool.taskDeadlineMs },
      shading: sc.shading,
      bidSampleRate: sc.eventLog.bidSampleRate,
    },
    {
      clock,
      // The event log: rotating JSONL files when a directory is configured, else a capped Redis Stream with
      // the Redis store, else none (a single embedded instance without a directory keeps no log).
      sink:
        sc.eventLog.dir !== undefined
          ? new RotatingJsonlSink({
              dir: sc.eventLog.dir,
              onError: (err) => logger.warn({ err }, 'event log write failed'),
            })
          : store.kind === 'redis'
            ? (store as RedisStore).eventSink()
            : undefined,
      onModelReport: (r) => {
        const result =
          r instanceof Error
            ? 'error'
            : r.refused.length > 0
              ? 'refused'
              : r.loaded.length + r.removed.length > 0
                ? 'ok'
                : 'unchanged';
        metrics.modelReloads.labels(result).inc();
        if (r instanceof Error) logger.error({ err: r.message }, 'models reload failed; previous models stay live');
        else if (r.refused.length > 0)
          logger.error(
            { models: { ...r, refused: r.refused.map((e) => e.message) } },
            'model refused; previous model stays live',
          );
        else logger.info({ models: r, result }, 'models loaded');
      },
      onWatchError: (err, dir) => {
        metrics.watchErrors.labels('models').inc();
        logger.warn({ err: err.message, dir }, 'models directory watch failed; retrying');
      },
    },
  );
  const bidPath = new BidPath({
    clock,
    gate,
    zones,
    instanceId,
    privacy,
    profiles: lookup,
    idKeys: idKeysFor,
    onLookup: (o, profile) => {
      metrics.lookups.labels(o).inc();
      if (profile !== undefined) metrics.identity.labels(profile.linked === true ? 'true' : 'false').inc();
    },
    onPrivacy: (r) => metrics.privacy.labels(r).inc(),
    scoring,
    onNoScore: (reason) => metrics.noScore.labels(reason).inc(),
  });
  // Encrypted-price channels: one crypter per channel, rebuilt when the config changes.
  let crypters = new Map<string, PriceCrypter>();
  const buildCrypters = (s: ConfigSnapshot) => {
    crypters = new Map();
    for (const ch of s.channels.values()) {
      if (ch.priceKeys !== undefined)
        crypters.set(
          ch.id,
          createPriceCrypter({
            encryptionKey: decodeWebSafeBase64(ch.priceKeys.encryptionKey),
            integrityKey: decodeWebSafeBase64(ch.priceKeys.integrityKey),
          }),
        );
    }
  };
  const noticeStoreErrors = new StoreErrorLog(logger, clock);
  const notices = new NoticeHandler({
    clock,
    config,
    decodePrice: (channelId, text) => crypters.get(channelId)?.decrypt(text),
    gate,
    dedup: store.dedup,
    // Impressions counted here also bump this instance's cached profiles, so hot users meet their caps at once.
    profiles: lookup.observing(store.profiles),
    clicks: store.clicks,
    events: {
      onNotice: (type, channel, outcome) => metrics.notices.labels(type, channel ?? 'unknown', outcome).inc(),
      onSpend: (c, micros, raised) => {
        metrics.spend.labels(c.campaignId, c.channelId).inc(micros);
        if (c.explore === true) metrics.explorationSpend.labels(c.campaignId, c.channelId).inc(micros);
        roi.spend(c.campaignId, c.channelId, micros, clock.now());
        if (raised === true) return; // a higher price for an impression already counted
        metrics.impressions.labels(c.campaignId, c.channelId).inc();
        scoring.onSpend(noticeInput(c), micros, c.expected);
      },
      onWin: (c, clearingCpmMicros) =>
        scoring.onWin(noticeInput(c), c.bidCpmAccountMicros, toAccount(c, clearingCpmMicros)),
      onLoss: (c, _code, clearingCpmMicros) =>
        scoring.onLoss(
          noticeInput(c),
          c.bidCpmAccountMicros,
          clearingCpmMicros === undefined ? undefined : toAccount(c, clearingCpmMicros),
        ),
      onClick: (c) => {
        scoring.onClick(noticeInput(c));
        store.budgets
          .addResults({ campaignId: c.campaignId, channelId: c.channelId, day: c.day }, 1, 0, 0)
          .catch((err: unknown) => logger.warn({ err }, 'click not credited for ROI'));
        roi.click(c.campaignId, c.channelId, clock.now());
      },
      onClickStoreError: (err) => logger.warn({ err }, 'click not recorded for attribution'),
      onStoreError: (err) => noticeStoreErrors.report(err),
    },
  });
  const conversions = new ConversionHandler({
    clock,
    config,
    clicks: store.clicks,
    dedup: store.dedup,
    events: {
      onConversion: (outcome, conv) => {
        const click = conv?.click;
        // Label values from config only: a click of a campaign since removed counts under `none`.
        const known =
          click !== undefined &&
          config.current.campaignsById.has(click.campaignId) &&
          config.current.channels.has(click.channelId);
        const campaign = known ? click.campaignId : 'none';
        const channel = known ? click.channelId : 'none';
        metrics.conversions.labels(campaign, channel, outcome).inc();
        if (conv === undefined || (outcome !== 'attributed' && outcome !== 'unattributed')) return;
        metrics.conversionValue.labels(campaign, channel).inc(conv.valueMicros);
        if (click === undefined) return;
        roi.conversion(click.campaignId, click.channelId, conv.valueMicros, conv.nowMs);
        const tz = config.current.campaignsById.get(click.campaignId)?.timezone;
        if (tz !== undefined) {
          const key = { campaignId: click.campaignId, channelId: click.channelId, day: zones.at(tz, conv.nowMs).day };
          store.budgets
            .addResults(key, 0, 1, conv.valueMicros)
            .catch((err: unknown) => logger.warn({ err }, 'conversion not credited for ROI'));
        }
        const input = {
          campaign: config.current.campaignsById.get(click.campaignId)?.scoring,
          campaignId: click.campaignId,
          auctionId: click.auctionId,
          impId: click.impId,
        };
        scoring.onConversion(
          { ...input, channelId: click.channelId, personId: click.personId, nowMs: conv.nowMs },
          conv.valueMicros,
        );
      },
    },
  });

  const noticeInput = (c: NoticeClaims) => ({
    campaign: config.current.campaignsById.get(c.campaignId)?.scoring,
    campaignId: c.campaignId,
    auctionId: c.auctionId,
    impId: c.impId,
    channelId: c.channelId,
    personId: c.personId,
    nowMs: clock.now(),
    day: c.day,
  });
  // Clearing prices come back in the bid's currency; the scorer thinks in account micros.
  const toAccount = (c: NoticeClaims, cpmMicros: number) =>
    c.bidCpmMicros === 0 ? 0 : Math.round((cpmMicros * c.bidCpmAccountMicros) / c.bidCpmMicros);

  // A warning about the config (an unset env secret, say) is logged the first time only: a reload that keeps
  // the same situation changes nothing an operator needs to hear again.
  const warned = new Set<string>();
  const applySnapshot = (s: ConfigSnapshot): void => {
    buildCrypters(s);
    roi.retain(new Set(s.campaigns.map((c) => c.id)));
    metrics.preload([...s.channels.keys()]);
    metrics.configVersion.set(s.version);
    metrics.accountCurrency.reset();
    metrics.accountCurrency.labels(s.bidder.currency).set(1);
    metrics.configCampaigns.labels('active').set(s.campaigns.filter((c) => c.active).length);
    metrics.configCampaigns.labels('paused').set(s.campaigns.filter((c) => !c.active).length);
    for (const w of s.warnings) {
      if (warned.has(w)) continue;
      warned.add(w);
      logger.warn(w);
    }
  };
  applySnapshot(snap);
  config.subscribe({
    // Every attempt is counted and logged with its outcome: a buyer's edit is either live or says why not.
    onReload: (r) => {
      metrics.configReloads.labels(r.outcome).inc();
      for (const w of r.warnings) logger.warn({ trigger: r.trigger }, `config: ${w}`);
      const ms = Math.round(r.durationMs);
      if (!r.ok) {
        logger.error(
          { trigger: r.trigger, result: r.outcome, ms, totalIssues: r.totalIssues, issues: r.issues },
          `config reload ${r.outcome === 'invalid' ? 'refused' : 'failed'}; keeping version ${config.current.version}:\n${formatIssues(r.issues)}`,
        );
        return;
      }
      metrics.configLastReloadSuccess.set(clock.now() / 1000);
      const version = r.snapshot.version;
      if (!r.changed) {
        logger.info({ trigger: r.trigger, result: r.outcome, ms, version }, 'config reload: no change');
        return;
      }
      applySnapshot(r.snapshot);
      void gate.warm(r.snapshot.campaigns);
      logger.info(
        {
          trigger: r.trigger,
          result: r.outcome,
          ms,
          version,
          hash: r.snapshot.hash,
          campaigns: r.snapshot.campaigns.length,
        },
        'config reloaded',
      );
    },
    onWatchError: (err, dir) => {
      metrics.watchErrors.labels('config').inc();
      logger.warn({ err: err.message, dir }, 'config directory watch failed; retrying');
    },
  });
  metrics.configLastReloadSuccess.set(snap.loadedAtMs / 1000);
  await gate.warm(snap.campaigns);

  let draining = false;
  const serverEvents = {
    onEdgeError: (code: 'body_too_large' | 'method_not_allowed' | 'not_found') => metrics.httpErrors.labels(code).inc(),
    onHandlerError: (err: unknown) => logger.error({ err }, 'handler failed'),
  };
  const pub = new HttpServer(uws, {
    maxBodyBytes: snap.bidder.limits.maxBodyBytes,
    now: () => clock.now(),
    events: serverEvents,
  });
  pub
    .route('/bid/:channel', {
      post: { handler: createBidEndpoint({ clock, config, bidPath, metrics }), body: true },
      options: { handler: createPreflightEndpoint(config, metrics) },
    })
    .route('/notice/win', { get: { handler: createNoticeEndpoint(notices, 'win') } })
    .route('/notice/bill', { get: { handler: createNoticeEndpoint(notices, 'bill') } })
    .route('/notice/loss', { get: { handler: createNoticeEndpoint(notices, 'loss') } })
    .route('/notice/imp', { get: { handler: createImpressionEndpoint(notices) } })
    .route('/click', { get: { handler: createClickEndpoint(notices) } })
    .route('/conv', {
      get: { handler: createConversionEndpoint(conversions) },
      post: { handler: createConversionEndpoint(conversions), body: true },
    })
    .fallback(errorReply(errors.notFound()));

  const openApiReply = jsonReply(200, kOpsOpenApi);
  const ops = new HttpServer(uws, {
    maxBodyBytes: 1 << 20,
    now: () => clock.now(),
    events: serverEvents,
    remoteAddress: true,
  });
  const opsEndpoints = createOpsEndpoints({
    config,
    metrics,
    readiness: {
      notReadyReason: async () => {
        if (draining) return 'draining';
        if (!(await store.ping().catch(() => false))) return `store (${store.kind}) unreachable`;
        if (!lookup.healthy()) return 'user lookups failing (circuit open)';
        return undefined;
      },
    },
    report: { spend: () => spendReport(gate, config.current, clock.now()) },
  });
  ops
    .route('/metrics', {
      get: {
        handler: () => {
          for (const r of gate.remaining()) {
            metrics.budgetRemaining
              .labels(r.campaignId, r.channelId, r.pool)
              .set(Math.max(0, r.capMicros - r.spentMicros));
            metrics.budgetReserved.labels(r.campaignId, r.channelId, r.pool).set(r.reservedMicros);
          }
          for (const p of gate.pacing(config.current.campaigns, clock.now())) {
            metrics.pacingCap.labels(p.campaignId, p.channelId).set(p.capMicros);
            metrics.pacingTarget.labels(p.campaignId, p.channelId).set(p.targetMicros);
            metrics.pacingSpent.labels(p.campaignId, p.channelId).set(p.spentMicros);
            metrics.pacingSignal.labels(p.campaignId, p.channelId).set(p.signal);
          }
          for (const m of scoring.cost?.multipliers() ?? [])
            metrics.costMultiplier.labels(m.campaignId, m.channelId).set(m.multiplier);
          const counters = lookup.counters();
          metrics.identityMatchRate.set(counters.matchRate);
          metrics.duplicateReach.set(counters.duplicateReachRate);
          return opsEndpoints.metrics();
        },
      },
    })
    .route('/healthz', { get: { handler: opsEndpoints.healthz } })
    .route('/readyz', { get: { handler: opsEndpoints.readyz } })
    .route('/openapi.json', { get: { handler: () => openApiReply } })
    .route('/admin/reload', { post: { handler: opsEndpoints.reload, body: true } })
    .route('/admin/config', { get: { handler: opsEndpoints.config } })
    .route('/admin/spend', { get: { handler: opsEndpoints.spend } })
    .route('/admin/replay/:channel', {
      post: { handler: requireAdmin(config, createReplayEndpoint({ clock, config, bidPath })), body: true },
    })
    .fallback(errorReply(errors.notFound()));

  // The floating pool: every instance ticks every 10 s (cheap: one store read per floating campaign); the
  // first tick of each reallocation period decides its step for the whole fleet (pacing/reallocator.ts).
  const rc = snap.bidder.pacing.reallocation;
  const reallocator = new Reallocator(
    store.budgets,
    gate,
    zones,
    {
      intervalMs: rc.interval * 1000,
      step: rc.step,
      minRatio: rc.minRatio,
      confidence: rc.confidence,
      minSpend: rc.minSpend,
    },
    {
      onMove: (campaignId, m) => {
        metrics.reallocations.labels(campaignId, m.from, m.to, m.reason).inc();
        metrics.reallocationMoved.labels(campaignId, m.from, m.to).inc(m.fraction);
        logger.info(
          {
            campaign: campaignId,
            from: m.from,
            to: m.to,
            fraction: m.fraction,
            reason: m.reason,
            roiFrom: m.roiFrom,
            roiTo: m.roiTo,
          },
          'floating budget moved',
        );
      },
      onAllocation: (campaignId, weights) => {
        for (const [ch, w] of Object.entries(weights)) metrics.floatingWeight.labels(campaignId, ch).set(w);
      },
    },
  );
  const reallocateTimer = setInterval(() => {
    reallocator
      .tick(config.current.campaigns, clock.now())
      .catch((err: unknown) => logger.warn({ err }, 'reallocation tick failed'));
  }, 10_000);
  reallocateTimer.unref();

  // Readiness as a gauge too, so alerts need no probe of their own.
  const readyTimer = setInterval(() => {
    void opsEndpoints.readyz().then((r) => metrics.ready.set(r.status === 200 ? 1 : 0));
  }, 5_000);
  readyTimer.unref();
  metrics.ready.set(1);

  const host = opts.host ?? snap.bidder.host;
  const port = await pub.listen(host, opts.port ?? snap.bidder.port, uws);
  const opsPort = await ops.listen(host, opts.opsPort ?? snap.bidder.opsPort, uws);
  await config.watch();

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (shutdownPromise ??= (async () => {
      draining = true;
      // No reload starts during the drain, and a running one is abandoned (its worker terminated).
      config.close();
      clearInterval(readyTimer);
      clearInterval(reallocateTimer);
      metrics.ready.set(0);
      pub.closing = true;
      pub.stopListening(uws);
      const until = Date.now() + 5_000;
      while (pub.inflight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      // Each step is bounded: a stuck worker or store must not keep a draining process alive.
      const bounded = (p: Promise<unknown>) =>
        Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, 3_000).unref())]);
      await bounded(gate.releaseAll());
      await bounded(scoring.close());
      await bounded(store.close());
      ops.stopListening(uws);
      logger.info({ inflight: pub.inflight }, 'drained');
      logger.flush?.();
    })());

  const inflight = () => pub.inflight + ops.inflight;
  return {
    port,
    opsPort,
    config,
    store,
    metrics,
    gate,
    roi,
    instanceId,
    logger,
    opsRoutes: ops.routes,
    inflight,
    shutdown,
  };
}

async function openStore(
  snap: ConfigSnapshot,
  env: NodeJS.ProcessEnv,
  instanceId: string,
  logger: Logger,
): Promise<Store> {
  const redis = snap.bidder.store.redis;
  const envUrl = env.REDIS_URL === undefined || env.REDIS_URL === '' ? undefined : env.REDIS_URL;
  const url = envUrl ?? redis?.url;
  if (snap.bidder.store.kind === 'memory' && envUrl === undefined) return createMemoryStore();
  const { createRedisStore } = await import('./store/redis/index.js');
  logger.info({ url: url === undefined ? undefined : redactUrl(url), cluster: redis?.cluster }, 'connecting to redis');
  return createRedisStore({
    url,
    cluster: redis?.cluster === undefined ? undefined : { nodes: redis.cluster },
    keyPrefix: redis?.keyPrefix ?? 'pg:',
    instanceId,
    onError: (err) => logger.warn({ err: err.message }, 'redis error'),
  });
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** The admin spend report: per campaign × channel, the day's cap, spend against the target curve, and pools. */
function spendReport(gate: PacingGate, snap: ConfigSnapshot, nowMs: number): unknown {
  const pools = new Map<string, AccountRow>();
  for (const r of gate.remaining()) pools.set(`${r.campaignId}\u0000${r.channelId}\u0000${r.pool}`, r);
  const rows = [...gate.pacing(snap.campaigns, nowMs)].map((p) => {
    const c = snap.campaignsById.get(p.campaignId)!;
    const regular = pools.get(`${p.campaignId}\u0000${p.channelId}\u0000regular`);
    const explore = pools.get(`${p.campaignId}\u0000${p.channelId}\u0000exploration`);
    return {
      campaign: p.campaignId,
      channel: p.channelId,
      day: regular?.day,
      pacing: c.pacingMode,
      dailyBudget: p.capMicros / 1e6,
      baseShare: c.channelShares.get(p.channelId),
      spent: p.spentMicros / 1e6,
      target: p.targetMicros / 1e6,
      signal: p.signal,
      reserved: ((regular?.reservedMicros ?? 0) + (explore?.reservedMicros ?? 0)) / 1e6,
      lease: ((regular?.leaseMicros ?? 0) + (explore?.leaseMicros ?? 0)) / 1e6,
      exploration:
        explore === undefined ? undefined : { budget: explore.capMicros / 1e6, spent: explore.spentMicros / 1e6 },
    };
  });
  return { currency: snap.bidder.currency, rows };
}

export type { Uws };
