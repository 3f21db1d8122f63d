/**
 * The real bidder as an operator runs it (`node --import tsx src/main.ts`) in a child process on free
 * loopback ports, for fault tests that kill it, signal it or must not share its event loop. Its output is
 * kept (bounded) for assertions; `afterAll` hooks should call `kill()` so no child outlives a failed test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kTestEnv } from '../../helpers/bidder.js';
import { freePort } from '../../helpers/redis.js';

export interface ChildBidder {
  readonly port: number;
  readonly opsPort: number;
  readonly child: ChildProcess;
  /** stdout + stderr so far (last 1 MB). */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

const kMaxOutput = 1 << 20;
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export async function spawnBidder(opts: {
  configDir: string;
  env?: Record<string, string>;
  port?: number;
  opsPort?: number;
}): Promise<ChildBidder> {
  const port = opts.port ?? (await freePort());
  const opsPort = opts.opsPort ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      ...kTestEnv,
      LOG_LEVEL: 'warn',
      REDIS_URL: '',
      ...opts.env,
      PORT: String(port),
      OPS_PORT: String(opsPort),
      HOST: '127.0.0.1',
      CONFIG_DIR: opts.configDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > kMaxOutput) out = out.slice(-kMaxOutput);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  const b: ChildBidder = {
    port,
    opsPort,
    child,
    output: () => out,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  // Generous: a tsx start on a shared 2-core CI box can take tens of seconds.
  await waitReady(b, 90_000);
  return b;
}

/** Polls /readyz until 200; throws with the child's output if it exits or the time runs out. */
export async function waitReady(b: ChildBidder, timeoutMs: number, everyMs = 50): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (b.child.exitCode !== null || b.child.signalCode !== null)
      throw new Error(`bidder exited early (${b.child.exitCode ?? b.child.signalCode}):\n${b.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${b.opsPort}/readyz`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200) return Date.now() - t0;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`bidder not ready within ${timeoutMs} ms:\n${b.output()}`);
}

/** Writes a fault test's figures to test-output/faults/<name>.json (for bench/RESULTS.md). */
export function writeFigures(name: string, figures: Record<string, unknown>): void {
  const dir = join('test-output', 'faults');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${name}.json`),
    `${JSON.stringify({ test: name, at: new Date().toISOString(), ...figures }, null, 2)}\n`,
  );
}
