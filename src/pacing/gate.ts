/**
 * The pacing gate: may this campaign spend `cost` on this channel now? Answers synchronously from local
 * state (no I/O on the bid path) and keeps that state fed by taking leases from the store in the
 * background, sized to the recent spend rate so store traffic follows spend, not bid requests.
 *
 * Three layers, each independent of the ones above it:
 *  - the **controller** (controller.ts) turns the distance from the target curve into a pacing factor per
 *    candidate: a bid multiplier, or 0 to sit the auction out (`factor`);
 *  - the **pace** cap: for `even` and `traffic` campaigns, spend + reservations may not run ahead of the
 *    target curve by more than `lookahead` of the day, whatever the controller does (a safety net for a
 *    traffic burst faster than the controller's time constant);
 *  - the **budget**: a bid is reserved against a lease the store granted atomically, so the fleet can
 *    never spend more than the cap, whatever happens above; the store also caps the campaign's whole day
 *    across channels, so caps that move during the day (below) can never add up to an overspend.
 *
 * Caps per campaign × channel come from allocation.ts: base share plus the channel's part of the floating
 * pool (the fleet's split, `setAllocation`), less the exploration reserve, which is a second account on
 * the channel (`<channel>~x` in the store) that only exploration bids draw on (`tryReserveExplore`). What
 * exploration has not used by its point on the day's curve is handed back to the regular account, so a
 * campaign with nothing to explore still spends its budget. Caps are recomputed every few seconds.
 */
import type { Campaign } from '../campaigns/model.js';
import type { TimeZoneTable } from '../campaigns/time-zones.js';
import type { Clock } from '../clock.js';
import { kExploreSuffix, type BudgetKey, type BudgetStore, type Settled } from '../store/ports.js';
import { aim } from './aim.js';
import { BudgetAccount } from './budget-account.js';
import { channelCapMicros, exploreCapMicros, type Weights } from './allocation.js';
import { AdaptivePacer, pacingFactor, StepThrottle, type AdaptivePacerOptions, type Pacer } from './controller.js';
import { targetFraction, TrafficForecast } from './target-curve.js';

export interface PacingOptions {
  readonly instanceId: string;
  readonly leaseTtlMs: number;
  readonly noticeWindowMs: number;
  readonly minLeaseMicros: number;
  /** How far ahead of its target curve a paced campaign may run, as a fraction of the day (15 min). */
  readonly lookahead?: number;
  /** `adaptive` (default), the `step` baseline (±10% throttle per minute), or `none` (pace cap only). */
  readonly controller?: 'adaptive' | 'step' | 'none';
  readonly adaptive?: Partial<AdaptivePacerOptions>;
  /** Signals above this multiply the bid; below it they throttle (see controller.ts). */
  readonly minMultiplier?: number;
  /** Uniform [0, 1) source for throttle draws (seeded in the simulator). */
  readonly random?: () => number;
  /**
   * The controller and the pace cap follow a target curve whose last `kFinishWindowMs` run faster, to end
   * this long before midnight (0: at midnight; less than the window). The day's last hour is its traffic
   * trough: a curve still asking for the full rate there leaves what the trough cannot absorb unspent
   * (after a mid-day budget raise, over 1% of it). Only the evening moves, so the rest of the day tracks
   * the configured curve as before.
   */
  readonly finishEarlyMs?: number;
}

export interface PacerState {
  readonly campaignId: string;
  readonly channelId: string;
  readonly signal: number;
}

export interface PacingEvents {
  onLease(result: 'granted' | 'exhausted' | 'error'): void;
}

const kDone: Promise<void> = Promise.resolve();
/** How often an account's cap is recomputed (allocation, exploration hand-back). */
const kCapRefreshMs = 5_000;
/** The end of the day that `finishEarlyMs` compresses. */
export const kFinishWindowMs = 4 * 3_600_000;

const gExploreKeys = new Map<string, string>();
/** `<channel>~x`, built once per channel rather than on every exploration check. */
function exploreKey(channelId: string): string {
  let k = gExploreKeys.get(channelId);
  if (k === undefined) gExploreKeys.set(channelId, (k = channelId + kExploreSuffix));
  return k;
}
/** How far ahead of its target curve a controller aims (see `factor`). */
const kLeadMs = 10 * 60_000;

export type GateResult = 'ok' | 'budget' | 'pacing';

export interface AccountRow {
  readonly campaignId: string;
  readonly channelId: string;
  /** `regular` bids or the `exploration` reserve. */
  readonly pool: 'regular' | 'exploration';
  readonly day: string;
  readonly capMicros: number;
  readonly spentMicros: number;
  readonly reservedMicros: number;
  readonly leaseMicros: number;
}

/** What the gate remembers per campaign object and channel (see `PacingGate.#slots`). */
interface ChannelSlot {
  readonly channelId: string;
  account: BudgetAccount | undefined;
  accountGeneration: number;
  explore: BudgetAccount | undefined;
  exploreGeneration: number;
  pacer: Pacer | undefined;
  /** `#aheadFraction` at `aheadAtMs` under forecast `aheadVersion`. */
  ahead: number;
  aheadAtMs: number;
  aheadVersion: number;
}

interface CampaignSlots {
  readonly campaign: Campaign;
  readonly channels: ChannelSlot[];
}

export class PacingGate {
  readonly #store: BudgetStore;
  readonly #clock: Clock;
  readonly #zones: TimeZoneTable;
  readonly #opts: Required<PacingOptions>;
  readonly #events: PacingEvents | undefined;
  /** campaign id → channel id (or `<channel>~x` for exploration) → account of the current day. */
  readonly #accounts = new Map<string, Map<string, BudgetAccount>>();
  /** campaign id → the fleet's floating-pool split for a day. */
  readonly #allocations = new Map<string, { readonly day: string; readonly weights: Weights }>();
  /** campaign id → channel id → controller; kept across days (yesterday's signal is the best prior). */
  readonly #pacers = new Map<string, Map<string, Pacer>>();
  /** Requests per channel per hour: the shape of the `traffic` curve. */
  readonly forecast = new TrafficForecast();
  /**
   * Per campaign object (by its snapshot index) and channel: the accounts and controller last looked up.
   * One candidate asks for the same account several times (check, factor, checkExplore, tryReserve) and
   * between cap refreshes the answer is the entry of `#accounts` unchanged; `#accountFor` is the only
   * writer, and a new account (a new day) bumps `#generation`, which retires every remembered one.
   */
  readonly #slots: (CampaignSlots | undefined)[] = [];
  #generation = 0;

  constructor(store: BudgetStore, clock: Clock, zones: TimeZoneTable, opts: PacingOptions, events?: PacingEvents) {
    this.#store = store;
    this.#clock = clock;
    this.#zones = zones;
    const o: Required<PacingOptions> = {
      lookahead: 1 / 96,
      controller: 'adaptive',
      adaptive: {},
      minMultiplier: 0.3,
      random: Math.random,
      finishEarlyMs: 0,
      ...opts,
    };
    // The step baseline is a pure throttle: its signal is a participation probability, never a multiplier.
    this.#opts = o.controller === 'step' ? { ...o, minMultiplier: 1 } : o;
    this.#events = events;
  }

  /** Whether a bid of `cost` would pass now, without reserving anything (for ranking candidates). */
  check(c: Campaign, channelId: string, costMicros: number, nowMs: number): GateResult {
    const acct = this.account(c, channelId, nowMs);
    if (acct === undefined) return 'budget';
    const committed = acct.spentMicros + acct.reservedMicros + costMicros;
    if (committed > acct.capMicros) return 'budget';
    if (c.pacingMode !== 'asap' && committed > acct.capMicros * this.#aheadFraction(c, channelId, nowMs))
      return 'pacing';
    return this.#leased(c, acct, costMicros, nowMs);
  }

  /**
   * Whether an exploration bid of `cost` would pass now: the channel's exploration reserve has room at its
   * point on the day's curve (paced like the campaign, so exploration spends its reserve evenly rather than
   * on the first auctions of the day), and the channel as a whole is under its cap.
   */
  checkExplore(c: Campaign, channelId: string, costMicros: number, nowMs: number): GateResult {
    const x = this.#exploreAccount(c, channelId, nowMs);
    if (x === undefined) return 'budget';
    const committed = x.spentMicros + x.reservedMicros + costMicros;
    if (committed > x.capMicros) return 'budget';
    if (c.pacingMode !== 'asap' && committed > x.capMicros * this.#aheadFraction(c, channelId, nowMs)) return 'pacing';
    const acct = this.account(c, channelId, nowMs)!;
    if (
      acct.spentMicros + acct.reservedMicros + committed >
      channelCapMicros(c, channelId, this.#weights(c.id, acct.key.day))!
    )
      return 'budget';
    return this.#leased(c, x, costMicros, nowMs);
  }

  /** `checkExplore`, then reserve the cost against the exploration lease. */
  tryReserveExplore(c: Campaign, channelId: string, costMicros: number, nowMs: number): GateResult {
    const r = this.checkExplore(c, channelId, costMicros, nowMs);
    if (r !== 'ok') return r;
    this.#reserve(c, this.#exploreAccount(c, channelId, nowMs)!, costMicros, nowMs);
    return 'ok';
  }

  /** The point of the configured curve the pace aims at, at `atMs`: later in the last hours (`finishEarlyMs`). */
  #curveAt(atMs: number, dayEndMs: number): number {
    const early = this.#opts.finishEarlyMs;
    const from = dayEndMs - kFinishWindowMs;
    if (early <= 0 || atMs <= from) return atMs;
    return Math.min(dayEndMs, from + ((atMs - from) * kFinishWindowMs) / (kFinishWindowMs - early));
  }

  /** The curve's fraction `lookahead` of the day from now: how far ahead of the target spend may run. */
  #aheadFraction(c: Campaign, channelId: string, nowMs: number): number {
    // A candidate asks up to three times at one instant (check, checkExplore, tryReserve); the answer is a
    // function of the instant and the forecast only.
    const slot = this.#slot(c, channelId);
    if (slot.aheadAtMs === nowMs && slot.aheadVersion === this.forecast.version) return slot.ahead;
    const local = this.#zones.at(c.timezone, nowMs);
    const ahead = Math.min(local.dayEndMs, nowMs + this.#opts.lookahead * (local.dayEndMs - local.dayStartMs));
    const at = this.#curveAt(ahead, local.dayEndMs);
    slot.ahead = targetFraction(c.pacingMode, this.forecast, channelId, local.dayStartMs, local.dayEndMs, at);
    slot.aheadAtMs = nowMs;
    slot.aheadVersion = this.forecast.version;
    return slot.ahead;
  }

  #leased(c: Campaign, acct: BudgetAccount, costMicros: number, nowMs: number): GateResult {
    if (acct.available(nowMs) < costMicros) {
      this.#refill(c, acct, nowMs);
      return 'budget';
    }
    return 'ok';
  }

  /**
   * The pacing factor for one candidate bid of this campaign on this channel now: the bid multiplier, or 0
   * when the controller throttles it out of this auction. 1 for `asap` campaigns. Runs the controller when
   * its interval has passed (no timers: time is whatever `nowMs` says).
   */
  factor(c: Campaign, channelId: string, nowMs: number): number {
    if (c.pacingMode === 'asap' || this.#opts.controller === 'none') return 1;
    const acct = this.account(c, channelId, nowMs);
    if (acct === undefined) return 1;
    const slot = this.#slot(c, channelId);
    const pacer = (slot.pacer ??= this.#pacer(c.id, channelId));
    // The hot path: between controller intervals the signal is all that is needed.
    if (nowMs < pacer.dueAtMs) return pacingFactor(pacer.signal, this.#opts.minMultiplier, this.#opts.random);
    const local = this.#zones.at(c.timezone, nowMs);
    const horizon = this.#opts.controller === 'adaptive' ? (this.#opts.adaptive.horizonMs ?? 1_800_000) : 0;
    // Aim a little ahead of the curve (kLeadMs, see aim.ts): notices arrive seconds to minutes after the
    // spend, and the last of the day must land before midnight rather than after it.
    const at = aim(nowMs, local.dayEndMs, kLeadMs, horizon);
    const { dayStartMs: s0, dayEndMs: s1 } = local;
    pacer.update({
      nowMs,
      aheadMs: at.aheadMs,
      spentMicros: acct.spentMicros,
      capMicros: acct.capMicros,
      targetNow: targetFraction(c.pacingMode, this.forecast, channelId, s0, s1, this.#curveAt(at.leadAt, s1)),
      targetAhead: targetFraction(c.pacingMode, this.forecast, channelId, s0, s1, this.#curveAt(at.aheadAt, s1)),
    });
    return pacingFactor(pacer.signal, this.#opts.minMultiplier, this.#opts.random);
  }

  /** One bid request seen on a channel (feeds the traffic forecast). */
  sawRequest(channelId: string, nowMs: number): void {
    this.forecast.record(channelId, nowMs);
  }

  /** Every controller's current signal (for metrics and reports). */
  *signals(): Generator<PacerState> {
    for (const [campaignId, byChannel] of this.#pacers)
      for (const [channelId, p] of byChannel) yield { campaignId, channelId, signal: p.signal };
  }

  #pacer(campaignId: string, channelId: string): Pacer {
    let byChannel = this.#pacers.get(campaignId);
    if (byChannel === undefined) {
      byChannel = new Map();
      this.#pacers.set(campaignId, byChannel);
    }
    let p = byChannel.get(channelId);
    if (p === undefined) {
      p = this.#opts.controller === 'step' ? new StepThrottle() : new AdaptivePacer(this.#opts.adaptive);
      byChannel.set(channelId, p);
    }
    return p;
  }

  /** `check`, then reserve the cost against the local lease (refilling it in the background when low). */
  tryReserve(c: Campaign, channelId: string, costMicros: number, nowMs: number): GateResult {
    const r = this.check(c, channelId, costMicros, nowMs);
    if (r !== 'ok') return r;
    this.#reserve(c, this.account(c, channelId, nowMs)!, costMicros, nowMs);
    return 'ok';
  }

  #reserve(c: Campaign, acct: BudgetAccount, costMicros: number, nowMs: number): void {
    acct.reserve(costMicros, nowMs);
    if (acct.available(nowMs) < this.#leaseSize(acct) / 2 || nowMs > acct.leaseExpiresAtMs - this.#opts.leaseTtlMs / 4)
      this.#refill(c, acct, nowMs);
  }

  /** The fleet's floating-pool split for a campaign's day (from the reallocator); caps follow within seconds. */
  setAllocation(campaignId: string, day: string, weights: Weights): void {
    this.#allocations.set(campaignId, { day, weights });
    for (const acct of this.#accounts.get(campaignId)?.values() ?? []) acct.capDueAtMs = 0;
  }

  #weights(campaignId: string, day: string): Weights | undefined {
    const a = this.#allocations.get(campaignId);
    return a !== undefined && a.day === day ? a.weights : undefined;
  }

  /** The account for the campaign's current local day on a channel (undefined: no share on this channel). */
  account(c: Campaign, channelId: string, nowMs: number): BudgetAccount | undefined {
    const slot = this.#slot(c, channelId);
    const known = slot.account;
    if (known !== undefined && slot.accountGeneration === this.#generation && nowMs < known.capDueAtMs) return known;
    if (!c.channelShares.has(channelId)) return undefined;
    const acct = this.#accountFor(c, channelId, channelId, nowMs);
    slot.account = acct;
    slot.accountGeneration = this.#generation;
    return acct;
  }

  #exploreAccount(c: Campaign, channelId: string, nowMs: number): BudgetAccount | undefined {
    const slot = this.#slot(c, channelId);
    const known = slot.explore;
    if (known !== undefined && slot.exploreGeneration === this.#generation && nowMs < known.capDueAtMs) return known;
    if (c.explorationShare <= 0 || !c.channelShares.has(channelId)) return undefined;
    const acct = this.#accountFor(c, channelId, exploreKey(channelId), nowMs);
    slot.explore = acct;
    slot.exploreGeneration = this.#generation;
    return acct;
  }

  #slot(c: Campaign, channelId: string): ChannelSlot {
    let cs = this.#slots[c.index];
    // Another snapshot's campaign at this index (a config reload) starts afresh.
    if (cs === undefined || cs.campaign !== c) this.#slots[c.index] = cs = { campaign: c, channels: [] };
    for (const s of cs.channels) if (s.channelId === channelId) return s;
    const s: ChannelSlot = {
      channelId,
      account: undefined,
      accountGeneration: -1,
      explore: undefined,
      exploreGeneration: -1,
      pacer: undefined,
      ahead: 0,
      aheadAtMs: Number.NaN,
      aheadVersion: -1,
    };
    cs.channels.push(s);
    return s;
  }

  #accountFor(c: Campaign, channelId: string, keyChannel: string, nowMs: number): BudgetAccount {
    let byChannel = this.#accounts.get(c.id);
    if (byChannel === undefined) {
      byChannel = new Map();
      this.#accounts.set(c.id, byChannel);
    }
    let acct = byChannel.get(keyChannel);
    if (acct !== undefined && nowMs < acct.capDueAtMs) return acct;
    const day = this.#zones.at(c.timezone, nowMs).day;
    // A new day starts a fresh account; the store keeps the truth. A cap change (allocation, budget edit,
    // hand-back) keeps the account: its lease, reservations and spend-rate estimate stay valid.
    if (acct === undefined || acct.key.day !== day) {
      const newDay = acct !== undefined;
      acct = new BudgetAccount({ campaignId: c.id, channelId: keyChannel, day }, 0, this.#opts.noticeWindowMs);
      byChannel.set(keyChannel, acct);
      this.#generation++;
      acct.capMicros = this.#capOf(c, channelId, keyChannel !== channelId, day, nowMs);
      acct.capDueAtMs = nowMs + kCapRefreshMs;
      if (newDay && keyChannel === channelId) this.#pacers.get(c.id)?.get(channelId)?.newDay(nowMs);
      this.#refill(c, acct, nowMs);
      return acct;
    }
    acct.capMicros = this.#capOf(c, channelId, keyChannel !== channelId, day, nowMs);
    acct.capDueAtMs = nowMs + kCapRefreshMs;
    return acct;
  }

  /**
   * Regular cap = channel cap − exploration reserve + what exploration hands back: the part of its reserve
   * it should have used by now on the day's curve and has not.
   */
  #capOf(c: Campaign, channelId: string, explore: boolean, day: string, nowMs: number): number {
    const reserve = exploreCapMicros(c, channelId);
    if (explore) return reserve;
    const total = channelCapMicros(c, channelId, this.#weights(c.id, day))!;
    if (reserve <= 0) return total;
    const x = this.#accounts.get(c.id)?.get(exploreKey(channelId));
    const used = x === undefined || x.key.day !== day ? 0 : x.spentMicros + x.reservedMicros;
    const local = this.#zones.at(c.timezone, nowMs);
    const due =
      c.pacingMode === 'asap'
        ? 1
        : targetFraction(c.pacingMode, this.forecast, channelId, local.dayStartMs, local.dayEndMs, nowMs);
    return total - reserve + Math.max(0, Math.floor(reserve * due - used));
  }

  /** Takes the first lease for every active campaign × channel, so the first requests can bid. */
  async warm(campaigns: readonly Campaign[]): Promise<void> {
    const now = this.#clock.now();
    const pending: Promise<void>[] = [];
    for (const c of campaigns) {
      if (!c.active) continue;
      for (const ch of c.channelShares.keys()) {
        const acct = this.account(c, ch, now);
        if (acct !== undefined) pending.push(this.#refill(c, acct, now, true));
        const x = this.#exploreAccount(c, ch, now);
        if (x !== undefined) pending.push(this.#refill(c, x, now, true));
      }
    }
    await Promise.all(pending);
  }

  /**
   * A billable notice: settle in the store (exactly once per notice, at the highest amount settled for it)
   * and, when this instance reserved the bid, release the reservation locally. Rejects when the store does.
   */
  async settle(
    c: Campaign | undefined,
    key: BudgetKey,
    reservingInstance: string,
    noticeId: string,
    issuedAtMs: number,
    reservedMicros: number,
    spentMicros: number,
  ): Promise<Settled> {
    const now = this.#clock.now();
    const r = await this.#store.settle(key, reservingInstance, noticeId, spentMicros, now);
    if (r.outcome === 'duplicate' || c === undefined) return r;
    const acct = this.#accounts.get(c.id)?.get(key.channelId);
    if (acct !== undefined && acct.key.day === key.day) {
      // A raise only adds spend: the reservation was released when the notice was first settled.
      if (r.outcome === 'first' && reservingInstance === this.#opts.instanceId)
        acct.settle(issuedAtMs, reservedMicros, r.addedMicros, now);
      else acct.spentMicros += r.addedMicros;
    }
    return r;
  }

  /**
   * A channel's day as the reallocator needs it: its cap (regular + exploration), what is spent on it (both
   * pools, as this instance knows it) and the controller's signal (1 when no controller has run).
   */
  channelState(
    c: Campaign,
    channelId: string,
    nowMs: number,
  ):
    | {
        readonly capMicros: number;
        readonly spentMicros: number;
        readonly targetMicros: number;
        readonly signal: number;
      }
    | undefined {
    const acct = this.account(c, channelId, nowMs);
    if (acct === undefined) return undefined;
    const x = this.#exploreAccount(c, channelId, nowMs);
    const capMicros = channelCapMicros(c, channelId, this.#weights(c.id, acct.key.day))!;
    const local = this.#zones.at(c.timezone, nowMs);
    const due =
      c.pacingMode === 'asap'
        ? 1
        : targetFraction(c.pacingMode, this.forecast, channelId, local.dayStartMs, local.dayEndMs, nowMs);
    return {
      capMicros,
      spentMicros: acct.spentMicros + (x?.spentMicros ?? 0),
      targetMicros: capMicros * due,
      signal: this.#pacers.get(c.id)?.get(channelId)?.signal ?? 1,
    };
  }

  /** Per campaign × channel: cap, spend (both pools), the target curve's spend by now and the signal. */
  *pacing(
    campaigns: readonly Campaign[],
    nowMs: number,
  ): Generator<{
    readonly campaignId: string;
    readonly channelId: string;
    readonly capMicros: number;
    readonly spentMicros: number;
    readonly targetMicros: number;
    readonly signal: number;
  }> {
    for (const c of campaigns) {
      if (!c.active) continue;
      for (const channelId of c.channelShares.keys())
        yield { campaignId: c.id, channelId, ...this.channelState(c, channelId, nowMs)! };
    }
  }

  /** Budget per campaign × channel × pool as this instance sees it (for metrics and reports). */
  *remaining(): Generator<AccountRow> {
    for (const byChannel of this.#accounts.values()) {
      for (const a of byChannel.values()) {
        const explore = a.key.channelId.endsWith(kExploreSuffix);
        yield {
          campaignId: a.key.campaignId,
          channelId: explore ? a.key.channelId.slice(0, -kExploreSuffix.length) : a.key.channelId,
          pool: explore ? 'exploration' : 'regular',
          day: a.key.day,
          capMicros: a.capMicros,
          spentMicros: a.spentMicros,
          reservedMicros: a.reservedMicros,
          leaseMicros: a.leaseMicros,
        };
      }
    }
  }

  /** Returns every unspent lease to the store (graceful shutdown), so other instances can use it. */
  async releaseAll(): Promise<void> {
    const now = this.#clock.now();
    const pending: Promise<void>[] = [];
    for (const byChannel of this.#accounts.values())
      for (const a of byChannel.values()) pending.push(this.#store.releaseLease(a.key, this.#opts.instanceId, now));
    await Promise.allSettled(pending);
  }

  #leaseSize(acct: BudgetAccount): number {
    // About ten seconds of recent spend, at least the configured minimum, at most 5% of the day's cap.
    const byRate = acct.rateMicrosPerSec * 10;
    return Math.max(Math.min(this.#opts.minLeaseMicros, acct.capMicros), Math.min(byRate, acct.capMicros * 0.05));
  }

  #refill(c: Campaign, acct: BudgetAccount, nowMs: number, force = false): Promise<void> {
    if (acct.pending !== undefined) return acct.pending;
    if (!force && nowMs < acct.nextRefillAtMs) return kDone;
    const want = Math.max(0, this.#leaseSize(acct) - acct.available(nowMs));
    const caps = {
      dailyMicros: acct.capMicros,
      totalMicros: c.totalBudgetMicros,
      campaignDayMicros: c.dailyBudgetMicros,
    };
    const lastSpent = acct.spentMicros;
    const lastAt = acct.leaseExpiresAtMs - this.#opts.leaseTtlMs;
    acct.pending = this.#store
      .takeLease(acct.key, this.#opts.instanceId, want, caps, this.#opts.leaseTtlMs, nowMs)
      .then(
        (grant) => {
          acct.pending = undefined;
          acct.leaseMicros = grant.leaseMicros;
          acct.leaseExpiresAtMs = nowMs + this.#opts.leaseTtlMs;
          acct.spentMicros = Math.max(acct.spentMicros, grant.spentMicros);
          if (lastAt > 0 && nowMs > lastAt) {
            const rate = ((grant.spentMicros - lastSpent) * 1000) / (nowMs - lastAt);
            if (rate >= 0) acct.rateMicrosPerSec = acct.rateMicrosPerSec * 0.5 + rate * 0.5;
          }
          // Budget gone: ask again in 10 s (another instance may return a lease), not on every bid.
          if (grant.grantedMicros === 0 && want > 0) acct.nextRefillAtMs = nowMs + 10_000;
          this.#events?.onLease(grant.grantedMicros > 0 || want === 0 ? 'granted' : 'exhausted');
        },
        () => {
          acct.pending = undefined;
          // The store is unreachable: keep spending what is already leased, retry in a second.
          acct.nextRefillAtMs = nowMs + 1000;
          this.#events?.onLease('error');
        },
      );
    return acct.pending;
  }
}
