/**
 * Reach per campaign × channel × day in Redis HyperLogLogs: `<p>rch:{<campaign>}:<channel>:<day>` (PFADD),
 * expiring after the reach keep time. One hash tag per campaign, so PFCOUNT over a campaign's channels (the
 * union) runs in one slot of a Cluster.
 */
import { kReachTtlMs, type ReachEntry, type ReachStore } from '../ports.js';
import { assertReady } from './connection.js';
import type { KeySchema } from './keys.js';
import type { RedisClient } from './scripts.js';

export class RedisReachStore implements ReachStore {
  readonly #client: RedisClient;
  readonly #keys: KeySchema;

  constructor(client: RedisClient, keys: KeySchema) {
    this.#client = client;
    this.#keys = keys;
  }

  async add(entries: readonly ReachEntry[]): Promise<void> {
    if (entries.length === 0) return;
    assertReady(this.#client);
    const byKey = new Map<string, string[]>();
    for (const e of entries) {
      const key = this.#keys.reach(e.campaignId, e.channelId, e.day);
      const people = byKey.get(key);
      if (people === undefined) byKey.set(key, [e.personId]);
      else people.push(e.personId);
    }
    await Promise.all(
      [...byKey].map(([key, people]) =>
        this.#client
          .multi()
          .pfadd(key, ...people)
          .pexpire(key, kReachTtlMs)
          .exec(),
      ),
    );
  }

  async count(
    campaignId: string,
    day: string,
    channels: readonly string[],
  ): Promise<{ perChannel: ReadonlyMap<string, number>; union: number }> {
    assertReady(this.#client);
    const keys = channels.map((ch) => this.#keys.reach(campaignId, ch, day));
    const [union, ...each] = await Promise.all([
      keys.length > 0 ? this.#client.pfcount(...keys) : Promise.resolve(0),
      ...keys.map((k) => this.#client.pfcount(k)),
    ]);
    return { perChannel: new Map(channels.map((ch, i) => [ch, each[i] ?? 0])), union };
  }
}
