/**
 * The HTTP shell around one bidder instance (`bidder/create-bidder.ts` builds the instance): reads the
 * environment, opens the config holder, the store and the logger, serves the instance on two uWebSockets.js
 * servers (public: exchange traffic; ops: metrics, health, admin), ticks it in real time, and owns the
 * shutdown sequence. Nothing here is module-level state (the metrics registry is per app), so one process
 * can start several apps, or one per worker thread.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Bidder, createBidder } from './bidder/create-bidder.js';
import { warmUp } from './bidder/warm-up.js';
import { systemClock, type Clock } from './clock.js';
import { ConfigHolder, type ConfigHolderOptions } from './config/config-holder.js';
import { formatIssues } from './config/load.js';
import type { ConfigSnapshot } from './config/snapshot.js';
import { createBidEndpoint, createPreflightEndpoint } from './endpoints/bid-endpoint.js';
import { createConversionEndpoint } from './endpoints/conversion-endpoint.js';
import { createClickEndpoint, createImpressionEndpoint, createNoticeEndpoint } from './endpoints/notice-endpoints.js';
import { kConsoleHeaders, registerConsole, type ConsoleHandle } from './console/routes.js';
import { kOpsOpenApi } from './endpoints/openapi.js';
import { createOpsEndpoints } from './endpoints/ops-endpoints.js';
import { createReplayEndpoint } from './endpoints/replay-endpoint.js';
import { errorReply, errors } from './errors.js';
import { loadNativeUws, type Uws } from './http/native-check.js';
import { jsonReply } from './http/reply.js';
import { HttpServer } from './http/server.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics/registry.js';
import type { PacingGate } from './pacing/gate.js';
import type { RoiTracker } from './roi/roi-tracker.js';
import { createMemoryStore } from './store/memory/index.js';
import type { Store } from './store/ports.js';

export interface AppOptions {
  readonly configDir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly clock?: Clock;
  /** Override the configured ports (tests pass 0 for a free port). */
  readonly port?: number;
  readonly opsPort?: number;
  /** Serve the ops port (default true). In a cluster only worker 0 does, for the whole process group. */
  readonly ops?: boolean;
  /** What `/metrics` answers instead of this instance's registry: the cluster's aggregate, in worker 0. */
  readonly fleetMetrics?: () => Promise<{ readonly body: string; readonly contentType: string }>;
  readonly host?: string;
  /** Use this store instead of the one the config/env selects. */
  readonly store?: Store;
  readonly logger?: Logger;
  /** Config loading and watching (limits, watch timing); the environment's limits apply otherwise. */
  readonly configOptions?: ConfigHolderOptions;
  /** Run synthetic requests through a throwaway copy of the bid path before listening (bidder/warm-up.ts). */
  readonly warmUp?: boolean;
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
  /** The media buyer's console on the ops port (its figures sampler, anomaly detector and editor). */
  readonly console: ConsoleHandle;
  /** The ops port's routes (pattern and methods), which docs/openapi.yaml must describe. */
  readonly opsRoutes: readonly { readonly pattern: string; readonly methods: readonly string[] }[];
  /** Requests on both ports that have arrived and are not yet answered or dropped. */
  inflight(): number;
  /** The instance the servers serve. */
  readonly bidder: Bidder;
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
  const bidder = await createBidder({ config, store, clock, instanceId, metrics, logger });
  const { gate, roi, bidPath, notices, conversions } = bidder;
  // A warning about the config (an unset env secret, say) is logged the first time only: a reload that keeps
  // the same situation changes nothing an operator needs to hear again.
  const warned = new Set<string>();
  const warnOnce = (s: ConfigSnapshot) => {
    for (const w of s.warnings) {
      if (warned.has(w)) continue;
      warned.add(w);
      logger.warn(w);
    }
  };
  warnOnce(snap);
  if (snap.adminTokenGenerated)
    logger.warn(
      `admin: PEREGRINE_ADMIN_TOKEN is not set; this run's admin token is ${snap.adminToken} ` +
        '(set PEREGRINE_ADMIN_TOKEN for a stable one, or PEREGRINE_ADMIN_OPEN=loopback for development)',
    );
  else if (snap.adminOpen === 'loopback' && snap.adminToken === undefined)
    logger.warn('admin: PEREGRINE_ADMIN_OPEN=loopback: the admin API answers loopback callers without a token');
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
      warnOnce(r.snapshot);
      void bidder.applySnapshot(r.snapshot);
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
    headers: kConsoleHeaders,
  });
  const opsEndpoints = createOpsEndpoints({
    config,
    metrics,
    readiness: {
      notReadyReason: async () => {
        if (draining) return 'draining';
        return bidder.notReadyReason();
      },
    },
    report: { spend: () => bidder.spendReport() },
    experiments: { report: (metric, o) => bidder.scoring.experiments.report(metric, o) },
    // Every admin call is logged and counted; never the token.
    audit: (call) => {
      metrics.adminRequests.labels(call.route, call.outcome).inc();
      const line = { method: call.method, path: call.path, status: call.status, remote: call.remoteAddress };
      if (call.outcome === 'unauthorized') logger.warn(line, 'admin call refused');
      else logger.info(line, 'admin call');
    },
  });
  ops
    .route('/metrics', {
      get: {
        handler: () => {
          bidder.fillGauges();
          const fleet = opts.fleetMetrics;
          if (fleet === undefined) return opsEndpoints.metrics();
          return fleet().then(
            (m) => ({ status: 200, body: m.body, contentType: m.contentType }),
            (err: unknown) => {
              logger.warn({ err }, 'cluster metrics unavailable; answering with this worker only');
              return opsEndpoints.metrics();
            },
          );
        },
      },
    })
    .route('/healthz', { get: { handler: opsEndpoints.healthz } })
    .route('/readyz', { get: { handler: opsEndpoints.readyz } })
    .route('/openapi.json', { get: { handler: () => openApiReply } })
    .route('/admin/reload', { post: { handler: opsEndpoints.reload, body: true } })
    .route('/admin/config', { get: { handler: opsEndpoints.config } })
    .route('/admin/spend', { get: { handler: opsEndpoints.spend } })
    .route('/admin/experiments', { get: { handler: opsEndpoints.experiments } })
    .route('/admin/replay/:channel', {
      post: {
        handler: opsEndpoints.guard('/admin/replay/:channel', createReplayEndpoint({ clock, config, bidPath })),
        body: true,
      },
    })
    .fallback(errorReply(errors.notFound()));
  const consoleHandle = registerConsole(ops, {
    clock,
    config,
    budgets: store.budgets,
    fleet: store.fleet,
    reach: store.reach,
    experiments: bidder.scoring.experiments,
    gate,
    roi,
    metrics,
    logger,
    guard: opsEndpoints.guard,
  });

  // The floating pool: every instance ticks every 10 s (pacing/reallocator.ts decides one step per period
  // for the whole fleet).
  const reallocateTimer = setInterval(() => {
    bidder.reallocate().catch((err: unknown) => logger.warn({ err }, 'reallocation tick failed'));
  }, 10_000);
  reallocateTimer.unref();

  // Readiness as a gauge too, so alerts need no probe of their own.
  const readyTimer = setInterval(() => {
    void opsEndpoints.readyz().then((r) => metrics.ready.set(r.status === 200 ? 1 : 0));
  }, 5_000);
  readyTimer.unref();
  metrics.ready.set(1);

  const host = opts.host ?? snap.bidder.host;
  if (opts.warmUp === true) {
    const w = await warmUp(config.current);
    logger.info({ warmUp: { ...w, ms: Math.round(w.ms) } }, 'bid path warmed up before listening');
  }
  const port = await pub.listen(host, opts.port ?? snap.bidder.port, uws);
  const opsPort = opts.ops === false ? 0 : await ops.listen(host, opts.opsPort ?? snap.bidder.opsPort, uws);
  await config.watch();

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (shutdownPromise ??= (async () => {
      draining = true;
      // No reload starts during the drain, and a running one is abandoned (its worker terminated).
      config.close();
      clearInterval(readyTimer);
      clearInterval(reallocateTimer);
      consoleHandle.close();
      metrics.ready.set(0);
      pub.closing = true;
      pub.stopListening(uws);
      const until = Date.now() + 5_000;
      while (pub.inflight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
      // Leases back and the scorer closed (bounded there), then the store, bounded too: a stuck store must
      // not keep a draining process alive.
      await bidder.shutdown();
      await Promise.race([store.close().catch(() => undefined), new Promise((r) => setTimeout(r, 3_000).unref())]);
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
    console: consoleHandle,
    inflight,
    bidder,
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
    onError: throttledRedisErrors(logger),
  });
}

/**
 * Reconnect attempts come every ≤ 250 ms while Redis is down and each reports an error: log the first, then
 * at most one line per 5 s with how many were left out, so an outage does not flood the log.
 */
function throttledRedisErrors(logger: Logger): (err: Error) => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (err) => {
    const now = Date.now();
    if (now - lastAt < 5_000) {
      suppressed++;
      return;
    }
    logger.warn({ err: err.message, suppressed }, 'redis error');
    lastAt = now;
    suppressed = 0;
  };
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

export type { Uws };
