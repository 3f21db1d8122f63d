/**
 * The bidder as an operator runs it (`node --import tsx src/main.ts`) in a child process, for tests that
 * kill it: SIGKILL mid-stream, then a new process on the same ports. Output is kept for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { kTestEnv } from './bidder.js';

export interface BidderProcess {
  readonly url: string;
  readonly opsUrl: string;
  readonly instanceId: string;
  /** stdout and stderr so far. */
  output(): string;
  /** SIGKILL: no drain, no lease release, requests in flight get a reset. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit (a drain). */
  stop(): Promise<void>;
}

const gChildren = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of gChildren) c.kill('SIGKILL');
});

export async function startBidderProcess(opts: {
  readonly configDir: string;
  readonly port: number;
  readonly opsPort: number;
  readonly instanceId: string;
  readonly env?: Record<string, string>;
}): Promise<BidderProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      ...kTestEnv,
      PORT: String(opts.port),
      OPS_PORT: String(opts.opsPort),
      HOST: '127.0.0.1',
      CONFIG_DIR: opts.configDir,
      PEREGRINE_INSTANCE_ID: opts.instanceId,
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  gChildren.add(child);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      gChildren.delete(child);
      resolve();
    }),
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const opsUrl = `http://127.0.0.1:${opts.opsPort}`;
  const end = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bidder exited early with ${child.exitCode}:\n${out}`);
    if (Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`bidder not ready in 60 s:\n${out}`);
    }
    const ok = await fetch(`${opsUrl}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    url: `http://127.0.0.1:${opts.port}`,
    opsUrl,
    instanceId: opts.instanceId,
    output: () => out,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
}
