/**
 * The Redis store: every port of ports.ts over one ioredis client (standalone or Cluster), for a fleet of
 * bidders sharing state. Composition only; the key schema is in keys.ts, the Lua in scripts.ts, the
 * failure behaviour in connection.ts.
 */
import type { EventSink, Store } from '../ports.js';
import { RedisBudgetStore } from './budgets.js';
import { RedisClickStore } from './clicks.js';
import { assertReady, connect, whenReady } from './connection.js';
import { RedisDedupStore } from './dedup.js';
import { RedisFleetCounterStore } from './fleet-counters.js';
import { RedisReachStore } from './reach.js';
import { kDefaultKeyPrefix, KeySchema } from './keys.js';
import { RedisProfileStore, type ProfileStats } from './profiles.js';
import { RedisStreamSink } from './event-stream.js';
export { StoreUnavailableError } from './connection.js';
export { hashSlot, KeySchema } from './keys.js';
export type { ProfileStats } from './profiles.js';

export interface RedisStoreOptions {
  /** `redis://[user:pass@]host:port[/db]`; default 127.0.0.1:6379. Ignored when `cluster` is given. */
  readonly url?: string;
  readonly cluster?: { readonly nodes: readonly string[] };
  /** Default `kDefaultKeyPrefix` (`pg:`). Must not contain braces (they would become every key's hash tag). */
  readonly keyPrefix?: string;
  readonly instanceId: string;
  /** A command with no reply after this long rejects (a paused or overloaded server). Default 1000; 0 = none. */
  readonly commandTimeoutMs?: number;
  /** How long `createRedisStore` waits for the first connection before rejecting. Default 3000. */
  readonly connectTimeoutMs?: number;
  /** In-process id → person cache: entries (default 100,000; 0 disables) and TTL (default 30 s). */
  readonly idCacheSize?: number;
  readonly idCacheTtlMs?: number;
  /** Connection errors (each reconnect attempt emits one); they also surface as rejected calls. */
  readonly onError?: (err: Error) => void;
}

export interface RedisStore extends Store {
  readonly kind: 'redis';
  readonly profiles: RedisProfileStore;
  readonly keys: KeySchema;
  /** Round-trip accounting for lookups (see profiles.ts). */
  stats(): Readonly<ProfileStats>;
  /** The scoring event log as a capped Redis Stream (`<prefix>events`). */
  eventSink(maxLen?: number): EventSink;
}

const kPingTimeoutMs = 250;

export async function createRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const keys = new KeySchema(options.keyPrefix ?? kDefaultKeyPrefix);
  const connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
  const client = connect({
    url: options.url,
    cluster: options.cluster,
    commandTimeoutMs: options.commandTimeoutMs ?? 1_000,
    connectTimeoutMs,
    connectionName: `peregrine:${options.instanceId.replace(/[^\w.:-]/g, '_')}`,
  });
  const onError = options.onError ?? (() => {});
  // Without a listener ioredis prints every reconnect failure to stderr.
  client.on('error', onError);
  try {
    await whenReady(client, connectTimeoutMs);
  } catch (err) {
    client.disconnect();
    throw err;
  }
  const clustered = options.cluster !== undefined;
  const ttlMs = options.idCacheTtlMs ?? 30_000;
  const profiles = new RedisProfileStore(client, keys, clustered, {
    size: options.idCacheSize ?? 100_000,
    ttlMs,
    negativeTtlMs: Math.min(ttlMs, 5_000),
  });
  let closed = false;
  return {
    kind: 'redis',
    profiles,
    budgets: new RedisBudgetStore(client, keys),
    dedup: new RedisDedupStore(client, keys),
    clicks: new RedisClickStore(client, keys),
    fleet: new RedisFleetCounterStore(client, keys),
    reach: new RedisReachStore(client, keys),
    keys,
    stats: () => ({ ...profiles.stats }),
    eventSink: (maxLen) => new RedisStreamSink(client, { key: `${keys.prefix}events`, maxLen }),
    ping: async () => {
      try {
        assertReady(client);
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<string>((resolve) => (timer = setTimeout(resolve, kPingTimeoutMs, 'timeout')));
        const reply = await Promise.race([client.ping(), timeout]).finally(() => clearTimeout(timer));
        return reply === 'PONG';
      } catch {
        return false;
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      // QUIT lets replies in flight arrive; a client that is not connected has nothing to wait for.
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
      else client.disconnect();
    },
  };
}
