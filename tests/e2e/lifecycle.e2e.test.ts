/**
 * The process as an operator runs it: `node --import tsx src/main.ts` in a child process, ready on /readyz,
 * and SIGTERM draining in-flight requests before exiting 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { kSampleConfig } from '../helpers/config-dir.js';
import { kTestEnv, sampleBannerRequest } from '../helpers/bidder.js';
import { freePort } from '../helpers/redis.js';

async function waitReady(opsPort: number, child: ChildProcess): Promise<void> {
  const end = Date.now() + 20_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`bidder exited early with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('bidder not ready in 20 s');
}

const spawned: ChildProcess[] = [];
afterEach(() => {
  // A failed assertion must not leave a bidder running.
  for (const c of spawned.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('process lifecycle', () => {
  it('logs its store and config, serves, and drains on SIGTERM with exit code 0', async () => {
    const [port, opsPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        ...kTestEnv,
        PORT: String(port),
        OPS_PORT: String(opsPort),
        HOST: '127.0.0.1',
        CONFIG_DIR: kSampleConfig,
        REDIS_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    spawned.push(child);
    // Listen for the exit now: under load the child may exit before the burst's promises settle.
    const exited = once(child, 'exit') as Promise<[number | null]>;
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    await waitReady(opsPort, child);
    for (let i = 0; i < 50 && !out.includes('store='); i++) await new Promise((r) => setTimeout(r, 20));
    expect(out).toMatch(/store=memory/);
    expect(out).toContain(kSampleConfig);
    // A burst of requests in flight when SIGTERM lands: every one is answered.
    const burst = Array.from({ length: 50 }, () =>
      fetch(`http://127.0.0.1:${port}/bid/ssp-alpha`, {
        method: 'POST',
        body: JSON.stringify(sampleBannerRequest()),
      }).then((r) => r.status),
    );
    await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGTERM');
    const statuses = await Promise.allSettled(burst);
    const answered = statuses
      .filter((s) => s.status === 'fulfilled')
      .map((s) => (s as PromiseFulfilledResult<number>).value);
    for (const s of answered) expect([200, 204]).toContain(s);
    const [code] = await exited;
    expect(code).toBe(0);
    expect(out).toContain('drained');
  });

  it('refuses to start on the pure-JS uWebSockets.js fallback', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, ...kTestEnv, UWS_USE_FALLBACK: '1', PORT: '0', OPS_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    spawned.push(child);
    const exited = once(child, 'exit') as Promise<[number | null]>;
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = await exited;
    expect(code).toBe(1);
    expect(err).toContain('pure-JS fallback');
  });

  it('refuses to start on an invalid config, listing the errors', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, CONFIG_DIR: '/nonexistent-peregrine-config' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    spawned.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(err).toContain('bidder.yaml: cannot read: ENOENT');
  });
});
