/**
 * The ioredis client (standalone or Cluster) with the failure behaviour the bid path needs:
 *
 * - auto-pipelining: commands issued in the same tick by concurrent requests share one write (one round
 *   trip per node), which is what makes "one Redis round trip per lookup" affordable at high QPS;
 * - fail fast: while not connected, `guard()` rejects at once instead of letting ioredis park the command in
 *   its offline queue (which would hold it until reconnection); commands already on a socket that dies are
 *   failed when it closes (`maxRetriesPerRequest: 0`), and `commandTimeout` bounds a server that stopped
 *   answering (paused, overloaded, half-open connection);
 * - reconnects by itself with exponential backoff capped at 200 ms, forever: the bidder keeps bidding
 *   without profiles and is back within ~¼ s of Redis (a 2 s cap left it waiting up to 2 s after Redis
 *   returned — issue 15; a refused connect to a dead server costs next to nothing).
 *
 * The offline queue stays enabled only so ioredis can run its own connect-time handshake; nothing of ours
 * reaches it because of the guard.
 */
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { defineScripts, type RedisClient } from './scripts.js';

export interface ConnectionOptions {
  readonly url?: string;
  readonly cluster?: { readonly nodes: readonly string[] };
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly connectionName?: string;
}

/** Thrown (as a rejection) when a command is attempted while the connection is down. */
export class StoreUnavailableError extends Error {
  constructor(status: string) {
    super(`redis unavailable (connection ${status})`);
    this.name = 'StoreUnavailableError';
  }
}

const kMaxBackoffMs = 200;

/** 50, 100, 200, 200 … ms, with jitter so a fleet does not reconnect in lockstep. */
function backoff(times: number): number {
  return Math.min(kMaxBackoffMs, 25 * 2 ** Math.min(times, 7)) + Math.floor(Math.random() * 50);
}

export function connect(opts: ConnectionOptions): RedisClient {
  const common: RedisOptions = {
    commandTimeout: opts.commandTimeoutMs > 0 ? opts.commandTimeoutMs : undefined,
    connectTimeout: opts.connectTimeoutMs,
    maxRetriesPerRequest: 0,
    enableAutoPipelining: true,
    connectionName: opts.connectionName,
  };
  if (opts.cluster !== undefined) {
    // Credentials in a node URL apply to every node (Cluster nodes share ACLs).
    const auth = opts.cluster.nodes
      .map((n) => new URL(n.includes('://') ? n : `redis://${n}`))
      .find((u) => u.password !== '' || u.username !== '');
    const clusterOpts: ClusterOptions = {
      enableAutoPipelining: true,
      clusterRetryStrategy: (times) => backoff(times),
      slotsRefreshTimeout: opts.connectTimeoutMs,
      redisOptions:
        auth === undefined
          ? common
          : {
              ...common,
              username: decodeURIComponent(auth.username) || undefined,
              password: decodeURIComponent(auth.password),
            },
    };
    return defineScripts(new Cluster(opts.cluster.nodes.map(parseNode), clusterOpts));
  }
  const standalone: RedisOptions = { ...common, retryStrategy: (times) => backoff(times) };
  return defineScripts(opts.url === undefined ? new Redis(standalone) : new Redis(opts.url, standalone));
}

function parseNode(node: string): { host: string; port: number } {
  const u = new URL(node.includes('://') ? node : `redis://${node}`);
  return { host: u.hostname, port: u.port === '' ? 6379 : Number(u.port) };
}

/** Throws unless the client is ready: the fail-fast check at the top of every (async) store call. */
export function assertReady(client: RedisClient): void {
  if (client.status !== 'ready') throw new StoreUnavailableError(client.status);
}

/** Resolves when the client is ready, rejects after `timeoutMs` (or if it gives up). */
export function whenReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onReady = (): void => done();
    const onEnd = (): void => done(new StoreUnavailableError('ended'));
    const timer = setTimeout(() => done(new StoreUnavailableError(`not ready after ${timeoutMs} ms`)), timeoutMs);
    client.on('ready', onReady);
    client.on('end', onEnd);
  });
}
