/**
 * The runtime campaign model: what `campaigns/compile.ts` makes of a validated campaign file. Plain, frozen,
 * with sets and precomputed numbers, so the bid path never re-parses or re-derives anything.
 * Money is integer micros of the account currency; bid prices are CPM micros.
 */
import type { MarkupType } from '../openrtb/types.js';
import type { ScoringCampaign, ScoringStrategy } from '../scoring/index.js';

export interface Creative {
  readonly id: string;
  readonly format: 'banner' | 'video' | 'native';
  readonly mtype: MarkupType;
  /** Banner/video size; native: the main image size. */
  readonly w: number;
  readonly h: number;
  readonly categories: readonly string[];
  readonly attr: readonly number[];
  readonly landingUrl: string;
  readonly stages: ReadonlySet<string>;
  /** Markup with our macros (`{{CLICK_URL}}`, `{{NOTICE_TOKEN}}`) still in; `${AUCTION_PRICE}` is the exchange's. */
  readonly markup: string;
  /** `markup` as the inside of a JSON string literal (escaped once at compile; our macros survive escaping). */
  readonly markupJson: string;
  readonly durationSeconds: number;
  readonly mimes: ReadonlySet<string>;
  readonly protocols: readonly number[];
}

export interface FrequencyCap {
  readonly count: number;
  readonly windowSeconds: number;
}

export type BidStrategy = ScoringStrategy;

export interface CompiledTargeting {
  readonly channels: ReadonlySet<string> | undefined;
  readonly countries: ReadonlySet<string> | undefined;
  readonly regions: ReadonlySet<string> | undefined;
  readonly deviceTypes: ReadonlySet<number> | undefined;
  /** Lower-cased. */
  readonly os: ReadonlySet<string> | undefined;
  readonly inventory: ReadonlySet<'site' | 'app' | 'dooh'> | undefined;
  readonly domainAllow: ReadonlySet<string> | undefined;
  readonly domainBlock: ReadonlySet<string> | undefined;
  readonly bundleAllow: ReadonlySet<string> | undefined;
  readonly bundleBlock: ReadonlySet<string> | undefined;
  readonly publisherAllow: ReadonlySet<string> | undefined;
  readonly publisherBlock: ReadonlySet<string> | undefined;
  readonly categoryAllow: ReadonlySet<string> | undefined;
  readonly categoryBlock: ReadonlySet<string> | undefined;
  readonly placements: ReadonlySet<string> | undefined;
  readonly deals: ReadonlySet<string> | undefined;
  readonly dealsOnly: boolean;
  /** 168 flags, index = weekday (0 = Monday) × 24 + hour, in the campaign's time zone; undefined = always. */
  readonly dayparts: Uint8Array | undefined;
  readonly segmentsInclude: readonly string[] | undefined;
  readonly segmentsExclude: readonly string[] | undefined;
}

export interface Campaign {
  /** Dense index into the targeting bitsets of the snapshot this campaign belongs to. */
  readonly index: number;
  readonly id: string;
  readonly advertiser: string;
  readonly adomain: readonly string[];
  readonly active: boolean;
  readonly timezone: string;
  readonly flightStartMs: number;
  readonly flightEndMs: number;
  readonly dailyBudgetMicros: number;
  readonly totalBudgetMicros: number;
  /** channel id → share of the daily budget (0..1). */
  readonly channelShares: ReadonlyMap<string, number>;
  readonly pacingMode: 'even' | 'traffic' | 'asap';
  /** Fraction of the daily budget moved between channels by ROI (see pacing/allocation.ts). */
  readonly floatingShare: number;
  /** Fraction of the daily budget reserved for exploration bids. */
  readonly explorationShare: number;
  readonly bid: BidStrategy;
  /** Strategy, multipliers, models and experiments, compiled for the scorer. */
  readonly scoring: ScoringCampaign;
  /**
   * The most this campaign can ever bid (CPM micros). Snapshots order campaigns by it, highest first, so
   * selection can stop once no remaining campaign could beat the candidates it already has.
   */
  readonly boundMicros: number;
  /** What a click and a value-less conversion are worth for ROI (micros; 0 when not configured). */
  readonly roi: { readonly clickValueMicros: number; readonly conversionValueMicros: number };
  readonly frequencyCaps: readonly FrequencyCap[];
  /** `campaignId:windowSeconds` per cap, the keys of `Profile.frequency`, built once. */
  readonly frequencyKeys: readonly string[];
  readonly targeting: CompiledTargeting;
  /** Whether any creative is matched to a journey stage (needs the person's stage segment). */
  readonly usesStages: boolean;
  readonly creatives: readonly Creative[];
}
