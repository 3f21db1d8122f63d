/**
 * The budget ledger with leases on Redis: the accounting of memory/budgets.ts done atomically by Lua on
 * one campaign's keys (one hash tag, so one Cluster slot), shared by every bidder instance.
 *
 *   bud:{c}                "s:<ch>:<day>" spent on the key, "d:<day>" on the campaign that day,
 *                          "total" spent on the campaign, "a:<day>" the floating-pool allocation,
 *                          "k:"/"n:"/"v:<ch>:<day>" clicks, conversions, conversion value credited
 *   bud:{c}:l              "<ch>:<day>:<instance>" → "<micros>:<expiresAtMs>"   live leases only
 *   bud:{c}:st:<ch>:<day>  settled notice id → micros (exactly once, the highest amount), TTL 3 days
 *
 * Lease expiry compares with the caller's `nowMs`, like the memory store.
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
import { assertReady } from './connection.js';
import { budgetField, type KeySchema } from './keys.js';
import type { RedisClient } from './scripts.js';

/** Long enough for any exchange's late billing notice; after that a replay could double-count. */
const kNoticeSetTtlMs = 3 * 86_400_000;

const kDuplicate: Settled = Object.freeze({ outcome: 'duplicate', addedMicros: 0 });

export class RedisBudgetStore implements BudgetStore {
  readonly #client: RedisClient;
  readonly #keys: KeySchema;

  constructor(client: RedisClient, keys: KeySchema) {
    this.#client = client;
    this.#keys = keys;
  }

  async takeLease(
    key: BudgetKey,
    instanceId: string,
    wantMicros: number,
    caps: BudgetCaps,
    ttlMs: number,
    nowMs: number,
  ): Promise<LeaseGrant> {
    assertReady(this.#client);
    const k = this.#keys;
    const [granted, spent, lease] = await this.#client.pgTakeLease(
      k.budget(key.campaignId),
      k.leases(key.campaignId),
      budgetField(key),
      instanceId,
      Math.max(0, Math.floor(Math.min(wantMicros, Number.MAX_SAFE_INTEGER))),
      capArg(caps.dailyMicros),
      capArg(caps.totalMicros),
      Math.round(ttlMs),
      Math.floor(nowMs),
      capArg(caps.campaignDayMicros ?? Infinity),
      key.day,
    );
    return { grantedMicros: granted, spentMicros: spent, leaseMicros: lease };
  }

  async settle(
    key: BudgetKey,
    instanceId: string,
    noticeId: string,
    spentMicros: number,
    nowMs: number,
  ): Promise<Settled> {
    assertReady(this.#client);
    const k = this.#keys;
    // HINCRBY takes integers; callers already pass whole micros (ports.ts), rounding only guards the type.
    const [code, added] = await this.#client.pgSettle(
      k.budget(key.campaignId),
      k.leases(key.campaignId),
      k.settled(key),
      budgetField(key),
      instanceId,
      noticeId,
      Math.round(spentMicros),
      Math.floor(nowMs),
      kNoticeSetTtlMs,
      key.day,
    );
    return code === 0 ? kDuplicate : { outcome: code === 1 ? 'first' : 'raised', addedMicros: added };
  }

  async releaseLease(key: BudgetKey, instanceId: string): Promise<void> {
    assertReady(this.#client);
    await this.#client.hdel(this.#keys.leases(key.campaignId), `${budgetField(key)}:${instanceId}`);
  }

  async addResults(key: BudgetKey, clicks: number, conversions: number, conversionValueMicros: number): Promise<void> {
    assertReady(this.#client);
    const bud = this.#keys.budget(key.campaignId);
    const f = budgetField(key);
    // One MULTI on one key: the three counters move together.
    const m = this.#client.multi();
    if (clicks !== 0) m.hincrby(bud, `k:${f}`, clicks);
    if (conversions !== 0) m.hincrby(bud, `n:${f}`, conversions);
    if (conversionValueMicros !== 0) m.hincrby(bud, `v:${f}`, Math.round(conversionValueMicros));
    await m.exec();
  }

  async dayResults(campaignId: string, day: string, channelIds: readonly string[]): Promise<Map<string, DayResults>> {
    assertReady(this.#client);
    const fields: string[] = [];
    for (const ch of channelIds)
      fields.push(
        `s:${ch}:${day}`,
        `s:${ch}${kExploreSuffix}:${day}`,
        `k:${ch}:${day}`,
        `n:${ch}:${day}`,
        `v:${ch}:${day}`,
      );
    const values = fields.length === 0 ? [] : await this.#client.hmget(this.#keys.budget(campaignId), ...fields);
    const num = (i: number) => Number(values[i] ?? 0);
    const out = new Map<string, DayResults>();
    channelIds.forEach((ch, j) => {
      const i = j * 5;
      out.set(ch, {
        spentMicros: num(i) + num(i + 1),
        clicks: num(i + 2),
        conversions: num(i + 3),
        conversionValueMicros: num(i + 4),
      });
    });
    return out;
  }

  async allocation(campaignId: string, day: string): Promise<Allocation | undefined> {
    assertReady(this.#client);
    const v = await this.#client.hget(this.#keys.budget(campaignId), `a:${day}`);
    return v === null ? undefined : decodeAllocation(v);
  }

  async proposeAllocation(campaignId: string, day: string, proposed: Allocation): Promise<Allocation> {
    assertReady(this.#client);
    const v = await this.#client.pgProposeAllocation(
      this.#keys.budget(campaignId),
      `a:${day}`,
      proposed.period,
      `${proposed.period}|${JSON.stringify(proposed.weights)}`,
    );
    return decodeAllocation(v);
  }

  async spent(key: BudgetKey): Promise<number> {
    assertReady(this.#client);
    const v = await this.#client.hget(this.#keys.budget(key.campaignId), `s:${budgetField(key)}`);
    return v === null ? 0 : Number(v);
  }
}

function decodeAllocation(v: string): Allocation {
  const sep = v.indexOf('|');
  return { period: Number(v.slice(0, sep)), weights: JSON.parse(v.slice(sep + 1)) as Record<string, number> };
}

/** −1 stands for "no cap": Lua 5.1's tonumber cannot be trusted with "inf". */
function capArg(micros: number): number {
  return Number.isFinite(micros) ? Math.max(0, Math.floor(micros)) : -1;
}
