/**
 * The learning scenario's market as a data generator, without the bidder: the impressions its exploration days
 * win, drawn from the same `SyntheticMarket` truth the simulator clicks by (`sim/learning.ts`), and the event log
 * the bidder would write for them. It is how the shipped default models are trained on data shaped like the
 * simulator's market (`npm run sim:learning-data`, then the real trainer; sim/RESULTS.md has the commands), and
 * how a test checks them against a held-out set drawn from the same market.
 *
 * What each row copies from the simulator: requests per channel follow the diurnal curve of `Market.requests`,
 * each one a banner sample of `SyntheticMarket` (seeded by the scenario seed, so the same truth), bought by the
 * one campaign whose slice (inventory, device type) it falls in, with that campaign's creative of its size and
 * the channel's id — the record the bidder logs, which `truth` prices exactly as the simulator does (the
 * learning test checks that). Exploration bids a flat CPM, so an impression is won when that CPM clears the
 * channel's lognormal competing bid, whatever its CTR. Draws come from `sampleSeed`, so a held-out set shares the
 * truth and not the impressions. What it leaves out: notice delays and losses (a bid here always has its
 * outcome), the pacing and the bid path itself.
 */
import type { FeatureRecord, ScoringEvent } from '../src/store/ports.js';
import { SyntheticMarket } from '../tools/train/synthetic.js';
import type { SimChannel } from './market.js';
import { prng } from './random.js';
import { loadLearningScenario, scenarioChannels } from './scenario.js';

/** A campaign's inventory slice, as the learning scenario writes it (`LearningCampaign`). */
export interface SliceCampaign {
  readonly id: string;
  /** Target CPC of the scenario's target_cpc days. */
  readonly cpc?: number;
  readonly targeting: { readonly inventory?: readonly ('site' | 'app')[]; readonly deviceTypes?: readonly number[] };
}

/** What of a learning scenario (`LearningOptions`) the market is made of. */
export interface LearningMarket {
  readonly seed: number;
  readonly baseCtr: number;
  readonly channels: readonly SimChannel[];
  readonly campaigns: readonly SliceCampaign[];
  readonly explore: { readonly cpm: number; readonly traffic?: number };
}

export interface LearningRow {
  readonly ts: number;
  /** The record the bidder logs for this impression (channel, campaign and creative included). */
  readonly rec: FeatureRecord;
  readonly pctr: number;
  readonly pcvr: number;
  /** Clearing price paid at the exploration CPM (second price pays the competing bid), CPM. */
  readonly priceCpm: number;
}

/** The market of a learning scenario file (default sim/scenarios/learning.yaml), `seed` overriding the file's. */
export function learningMarket(
  seed?: number,
  file = new URL('./scenarios/learning.yaml', import.meta.url).pathname,
): LearningMarket {
  const sc = loadLearningScenario(file);
  return {
    seed: seed ?? sc.seed,
    baseCtr: sc.baseCtr,
    channels: scenarioChannels(sc),
    campaigns: sc.campaigns,
    explore: sc.explore,
  };
}

/** The truth of the scenario's market (the simulator builds the same: one campaign, one creative to draw). */
export function learningTruth(seed: number, baseCtr: number, sampleSeed?: number): SyntheticMarket {
  return new SyntheticMarket({
    seed,
    baseCtr,
    campaigns: 1,
    creativesPerCampaign: 1,
    ...(sampleSeed === undefined ? {} : { sampleSeed }),
  });
}

/** The campaign whose slice holds `rec` (first match, as the scenario's slices are disjoint). */
export function campaignOf(campaigns: readonly SliceCampaign[], rec: FeatureRecord): string | undefined {
  const kind = rec.bundle !== undefined ? 'app' : 'site';
  for (const c of campaigns) {
    const t = c.targeting;
    if (t.inventory !== undefined && !t.inventory.includes(kind)) continue;
    if (t.deviceTypes !== undefined && !t.deviceTypes.includes(rec.devicetype ?? -1)) continue;
    return c.id;
  }
  return undefined;
}

/**
 * The impressions `days` exploration days win, in time order, starting at `startMs` (midnight UTC).
 * `sampleSeed` picks the draws; the truth is the scenario seed's.
 */
export function* learningRows(
  m: LearningMarket,
  days: number,
  sampleSeed: number,
  startMs = Date.UTC(2026, 10, 23),
): Generator<LearningRow> {
  const truth = learningTruth(m.seed, m.baseCtr, sampleSeed);
  const r = prng(sampleSeed * 7919 + 3);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const cpm = m.explore.cpm;
  for (let d = 0; d < days; d++) {
    for (let minute = 0; minute < 1440; minute++) {
      // Market.requests: diurnal (trough at midnight) with ±10% noise.
      const diurnal = 1 + 0.6 * Math.cos(2 * Math.PI * (minute / 1440 + 0.5));
      for (const ch of m.channels) {
        const n = Math.round(ch.requestsPerMinute * (m.explore.traffic ?? 1) * diurnal * (0.9 + 0.2 * r()));
        for (let i = 0; i < n; i++) {
          const ts = startMs + d * 86_400_000 + minute * 60_000 + Math.floor(((i + r()) * 60_000) / n);
          let s: FeatureRecord;
          do s = truth.sample(ts).rec;
          while (s.format !== 'banner');
          const campaign = campaignOf(m.campaigns, s);
          const clearing = Math.exp(ch.clearingMu + ch.clearingSigma * gauss());
          if (campaign === undefined || cpm < clearing) continue;
          const rec: FeatureRecord = { ...s, channel: ch.id, campaign, creative: `${campaign}-${s.size}` };
          const t = truth.truth(rec);
          yield { ts, rec, pctr: t.pctr, pcvr: t.pcvr, priceCpm: ch.auctionType === 1 ? cpm : clearing };
        }
      }
    }
  }
}

/**
 * The event log the bidder writes for `rows`: a bid (with its features), a win, a click drawn from the true
 * CTR a few seconds later and a conversion drawn from the true post-click CVR ten minutes after it.
 */
export function* learningEvents(rows: Iterable<LearningRow>, drawSeed: number): Generator<ScoringEvent> {
  const r = prng(drawSeed * 104_729 + 11);
  let i = 0;
  for (const row of rows) {
    const auction = `g${drawSeed}-${i++}`;
    const campaign = row.rec.campaign!;
    const channel = row.rec.channel!;
    const micros = Math.round(row.priceCpm * 1e6);
    yield {
      t: 'bid',
      ts: row.ts,
      auction,
      imp: '1',
      bid: auction,
      campaign,
      creative: row.rec.creative!,
      channel,
      priceMicros: micros,
      valueMicros: micros,
      f: row.rec,
    };
    yield { t: 'win', ts: row.ts + 300, auction, imp: '1', campaign, channel, bidMicros: micros, priceMicros: micros };
    if (r() >= row.pctr) continue;
    yield { t: 'click', ts: row.ts + 5_000, auction, imp: '1', campaign };
    if (r() < row.pcvr) yield { t: 'conv', ts: row.ts + 600_000, auction, imp: '1', campaign };
  }
}

/** Φ, the standard normal CDF (Abramowitz & Stegun 7.1.26 on erf; |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * The highest eCPC a campaign can reach on a channel's supply (the bound that says whether a target CPC is
 * reachable at all): bidding `maxCpm` on every request of its slice. First price pays the bid, so eCPC =
 * maxCpm ÷ 1000 ÷ mean CTR. Second price pays the competing bid X (lognormal μ, σ) when it is below the bid:
 * eCPC = E[X·1(X < maxCpm)] ÷ 1000 ÷ (P(X < maxCpm) · mean CTR), where E[X·1(X < c)] = e^(μ + σ²/2) ·
 * Φ((ln c − μ − σ²) ÷ σ). `meanCtr` is the mean true CTR over the slice's requests.
 */
export function maxReachableEcpc(ch: SimChannel, maxCpm: number, meanCtr: number): number {
  if (ch.auctionType === 1) return maxCpm / 1000 / meanCtr;
  const { clearingMu: mu, clearingSigma: s } = ch;
  const paid = Math.exp(mu + (s * s) / 2) * normalCdf((Math.log(maxCpm) - mu - s * s) / s);
  const win = normalCdf((Math.log(maxCpm) - mu) / s);
  return paid / 1000 / (win * meanCtr);
}
