/**
 * The storage ports: what the core needs from shared state, and nothing about how it is kept.
 * Two adapters implement them: `memory/` (embedded, one instance) and `redis/` (a fleet sharing Redis).
 * The core imports only this file; adapter types never leak past `store/`.
 *
 * All money is integer micro-units of the account currency. Times are epoch milliseconds from the
 * injected clock, passed in by the caller, so adapters never read the wall clock themselves.
 */

/** One user id as seen in a request, namespaced by kind: `uid:…`, `buid:<channel>:…`, `ifa:…`, `eid:<source>:…`. */
export type IdKey = string;

export interface SegmentEntry {
  readonly id: string;
  /** 1 = first party, 2 = second party, 3 = third party. */
  readonly source?: 1 | 2 | 3;
  /** Absolute expiry (epoch ms); absent = the record's TTL. */
  readonly expiresAt?: number;
}

/** What the bid path knows about one person after the lookup. */
export interface Profile {
  /**
   * The person behind the ids: the identity graph's person when any id is linked, else an implicit person
   * keyed by the first id, so a user never seen before still has (zero) frequency counts that the next
   * impression increments.
   */
  readonly personId: string;
  /** Whether an id was linked to a person in the identity graph (for the match-rate metric). */
  readonly linked?: boolean;
  readonly segments: ReadonlySet<string>;
  /**
   * Frequency counts keyed `campaignId:windowSeconds`, each the count of impressions in the current
   * fixed window of that length (windows are aligned to the epoch, so every instance agrees on them).
   */
  readonly frequency: ReadonlyMap<string, number>;
}

export interface FrequencyWindow {
  readonly campaignId: string;
  readonly windowSeconds: number;
}

export interface ProfileStore {
  /**
   * Resolves ids to one person (linked, or implicit: the first id) and fetches their segments and frequency
   * counts. Resolves `undefined` only for an empty id list. Callers put their own deadline around it;
   * adapters must not retry past a few ms.
   */
  lookup(ids: readonly IdKey[], nowMs: number): Promise<Profile | undefined>;
  /** Links ids to a person (creating it when `personId` is omitted: the first known id's person wins). */
  link(ids: readonly IdKey[], personId: string | undefined, ttlSeconds: number, nowMs: number): Promise<string>;
  /** Adds segments to a person, keeping the later expiry of a segment already present. */
  addSegments(personId: string, segments: readonly SegmentEntry[], ttlSeconds: number, nowMs: number): Promise<void>;
  /** Counts one impression of a campaign for a person in every given window. */
  recordImpression(personId: string, windows: readonly FrequencyWindow[], nowMs: number): Promise<void>;
}

/** Budget of one campaign on one channel on one (campaign-time-zone) day. */
export interface BudgetKey {
  readonly campaignId: string;
  readonly channelId: string;
  /** `YYYY-MM-DD` in the campaign's time zone. */
  readonly day: string;
}

export interface BudgetCaps {
  /** This channel's share of the campaign's daily budget, micros. */
  readonly dailyMicros: number;
  /** The campaign's total (lifetime) budget across channels and days, micros; Infinity when unset. */
  readonly totalMicros: number;
  /**
   * The campaign's whole daily budget across its channels (and exploration keys) on the key's day, micros.
   * Per-key caps move during the day (the floating pool, exploration handing back what it did not use);
   * this one does not, so the campaign's day can never be overspent whatever instances think the split is.
   * Undefined: no such cap.
   */
  readonly campaignDayMicros?: number;
}

/**
 * Suffix of a channel's exploration budget key (`<channel>~x`; `~` cannot appear in a channel id): the
 * pacing gate keeps the exploration reserve there, and its spend is the channel's spend too.
 */
export const kExploreSuffix = '~x';

/** What a campaign bought on one channel on one day, all instances (the reallocator's ROI). */
export interface DayResults {
  readonly spentMicros: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly conversionValueMicros: number;
}

/** How a campaign's floating pool is split across its channels on one day, as agreed by the fleet. */
export interface Allocation {
  /** Reallocation period the split was decided in (`floor(nowMs / interval)`); newer periods win. */
  readonly period: number;
  /** channel id → fraction of the floating pool (sums to 1). */
  readonly weights: Readonly<Record<string, number>>;
}

export interface LeaseGrant {
  /** Micros granted now (0 when the budget is used up or fully leased out). */
  readonly grantedMicros: number;
  /** Spend recorded so far on this key, all instances. */
  readonly spentMicros: number;
  /** This instance's live lease on the key after the grant (what it may still reserve against). */
  readonly leaseMicros: number;
}

/** What one `settle` did to the ledger. */
export interface Settled {
  /** `first`: a new notice; `raised`: a higher amount for a notice settled before; `duplicate`: nothing. */
  readonly outcome: 'first' | 'raised' | 'duplicate';
  /** Micros this call added: the amount when first, the difference when raised, 0 for a duplicate. */
  readonly addedMicros: number;
}

export interface BudgetStore {
  /**
   * Atomically takes up to `wantMicros` of the key's budget for this instance, never letting
   * spent + outstanding leases exceed `caps.dailyMicros` on the key, nor the campaign's total spend +
   * all its outstanding leases exceed `caps.totalMicros`, nor the campaign's spend + outstanding leases on the
   * key's day (every channel) exceed `caps.campaignDayMicros`. A lease expires `ttlMs` after it is taken, returning
   * whatever the instance did not settle.
   */
  takeLease(
    key: BudgetKey,
    instanceId: string,
    wantMicros: number,
    caps: BudgetCaps,
    ttlMs: number,
    nowMs: number,
  ): Promise<LeaseGrant>;
  /**
   * Records real spend from a billable notice against the key, charged to the instance's lease when it
   * still has one (so it is not counted twice). One atomic step per notice: the notice's mark and its spend
   * are written together or not at all, so a settle that fails leaves nothing behind and its retry bills.
   * The ledger keeps the highest amount settled per `noticeId`: a repeat with the same or a lower amount is a
   * duplicate, a higher one adds the difference (a low price fired first cannot pre-empt the real notice).
   */
  settle(key: BudgetKey, instanceId: string, noticeId: string, spentMicros: number, nowMs: number): Promise<Settled>;
  /** Returns an instance's unspent lease to the pool (on shutdown). */
  releaseLease(key: BudgetKey, instanceId: string, nowMs: number): Promise<void>;
  /** Spend so far on a key, all instances. */
  spent(key: BudgetKey): Promise<number>;
  /** Credits clicks / conversions (and their value) to a campaign × channel × day, for fleet-wide ROI. */
  addResults(key: BudgetKey, clicks: number, conversions: number, conversionValueMicros: number): Promise<void>;
  /**
   * Per channel asked for: the day's spend (regular and exploration keys), clicks, conversions and value.
   */
  dayResults(campaignId: string, day: string, channelIds: readonly string[]): Promise<Map<string, DayResults>>;
  /** The fleet's current floating-pool split for a campaign's day, if any instance has decided one. */
  allocation(campaignId: string, day: string): Promise<Allocation | undefined>;
  /**
   * Stores `proposed` unless an allocation of the same or a later period is already there (so exactly one
   * instance's decision per period stands); returns whichever allocation stands afterwards.
   */
  proposeAllocation(campaignId: string, day: string, proposed: Allocation): Promise<Allocation>;
}

export interface DedupStore {
  /** True the first time `id` is seen within `ttlSeconds`, false after (SET NX EX semantics). */
  firstSeen(id: string, ttlSeconds: number, nowMs: number): Promise<boolean>;
}

/** One accepted click, kept for the attribution window so a conversion postback can be credited to it. */
export interface ClickRecord {
  readonly campaignId: string;
  readonly channelId: string;
  /** The advertiser owning the campaign at click time (`''` when none is configured). */
  readonly advertiserId: string;
  readonly personId: string | undefined;
  /** The bid that was clicked, so a conversion joins the event log (and pCVR training) on the same keys. */
  readonly auctionId: string;
  readonly impId: string;
  readonly atMs: number;
}

export interface ClickStore {
  /**
   * Keeps a click under its id until `nowMs + ttlMs`; with a person and an advertiser, it also becomes that
   * person's last click for the advertiser (a later click replaces it, an earlier one does not).
   */
  record(clickId: string, click: ClickRecord, ttlMs: number, nowMs: number): Promise<void>;
  /** The click under this id, unless unknown or expired at `nowMs`. */
  lookup(clickId: string, nowMs: number): Promise<ClickRecord | undefined>;
  /** The person's last live click on any campaign of the advertiser, with its id. */
  lastByPerson(
    advertiserId: string,
    personId: string,
    nowMs: number,
  ): Promise<(ClickRecord & { readonly clickId: string }) | undefined>;
}

// ── The learning loop's event log ──────────────────────────────────────────────────────────────────────────
// Bids are logged sampled (with the features they were scored on); wins, losses, clicks and conversions
// always, keyed by auction id + imp id so the trainer can join them to the sampled bids. The record format is
// the contract between the bidder that writes the log, the store that keeps it and the trainer that reads it.
//
// `EventSink.append` is synchronous, never throws and never blocks: implementations buffer and write
// asynchronously, dropping (and counting) when their buffer is full. Implementations: `RotatingJsonlSink`
// (files, scoring/jsonl-sink.ts), the Redis Stream of the Redis store (`Store.eventSink`), `kNoopSink`.

/**
 * The raw values behind a row, as logged with a bid and read back by the trainer. Field names are the
 * feature names; `size` is `WxH`.
 */
export interface FeatureRecord {
  channel?: string;
  publisher?: string;
  domain?: string;
  bundle?: string;
  placement?: string;
  size?: string;
  format?: string;
  devicetype?: number;
  os?: string;
  country?: string;
  hour?: number;
  creative?: string;
  campaign?: string;
  segment?: string[];
}

interface EventBase {
  /** Epoch ms. */
  readonly ts: number;
  readonly auction: string;
  readonly imp: string;
  readonly campaign: string;
}

export interface BidEvent extends EventBase {
  readonly t: 'bid';
  readonly bid: string;
  readonly creative: string;
  readonly channel: string;
  readonly priceMicros: number;
  readonly valueMicros: number;
  readonly pctr?: number;
  readonly pcvr?: number;
  /** `experimentId/armId` keys. */
  readonly arms?: readonly string[];
  readonly f: FeatureRecord;
}

export interface WinEvent extends EventBase {
  readonly t: 'win';
  readonly channel: string;
  readonly bidMicros: number;
  /** Clearing (charged) price, CPM micros. */
  readonly priceMicros: number;
  readonly minToWinMicros?: number;
}

export interface LossEvent extends EventBase {
  readonly t: 'loss';
  readonly channel: string;
  readonly bidMicros: number;
  readonly minToWinMicros?: number;
}

export interface ClickEvent extends EventBase {
  readonly t: 'click';
}

export interface ConversionEvent extends EventBase {
  readonly t: 'conv';
  readonly valueMicros?: number;
}

export type ScoringEvent = BidEvent | WinEvent | LossEvent | ClickEvent | ConversionEvent;

export interface SinkStats {
  written: number;
  dropped: number;
  errors: number;
}

export interface EventSink {
  append(e: ScoringEvent): void;
  /** Resolves once everything appended so far is written (or dropped). */
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly stats: SinkStats;
}

export const kNoopSink: EventSink = Object.freeze({
  append: () => {},
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
  stats: Object.freeze({ written: 0, dropped: 0, errors: 0 }),
});

/**
 * Counts the whole fleet sums per minute and per hour, for the buyer's console: each instance adds what it
 * counted since its last sample (bids, wins, spend, …, one number per slot of a series), off the bid path, once
 * a minute. A series is any string (the console uses campaign and channel). Buckets expire on their own:
 * minutes after `kFleetMinuteTtlMs`, hours after `kFleetHourTtlMs`.
 */
export interface FleetCounterStore {
  /**
   * Adds `counts` (series → numbers, whole) to the minute bucket at `minuteMs` and to its hour's bucket. A
   * series whose numbers are all 0 is not stored; reads return every slot of a series that was.
   */
  add(minuteMs: number, counts: ReadonlyMap<string, readonly number[]>): Promise<void>;
  /** The minute buckets in [fromMs, toMs) that hold anything: minute start → series → sums. */
  minutes(fromMs: number, toMs: number): Promise<Map<number, Map<string, number[]>>>;
  /** Series → sums over the hour buckets whose hour starts in [fromMs, toMs). */
  hours(fromMs: number, toMs: number): Promise<Map<string, number[]>>;
  /** Adds to running totals that never expire (experiment arms: they outlive any window). */
  addTotals(counts: ReadonlyMap<string, readonly number[]>): Promise<void>;
  /** Every running total: series → sums. */
  totals(): Promise<Map<string, number[]>>;
}

/** How long minute and hour buckets are kept: the console reads the last hour and the last 24 clock hours. */
export const kFleetMinuteTtlMs = 3 * 3_600_000;
export const kFleetHourTtlMs = 26 * 3_600_000;

/** One person reached by one campaign on one channel (a billed impression with a known person). */
export interface ReachEntry {
  readonly campaignId: string;
  readonly channelId: string;
  /** The campaign's budget day. */
  readonly day: string;
  readonly personId: string;
}

/**
 * Distinct people each campaign reached per channel and day, fleet-wide, as HyperLogLog sketches (about 1%
 * standard error, fixed size whatever the audience): the console's reach, duplicate reach across channels and
 * average frequency. Kept for `kReachTtlMs`.
 */
export interface ReachStore {
  add(entries: readonly ReachEntry[]): Promise<void>;
  /** People reached on each listed channel, and on any of them (each person once), for one campaign and day. */
  count(
    campaignId: string,
    day: string,
    channels: readonly string[],
  ): Promise<{ readonly perChannel: ReadonlyMap<string, number>; readonly union: number }>;
}

export const kReachTtlMs = 3 * 86_400_000;

export interface Store {
  readonly kind: 'memory' | 'redis';
  readonly profiles: ProfileStore;
  readonly budgets: BudgetStore;
  readonly dedup: DedupStore;
  readonly clicks: ClickStore;
  readonly fleet: FleetCounterStore;
  readonly reach: ReachStore;
  /** The event log kept by this store (a capped Redis Stream), when it keeps one; `maxLen` caps its length. */
  eventSink?(maxLen?: number): EventSink;
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
