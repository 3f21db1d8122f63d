/**
 * Experiments at volume (issue 18): how long a buyer waits for a correct verdict when one arm is better, and how
 * often the verdict is wrong when the arms are the same (A/A). A light simulation, so that a hundred runs take
 * seconds: no bid path and no auction, but everything an experiment's figures go through in the bidder —
 *
 *   assignment  the campaign's experiment compiled by `compileCampaignScoring` (the config's path), each
 *               impression's person bucketed by the real `bucket` (murmur3 of "experimentId:person")
 *   counting    every won impression, click and conversion handed to `ScoringService.onWin / onClick /
 *               onConversion`, which attribute them to arms themselves (`#forArms`), as the notice handler does
 *   verdict     `ExperimentStats.report` (intervals, mixture SPRT, always-valid p-value) read every
 *               `lookEveryMin` simulated minutes, as a buyer refreshing the report would; the first verdict stops
 *
 * The market: impressions arrive evenly at `impressionsPerHour`, each for a new person (no person-level
 * effects, so units are independent); the clearing price is lognormal (median $1.60 CPM, σ 0.5), the same for
 * both arms; a click with the arm's true CTR, a conversion with probability `cvr` after a click. In an A/B run
 * the treatment arm's CTR is `lift` × the control's at the same prices — clicks per dollar `lift` × better, the
 * known answer. Each run is its own experiment id, so each reshuffles the people.
 */
import { VirtualClock } from '../src/clock.js';
import { bucket, type ExperimentMetric } from '../src/scoring/experiments.js';
import { compileCampaignScoring, ScoringService, type ScoringCampaign } from '../src/scoring/index.js';
import type { Verdict } from '../src/scoring/sequential.js';
import { prng } from './random.js';

export interface ExperimentRunOptions {
  readonly seed: number;
  /** Treatment CTR ÷ control CTR (1 = A/A). */
  readonly lift: number;
  readonly ctr: number;
  readonly cvr: number;
  readonly impressionsPerHour: number;
  readonly lookEveryMin: number;
  readonly maxHours: number;
  readonly metric: ExperimentMetric;
  readonly alpha: number;
}

export interface ExperimentRun {
  readonly seed: number;
  /** The first verdict read (or the last look's state when none came before `maxHours`). */
  readonly verdict: Verdict | 'none';
  /** Simulated hours to that verdict (maxHours when none). */
  readonly hours: number;
  readonly impressions: number;
  readonly clicks: { readonly control: number; readonly treatment: number };
  /** Relative effect and its always-valid interval at the stop. */
  readonly effect: { readonly estimate: number; readonly low: number; readonly high: number } | undefined;
}

export const kExperimentDefaults = {
  ctr: 0.02,
  cvr: 0.05,
  impressionsPerHour: 5_000,
  lookEveryMin: 10,
  metric: 'clicks',
  alpha: 0.05,
} as const;

/** One campaign with a 50/50 experiment `exp-<seed>` (arm 0 `control`, arm 1 `treatment`). */
function campaignOf(seed: number): ScoringCampaign {
  return compileCampaignScoring(`cmp-${seed}`, {
    bid: { strategy: 'target_cpc', cpc: 0.1, maxCpm: 20 },
    experiments: [
      {
        id: `exp-${seed}`,
        arms: [
          { id: 'control', weight: 1 },
          { id: 'treatment', weight: 1, strategy: { strategy: 'target_cpc', cpc: 0.1, maxCpm: 20 } },
        ],
      },
    ],
  });
}

/**
 * One run on its own scorer (inline, no pool, no cost controller, the given models, no event log) and virtual
 * clock, so runs share nothing.
 */
export async function runExperiment(modelsDir: string, o: ExperimentRunOptions): Promise<ExperimentRun> {
  const clock = new VirtualClock(Date.UTC(2026, 10, 23));
  const scoring = await ScoringService.create(
    { mode: 'inline', modelsDir, watchModels: false, pool: { threads: 0 }, costControl: false },
    { clock },
  );
  try {
    return drive(scoring, clock, o);
  } finally {
    await scoring.close();
  }
}

function drive(scoring: ScoringService, clock: VirtualClock, o: ExperimentRunOptions): ExperimentRun {
  const campaign = campaignOf(o.seed);
  const exp = campaign.experiments[0]!;
  const r = prng(o.seed * 2_654_435 + 7);
  const start = clock.now();
  const stepMs = 3_600_000 / o.impressionsPerHour;
  const lookMs = o.lookEveryMin * 60_000;
  const total = Math.round(o.maxHours * o.impressionsPerHour);
  const clicks = { control: 0, treatment: 0 };
  let nextLook = start + lookMs;
  let last: ExperimentRun['effect'];
  let verdict: ExperimentRun['verdict'] = 'none';
  const look = () => {
    const rep = scoring.experiments.report(o.metric, { alpha: o.alpha })[exp.id];
    const t = rep?.arms.treatment?.test;
    if (t === null || t === undefined) return false;
    last = t.effect;
    verdict = t.verdict;
    return t.verdict === 'better' || t.verdict === 'worse';
  };
  for (let i = 0; i < total; i++) {
    const now = start + Math.floor(i * stepMs);
    if (now >= nextLook) {
      clock.set(now);
      if (look())
        return { seed: o.seed, verdict, hours: (now - start) / 3_600_000, impressions: i, clicks, effect: last };
      nextLook += lookMs;
    }
    const person = `p${o.seed}-${i}`;
    const arm = bucket(exp, person);
    const n = {
      campaign,
      campaignId: campaign.id,
      auctionId: `a${o.seed}-${i}`,
      impId: '1',
      channelId: 'fp',
      personId: person,
      nowMs: now,
    };
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const priceMicros = Math.round(1_600_000 * Math.exp(0.5 * z));
    scoring.onWin(n, priceMicros, priceMicros);
    if (r() >= o.ctr * (arm === 1 ? o.lift : 1)) continue;
    if (arm === 1) clicks.treatment++;
    else clicks.control++;
    scoring.onClick(n);
    if (r() < o.cvr) scoring.onConversion(n, 20_000_000);
  }
  clock.set(start + o.maxHours * 3_600_000);
  look();
  return { seed: o.seed, verdict, hours: o.maxHours, impressions: total, clicks, effect: last };
}

export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
