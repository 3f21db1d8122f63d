/**
 * The commands the README and the Dockerfile tell an operator to run, run as written: `npm start` (build, then
 * the bidder) and `node dist/main.js` (the production command, the Dockerfile's CMD). SIGTERM — what Docker,
 * systemd and Kubernetes send to the process they started — must reach the bidder through npm, drain the
 * requests in flight, exit 0 and leave both ports free.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kTestEnv, sampleBannerRequest } from '../helpers/bidder.js';

const kRoot = join(import.meta.dirname, '..', '..');

interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  readonly opsPort: number;
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
  output(): string;
}

const spawned: ChildProcess[] = [];
afterEach(() => {
  // A failed assertion must not leave npm or a bidder orphaned by it running: kill the whole process group.
  for (const c of spawned.splice(0)) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

async function start(command: string, args: string[], env: Record<string, string> = {}): Promise<Running> {
  // The repository's own config/, as documented: no CONFIG_DIR from the caller's environment.
  const { CONFIG_DIR: _ignored, ...inherited } = process.env;
  const child = spawn(command, args, {
    cwd: kRoot,
    env: {
      ...inherited,
      ...kTestEnv,
      ...env,
      // Port 0: the bidder binds free ports itself (no race with other processes between choosing and binding,
      // which the build's seconds would widen) and says which in its start line.
      PORT: '0',
      OPS_PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so cleanup can reach a bidder that npm failed to stop; SIGTERM goes to the
    // spawned process only, as an orchestrator's would.
    detached: true,
  });
  spawned.push(child);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const end = Date.now() + 120_000;
  let ports: { port: number; opsPort: number } | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited early:\n${out}`);
    if (Date.now() > end) throw new Error(`${command} ${args.join(' ')} not ready in 120 s:\n${out}`);
    ports ??= listeningOn(out);
    const ready =
      ports !== undefined &&
      (await fetch(`http://127.0.0.1:${ports.opsPort}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      ));
    if (ready) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, ...ports!, exited, output: () => out };
}

/** The ports from the bidder's start line (`{"port":…,"opsPort":…,"msg":"peregrine listening on …"}`). */
function listeningOn(out: string): { port: number; opsPort: number } | undefined {
  for (const line of out.split('\n')) {
    if (!line.includes('peregrine listening on')) continue;
    const { port, opsPort } = JSON.parse(line) as { port: number; opsPort: number };
    return { port, opsPort };
  }
  return undefined;
}

/** Keeps `width` bid requests in flight until `stop()`; returns every status answered. */
function traffic(port: number, width = 8): { stop(): Promise<number[]> } {
  let running = true;
  const statuses: number[] = [];
  const loop = async (): Promise<void> => {
    while (running) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/bid/ssp-alpha`, {
          method: 'POST',
          body: JSON.stringify(sampleBannerRequest()),
        });
        statuses.push(r.status);
        await r.arrayBuffer();
      } catch {
        // Refused once the listener has closed: expected after SIGTERM.
        return;
      }
    }
  };
  const loops = Array.from({ length: width }, loop);
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return statuses;
    },
  };
}

/** Nothing listens on the port any more: a connection is refused (an orphaned bidder would accept it). */
function nobodyListens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

async function drainsOnSigterm(r: Running): Promise<void> {
  const load = traffic(r.port);
  await new Promise((res) => setTimeout(res, 300));
  r.child.kill('SIGTERM');
  const [code, signal] = await r.exited;
  const statuses = await load.stop();
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(statuses.length).toBeGreaterThan(0);
  for (const s of statuses) expect([200, 204]).toContain(s);
  expect(r.output()).toContain('"msg":"drained"');
  expect(await nobodyListens(r.port)).toBe(true);
  expect(await nobodyListens(r.opsPort)).toBe(true);
}

/**
 * The README's examples, taken from the README itself (so an edit there that breaks them fails here), run
 * against the sample config the way the shell lines do: "Try it" and the conversion postback.
 */
async function readmeExamples(r: Running): Promise<void> {
  const readme = readFileSync(join(kRoot, 'README.md'), 'utf8');
  const pub = `http://127.0.0.1:${r.port}`;
  const tryIt = /curl -s -XPOST localhost:8080\/bid\/ssp-alpha [^\n]*\\\n\s*-d '([^']+)'/.exec(readme)?.[1];
  expect(tryIt, 'README "Try it" bid request').toBeDefined();
  const post = () =>
    fetch(`${pub}/bid/ssp-alpha`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: tryIt });
  // The first requests after start can miss their deadline while the code is cold (204, reason "deadline").
  let bid = await post();
  for (let i = 0; i < 5 && bid.status === 204; i++) bid = await post();
  expect(bid.status).toBe(200);
  expect(((await bid.json()) as { seatbid: unknown[] }).seatbid.length).toBe(1);
  const metrics = await (await fetch(`http://127.0.0.1:${r.opsPort}/metrics`)).text();
  expect(metrics).toMatch(/^peregrine_bid_requests_total\{[^}]*channel="ssp-alpha"[^}]*\} [1-9]/m);

  // Conversions: a bid, its click URL followed once for a click id, then the signed postback.
  const convBid = /click=\$\(curl -s -XPOST localhost:8080\/bid\/ssp-alpha -d '([^']+)'/.exec(readme)?.[1];
  const template = /^q="([^"]+)"/m.exec(readme)?.[1];
  const secret = /^export ACME_POSTBACK_SECRET=(\S+)/m.exec(readme)?.[1];
  expect({ convBid, template, secret }).toEqual({
    convBid: expect.any(String),
    template: expect.stringContaining('$CLID'),
    secret: 'acme-demo-secret',
  });
  const adm = JSON.stringify(await (await fetch(`${pub}/bid/ssp-alpha`, { method: 'POST', body: convBid })).json());
  // The markup's click URL uses the configured publicUrl (localhost:8080); follow it on this port.
  const click = /http:\/\/localhost:8080(\/click\?t=[^\\"]*)/.exec(adm)?.[1];
  expect(click, 'a click URL in the bid markup').toBeDefined();
  const redirect = await fetch(`${pub}${click}`, { redirect: 'manual' });
  expect(redirect.status).toBe(302);
  const clid = /pgclid=([^&#]+)/.exec(redirect.headers.get('location') ?? '')?.[1];
  expect(clid).toBeDefined();
  const q = template!.replace('$CLID', clid!);
  const sig = createHmac('sha256', secret!).update(q).digest('hex');
  expect((await fetch(`${pub}/conv?${q}&sig=${sig}`)).status).toBe(204);
  const again = await fetch(`${pub}/conv?${q}&sig=${sig}`);
  expect([again.status, await again.json()]).toEqual([200, { outcome: 'duplicate' }]);
}

describe('documented commands', () => {
  it('the README and the Dockerfile name the commands tested here', () => {
    const readme = readFileSync(join(kRoot, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('node dist/main.js');
    expect(readFileSync(join(kRoot, 'Dockerfile'), 'utf8')).toContain('CMD ["node", "dist/main.js"]');
  });

  it('`npm start` builds and answers the README examples; SIGTERM to npm drains, exits 0, frees both ports', async () => {
    const r = await start('npm', ['start'], { ACME_POSTBACK_SECRET: 'acme-demo-secret' });
    await readmeExamples(r);
    await drainsOnSigterm(r);
  }, 150_000);

  it('`node dist/main.js` (the production command) drains on SIGTERM and exits 0', async () => {
    // The previous test built dist/; build only when this one runs alone.
    if (!existsSync(join(kRoot, 'dist', 'main.js')))
      execFileSync('npm', ['run', 'build'], { cwd: kRoot, stdio: 'ignore' });
    const r = await start(process.execPath, ['dist/main.js']);
    await drainsOnSigterm(r);
  }, 150_000);
});
