/**
 * Real Redis for tests, never a mock.
 *
 * - `testRedis()`: a shared server (REDIS_URL, else 127.0.0.1:6379 if it answers PING within ~300 ms, else a
 *   private `redis-server` on a free port) plus a unique key prefix; `cleanup()` deletes only keys under that
 *   prefix (SCAN MATCH + UNLINK), so tests never flush a database others use.
 * - `startOwnRedis()`: always a private server, for tests that kill, pause or flush it.
 * - `startOwnCluster()`: a private Redis Cluster (N masters, no replicas) on free ports.
 *
 * Every spawned server is killed on process exit as a safety net.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface TestRedis {
  readonly url: string;
  /** `pgtest:<pid>:<random>:` — every key the test writes must start with it. */
  readonly prefix: string;
  cleanup(): Promise<void>;
  stop(): Promise<void>;
}

export interface OwnRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: the server vanishes mid-conversation. */
  kill(): Promise<void>;
  /** Starts the server again on the same port (after `kill`). */
  restart(): Promise<void>;
  /** SIGSTOP: the connection stays open but nothing answers. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

export interface OwnCluster {
  readonly nodes: readonly string[];
  stop(): Promise<void>;
}

const kNotInstalled = 'redis-server not found on PATH: install Redis 7: apt-get install redis-server, or set REDIS_URL';
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export async function testRedis(): Promise<TestRedis> {
  const prefix = `pgtest:${process.pid}:${randomBytes(4).toString('hex')}:`;
  let url = process.env.REDIS_URL;
  let own: OwnRedis | undefined;
  if (url === undefined || url === '') {
    if (await answersPing('127.0.0.1', 6379, 300)) url = 'redis://127.0.0.1:6379';
    else {
      own = await startOwnRedis();
      url = own.url;
    }
  }
  const cleanup = async (): Promise<void> => {
    await deleteByPrefix(url, prefix);
  };
  return {
    url,
    prefix,
    cleanup,
    stop: async () => {
      await cleanup().catch(() => undefined);
      await own?.stop();
    },
  };
}

/** Deletes every key starting with `prefix` (SCAN MATCH + UNLINK), nothing else. */
export async function deleteByPrefix(url: string, prefix: string): Promise<number> {
  if (!/^[\w:.-]+$/.test(prefix)) throw new Error(`refusing to delete by an unusual prefix: ${prefix}`);
  const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  await client.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await client.quit();
  }
  return deleted;
}

export async function startOwnRedis(port?: number, extraArgs: readonly string[] = []): Promise<OwnRedis> {
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'pgtest-redis-'));
  let child = await spawnServer(p, dir, extraArgs);
  return {
    url: `redis://127.0.0.1:${p}`,
    port: p,
    kill: () => killChild(child),
    restart: async () => {
      await killChild(child);
      child = await spawnServer(p, dir, extraArgs);
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    stop: async () => {
      child.kill('SIGCONT');
      await killChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** N masters sharing the 16384 slots evenly, joined with CLUSTER MEET; resolves when `cluster_state:ok`. */
export async function startOwnCluster(masters = 3): Promise<OwnCluster> {
  const servers: OwnRedis[] = [];
  const busPorts: number[] = [];
  for (let i = 0; i < masters; i++) {
    const bus = await freePort();
    busPorts.push(bus);
    servers.push(
      await startOwnRedis(undefined, [
        '--cluster-enabled',
        'yes',
        '--cluster-port',
        String(bus),
        '--cluster-config-file',
        `nodes-${i}.conf`,
      ]),
    );
  }
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  const clients = servers.map((s) => new Redis(s.url, { maxRetriesPerRequest: 1 }));
  try {
    const per = Math.ceil(16384 / masters);
    for (let i = 0; i < masters; i++)
      await clients[i]!.call('CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(16383, (i + 1) * per - 1)));
    for (let i = 1; i < masters; i++)
      await clients[0]!.call('CLUSTER', 'MEET', '127.0.0.1', String(servers[i]!.port), String(busPorts[i]));
    const until = Date.now() + 15_000;
    for (;;) {
      const infos = await Promise.all(clients.map((c) => c.call('CLUSTER', 'INFO') as Promise<string>));
      if (infos.every((t) => t.includes('cluster_state:ok') && t.includes(`cluster_known_nodes:${masters}`))) break;
      if (Date.now() > until) throw new Error(`cluster did not converge:\n${infos.join('\n')}`);
      await sleep(50);
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  }
  return { nodes: servers.map((s) => `127.0.0.1:${s.port}`), stop };
}

async function spawnServer(port: number, dir: string, extraArgs: readonly string[]): Promise<ChildProcess> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--dir',
    dir,
    ...extraArgs,
  ];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(new Error(e.code === 'ENOENT' ? kNotInstalled : e.message)),
    ),
  );
  spawnError.catch(() => undefined);
  const until = Date.now() + 5_000;
  while (Date.now() < until) {
    const ok = await Promise.race([answersPing('127.0.0.1', port, 200), spawnError]);
    if (ok) return child;
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} (port ${port})`);
    await sleep(20);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port} within 5 s`);
}

async function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

/** Raw RESP PING: no client library, no reconnect noise, a hard timeout. */
export function answersPing(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => finish(d.toString().startsWith('+PONG')));
    socket.once('error', () => finish(false));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export interface CountingProxy {
  readonly url: string;
  /** Client → server writes seen (≈ round trips when the client waits for each reply). */
  readonly writes: () => number;
  stop(): Promise<void>;
}

/**
 * A TCP proxy in front of a Redis server that counts the client's writes and can add latency to each
 * direction, so round trips become visible (count) and measurable (time). Loopback only.
 */
export async function startCountingProxy(targetUrl: string, delayMs = 0): Promise<CountingProxy> {
  const target = new URL(targetUrl);
  let writes = 0;
  const sockets = new Set<import('node:net').Socket>();
  const relay = (from: import('node:net').Socket, to: import('node:net').Socket, count: boolean): void => {
    from.on('data', (chunk) => {
      if (count) writes++;
      if (delayMs === 0) to.write(chunk);
      else setTimeout(() => to.writable && to.write(chunk), delayMs);
    });
    from.on('close', () => to.destroy());
    from.on('error', () => to.destroy());
  };
  const server = createServer((client) => {
    const upstream = netConnect({ host: target.hostname, port: Number(target.port || 6379) });
    sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    relay(client, upstream, true);
    relay(upstream, client, false);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    url: `redis://127.0.0.1:${port}`,
    writes: () => writes,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
