/**
 * In-memory budget ledger with leases: the same accounting the Redis Lua scripts do, for one instance.
 *
 *   cap (daily share) ─┬─ spent (settled from billable notices, all instances)
 *                      ├─ lease[instance] (taken, not yet settled; expires → returns to the pool)
 *                      └─ available = cap − spent − Σ live leases
 *
 * The campaign's total budget is a second cap across all its channels and days.
 */
import {
  kExploreSuffix,
  type Allocation,
  type BudgetCaps,
  type BudgetKey,
  type BudgetStore,
  type DayResults,
  type LeaseGrant,
  type Settled,
} from '../ports.js';

interface Lease {
  micros: number;
  expiresAt: number;
}

interface KeyState {
  /** The key's day: what the campaign-day cap sums over (compared, where `<channel>:<day>` would be parsed). */
  readonly day: string;
  spent: number;
  readonly leases: Map<string, Lease>;
  /** Settled notice id → the amount it settled at (the highest seen). */
  readonly notices: Map<string, number>;
}

interface CampaignState {
  totalSpent: number;
  /** day → spend on every key of that day. */
  readonly daySpent: Map<string, number>;
  readonly keys: Map<string, KeyState>;
  /** day → floating-pool split. */
  readonly allocations: Map<string, Allocation>;
  /** `<channel>:<day>` → [clicks, conversions, conversion value]. */
  readonly results: Map<string, [number, number, number]>;
}

const kDuplicate: Settled = Object.freeze({ outcome: 'duplicate', addedMicros: 0 });

export class MemoryBudgetStore implements BudgetStore {
  readonly #campaigns = new Map<string, CampaignState>();
  /** channel → day → `<channel>:<day>`: built once per pair, not per settle (see `#keyId`). */
  readonly #ids = new Map<string, Map<string, string>>();

  async takeLease(
    key: BudgetKey,
    instanceId: string,
    wantMicros: number,
    caps: BudgetCaps,
    ttlMs: number,
    nowMs: number,
  ): Promise<LeaseGrant> {
    const campaign = this.#campaign(key.campaignId);
    const state = this.#key(campaign, key);
    let campaignLeased = 0;
    let dayLeased = 0;
    for (const ks of campaign.keys.values()) {
      const live = liveLeases(ks, nowMs);
      campaignLeased += live;
      if (ks.day === key.day) dayLeased += live;
    }
    const keyLeased = liveLeases(state, nowMs);
    let available = Math.min(
      caps.dailyMicros - state.spent - keyLeased,
      caps.totalMicros - campaign.totalSpent - campaignLeased,
    );
    if (caps.campaignDayMicros !== undefined)
      available = Math.min(available, caps.campaignDayMicros - (campaign.daySpent.get(key.day) ?? 0) - dayLeased);
    const granted = Math.max(0, Math.min(Math.floor(wantMicros), Math.floor(available)));
    let lease = state.leases.get(instanceId);
    if (lease === undefined) {
      lease = { micros: granted, expiresAt: nowMs + ttlMs };
      state.leases.set(instanceId, lease);
    } else {
      lease.micros += granted;
      lease.expiresAt = nowMs + ttlMs;
    }
    return { grantedMicros: granted, spentMicros: state.spent, leaseMicros: lease.micros };
  }

  async settle(
    key: BudgetKey,
    instanceId: string,
    noticeId: string,
    spentMicros: number,
    nowMs: number,
  ): Promise<Settled> {
    const campaign = this.#campaign(key.campaignId);
    const state = this.#key(campaign, key);
    const prev = state.notices.get(noticeId);
    const add = prev === undefined ? spentMicros : spentMicros - prev;
    if (prev !== undefined && add <= 0) return kDuplicate;
    state.notices.set(noticeId, spentMicros);
    state.spent += add;
    campaign.totalSpent += add;
    campaign.daySpent.set(key.day, (campaign.daySpent.get(key.day) ?? 0) + add);
    const lease = state.leases.get(instanceId);
    if (lease !== undefined && lease.expiresAt > nowMs) lease.micros = Math.max(0, lease.micros - add);
    return { outcome: prev === undefined ? 'first' : 'raised', addedMicros: add };
  }

  async releaseLease(key: BudgetKey, instanceId: string): Promise<void> {
    this.#campaigns.get(key.campaignId)?.keys.get(this.#keyId(key))?.leases.delete(instanceId);
  }

  async spent(key: BudgetKey): Promise<number> {
    return this.#campaigns.get(key.campaignId)?.keys.get(this.#keyId(key))?.spent ?? 0;
  }

  async addResults(key: BudgetKey, clicks: number, conversions: number, conversionValueMicros: number): Promise<void> {
    const results = this.#campaign(key.campaignId).results;
    const id = this.#keyId(key);
    const r = results.get(id) ?? [0, 0, 0];
    results.set(id, [r[0] + clicks, r[1] + conversions, r[2] + conversionValueMicros]);
  }

  async dayResults(campaignId: string, day: string, channelIds: readonly string[]): Promise<Map<string, DayResults>> {
    const c = this.#campaigns.get(campaignId);
    const out = new Map<string, DayResults>();
    for (const ch of channelIds) {
      const spent =
        (c?.keys.get(`${ch}:${day}`)?.spent ?? 0) + (c?.keys.get(`${ch}${kExploreSuffix}:${day}`)?.spent ?? 0);
      const r = c?.results.get(`${ch}:${day}`) ?? [0, 0, 0];
      out.set(ch, { spentMicros: spent, clicks: r[0], conversions: r[1], conversionValueMicros: r[2] });
    }
    return out;
  }

  async allocation(campaignId: string, day: string): Promise<Allocation | undefined> {
    return this.#campaigns.get(campaignId)?.allocations.get(day);
  }

  async proposeAllocation(campaignId: string, day: string, proposed: Allocation): Promise<Allocation> {
    const allocations = this.#campaign(campaignId).allocations;
    const have = allocations.get(day);
    if (have !== undefined && have.period >= proposed.period) return have;
    const stored = { period: proposed.period, weights: { ...proposed.weights } };
    allocations.set(day, stored);
    return stored;
  }

  #campaign(id: string): CampaignState {
    let c = this.#campaigns.get(id);
    if (c === undefined) {
      c = { totalSpent: 0, daySpent: new Map(), keys: new Map(), allocations: new Map(), results: new Map() };
      this.#campaigns.set(id, c);
    }
    return c;
  }

  /** A fresh `<channel>:<day>` per notice would be built, flattened and hashed on every lookup. */
  #keyId(key: BudgetKey): string {
    let byDay = this.#ids.get(key.channelId);
    if (byDay === undefined) this.#ids.set(key.channelId, (byDay = new Map()));
    let id = byDay.get(key.day);
    if (id === undefined) byDay.set(key.day, (id = keyId(key)));
    return id;
  }

  #key(campaign: CampaignState, key: BudgetKey): KeyState {
    const id = this.#keyId(key);
    let s = campaign.keys.get(id);
    if (s === undefined) {
      s = { day: key.day, spent: 0, leases: new Map(), notices: new Map() };
      campaign.keys.set(id, s);
    }
    return s;
  }
}

function keyId(key: BudgetKey): string {
  return `${key.channelId}:${key.day}`;
}

function liveLeases(state: KeyState, nowMs: number): number {
  let sum = 0;
  // By key, then a lookup: iterating entries builds a [key, value] pair per lease, on every lease take.
  for (const instance of state.leases.keys()) {
    const lease = state.leases.get(instance)!;
    if (lease.expiresAt <= nowMs) state.leases.delete(instance);
    else sum += lease.micros;
  }
  return sum;
}
