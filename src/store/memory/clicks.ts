/**
 * In-memory click records for conversion attribution: click id → click, and (advertiser, person) → their
 * last click. Expiry is the caller's clock like the other ports; both maps are swept lazily as time passes,
 * so a month-long attribution window holds only clicks still inside it.
 */
import type { ClickRecord, ClickStore } from '../ports.js';

interface Kept {
  readonly clickId: string;
  readonly click: ClickRecord;
  readonly expiresAt: number;
}

const kSweepEveryMs = 60_000;

export class MemoryClickStore implements ClickStore {
  readonly #byId = new Map<string, Kept>();
  /** `advertiser \0 person` → their last click. */
  readonly #byPerson = new Map<string, Kept>();
  #nextSweep = 0;

  async record(clickId: string, click: ClickRecord, ttlMs: number, nowMs: number): Promise<void> {
    if (nowMs >= this.#nextSweep) this.#sweep(nowMs);
    const kept: Kept = { clickId, click: Object.freeze({ ...click }), expiresAt: nowMs + ttlMs };
    this.#byId.set(clickId, kept);
    if (click.personId === undefined || click.advertiserId === '') return;
    const key = personKey(click.advertiserId, click.personId);
    const prev = this.#byPerson.get(key);
    // The latest click wins by click time, not by arrival (as the Redis zset does).
    if (prev === undefined || prev.click.atMs <= click.atMs) this.#byPerson.set(key, kept);
  }

  async lookup(clickId: string, nowMs: number): Promise<ClickRecord | undefined> {
    const kept = this.#byId.get(clickId);
    return kept === undefined || kept.expiresAt <= nowMs ? undefined : kept.click;
  }

  async lastByPerson(
    advertiserId: string,
    personId: string,
    nowMs: number,
  ): Promise<(ClickRecord & { readonly clickId: string }) | undefined> {
    const kept = this.#byPerson.get(personKey(advertiserId, personId));
    return kept === undefined || kept.expiresAt <= nowMs ? undefined : { ...kept.click, clickId: kept.clickId };
  }

  #sweep(nowMs: number): void {
    for (const [k, v] of this.#byId) if (v.expiresAt <= nowMs) this.#byId.delete(k);
    for (const [k, v] of this.#byPerson) if (v.expiresAt <= nowMs) this.#byPerson.delete(k);
    this.#nextSweep = nowMs + kSweepEveryMs;
  }
}

function personKey(advertiserId: string, personId: string): string {
  return `${advertiserId}\0${personId}`;
}
