/**
 * Click records for conversion attribution on Redis, shared by the fleet (the click lands on one instance,
 * the advertiser's postback on another):
 *
 *   clk:{<clickId>}           string  [1, atMs, expiresAtMs, campaign, channel, advertiser, person, clickId,
 *                                      auction, imp]
 *   lclk:{<adv>:<person>}     zset    the same record as member, scored by click time; trimmed to the top one
 *
 * Expiry compares with the caller's `nowMs` (stored in the record), like the other ports; the server's PX
 * TTL is garbage collection only. The two keys have different hash tags, so they are written by separate
 * commands, never one script. The person's key keeps the latest click by ZADD + trim to the highest score
 * in one MULTI on one key: concurrent clicks race safely without Lua.
 */
import type { ClickRecord, ClickStore } from '../ports.js';
import { assertReady } from './connection.js';
import type { KeySchema } from './keys.js';
import type { RedisClient } from './scripts.js';

type Encoded = [1, number, number, string, string, string, string, string, string, string];

export class RedisClickStore implements ClickStore {
  readonly #client: RedisClient;
  readonly #keys: KeySchema;

  constructor(client: RedisClient, keys: KeySchema) {
    this.#client = client;
    this.#keys = keys;
  }

  async record(clickId: string, click: ClickRecord, ttlMs: number, nowMs: number): Promise<void> {
    assertReady(this.#client);
    const px = Math.max(1, Math.round(ttlMs));
    const value = encode(clickId, click, nowMs + ttlMs);
    const writes: Promise<unknown>[] = [this.#client.set(this.#keys.click(clickId), value, 'PX', px)];
    if (click.personId !== undefined && click.advertiserId !== '') {
      const key = this.#keys.lastClick(click.advertiserId, click.personId);
      writes.push(
        this.#client.multi().zadd(key, click.atMs, value).zremrangebyrank(key, 0, -2).pexpire(key, px).exec(),
      );
    }
    await Promise.all(writes);
  }

  async lookup(clickId: string, nowMs: number): Promise<ClickRecord | undefined> {
    assertReady(this.#client);
    const hit = decode(await this.#client.get(this.#keys.click(clickId)), nowMs);
    return hit === undefined ? undefined : hit.click;
  }

  async lastByPerson(
    advertiserId: string,
    personId: string,
    nowMs: number,
  ): Promise<(ClickRecord & { readonly clickId: string }) | undefined> {
    assertReady(this.#client);
    const [top] = await this.#client.zrange(this.#keys.lastClick(advertiserId, personId), '-1', '-1');
    const hit = decode(top ?? null, nowMs);
    return hit === undefined ? undefined : { ...hit.click, clickId: hit.clickId };
  }
}

function encode(clickId: string, c: ClickRecord, expiresAtMs: number): string {
  const e: Encoded = [
    1,
    Math.floor(c.atMs),
    Math.floor(expiresAtMs),
    c.campaignId,
    c.channelId,
    c.advertiserId,
    c.personId ?? '',
    clickId,
    c.auctionId,
    c.impId,
  ];
  return JSON.stringify(e);
}

function decode(
  text: string | null,
  nowMs: number,
): { readonly click: ClickRecord; readonly clickId: string } | undefined {
  if (text === null) return undefined;
  let e: unknown;
  try {
    e = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isEncoded(e) || e[2] <= nowMs) return undefined;
  return {
    clickId: e[7],
    click: {
      atMs: e[1],
      campaignId: e[3],
      channelId: e[4],
      advertiserId: e[5],
      personId: e[6] === '' ? undefined : e[6],
      auctionId: e[8],
      impId: e[9],
    },
  };
}

function isEncoded(e: unknown): e is Encoded {
  if (!Array.isArray(e) || e.length !== 10 || e[0] !== 1) return false;
  if (typeof e[1] !== 'number' || typeof e[2] !== 'number') return false;
  for (let i = 3; i < 10; i++) if (typeof e[i] !== 'string') return false;
  return true;
}
