/**
 * The composition root of one bidder instance: from a config source, a store, a clock and a scorer it builds
 * the pieces that answer exchanges — pacing gate, profile lookup, bid path, notice, click and conversion
 * handlers, ROI crediting, the floating-pool reallocator — and wires their events to the metrics, when it is
 * given a registry. It owns no timers, sockets or process state: the HTTP shell (`app.ts`) ticks it in real
 * time and serves it; the simulators (sim/) build several over one shared store and drive them in virtual
 * time against a synthetic market. So a simulated instance is the production instance, differing only in
 * its clock, its store and the traffic and users it meets.
 */
import { isAbsolute, join } from 'node:path';
import { BidPath, type BidPathDeps, type ProfileSource } from '../auction/bid-path.js';
import { TimeZoneTable } from '../campaigns/time-zones.js';
import type { Clock } from '../clock.js';
import type { ConfigSnapshot } from '../config/snapshot.js';
import type { Logger } from '../log.js';
import { countConversion, fillScrapeGauges } from '../metrics/scrape.js';
import type { Metrics } from '../metrics/registry.js';
import { accountMicros } from '../notices/account-price.js';
import { ConversionHandler } from '../notices/conversion-handler.js';
import { NoticeHandler } from '../notices/notice-handler.js';
import { ReachRecorder } from '../notices/reach-recorder.js';
import { StoreErrorLog } from '../notices/store-error-log.js';
import { createPriceCrypter, decodeWebSafeBase64, type PriceCrypter } from '../notices/price-crypto.js';
import type { NoticeClaims } from '../tokens/token.js';
import { PacingGate } from '../pacing/gate.js';
import { OperatingPoints } from '../pacing/marginal.js';
import type { Move } from '../pacing/allocation.js';
import { Reallocator, type StepFigures } from '../pacing/reallocator.js';
import { ResultCredit } from '../pacing/results.js';
import { spendReport, type SpendReport } from '../pacing/spend-report.js';
import { createPrivacyDecider } from '../privacy/index.js';
import { RoiTracker } from '../roi/roi-tracker.js';
import { type EventSink, RotatingJsonlSink, ScoringService } from '../scoring/index.js';
import { idKeysFor } from '../segments/ids.js';
import { ProfileLookup } from '../segments/profile-lookup.js';
import type { Store } from '../store/ports.js';

/** Where the instance reads the live config: a `ConfigHolder`, or any object whose `current` is swapped. */
export interface ConfigSource {
  readonly current: ConfigSnapshot;
}

export interface BidderDeps {
  readonly config: ConfigSource;
  readonly store: Store;
  readonly clock: Clock;
  readonly instanceId: string;
  /**
   * The scorer, when the caller shares one between instances (the simulators' in-process fleet); otherwise
   * the instance opens its own from `bidder.scoring` (models directory relative to the config directory) and
   * closes it on shutdown.
   */
  readonly scoring?: ScoringService;
  /** Counters and gauges (the process's registry); without it the instance counts nothing. */
  readonly metrics?: Metrics;
  readonly logger?: Logger;
  /** The pacing throttle's coin (default Math.random); seeded by the simulators so runs repeat. */
  readonly random?: () => number;
  /**
   * Where user profiles come from and by which ids (default: the store's profiles behind the lookup cache
   * and deadline, ids from the request). The learning simulator's market hands out its own users.
   */
  readonly users?: { readonly profiles: ProfileSource; readonly idKeys: BidPathDeps['idKeys'] };
  /** Told after the instance's own handling (simulator tallies). */
  readonly observe?: {
    onSpend?(claims: NoticeClaims, micros: number): void;
    onClick?(claims: NoticeClaims): void;
    onLease?(): void;
    /** A floating-pool step this instance decided for the fleet, with the figures it used. */
    onReallocation?(campaignId: string, move: Move, figures: readonly StepFigures[]): void;
  };
}

export interface Bidder {
  readonly instanceId: string;
  readonly gate: PacingGate;
  readonly bidPath: BidPath;
  /** Win, bill and loss notices, and clicks. */
  readonly notices: NoticeHandler;
  readonly conversions: ConversionHandler;
  readonly scoring: ScoringService;
  /** Real-time ROI per campaign × channel (spend, clicks, conversions), for pacing and metrics. */
  readonly roi: RoiTracker;
  /** Crediting clicks and conversions to pacing's ROI (also the simulators' clicks). */
  readonly credit: ResultCredit;
  readonly reallocator: Reallocator;
  /** A new snapshot went live: rebuild what depends on it and take leases for new campaigns. */
  applySnapshot(s: ConfigSnapshot): Promise<void>;
  /** One floating-pool tick at the instance's clock (the shell every 10 s; the simulators once a minute). */
  reallocate(): Promise<void>;
  /** Why the instance should not take traffic (store unreachable, lookups failing), or undefined. */
  notReadyReason(): Promise<string | undefined>;
  /** Sets the gauges a scrape reads from live state (no-op without metrics). */
  fillGauges(): void;
  spendReport(): SpendReport;
  /** Returns unused leases, writes the reach still batched, closes the scorer it opened; the store is the caller's. */
  shutdown(): Promise<void>;
}

export async function createBidder(d: BidderDeps): Promise<Bidder> {
  const { config, store, clock, instanceId, metrics: m } = d;
  const logger = d.logger;
  const snap = config.current;
  const zones = new TimeZoneTable();
  const roi = new RoiTracker({
    clickValueMicros: (id) => config.current.campaignsById.get(id)?.roi.clickValueMicros ?? 0,
  });
  m?.setRoiSource(() => roi.gauges(clock.now()));
  const credit = new ResultCredit({
    budgets: store.budgets,
    roi,
    zones,
    timezoneOf: (id) => config.current.campaignsById.get(id)?.timezone,
  });
  const pacing = snap.bidder.pacing;
  const gate = new PacingGate(
    store.budgets,
    clock,
    zones,
    {
      instanceId,
      leaseTtlMs: pacing.leaseTtl * 1000,
      noticeWindowMs: pacing.noticeWindow * 1000,
      minLeaseMicros: pacing.minLeaseMicros,
      controller: pacing.controller,
      minMultiplier: pacing.minMultiplier,
      lookahead: pacing.lookahead / 86_400,
      finishEarlyMs: pacing.finishEarly * 1000,
      adaptive: { intervalMs: pacing.interval * 1000, horizonMs: pacing.horizon * 1000 },
      ...(d.random === undefined ? {} : { random: d.random }),
    },
    {
      onLease: (r) => {
        m?.leaseTakes.labels(r).inc();
        d.observe?.onLease?.();
      },
    },
  );
  const lookup = new ProfileLookup(store.profiles, clock, {
    timeoutMs: snap.bidder.limits.lookupTimeoutMs,
    cacheSize: 10_000,
    cacheTtlMs: 2_000,
  });
  const ownScoring = d.scoring === undefined;
  const scoring = d.scoring ?? (await openScoring(snap, store, clock, logger, m));
  const bidPath = new BidPath({
    clock,
    gate,
    zones,
    instanceId,
    privacy: createPrivacyDecider(() => config.current.bidder.privacy),
    profiles: d.users?.profiles ?? lookup,
    idKeys: d.users?.idKeys ?? idKeysFor,
    ...(m === undefined
      ? {}
      : {
          onLookup: (o, profile) => m.lookup(o, profile === undefined ? undefined : profile.linked === true),
          onPrivacy: (r) => m.privacyDecision(r),
          onNoScore: (reason) => m.noScore.labels(reason).inc(),
        }),
    scoring,
  });

  // The operating point per campaign × channel (recent bids and paid prices) for the marginal ROI.
  const points = new OperatingPoints();
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
  // Encrypted-price channels: one crypter per channel, rebuilt when the config changes.
  let crypters = new Map<string, PriceCrypter>();
  // A store outage fails every notice at once: one rate-limited line, not a stack trace per request.
  const noticeStoreErrors = logger === undefined ? undefined : new StoreErrorLog(logger, clock);
  // People reached per campaign × channel × day, fleet-wide in the store, for the console's reach figures.
  const reach = new ReachRecorder(store.reach, { onError: (err) => noticeStoreErrors?.report(err) });
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
      onNotice: (type, channel, outcome) => m?.notices.labels(type, channel ?? 'unknown', outcome).inc(),
      onSpend: (c, micros, raised) => {
        if (m !== undefined) {
          m.spend.labels(c.campaignId, c.channelId).inc(micros);
          if (c.explore === true) m.explorationSpend.labels(c.campaignId, c.channelId).inc(micros);
        }
        roi.spend(c.campaignId, c.channelId, micros, clock.now());
        d.observe?.onSpend?.(c, micros);
        if (raised === true) return; // a higher price for an impression already counted
        points.paid(c.campaignId, c.channelId, c.bidCpmAccountMicros, micros * 1000, clock.now());
        m?.impressions.labels(c.campaignId, c.channelId).inc();
        if (c.personId !== undefined)
          reach.record({ campaignId: c.campaignId, channelId: c.channelId, day: c.day, personId: c.personId });
        scoring.onSpend(noticeInput(c), micros, c.expected);
      },
      onWin: (c, clearingCpmMicros) => {
        points.bid(c.campaignId, c.channelId, c.bidCpmAccountMicros, clock.now());
        scoring.onWin(noticeInput(c), c.bidCpmAccountMicros, accountMicros(c, clearingCpmMicros));
      },
      onLoss: (c, _code, clearingCpmMicros) => {
        points.bid(c.campaignId, c.channelId, c.bidCpmAccountMicros, clock.now());
        scoring.onLoss(
          noticeInput(c),
          c.bidCpmAccountMicros,
          clearingCpmMicros === undefined ? undefined : accountMicros(c, clearingCpmMicros),
        );
      },
      onClick: (c) => {
        scoring.onClick(noticeInput(c));
        credit
          .click({ campaignId: c.campaignId, channelId: c.channelId, day: c.day }, clock.now())
          .catch((err: unknown) => logger?.warn({ err }, 'click not credited for ROI'));
        d.observe?.onClick?.(c);
      },
      onClickStoreError: (err) => logger?.warn({ err }, 'click not recorded for attribution'),
      onStoreError: (err) => noticeStoreErrors?.report(err),
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
        const accepted = conv !== undefined && (outcome === 'attributed' || outcome === 'unattributed');
        const cur = config.current;
        const known =
          click !== undefined && cur.campaignsById.has(click.campaignId) && cur.channels.has(click.channelId);
        if (m !== undefined)
          countConversion(m, outcome, known ? click : undefined, accepted ? conv.valueMicros : undefined);
        if (!accepted || click === undefined) return;
        credit
          .conversion(click.campaignId, click.channelId, conv.valueMicros, conv.nowMs)
          .catch((err: unknown) => logger?.warn({ err }, 'conversion not credited for ROI'));
        scoring.onConversion(
          {
            campaign: cur.campaignsById.get(click.campaignId)?.scoring,
            campaignId: click.campaignId,
            auctionId: click.auctionId,
            impId: click.impId,
            channelId: click.channelId,
            personId: click.personId,
            nowMs: conv.nowMs,
          },
          conv.valueMicros,
        );
      },
    },
  });

  // The floating pool: the first tick of each reallocation period decides its step for the whole fleet
  // (pacing/reallocator.ts); every instance ticks, one store read per floating campaign.
  const rc = pacing.reallocation;
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
      poolEvents: rc.poolEvents,
      minMultiplier: pacing.minMultiplier,
    },
    {
      onMove: (campaignId, mv, figures) => {
        d.observe?.onReallocation?.(campaignId, mv, figures);
        m?.reallocations.labels(campaignId, mv.from, mv.to, mv.reason).inc();
        m?.reallocationMoved.labels(campaignId, mv.from, mv.to).inc(mv.fraction);
        logger?.info(
          {
            campaign: campaignId,
            from: mv.from,
            to: mv.to,
            fraction: mv.fraction,
            reason: mv.reason,
            roiFrom: mv.roiFrom,
            roiTo: mv.roiTo,
            marginalFrom: mv.marginalFrom,
            marginalTo: mv.marginalTo,
          },
          'floating budget moved',
        );
      },
      onAllocation: (campaignId, weights) => {
        if (m !== undefined)
          for (const [ch, w] of Object.entries(weights)) m.floatingWeight.labels(campaignId, ch).set(w);
      },
    },
    {
      point: (campaignId, channelId, nowMs) => points.point(campaignId, channelId, nowMs),
      // The shading learner's curve once it has been fitted on enough notices (first-price channels use it).
      curve: (channelId) => {
        const st = scoring.shading.state(channelId);
        return st === undefined || st.n < 200 ? undefined : { a: st.a, k: st.k };
      },
    },
  );

  const apply = (s: ConfigSnapshot): void => {
    crypters = new Map();
    for (const ch of s.channels.values())
      if (ch.priceKeys !== undefined)
        crypters.set(
          ch.id,
          createPriceCrypter({
            encryptionKey: decodeWebSafeBase64(ch.priceKeys.encryptionKey),
            integrityKey: decodeWebSafeBase64(ch.priceKeys.integrityKey),
          }),
        );
    const ids = new Set(s.campaigns.map((c) => c.id));
    roi.retain(ids);
    points.retain(ids);
    if (m !== undefined) {
      m.preload([...s.channels.keys()]);
      m.configVersion.set(s.version);
      m.accountCurrency.reset();
      m.accountCurrency.labels(s.bidder.currency).set(1);
      m.configCampaigns.labels('active').set(s.campaigns.filter((c) => c.active).length);
      m.configCampaigns.labels('paused').set(s.campaigns.filter((c) => !c.active).length);
    }
  };
  apply(snap);
  await gate.warm(snap.campaigns);

  return {
    instanceId,
    gate,
    bidPath,
    notices,
    conversions,
    scoring,
    roi,
    credit,
    reallocator,
    applySnapshot: async (s) => {
      apply(s);
      await gate.warm(s.campaigns);
    },
    reallocate: () => reallocator.tick(config.current.campaigns, clock.now()),
    notReadyReason: async () => {
      if (!(await store.ping().catch(() => false))) return `store (${store.kind}) unreachable`;
      // An open breaker gets no lookups once /readyz has taken the instance out of rotation: probe it here.
      await lookup.probe();
      if (!lookup.healthy()) return 'user lookups failing (circuit open)';
      return scoring.notReadyReason();
    },
    fillGauges: () => {
      if (m === undefined) return;
      fillScrapeGauges(m, {
        budgets: gate.remaining(),
        pacing: gate.pacing(config.current.campaigns, clock.now()),
        costMultipliers: scoring.cost?.multipliers() ?? [],
        identity: lookup.counters(),
      });
    },
    spendReport: () => spendReport(gate, config.current.campaigns, config.current.bidder.currency, clock.now()),
    shutdown: async () => {
      // Each step is bounded: a stuck worker or store must not keep a draining process alive.
      await bounded(gate.releaseAll());
      await bounded(reach.close());
      if (ownScoring) await bounded(scoring.close());
    },
  };
}

function bounded(p: Promise<unknown>): Promise<unknown> {
  return Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, 3_000).unref())]);
}

/**
 * The scorer `bidder.scoring` describes, with its event log: rotating JSONL files when a directory is
 * configured, else a capped Redis Stream with the Redis store, else none (a single embedded instance
 * without a directory keeps no log).
 */
async function openScoring(
  snap: ConfigSnapshot,
  store: Store,
  clock: Clock,
  logger: Logger | undefined,
  m: Metrics | undefined,
): Promise<ScoringService> {
  const sc = snap.bidder.scoring;
  const sink: EventSink | undefined =
    sc.eventLog.dir !== undefined
      ? new RotatingJsonlSink({
          dir: sc.eventLog.dir,
          onError: (err) => logger?.warn({ err }, 'event log write failed'),
        })
      : store.eventSink?.();
  return ScoringService.create(
    {
      mode: sc.mode,
      modelsDir: isAbsolute(sc.modelsDir) ? sc.modelsDir : join(snap.dir, sc.modelsDir),
      pool: { threads: sc.pool.threads, maxQueue: sc.pool.maxQueue, taskDeadlineMs: sc.pool.taskDeadlineMs },
      shading: sc.shading,
      bidSampleRate: sc.eventLog.bidSampleRate,
    },
    {
      clock,
      sink,
      onModelReport: (r) => {
        const result =
          r instanceof Error
            ? 'error'
            : r.refused.length > 0
              ? 'refused'
              : r.loaded.length + r.removed.length > 0
                ? 'ok'
                : 'unchanged';
        m?.modelReloads.labels(result).inc();
        if (r instanceof Error) logger?.error({ err: r.message }, 'models reload failed; previous models stay live');
        else if (r.refused.length > 0)
          logger?.error(
            { models: { ...r, refused: r.refused.map((e) => e.message) } },
            'model refused; previous model stays live',
          );
        else logger?.info({ models: r, result }, 'models loaded');
      },
      onWatchError: (err, dir) => {
        m?.watchErrors.labels('models').inc();
        logger?.warn({ err: err.message, dir }, 'models directory watch failed; retrying');
      },
    },
  );
}
