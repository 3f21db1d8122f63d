/**
 * All cores: the process as an operator runs it with `WORKERS=2` on a real Redis — two bidder workers on one
 * public port, one `/metrics` that adds up both, an admin reload that reaches both, SIGTERM draining both —
 * and the memory store refused for more than one worker (it would spend each budget once per worker).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { kTestEnv, sampleBannerRequest } from '../helpers/bidder.js';
import { type TempConfig, tempConfig } from '../helpers/config-dir.js';
import { freePort, type TestRedis, testRedis } from '../helpers/redis.js';

let redis: TestRedis;
let cfg: TempConfig;

beforeAll(async () => {
  redis = await testRedis();
  cfg = tempConfig();
  const bidderYaml = join(cfg.dir, 'bidder.yaml');
  writeFileSync(
    bidderYaml,
    readFileSync(bidderYaml, 'utf8').replace('keyPrefix: "pg:"', `keyPrefix: "${redis.prefix}"`),
  );
});
afterAll(async () => {
  await redis.cleanup();
  await redis.stop();
  cfg.cleanup();
});

const spawned: ChildProcess[] = [];
afterEach(() => {
  for (const c of spawned.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function start(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, ...kTestEnv, HOST: '127.0.0.1', CONFIG_DIR: cfg.dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if (await ok()) return;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ')));
  return sum;
}

describe('WORKERS', () => {
  it('runs two workers on one port over Redis, with one /metrics for both, and drains both on SIGTERM', async () => {
    const [port, opsPort] = [await freePort(), await freePort()];
    const { child, output } = start({
      WORKERS: '2',
      REDIS_URL: redis.url,
      PORT: String(port),
      OPS_PORT: String(opsPort),
      PEREGRINE_ADMIN_TOKEN: 'cluster-token',
    });
    const exited = once(child, 'exit') as Promise<[number | null]>;
    await until('both workers listening', () => output().includes('running 2 workers'));
    await until('ready', async () => (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status === 200);
    // A fresh connection per request lets the kernel spread them over both workers.
    const n = 200;
    const statuses = await Promise.all(
      Array.from({ length: n }, () =>
        fetch(`http://127.0.0.1:${port}/bid/ssp-alpha`, {
          method: 'POST',
          body: JSON.stringify(sampleBannerRequest()),
          headers: { 'content-type': 'application/json', connection: 'close' },
        }).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        }),
      ),
    );
    expect(statuses.filter((s) => s !== 200 && s !== 204)).toEqual([]);
    const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    // Every request counted once, whichever worker took it: the aggregate of both registries.
    expect(metricSum(text, 'peregrine_bid_requests_total')).toBe(n);
    // Each worker runs its own process: the aggregate's process count shows both.
    expect(output().match(/peregrine listening on/g)?.length).toBe(2);

    const reload = await fetch(`http://127.0.0.1:${opsPort}/admin/reload`, {
      method: 'POST',
      headers: { authorization: 'Bearer cluster-token' },
    });
    expect(reload.status).toBe(200);

    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    // Both workers are gone with the primary: the port is free again.
    const { createServer } = await import('node:net');
    await new Promise<void>((resolve, reject) => {
      const s = createServer().once('error', reject);
      s.listen(port, '127.0.0.1', () => s.close(() => resolve()));
    });
  });

  it('refuses WORKERS=2 on the memory store with one clear line, and exits 2', async () => {
    const [port, opsPort] = [await freePort(), await freePort()];
    const { child, output } = start({ WORKERS: '2', REDIS_URL: '', PORT: String(port), OPS_PORT: String(opsPort) });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(output()).toContain('WORKERS > 1 needs a shared store');
  });
});
