/**
 * The pacing gate: may this campaign spend `cost` on this channel now? Answers synchronously from local
 * state (no I/O on the bid path) and keeps that state fed by taking leases from the store in the
 * background, sized to the recent spend rate so store traffic follows spend, not bid requests.
 *
 * Two independent checks: the **budget** (a bid is reserved against a lease the store granted atomically,
 * so the fleet can never spend more than the cap, whatever the controller does) and the **pace** (for
 * `even` campaigns, spend + reservations may not run ahead of the day's linear target curve).
 */
import type { Campaign } from '../campaigns/model.js';
import { dayFraction, type TimeZoneTable } from '../campaigns/time-zones.js';
import type { Clock } from '../clock.js';
import type { BudgetKey, BudgetStore } from '../store/ports.js';
import { BudgetAccount } from './budget-account.js';

export interface PacingOptions {
  readonly instanceId: string;
  readonly leaseTtlMs: number;
  readonly noticeWindowMs: number;
  readonly minLeaseMicros: number;
  /** How far ahead of the linear target an `even` campaign may run, as a fraction of the day (15 min). */
  readonly lookahead?: number;
}

export interface PacingEvents {
  onLease(result: 'granted' | 'exhausted' | 'error'): void;
}

const kDone: Promise<void> = Promise.resolve();

export type GateResult = 'ok' | 'budget' | 'pacing';

export class PacingGate {
  readonly #store: BudgetStore;
  readonly #clock: Clock;
  readonly #zones: TimeZoneTable;
  readonly #opts: Required<PacingOptions>;
  readonly #events: PacingEvents | undefined;
  /** campaign id → channel id → account of the current day. */
  readonly #accounts = new Map<string, Map<string, BudgetAccount>>();

  constructor(store: BudgetStore, clock: Clock, zones: TimeZoneTable, opts: PacingOptions, events?: PacingEvents) {
    this.#store = store;
    this.#clock = clock;
    this.#zones = zones;
    this.#opts = { lookahead: 1 / 96, ...opts };
    this.#events = events;
  }

  /** Whether a bid of `cost` would pass now, without reserving anything (for ranking candidates). */
  check(c: Campaign, channelId: string, costMicros: number, nowMs: number): GateResult {
    const acct = this.account(c, channelId, nowMs);
    if (acct === undefined) return 'budget';
    const committed = acct.spentMicros + acct.reservedMicros + costMicros;
    if (committed > acct.capMicros) return 'budget';
    if (c.pacingMode === 'even') {
      const local = this.#zones.at(c.timezone, nowMs);
      if (committed > acct.capMicros * Math.min(1, dayFraction(local, nowMs) + this.#opts.lookahead)) return 'pacing';
    }
    if (acct.available(nowMs) < costMicros) {
      this.#refill(c, acct, nowMs);
      return 'budget';
    }
    return 'ok';
  }

  /** `check`, then reserve the cost against the local lease (refilling it in the background when low). */
  tryReserve(c: Campaign, channelId: string, costMicros: number, nowMs: number): GateResult {
    const r = this.check(c, channelId, costMicros, nowMs);
    if (r !== 'ok') return r;
    const acct = this.account(c, channelId, nowMs)!;
    acct.reserve(costMicros, nowMs);
    if (acct.available(nowMs) < this.#leaseSize(acct) / 2 || nowMs > acct.leaseExpiresAtMs - this.#opts.leaseTtlMs / 4) this.#refill(c, acct, nowMs);
    return 'ok';
  }

  /** The account for the campaign's current local day on a channel (undefined: no share on this channel). */
  account(c: Campaign, channelId: string, nowMs: number): BudgetAccount | undefined {
    const share = c.channelShares.get(channelId);
    if (share === undefined) return undefined;
    let byChannel = this.#accounts.get(c.id);
    if (byChannel === undefined) {
      byChannel = new Map();
      this.#accounts.set(c.id, byChannel);
    }
    const day = this.#zones.at(c.timezone, nowMs).day;
    let acct = byChannel.get(channelId);
    const cap = Math.floor(c.dailyBudgetMicros * share);
    // A new day or a budget change (config reload) starts a fresh account; the store keeps the truth.
    if (acct === undefined || acct.key.day !== day || acct.capMicros !== cap) {
      acct = new BudgetAccount({ campaignId: c.id, channelId, day }, cap, this.#opts.noticeWindowMs);
      byChannel.set(channelId, acct);
      this.#refill(c, acct, nowMs);
    }
    return acct;
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
      }
    }
    await Promise.all(pending);
  }

  /**
   * A billable notice: settle in the store (idempotent per notice) and, when this instance reserved the
   * bid, release the reservation locally. Returns false for a duplicate.
   */
  async settle(c: Campaign | undefined, key: BudgetKey, reservingInstance: string, noticeId: string, issuedAtMs: number, reservedMicros: number, spentMicros: number): Promise<boolean> {
    const now = this.#clock.now();
    const fresh = await this.#store.settle(key, reservingInstance, noticeId, spentMicros, now);
    if (!fresh) return false;
    if (c !== undefined) {
      const acct = this.#accounts.get(c.id)?.get(key.channelId);
      if (acct !== undefined && acct.key.day === key.day) {
        if (reservingInstance === this.#opts.instanceId) acct.settle(issuedAtMs, reservedMicros, spentMicros, now);
        else acct.spentMicros += spentMicros;
      }
    }
    return true;
  }

  /** Remaining daily budget per campaign × channel as this instance sees it (for metrics and reports). */
  *remaining(): Generator<{ campaignId: string; channelId: string; day: string; capMicros: number; spentMicros: number; reservedMicros: number; leaseMicros: number }> {
    for (const byChannel of this.#accounts.values()) {
      for (const a of byChannel.values()) {
        yield { campaignId: a.key.campaignId, channelId: a.key.channelId, day: a.key.day, capMicros: a.capMicros, spentMicros: a.spentMicros, reservedMicros: a.reservedMicros, leaseMicros: a.leaseMicros };
      }
    }
  }

  /** Returns every unspent lease to the store (graceful shutdown), so other instances can use it. */
  async releaseAll(): Promise<void> {
    const now = this.#clock.now();
    const pending: Promise<void>[] = [];
    for (const byChannel of this.#accounts.values()) for (const a of byChannel.values()) pending.push(this.#store.releaseLease(a.key, this.#opts.instanceId, now));
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
    const caps = { dailyMicros: acct.capMicros, totalMicros: c.totalBudgetMicros };
    const lastSpent = acct.spentMicros;
    const lastAt = acct.leaseExpiresAtMs - this.#opts.leaseTtlMs;
    acct.pending = this.#store.takeLease(acct.key, this.#opts.instanceId, want, caps, this.#opts.leaseTtlMs, nowMs).then(
      (grant) => {
        acct.pending = undefined;
        acct.leaseMicros = grant.leaseMicros;
        acct.leaseExpiresAtMs = nowMs + this.#opts.leaseTtlMs;
        acct.spentMicros = Math.max(acct.spentMicros, grant.spentMicros);
        if (lastAt > 0 && nowMs > lastAt) {
          const rate = ((grant.spentMicros - lastSpent) * 1000) / (nowMs - lastAt);
          if (rate >= 0) acct.rateMicrosPerSec = acct.rateMicrosPerSec * 0.5 + rate * 0.5;
        }
        if (grant.grantedMicros === 0 && want > 0) acct.nextRefillAtMs = nowMs + 1000;
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
