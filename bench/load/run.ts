/**
 * `npm run bench`: the load benchmark. Starts the ceiling server (uWebSockets.js + JSON.parse + 204) and the
 * built bidder, each in its own process pinned to core 1 where `taskset` exists (this process, the load
 * generator, on core 0), drives each with autocannon rotating through the same corpus, and reports:
 *   saturated throughput of both and their ratio; latency p50/p90/p99/p99.9 at 50% of the bidder's
 *   saturated rate and the share over a 10 ms tmax; bidder CPU µs per request (/proc utime+stime) and peak
 *   RSS; bid rate and no-bid reasons from its /metrics, so a run that no-bids everything cannot pass as fast.
 * Options: --store memory|redis  --campaigns 1000  --duration 10  --connections 64  --corpus-size 5000
 *          --seed 1  --profile (writes a --cpu-prof of the bidder under load)  --skip-build  --quiet
 *          --console-poll 1000 (a signed-in console polls the overview and a campaign page every N ms throughout)
 * Writes bench/results/<date>.json and appends a row to bench/RESULTS.md. Traffic stays on 127.0.0.1.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { openrtb } from '../../src/openrtb/proto/generated/openrtb.js';
import { jsonToProtoRequest } from '../../tests/helpers/proto.js';
import { writeCorpus } from '../corpus/generate.js';
import { freePort } from '../../tests/helpers/redis.js';

const root = new URL('../../', import.meta.url).pathname;

export interface BenchOptions {
  readonly store: 'memory' | 'redis';
  readonly campaigns: number;
  readonly duration: number;
  readonly connections: number;
  readonly corpusSize: number;
  readonly seed: number;
  readonly profile: boolean;
  readonly build: boolean;
  readonly record: boolean;
  /** Scoring mode for the bidder (`scoring.mode` in bidder.yaml); `inline` also starts no worker pool. */
  readonly scoring: 'inline' | 'auto' | 'pool';
  /** Send the corpus as JSON or as OpenRTB protobuf (application/octet-stream). */
  readonly format: 'json' | 'protobuf';
  /** Poll the console's overview and one campaign page every this many ms during the run (0: no console). */
  readonly consolePollMs: number;
}

function parseArgs(argv: readonly string[]): BenchOptions {
  const get = (name: string, dflt: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') ? argv[i + 1]! : dflt;
  };
  return {
    store: get('store', 'memory') === 'redis' ? 'redis' : 'memory',
    campaigns: Number(get('campaigns', '1000')),
    duration: Number(get('duration', '10')),
    connections: Number(get('connections', '64')),
    corpusSize: Number(get('corpus-size', '5000')),
    seed: Number(get('seed', '1')),
    profile: argv.includes('--profile'),
    build: !argv.includes('--skip-build'),
    record: !argv.includes('--no-record'),
    scoring: ((m) => (m === 'auto' || m === 'pool' ? m : 'inline'))(get('scoring', 'inline')),
    format: get('format', 'json') === 'protobuf' ? 'protobuf' : 'json',
    consolePollMs: Number(get('console-poll', '0')),
  };
}

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

function startPinned(args: string[], env: NodeJS.ProcessEnv, core: number): ChildProcess {
  const [cmd, rest] = hasTaskset
    ? ['taskset', ['-c', String(core), process.execPath, ...args]]
    : [process.execPath, args];
  return spawn(cmd, rest, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function waitHttp(url: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const r = await fetch(url, {
        method: url.includes('/bid/') ? 'POST' : 'GET',
        body: url.includes('/bid/') ? '{}' : undefined,
      });
      if (r.status < 500) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

/** utime + stime of a process in microseconds (/proc/<pid>/stat fields 14 and 15, in clock ticks). */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const hz = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim() || 100);
  return (ticks * 1e6) / hz;
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? 0 : Number(m[1]) / 1024;
}

async function scrape(opsUrl: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await (await fetch(`${opsUrl}/metrics`)).text()).split('\n')) {
    const m = /^(peregrine_(?:bid_requests_total|no_bids_total))\{([^}]*)\} (\S+)$/.exec(line);
    if (m === null) continue;
    const label = /(outcome|reason)="([^"]+)"/.exec(m[2]!);
    if (label === null) continue;
    const key = `${m[1]}:${label[2]}`;
    out.set(key, (out.get(key) ?? 0) + Number(m[3]));
  }
  return out;
}

interface LoadResult {
  readonly rps: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly latency: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly p999: number;
    readonly max: number;
  };
  readonly over10ms: number;
}

type Body = string | Buffer;

function contentType(body: Body): string {
  return typeof body === 'string' ? 'application/json' : 'application/octet-stream';
}

async function load(
  url: string,
  bodies: readonly Body[],
  connections: number,
  duration: number,
  overallRate?: number,
): Promise<LoadResult> {
  const requests = bodies.map((body) => ({
    method: 'POST' as const,
    path: '/bid/ssp-alpha',
    body,
    headers: { 'content-type': contentType(body) },
  }));
  // Per-response times from autocannon's 'response' event: its own histogram, under overallRate, also counts
  // time a request waited in the rate limiter, which is the generator's queue, not the bidder's latency.
  const times: number[] = [];
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration, requests, pipelining: 1, ...(overallRate === undefined ? {} : { overallRate }) },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      times.push(responseTime);
    });
  });
  const total = r.requests.total;
  times.sort((a, b) => a - b);
  const q = (p: number) =>
    times.length === 0 ? 0 : Number(times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(3));
  const over = times.length - lowerBound(times, 10.000001);
  return {
    rps: total / duration,
    requests: total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    latency: {
      p50: q(0.5),
      p90: q(0.9),
      p99: q(0.99),
      p999: q(0.999),
      max: times.length === 0 ? 0 : times[times.length - 1]!,
    },
    over10ms: times.length === 0 ? 0 : over / times.length,
  };
}

function toProtobuf(json: string): Buffer {
  return Buffer.from(
    openrtb.BidRequest.encode(jsonToProtoRequest(JSON.parse(json) as Record<string, unknown>)).finish(),
  );
}

function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export async function runBench(o: BenchOptions): Promise<Record<string, unknown>> {
  if (o.build) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  const corpusDir = join(root, 'bench', '.corpus', `c${o.campaigns}-r${o.corpusSize}-s${o.seed}`);
  const corpus = writeCorpus(corpusDir, { campaigns: o.campaigns, requests: o.corpusSize, seed: o.seed });
  const bidderYaml = join(corpus.configDir, 'bidder.yaml');
  const threads = o.scoring === 'inline' ? 0 : 1;
  writeFileSync(
    bidderYaml,
    `${readFileSync(bidderYaml, 'utf8')}\nscoring:\n  mode: ${o.scoring}\n  pool: { threads: ${threads} }\n`,
  );
  if (hasTaskset) spawnSync('taskset', ['-p', '-c', '0', String(process.pid)]);
  const [ceilingPort, bidderPort, opsPort] = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  try {
    const ceiling = startPinned([join(root, 'bench/ceiling/server.mjs'), String(ceilingPort)], {}, 1);
    children.push(ceiling);
    await waitHttp(`http://127.0.0.1:${ceilingPort}/parsed`);
    const ceilingUrl = `http://127.0.0.1:${ceilingPort}`;
    await load(ceilingUrl, corpus.requests, o.connections, Math.min(2, o.duration));
    const ceilingSat = await load(ceilingUrl, corpus.requests, o.connections, o.duration);
    ceiling.kill('SIGTERM');

    const env: NodeJS.ProcessEnv = {
      CONFIG_DIR: corpus.configDir,
      PORT: String(bidderPort),
      OPS_PORT: String(opsPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PEREGRINE_NOTICE_KEY_1: 'bench',
      PEREGRINE_NOTICE_KEY_0: 'bench0',
      PEREGRINE_ADMIN_TOKEN: 'bench-admin',
    };
    if (o.store === 'redis') env.REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    else env.REDIS_URL = '';
    if (o.store === 'redis') {
      const l = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'scripts/segments-load.ts',
          corpus.segmentsFile,
          '--redis',
          env.REDIS_URL!,
          '--prefix',
          'pgbench:',
        ],
        { cwd: root, stdio: 'inherit' },
      );
      if (l.status !== 0) throw new Error('segment load failed');
    }
    const profileDir = join(root, 'bench', 'results', 'profiles');
    if (o.profile) mkdirSync(profileDir, { recursive: true });
    const bidder = startPinned(
      [...(o.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), 'dist/main.js'],
      env,
      1,
    );
    children.push(bidder);
    let bidderLog = '';
    bidder.stderr!.on('data', (d: Buffer) => (bidderLog += d.toString()));
    await waitHttp(`http://127.0.0.1:${opsPort}/readyz`).catch((err: unknown) => {
      throw new Error(`${String(err)}\nbidder stderr:\n${bidderLog}`);
    });
    const bidderUrl = `http://127.0.0.1:${bidderPort}`;
    const poller = o.consolePollMs > 0 ? await pollConsole(`http://127.0.0.1:${opsPort}`, o.consolePollMs) : undefined;
    const bodies: readonly Body[] = o.format === 'protobuf' ? corpus.requests.map(toProtobuf) : corpus.requests;
    await load(bidderUrl, bodies, o.connections, Math.min(2, o.duration));
    const before = await scrape(`http://127.0.0.1:${opsPort}`);
    const cpu0 = cpuMicros(bidder.pid!);
    const bidderSat = await load(bidderUrl, bodies, o.connections, o.duration);
    const cpu1 = cpuMicros(bidder.pid!);
    const after = await scrape(`http://127.0.0.1:${opsPort}`);
    // Fixed offered load: fewer connections, so autocannon's rate limiter, not its queue, sets the pace.
    const half = await load(
      bidderUrl,
      bodies,
      Math.min(16, o.connections),
      o.duration,
      Math.max(1, Math.round(bidderSat.rps / 2)),
    );
    const rss = peakRssMb(bidder.pid!);
    const consolePolls = poller?.stop();
    bidder.kill('SIGTERM');
    const [code] = (await once(bidder, 'exit')) as [number | null];

    const delta = (k: string) => (after.get(k) ?? 0) - (before.get(k) ?? 0);
    const bids = delta('peregrine_bid_requests_total:bid');
    const nobids = delta('peregrine_bid_requests_total:nobid');
    const reasons: Record<string, number> = {};
    for (const k of after.keys()) if (k.startsWith('peregrine_no_bids_total:')) reasons[k.slice(24)] = delta(k);
    const result = {
      date: new Date().toISOString(),
      node: process.version,
      pinned: hasTaskset,
      options: o,
      corpus: {
        requests: corpus.requests.length,
        medianBytes: corpus.requests.map((x) => x.length).sort((a, b) => a - b)[corpus.requests.length >> 1],
      },
      ceiling: { rps: Math.round(ceilingSat.rps), latency: ceilingSat.latency },
      bidder: {
        rps: Math.round(bidderSat.rps),
        ratioToCeiling: Number((bidderSat.rps / ceilingSat.rps).toFixed(3)),
        non2xx: bidderSat.non2xx,
        errors: bidderSat.errors + bidderSat.timeouts,
        cpuMicrosPerRequest: Number(((cpu1 - cpu0) / Math.max(1, bidderSat.requests)).toFixed(1)),
        peakRssMb: Number(rss.toFixed(1)),
        bidRate: Number((bids / Math.max(1, bids + nobids)).toFixed(3)),
        noBidReasons: Object.fromEntries(
          Object.entries(reasons)
            .filter(([, v]) => v > 0)
            .sort((a, b) => b[1] - a[1]),
        ),
        exitCode: code,
      },
      halfLoad: {
        offeredRps: Math.round(bidderSat.rps / 2),
        achievedRps: Math.round(half.rps),
        latencyMs: half.latency,
        over10msShare: half.over10ms,
        non2xx: half.non2xx,
        errors: half.errors + half.timeouts,
      },
      console: consolePolls,
      bidderStderr: bidderLog.slice(0, 2000),
    };
    if (o.record) record(result);
    return result;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  }
}

/**
 * A media buyer with the console open: signs in, then fetches the overview and one campaign page every
 * `everyMs` (the page itself polls every 15 s; this is harsher). Returns how many pages were served.
 */
async function pollConsole(opsUrl: string, everyMs: number): Promise<{ stop(): { pages: number; failed: number } }> {
  const signIn = await fetch(`${opsUrl}/console/api/session`, {
    method: 'POST',
    body: JSON.stringify({ token: 'bench-admin', name: 'bench' }),
  });
  if (signIn.status !== 200) throw new Error(`console sign-in failed: ${signIn.status}`);
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  const overview = (await (await fetch(`${opsUrl}/console/api/overview`, { headers: { cookie } })).json()) as {
    campaigns: { id: string }[];
  };
  const campaign = overview.campaigns[0]?.id ?? '';
  let pages = 0;
  let failed = 0;
  const get = (path: string) =>
    fetch(`${opsUrl}${path}`, { headers: { cookie } }).then(
      async (r) => {
        await r.arrayBuffer();
        if (r.ok) pages++;
        else failed++;
      },
      () => failed++,
    );
  const timer = setInterval(() => {
    void get('/console/api/overview');
    void get(`/console/api/campaigns/${encodeURIComponent(campaign)}`);
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return { pages, failed };
    },
  };
}

function record(result: Record<string, unknown> & { date: string }): void {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.date.replace(/[:.]/g, '-')}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const r = result as unknown as {
    options: BenchOptions;
    ceiling: { rps: number };
    bidder: { rps: number; ratioToCeiling: number; cpuMicrosPerRequest: number; peakRssMb: number; bidRate: number };
    halfLoad: {
      offeredRps: number;
      latencyMs: { p50: number; p90: number; p99: number; p999: number };
      over10msShare: number;
    };
  };
  const file = join(root, 'bench', 'RESULTS.md');
  const header =
    '\n| date | store | format | campaigns | ceiling rps | bidder rps | ratio | p50/p90/p99/p99.9 ms at 50% | >10 ms | CPU µs/req | peak RSS MB | bid rate |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n';
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const marker = '<!-- load-results -->';
  const row = `| ${result.date.slice(0, 16)} | ${r.options.store} | ${r.options.format} | ${r.options.campaigns} | ${r.ceiling.rps} | ${r.bidder.rps} | ${r.bidder.ratioToCeiling} | ${r.halfLoad.latencyMs.p50}/${r.halfLoad.latencyMs.p90}/${r.halfLoad.latencyMs.p99}/${r.halfLoad.latencyMs.p999} | ${(r.halfLoad.over10msShare * 100).toFixed(3)}% | ${r.bidder.cpuMicrosPerRequest} | ${r.bidder.peakRssMb} | ${r.bidder.bidRate} |\n`;
  if (!text.includes(marker))
    appendFileSync(file, `\n## Load benchmark runs (npm run bench)\n${marker}${header}${row}`);
  else writeFileSync(file, text.replace(`${marker}${header}`, `${marker}${header}${row}`));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = parseArgs(process.argv.slice(2));
  runBench(o).then(
    (r) => {
      const { bidderStderr, ...rest } = r as { bidderStderr: string };
      console.log(JSON.stringify(rest, null, 2));
      if (bidderStderr) console.error(`bidder stderr:\n${bidderStderr}`);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
