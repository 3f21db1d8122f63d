/**
 * The learning-loop scenario (issue 5): does the bidder learn pCTR well enough from its own logs, and does
 * `target_cpc` then buy clicks at the target? Three simulated days of one bidder — the real BidPath, the
 * ScoringService (inline), the PacingGate, the NoticeHandler, the JSONL event sink, the trainer and the
 * model registry — under a VirtualClock, against a market whose truth is known:
 *
 *   requests  SyntheticMarket.sample (Zipf domains/apps, devices, OS, countries, hours, 0–6 segments, sizes)
 *             → an internal BidRequest; the user's segments come back from the profile lookup
 *   truth     SyntheticMarket.truth of what the bidder actually bid on (its campaign and creative included):
 *             a logistic model over the same features the bidder hashes
 *   auction   competing bid lognormal per channel (Market), first or second price; clicks drawn from the
 *             true CTR of won impressions; notices late or lost as in run-day.ts
 *
 *   days 1…E  explore:    max_cpm campaigns (CTR-blind bids) log every bid, win, loss and click
 *             train:      the real joiner + FTRL trainer on the log, last `holdout` by time held out; the same
 *                         held-out impressions scored by the true CTR (the oracle) and by the shipped model
 *             hot load:   the model file is written next to the shipped one (pctr-v2) and the registry reloads
 *   day E+1  unconstrained: the same campaigns as target_cpc, budgets that never bind (ASAP): the strategy alone
 *   day E+2  budgeted:   budgets at `deliveryFactor` × day E+1's spend per campaign × channel, traffic pacing
 *
 * Per campaign × channel it reports eCPC (spend ÷ clicks) against the target, and the two factors it
 * decomposes into: price ÷ value (what second price, shading and the pacing multiplier take off the
 * model's value pCTR × CPC) and calibration (Σ model pCTR ÷ clicks over won impressions).
 */
import { copyFile, mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createBidder } from '../src/bidder/create-bidder.js';
import { VirtualClock } from '../src/clock.js';
import { bidderSchema, campaignSchema, type CampaignConfig } from '../src/config/schema.js';
import { buildSnapshot, type ConfigSnapshot } from '../src/config/snapshot.js';
import type { NoticeClaims } from '../src/tokens/token.js';
import type { BidRequest } from '../src/openrtb/types.js';
import {
  RotatingJsonlSink,
  ScoringService,
  type EventSink,
  type FeatureRecord,
  type ScoringEvent,
} from '../src/scoring/index.js';
import { kSlots } from '../src/scoring/features.js';
import { auc, logLoss } from '../tools/train/ftrl.js';
import { logit, sigmoid } from '../src/scoring/model.js';
import { SyntheticMarket } from '../tools/train/synthetic.js';
import { prng } from './random.js';
import { loadLearningScenario, scenarioChannels } from './scenario.js';
import { ExampleJoiner, readEventFiles, trainModel } from '../tools/train/training.js';
import { createMemoryStore } from '../src/store/memory/index.js';
import type { Profile } from '../src/store/ports.js';
import { EventQueue } from './event-queue.js';
import { campaignOf, maxReachableEcpc } from './learning-data.js';
import { Market, type SimChannel } from './market.js';
import { simDevice, simRequest, simulatedChannel } from './sim-request.js';

export interface LearningCampaign {
  readonly id: string;
  /** Target cost per click, account currency. */
  readonly cpc: number;
  /**
   * The campaign's inventory slice (config `targeting`), the same on every day. Slices that do not overlap
   * keep the campaigns out of each other's way, so each one's eCPC is its own strategy's doing and not the
   * outcome of our internal auction.
   */
  readonly targeting: { readonly inventory?: readonly ('site' | 'app')[]; readonly deviceTypes?: readonly number[] };
}

export interface LearningOptions {
  readonly seed: number;
  /** One first-price and one second-price channel in the default scenario; any number works. */
  readonly channels: readonly SimChannel[];
  readonly campaigns: readonly LearningCampaign[];
  /**
   * Exploration days: every campaign bids `cpm` (max_cpm, bid fraction 1) under a daily budget, no pacing.
   * Two days or more, so the held-out tail (the last hours by time) has hour-of-day values the training part
   * has seen.
   */
  readonly explore: {
    readonly days: number;
    readonly cpm: number;
    readonly dailyBudget: number;
    /** Traffic multiplier on the exploration days (default 1): more impressions logged per day. */
    readonly traffic?: number;
  };
  /** The budgeted day's budgets as a fraction of the unconstrained day's spend per campaign × channel (default 0.8). */
  readonly deliveryFactor?: number;
  /** Traffic multiplier for the target_cpc days (default 1). */
  readonly evalTraffic?: number;
  /** Mean true CTR the market is calibrated to (SyntheticMarket's baseCtr). */
  readonly baseCtr: number;
  /** Bid floor on every imp, CPM. */
  readonly floorCpm: number;
  readonly train: {
    readonly epochs: number;
    readonly holdout: number;
    readonly alpha?: number;
    readonly l1?: number;
    readonly l2?: number;
  };
  /** Scratch directory: `events/` (the log) and `models/` (shipped models copied in, the trained one added). */
  readonly workDir: string;
  /** Where the shipped default models live (config/models). */
  readonly shippedModelsDir: string;
  /** Midnight UTC of the first day. */
  readonly startMs?: number;
  /** The scorer's cost controller for the target_cpc days (default on; false = bid the value, as before it existed). */
  readonly costControl?: boolean;
  /** Price every logged bid's features with the truth too and count disagreements (tests; costs time). */
  readonly checkFeatures?: boolean;
}

export interface CellStats {
  readonly campaign: string;
  readonly channel: string;
  readonly auction: 'first' | 'second';
  readonly targetCpc: number;
  /** Budget of this campaign × channel for the day (account currency). */
  readonly cap: number;
  readonly bids: number;
  readonly impressions: number;
  readonly spend: number;
  readonly clicks: number;
  /** Σ true CTR over billed impressions: the clicks expected, without the click-draw noise. */
  readonly expectedClicks: number;
  /** Σ model pCTR over billed impressions (value strategies only). */
  readonly predictedClicks: number;
  /** Σ pCTR × target CPC over billed impressions: what the impressions were worth at the model's estimate. */
  readonly value: number;
  /** The cost controller's λ at the end of the day and its updates (1 and 0 without it). */
  readonly costMultiplier: number;
  readonly costUpdates: number;
  /** Requests of the day in this campaign's slice on this channel, and Σ of their true CTRs. */
  readonly eligible: number;
  readonly eligibleCtr: number;
  /**
   * The highest eCPC the campaign could reach on this supply, bidding its max CPM on every request of its slice
   * (`maxReachableEcpc`): below the target, no bid reaches the target (supply-limited); NaN on exploration days.
   */
  readonly maxEcpc: number;
}

/** Ranking quality on the day's won impressions: the live model's pCTR and the true CTR against the clicks. */
export interface ImpressionAuc {
  readonly impressions: number;
  readonly clicks: number;
  readonly model: number;
  readonly oracle: number;
}

export interface DaySummary {
  readonly label: string;
  readonly requests: number;
  readonly bids: number;
  readonly impressions: number;
  readonly clicks: number;
  /** The live model's key while the day ran (`pctr@1` = the shipped default). */
  readonly model: string;
  readonly auc: ImpressionAuc;
  readonly noBids: Readonly<Record<string, number>>;
  readonly cells: readonly CellStats[];
  readonly wallMs: number;
}

export interface TrainingSummary {
  readonly logLines: number;
  readonly logBytes: number;
  readonly sinkDropped: number;
  readonly examples: number;
  readonly trainExamples: number;
  readonly testExamples: number;
  readonly testClicks: number;
  readonly positiveRate: number;
  /** Rows of the training part the Platt step was fitted on, and its fit (p = σ(a·logit + b)). */
  readonly calibrationExamples: number;
  readonly platt: { readonly a: number; readonly b: number };
  /** The raw FTRL model on the held-out impressions, before the Platt step. */
  readonly raw: { readonly logLoss: number; readonly auc: number; readonly calibration: number };
  readonly logLoss: number;
  readonly baselineLogLoss: number;
  readonly auc: number;
  readonly oracleAuc: number;
  readonly oracleLogLoss: number;
  /** The shipped default model (trained on the default seed-1 market) on the same held-out impressions. */
  readonly shippedAuc: number;
  readonly shippedLogLoss: number;
  /** Held-out Σ pCTR ÷ clicks for the trained model. */
  readonly calibration: number;
  readonly modelKey: string;
  readonly nonZeroWeights: number;
  readonly wallMs: number;
}

export interface LearningResult {
  readonly seed: number;
  readonly explore: readonly DaySummary[];
  readonly training: TrainingSummary;
  readonly unconstrained: DaySummary;
  readonly budgeted: DaySummary;
  /** With `checkFeatures`: logged bids whose features the market prices differently from the driver's truth. */
  readonly featureMismatches: number | undefined;
  readonly wallMs: number;
}

/**
 * The default scenario, `sim/scenarios/learning.yaml`: two exchanges like the pacing scenarios' (first
 * price, median competing CPM $1.60; second price, $1.20), three target-CPC campaigns on disjoint slices
 * (desktop web, mobile web, apps) with targets of $0.08, $0.12 and $0.18, two exploration days at a $4 CPM
 * that never runs out of budget, mean true CTR about 3%, FTRL with two passes. `seed` and `rpm` (mean
 * requests per minute per channel) override the file's.
 */
export function learningScenario(
  seed: number | undefined,
  rpm: number | undefined,
  workDir: string,
  shippedModelsDir: string,
  file = new URL('./scenarios/learning.yaml', import.meta.url).pathname,
): LearningOptions {
  const sc = loadLearningScenario(file);
  const requestsPerMinute = rpm ?? sc.requestsPerMinute;
  return {
    seed: seed ?? sc.seed,
    channels: scenarioChannels({ channels: sc.channels, requestsPerMinute }),
    campaigns: sc.campaigns,
    explore: sc.explore,
    deliveryFactor: sc.deliveryFactor,
    baseCtr: sc.baseCtr,
    floorCpm: sc.floorCpm,
    train: sc.train,
    workDir,
    shippedModelsDir,
  };
}

const kDayMs = 86_400_000;
const kBannerSizes: readonly (readonly [number, number])[] = [
  [300, 250],
  [728, 90],
  [320, 50],
  [160, 600],
  [300, 600],
];
/** Every campaign excludes this segment, so the bid path looks each user up and scores with their segments. */
const kSuppression = 'optout';

interface Cell {
  readonly campaign: string;
  readonly channel: string;
  readonly auction: 'first' | 'second';
  readonly targetCpc: number;
  cap: number;
  bids: number;
  impressions: number;
  spendMicros: number;
  clicks: number;
  expectedClicks: number;
  predictedClicks: number;
  value: number;
  eligible: number;
  eligibleCtr: number;
  /** The campaign's max CPM (target strategies), NaN otherwise. */
  readonly maxCpm: number;
}

interface Pending {
  readonly at: number;
  readonly run: () => Promise<unknown>;
}

/** Passes every event to the real sink and lets the driver see model pCTRs of the bids it sends. */
class ObservedSink implements EventSink {
  readonly inner: RotatingJsonlSink;
  onBid: ((key: string, pctr: number | undefined, f: FeatureRecord) => void) | undefined;

  constructor(inner: RotatingJsonlSink) {
    this.inner = inner;
  }

  get stats() {
    return this.inner.stats;
  }

  append(e: ScoringEvent): void {
    if (e.t === 'bid') this.onBid?.(`${e.auction}:${e.imp}`, e.pctr, e.f);
    this.inner.append(e);
  }

  flush(): Promise<void> {
    return this.inner.flush();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export async function simulateLearning(o: LearningOptions): Promise<LearningResult> {
  const t0 = performance.now();
  const start = o.startMs ?? Date.UTC(2026, 10, 23);
  const clock = new VirtualClock(start);
  const truthMarket = new SyntheticMarket({ seed: o.seed, baseCtr: o.baseCtr, campaigns: 1, creativesPerCampaign: 1 });
  const market = new Market(o.seed * 7919 + 1);
  const eventsDir = join(o.workDir, 'events');
  const modelsDir = join(o.workDir, 'models');
  await mkdir(eventsDir, { recursive: true });
  await mkdir(modelsDir, { recursive: true });
  for (const f of await readdir(o.shippedModelsDir))
    if (f.endsWith('.json')) await copyFile(join(o.shippedModelsDir, f), join(modelsDir, f));

  const sink = new ObservedSink(
    new RotatingJsonlSink({ dir: eventsDir, prefix: 'events', clock, maxPending: 1_000_000 }),
  );
  // Every bid logged: the day is the training set (production samples 1%; the trainer joins either way).
  const scoring = await ScoringService.create(
    {
      mode: 'inline',
      modelsDir,
      watchModels: false,
      pool: { threads: 0 },
      bidSampleRate: 1,
      ...(o.costControl === false ? { costControl: false as const } : {}),
    },
    { clock, sink },
  );
  const store = createMemoryStore();
  const bidderConfig = bidderSchema.parse({
    notices: { keys: [{ id: 'k1', secret: 'sim' }], tokenTtl: '2d' },
    pacing: { leaseTtl: '60s', noticeWindow: '15m', minLeaseMicros: 100_000 },
  });
  const channelConfigs = o.channels.map(simulatedChannel);
  let version = 0;
  const snapshotOf = (campaigns: CampaignConfig[]): ConfigSnapshot =>
    buildSnapshot(
      { dir: '.', bidder: bidderConfig, channels: channelConfigs, campaigns, texts: new Map() },
      ++version,
      clock.now(),
      {},
    );
  const config = { current: snapshotOf(exploreCampaigns(o)) };

  // Per-day observation state, reset by `runDay`.
  let cells = new Map<string, Cell>();
  /** `auction:imp` → true CTR of what was bid (exploration days keep it for the oracle). */
  let truth = new Map<string, number>();
  const predicted = new Map<string, number>();
  /** `auction:imp` → the truth of the features the bidder logged (with `checkFeatures`). */
  const loggedTruth = new Map<string, number>();
  let featureMismatches = 0;
  sink.onBid = (key, pctr, f) => {
    if (pctr !== undefined) predicted.set(key, pctr);
    if (o.checkFeatures === true) loggedTruth.set(key, truthMarket.truth(f).pctr);
  };
  const cellOf = (c: NoticeClaims) => cells.get(`${c.campaignId}\u0000${c.channelId}`);
  // The segment store stands in as a map from this request's user to the segments the market drew.
  const people = new Map<string, Profile>();
  const bidder = await createBidder({
    config,
    store,
    clock,
    instanceId: 'sim-1',
    scoring,
    random: prng(o.seed * 31 + 1),
    users: {
      profiles: { lookup: (ids) => Promise.resolve({ profile: people.get(ids[0] ?? ''), outcome: 'hit' }) },
      idKeys: (req) => (req.user?.id === undefined ? [] : [req.user.id]),
    },
    observe: {
      onClick: (c) => {
        const cell = cellOf(c);
        if (cell !== undefined) cell.clicks++;
      },
      onSpend: (c, micros) => {
        const cell = cellOf(c);
        if (cell === undefined) return;
        const key = `${c.auctionId}:${c.impId}`;
        cell.impressions++;
        cell.spendMicros += micros;
        cell.expectedClicks += truth.get(key) ?? 0;
        const p = predicted.get(key);
        if (p !== undefined) {
          cell.predictedClicks += p;
          cell.value += p * cell.targetCpc;
        }
      },
    },
  });
  const { bidPath, notices } = bidder;

  const costOf = (campaign: string, channel: string) => {
    const sc = config.current.campaignsById.get(campaign)?.scoring;
    const st = sc === undefined ? undefined : scoring.cost?.state(sc, channel);
    return { costMultiplier: st?.multiplier ?? 1, costUpdates: st?.updates ?? 0 };
  };
  const runDay = async (
    label: string,
    day: number,
    snap: ConfigSnapshot,
    traffic: number,
    keepTruth: boolean,
  ): Promise<DaySummary> => {
    const w0 = performance.now();
    const dayStart = start + day * kDayMs;
    if (dayStart > clock.now()) clock.set(dayStart);
    config.current = snap;
    await bidder.applySnapshot(snap);
    cells = new Map();
    for (const c of snap.campaigns) {
      const cpc =
        c.scoring.strategy.kind === 'target_cpc'
          ? c.scoring.strategy.cpcMicros / 1e6
          : (o.campaigns.find((x) => x.id === c.id)?.cpc ?? NaN);
      const st = c.scoring.strategy;
      const maxCpm = st.kind === 'target_cpc' ? st.maxCpmMicros / 1e6 : NaN;
      for (const [ch, share] of c.channelShares) {
        const sc = o.channels.find((x) => x.id === ch)!;
        cells.set(`${c.id}\u0000${ch}`, {
          campaign: c.id,
          channel: ch,
          auction: sc.auctionType === 1 ? 'first' : 'second',
          targetCpc: cpc,
          cap: (c.dailyBudgetMicros * share) / 1e6,
          bids: 0,
          impressions: 0,
          spendMicros: 0,
          clicks: 0,
          expectedClicks: 0,
          predictedClicks: 0,
          value: 0,
          eligible: 0,
          eligibleCtr: 0,
          maxCpm,
        });
      }
    }
    if (!keepTruth) truth = new Map();
    predicted.clear();
    const queue = new EventQueue<Pending>();
    const drain = async (until: number) => {
      while (queue.size > 0 && queue.peek()!.at <= until) {
        const p = queue.pop()!;
        if (p.at > clock.now()) clock.set(p.at);
        await p.run();
      }
    };
    let requests = 0;
    let bids = 0;
    let impressions = 0;
    let clicks = 0;
    const noBids = new Map<string, number>();
    const model = scoring.registry.live('ctr')?.key ?? 'none';
    const impPred: number[] = [];
    const impTruth: number[] = [];
    const impClick: number[] = [];
    for (let m = 0; m < 1440; m++) {
      const arrivals: { readonly t: number; readonly ch: SimChannel }[] = [];
      for (const ch of o.channels) {
        const n = Math.round(market.requests(ch, m) * traffic);
        for (let i = 0; i < n; i++)
          arrivals.push({
            t: dayStart + m * 60_000 + Math.floor(((i + market.random()) * 60_000) / Math.max(1, n)),
            ch,
          });
      }
      arrivals.sort((a, b) => a.t - b.t);
      for (const { t, ch } of arrivals) {
        await drain(t);
        if (t > clock.now()) clock.set(t);
        requests++;
        const s = bannerSample(truthMarket, t);
        // The supply of the campaign whose slice this request is in, for the reachable-eCPC bound.
        const slice = campaignOf(o.campaigns, s);
        const eligible = slice === undefined ? undefined : cells.get(`${slice}\u0000${ch.id}`);
        if (eligible !== undefined) {
          eligible.eligible++;
          eligible.eligibleCtr += truthMarket.truth({
            ...s,
            channel: ch.id,
            campaign: slice!,
            creative: `${slice!}-${s.size!}`,
          }).pctr;
        }
        const id = `d${day}-${requests}`;
        const user = `u${day}-${requests}`;
        people.set(user, { personId: user, segments: new Set(s.segment ?? []), frequency: new Map() });
        const cur = config.current;
        const outcome = await bidPath.run(
          requestOf(id, user, s, o.floorCpm, ch.auctionType),
          cur,
          cur.channels.get(ch.id)!,
          clock.now() + 80,
        );
        people.delete(user);
        if (!outcome.bid) {
          const key = `${ch.id}:${outcome.reason}`;
          noBids.set(key, (noBids.get(key) ?? 0) + 1);
          continue;
        }
        for (const bid of outcome.response.seatbid[0]!.bid) {
          bids++;
          const cell = cells.get(`${bid.cid!}\u0000${ch.id}`);
          if (cell !== undefined) cell.bids++;
          const ctr = truthMarket.truth({ ...s, channel: ch.id, campaign: bid.cid!, creative: bid.crid! }).pctr;
          const key = `${id}:${bid.impid}`;
          truth.set(key, ctr);
          if (o.checkFeatures === true) {
            const logged = loggedTruth.get(key);
            if (logged === undefined || Math.abs(logged - ctr) > 1e-12) featureMismatches++;
            loggedTruth.delete(key);
          }
          const clearing = market.clearingCpm(ch);
          const token = new URL(bid.nurl!).searchParams.get('t')!;
          const delay = market.noticeDelayMs();
          if (bid.price < clearing) {
            if (delay !== undefined)
              queue.push({
                at: t + delay,
                run: () => notices.handle('loss', { t: token, p: clearing.toFixed(6), r: '102' }),
              });
            continue;
          }
          impressions++;
          const paid = ch.auctionType === 1 ? bid.price : Math.min(bid.price, clearing);
          if (delay !== undefined)
            queue.push({
              at: t + delay,
              run: () => notices.handle('bill', { t: token, p: paid.toFixed(6), r: undefined }),
            });
          // The click comes from the browser whether or not the exchange's notice arrives.
          const clicked = market.random() < ctr;
          impPred.push(predicted.get(key) ?? NaN);
          impTruth.push(ctr);
          impClick.push(clicked ? 1 : 0);
          if (clicked) {
            clicks++;
            queue.push({
              at: t + 2_000 + Math.floor(market.random() * 58_000),
              run: () => notices.click({ t: token, p: undefined, r: undefined }),
            });
          }
        }
      }
      // Let the sink write what the minute logged (the loop itself never yields to the event loop).
      await sink.flush();
    }
    await drain(dayStart + kDayMs + 3_600_000);
    await sink.flush();
    return {
      label,
      requests,
      bids,
      impressions,
      clicks,
      model,
      auc: { impressions, clicks, model: auc(impPred, impClick), oracle: auc(impTruth, impClick) },
      noBids: Object.fromEntries(noBids),
      cells: [...cells.values()].map((c) => ({
        campaign: c.campaign,
        channel: c.channel,
        auction: c.auction,
        targetCpc: c.targetCpc,
        cap: c.cap,
        bids: c.bids,
        impressions: c.impressions,
        spend: c.spendMicros / 1e6,
        clicks: c.clicks,
        expectedClicks: c.expectedClicks,
        predictedClicks: c.predictedClicks,
        value: c.value,
        ...costOf(c.campaign, c.channel),
        eligible: c.eligible,
        eligibleCtr: c.eligibleCtr,
        maxEcpc:
          c.eligible === 0 || Number.isNaN(c.maxCpm)
            ? NaN
            : maxReachableEcpc(o.channels.find((x) => x.id === c.channel)!, c.maxCpm, c.eligibleCtr / c.eligible),
      })),
      wallMs: performance.now() - w0,
    };
  };

  // Exploration: bid CTR-blind and log everything.
  const explore: DaySummary[] = [];
  for (let d = 0; d < o.explore.days; d++)
    explore.push(await runDay(`day ${d + 1}: explore (max_cpm)`, d, config.current, o.explore.traffic ?? 1, d > 0));

  // Train on the log, as `npm run train` does, and score the held-out impressions with the truth.
  const tTrain = performance.now();
  const files = [...sink.inner.files];
  let logBytes = 0;
  for (const f of files) logBytes += (await stat(f)).size;
  const joiner = new ExampleJoiner();
  const logLines = await readEventFiles(files, joiner);
  const ex = joiner.examples('ctr');
  const shipped = scoring.registry.live('ctr');
  const { model, report } = trainModel(ex, {
    name: 'pctr',
    version: (shipped?.version ?? 0) + 1,
    target: 'ctr',
    epochs: o.train.epochs,
    holdout: o.train.holdout,
    ...(o.train.alpha === undefined ? {} : { alpha: o.train.alpha }),
    ...(o.train.l1 === undefined ? {} : { l1: o.train.l1 }),
    ...(o.train.l2 === undefined ? {} : { l2: o.train.l2 }),
    nowMs: clock.now(),
  });
  const split = report.trainExamples;
  const ys = ex.labels.subarray(split);
  const oracle = new Float64Array(report.testExamples);
  const shippedPred = new Float64Array(report.testExamples);
  let testClicks = 0;
  let predSum = 0;
  const keys = ex.keys ?? [];
  for (let i = 0; i < oracle.length; i++) {
    const t = truth.get(keys[split + i] ?? '');
    if (t === undefined)
      throw new Error(`held-out example ${i} (${keys[split + i]}) has no truth: the log and the driver disagree`);
    oracle[i] = t;
    shippedPred[i] = shipped === undefined ? 0.5 : sigmoid(logit(shipped, ex.feats, (split + i) * kSlots));
    testClicks += ys[i]!;
    predSum += report.testPredictions[i]!;
  }
  // Hot load: written to a temporary name and renamed (as tools/train.ts does), then the registry pass
  // the directory watcher runs.
  const file = join(modelsDir, `${model.name}-v${model.version}.json`);
  await writeFile(`${file}.tmp`, `${JSON.stringify(model)}\n`);
  await rename(`${file}.tmp`, file);
  const reload = await scoring.registry.reload();
  const live = scoring.registry.live('ctr');
  if (reload.refused.length > 0 || live?.version !== model.version)
    throw new Error(`trained model not live after reload: ${JSON.stringify(reload)}`);
  const training: TrainingSummary = {
    logLines,
    logBytes,
    sinkDropped: sink.stats.dropped,
    examples: ex.count,
    trainExamples: report.trainExamples,
    testExamples: report.testExamples,
    testClicks,
    positiveRate: report.positiveRate,
    calibrationExamples: report.calibrationExamples,
    platt: { a: report.platt.a, b: report.platt.b },
    raw: report.raw,
    logLoss: report.logLoss,
    baselineLogLoss: report.baselineLogLoss,
    auc: report.auc,
    oracleAuc: auc(oracle, ys),
    oracleLogLoss: logLoss(oracle, ys),
    shippedAuc: auc(shippedPred, ys),
    shippedLogLoss: logLoss(shippedPred, ys),
    calibration: testClicks === 0 ? NaN : predSum / testClicks,
    modelKey: live.key,
    nonZeroWeights: report.nonZeroWeights,
    wallMs: performance.now() - tTrain,
  };

  // Then target_cpc on the trained model, budgets that never bind: the strategy alone.
  const traffic = o.evalTraffic ?? 1;
  const e = o.explore.days;
  const unconstrained = await runDay(
    `day ${e + 1}: target_cpc, unconstrained (ASAP)`,
    e,
    snapshotOf(targetCampaigns(o, () => undefined)),
    traffic,
    false,
  );
  // Then budgets a fraction of what each campaign × channel spent when nothing bound, paced along the
  // traffic curve the gate learned on the previous days.
  const factor = o.deliveryFactor ?? 0.8;
  const budgeted = await runDay(
    `day ${e + 2}: target_cpc, budgets ${Math.round(factor * 100)}% of day ${e + 1} spend (traffic pacing)`,
    e + 1,
    snapshotOf(
      targetCampaigns(o, (id) =>
        unconstrained.cells.filter((c) => c.campaign === id).map((c) => [c.channel, c.spend * factor] as const),
      ),
    ),
    traffic,
    false,
  );

  await bidder.shutdown();
  await scoring.close();
  await sink.close();
  await store.close();
  return {
    seed: o.seed,
    explore,
    training,
    unconstrained,
    budgeted,
    featureMismatches: o.checkFeatures === true ? featureMismatches : undefined,
    wallMs: performance.now() - t0,
  };
}

/** A market sample the bidder can buy with banner creatives (video and native slots are redrawn). */
function bannerSample(m: SyntheticMarket, ts: number): FeatureRecord {
  for (;;) {
    const { rec } = m.sample(ts);
    if (rec.format === 'banner') return rec;
  }
}

function creatives(id: string) {
  return kBannerSizes.map(([w, h]) => ({
    id: `${id}-${w}x${h}`,
    format: 'banner' as const,
    w,
    h,
    markup: `<a href="{{CLICK_URL}}"><img src="https://cdn.example/${id}/${w}x${h}.png"></a>`,
    landingUrl: `https://${id}.example/`,
  }));
}

function exploreCampaigns(o: LearningOptions): CampaignConfig[] {
  const shares = Object.fromEntries(o.channels.map((c) => [c.id, 1 / o.channels.length]));
  return o.campaigns.map((c) =>
    campaignSchema.parse({
      id: c.id,
      advertiser: c.id,
      adomain: [`${c.id}.example`],
      budget: { daily: o.explore.dailyBudget, channels: shares, pacing: 'asap' },
      bid: { strategy: 'max_cpm', cpm: o.explore.cpm, bidFraction: 1 },
      targeting: { ...c.targeting, segments: { exclude: [kSuppression] } },
      creatives: creatives(c.id),
    }),
  );
}

/** `caps(id)`: the campaign's budget per channel, or undefined for budgets that never bind (ASAP). */
function targetCampaigns(
  o: LearningOptions,
  caps: (id: string) => readonly (readonly [string, number])[] | undefined,
): CampaignConfig[] {
  return o.campaigns.map((c) => {
    const cap = caps(c.id);
    const total = cap === undefined ? 0 : cap.reduce((a, [, v]) => a + v, 0);
    const budget =
      cap === undefined || !(total > 0)
        ? {
            daily: 1_000_000,
            channels: Object.fromEntries(o.channels.map((ch) => [ch.id, 1 / o.channels.length])),
            pacing: 'asap',
          }
        : { daily: total, channels: Object.fromEntries(cap.map(([ch, v]) => [ch, v / total])), pacing: 'traffic' };
    return campaignSchema.parse({
      id: c.id,
      advertiser: c.id,
      adomain: [`${c.id}.example`],
      budget,
      bid: { strategy: 'target_cpc', cpc: c.cpc, maxCpm: 50 },
      targeting: { ...c.targeting, segments: { exclude: [kSuppression] } },
      creatives: creatives(c.id),
    });
  });
}

function requestOf(id: string, user: string, s: FeatureRecord, floorCpm: number, at: 1 | 2): BidRequest {
  const [w, h] = s.size!.split('x').map(Number) as [number, number];
  const inventory = {
    kind: s.bundle !== undefined ? ('app' as const) : ('site' as const),
    id: undefined,
    name: undefined,
    domain: s.domain,
    page: undefined,
    bundle: s.bundle,
    cat: undefined,
    publisher: { id: s.publisher, name: undefined, domain: undefined },
  };
  const device = simDevice({ country: s.country, devicetype: s.devicetype, os: s.os });
  return simRequest(id, at, { w, h, floorCpm, tagid: s.placement }, inventory, device, {
    id: user,
    buyeruid: undefined,
    consent: undefined,
    eids: [],
    geo: undefined,
  });
}
