/**
 * A hostile config directory under a running bidder process (issue 15 item 5): a FIFO present at start and
 * at reload, a 3 MB file of 200,000 invalid entries parsed while requests are served, and SIGTERM while that
 * reload is still running. Before the fix the FIFO wedged start-up (and every reload after it, and then
 * SIGTERM), and the big file blocked the event loop for its whole parse (tens of seconds).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kTestEnv } from '../helpers/bidder.js';
import { tempConfig, type TempConfig } from '../helpers/config-dir.js';
import { freePort } from '../helpers/redis.js';

let cfg: TempConfig | undefined;
const spawned: ChildProcess[] = [];
afterEach(() => {
  for (const c of spawned.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  cfg?.cleanup();
  cfg = undefined;
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

describe('config hazards in a running bidder', () => {
  it('starts past a FIFO, answers while a 3 MB file is parsed, and exits 0 on SIGTERM mid-reload', async () => {
    cfg = tempConfig();
    execFileSync('mkfifo', [join(cfg.dir, 'campaigns', 'pipe.yaml')]);
    const [port, opsPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        ...kTestEnv,
        PORT: String(port),
        OPS_PORT: String(opsPort),
        HOST: '127.0.0.1',
        CONFIG_DIR: cfg.dir,
        REDIS_URL: '',
        // Large enough that the 3 MB file is parsed (the default 1 MiB refuses it unread).
        CONFIG_MAX_FILE_BYTES: String(4 << 20),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    spawned.push(child);
    const exited = once(child, 'exit') as Promise<[number | null]>;
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const ops = `http://127.0.0.1:${opsPort}`;
    await until('ready', async () => ((await fetch(`${ops}/readyz`)).status === 200 ? true : undefined), 60_000);
    expect(out).toContain('campaigns/pipe.yaml: skipped, not a regular file (FIFO)');

    const lines = ['campaigns:'];
    for (let i = 0; i < 200_000; i++) lines.push(`  - id: e${i}`);
    writeFileSync(join(cfg.dir, 'campaigns', 'huge.yaml'), `${lines.join('\n')}\n`);
    let reloadSettled = false;
    const reload = fetch(`${ops}/admin/reload`, { method: 'POST' })
      .then((r) => r.status)
      .catch(() => 'closed' as const)
      .finally(() => {
        reloadSettled = true;
      });
    // The reload has the file to parse (seconds of work); the event loop must still answer meanwhile.
    const health = await fetch(`${ops}/healthz`);
    expect(health.status).toBe(200);
    expect(reloadSettled).toBe(false);

    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(out).toContain('drained');
    expect(['closed', 503]).toContain(await reload);
  }, 120_000);
});
