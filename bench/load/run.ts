/**
 * `npm run bench:load`: the load benchmark of the real bidder against the ceiling, in one run.
 *
 * Starts the ceiling (bench/ceiling/server.mjs: uWebSockets.js, read the body, JSON.parse, 204) and the
 * built bidder (node dist/main.js with the sample config, memory store by default), each in its own process
 * pinned to core 1 where `taskset` exists (this process, the load generator, on core 0). With autocannon (a
 * strict HTTP/1.1 client) rotating through the realistic corpus (bench/corpus/generate.ts), it measures:
 *   ceiling and bidder at saturation, alternately for `--rounds` rounds: throughput, the ratio, CPU µs per
 *     request (utime + stime from /proc/<pid>/stat over the phase ÷ answers) and per thread (/proc/<pid>/task);
 *   the bidder on the no-bid-shaped requests only: CPU µs per no-bid against the ceiling's;
 *   the bidder at 50% of its saturated rate: p50/p90/p99/p99.9/max and answers later than the corpus's
 *     smallest tmax;
 *   the bid share and the no-bid reasons (from the bidder's own /metrics).
 * It fails (exit 1, saying what and where) when any answer times out, errors, or has a status other than
 * 200 or 204, and when the bidder's counters do not add up to the answers the client saw.
 * Traffic goes to 127.0.0.1 only; every phase is bounded by `--duration`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { type CorpusRequest, describeCorpus, writeCorpus } from '../corpus/generate.js';
import { freePort } from '../../tests/helpers/redis.js';
import { ConsolePoller } from './console-poller.js';
import { shareRequestBuffers } from './shared-requests.js';
import { describeFailure, UsageError } from '../../tools/cli/command.js';
import { ProgressLine } from '../../tools/cli/progress.js';

shareRequestBuffers();

const root = new URL('../../', import.meta.url).pathname;

const kUsage = `usage: npm run bench:load -- [options]

  --duration <s>       seconds per measured phase (default 12)
  --warmup <s>         seconds of saturated load on each server before measuring (default 5: the JIT)
  --rounds <n>         ceiling/bidder saturation rounds, alternating (default 2)
  --connections <n>    connections at saturation (default 64; 16 at half load)
  --corpus-size <n>    requests in the corpus (default 5000)
  --seed <n>           corpus seed (default 1)
  --store <kind>       memory (default) or redis (REDIS_URL, own key prefix; known users' segments loaded)
  --scoring <mode>     override scoring.mode of the sample config (inline | auto | pool); default: as configured
  --threads <n>        override scoring.pool.threads
  --baseline <dir>     also run a second bidder from another build's dist/ (e.g. a worktree of an earlier
                       commit) and measure it in every round, alternating with this one: A/B by ratio
  --node-arg <flag>    extra node flag for the bidder (repeatable), e.g. --node-arg=--trace-gc
  --env <K=V>          extra environment for the bidder (repeatable)
  --perf               record the bidder with linux perf during the last saturated round (needs perf;
                       starts node with --perf-basic-prof); writes <out>/profiles/perf-*.txt
  --cpu-prof           node --cpu-prof of the bidder; profiles in <out>/profiles/
  --overload <s>       after half load, offer twice the saturated rate for this long (default 0: off) over 512
                       connections: every answer must come before its tmax (shedding), shed share reported
  --console-poll <ms>  a buyer with the console open: sign in on the ops port and fetch the overview and a
                       campaign page every <ms> during every other bidder round (rounds 2, 4, …; needs
                       --rounds ≥ 2); the summary compares the bidder's rounds with and without polling
  --skip-build         use the existing dist/
  --out <dir>          where the run's JSON (<date>.json) and profiles go (default bench/out, ignored by git;
                       bench/results holds the runs bench/RESULTS.md cites)
  --no-record          do not write <out>/<date>.json
  --quiet              no progress lines on stderr
  --help               this text

Prints the figures on stdout and one progress line per phase on stderr (share of the planned load time
done, elapsed, time left). Fails (exit 1) on any timeout, socket error, status other than 200/204, or
counters that do not add up; exit 2 on a bad option.`;

export interface BenchOptions {
  readonly duration: number;
  readonly warmup: number;
  readonly rounds: number;
  readonly connections: number;
  readonly corpusSize: number;
  readonly seed: number;
  readonly store: 'memory' | 'redis';
  readonly scoring: 'inline' | 'auto' | 'pool' | undefined;
  readonly threads: number | undefined;
  readonly nodeArgs: readonly string[];
  /** A dist/ directory of another build, measured in the same rounds. */
  readonly baseline: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly perf: boolean;
  /** Seconds at twice the saturated rate after the half-load phase (0: no overload phase). */
  readonly overload: number;
  readonly cpuProf: boolean;
  readonly build: boolean;
  readonly record: boolean;
  /** Console poll interval during every other bidder round, ms (0: no console). */
  readonly consolePoll: number;
  readonly out: string;
  readonly quiet: boolean;
}

function parseOptions(argv: readonly string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string', default: '12' },
      warmup: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '2' },
      connections: { type: 'string', default: '64' },
      'corpus-size': { type: 'string', default: '5000' },
      seed: { type: 'string', default: '1' },
      store: { type: 'string', default: 'memory' },
      scoring: { type: 'string' },
      threads: { type: 'string' },
      'node-arg': { type: 'string', multiple: true, default: [] },
      baseline: { type: 'string' },
      env: { type: 'string', multiple: true, default: [] },
      perf: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'skip-build': { type: 'boolean', default: false },
      overload: { type: 'string', default: '0' },
      'console-poll': { type: 'string', default: '0' },
      'no-record': { type: 'boolean', default: false },
      out: { type: 'string', default: join(root, 'bench', 'out') },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const num = (name: string, v: string, min: number, max: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be ${min}…${max}, got ${v}`);
    return n;
  };
  const store = values.store;
  if (store !== 'memory' && store !== 'redis') throw new UsageError(`--store must be memory or redis, got ${store}`);
  const scoring = values.scoring;
  if (scoring !== undefined && scoring !== 'inline' && scoring !== 'auto' && scoring !== 'pool')
    throw new UsageError(`--scoring must be inline, auto or pool, got ${scoring}`);
  const env: Record<string, string> = {};
  for (const kv of values.env) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env wants K=V, got ${kv}`);
    env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  if (Number(values['console-poll']) > 0 && Number(values.rounds) < 2)
    throw new UsageError('--console-poll compares rounds with and without a console: it needs --rounds 2 or more');
  return {
    duration: num('duration', values.duration, 1, 120),
    warmup: num('warmup', values.warmup, 0, 120),
    rounds: num('rounds', values.rounds, 1, 10),
    connections: num('connections', values.connections, 1, 1000),
    corpusSize: num('corpus-size', values['corpus-size'], 10, 1_000_000),
    seed: num('seed', values.seed, 0, 2 ** 31),
    store,
    scoring,
    threads: values.threads === undefined ? undefined : num('threads', values.threads, 0, 64),
    nodeArgs: values['node-arg'],
    baseline: values.baseline,
    env,
    perf: values.perf,
    cpuProf: values['cpu-prof'],
    build: !values['skip-build'],
    record: !values['no-record'],
    consolePoll: num('console-poll', values['console-poll'], 0, 60_000),
    out: values.out,
    quiet: values.quiet,
    overload: num('overload', values.overload, 0, 120),
  };
}

/** The console's sign-in token for the benchmark's bidder (ops port on 127.0.0.1 only). */
const kConsoleToken = 'bench-console-token';

/**
 * Polled rounds (2, 4, …) against quiet ones (1, 3, …), each as its ratio to the ceiling's round: the console's
 * cost on the bid path, net of the machine's drift between rounds.
 */
function consoleSummary(
  rounds: readonly {
    ceiling: { rps: number; cpuMicrosPerAnswer: number };
    bidder: { rps: number; cpuMicrosPerAnswer: number };
  }[],
  stats: { polls: number; errors: number; maxMs: number },
  intervalMs: number,
) {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const pick = (odd: boolean) => rounds.filter((_, i) => i % 2 === (odd ? 1 : 0));
  const tput = (rs: typeof rounds) => mean(rs.map((r) => r.bidder.rps / r.ceiling.rps));
  const cpu = (rs: typeof rounds) => mean(rs.map((r) => r.bidder.cpuMicrosPerAnswer / r.ceiling.cpuMicrosPerAnswer));
  const [polled, quiet] = [pick(true), pick(false)];
  return {
    intervalMs,
    polls: stats.polls,
    errors: stats.errors,
    slowestPageMs: stats.maxMs,
    throughputRatioPolled: Number(tput(polled).toFixed(3)),
    throughputRatioQuiet: Number(tput(quiet).toFixed(3)),
    cpuRatioPolled: Number(cpu(polled).toFixed(3)),
    cpuRatioQuiet: Number(cpu(quiet).toFixed(3)),
  };
}

/** A broken promise of the benchmark: an error, a timeout, a bad status, counters that disagree. */
class BenchFailure extends Error {}

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
const kClockTicks = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);

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
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new BenchFailure(`${url} did not come up in ${ms} ms`);
}

interface ThreadCpu {
  readonly tid: number;
  readonly name: string;
  readonly micros: number;
}

/** utime + stime of every thread of a process, in µs (/proc/<pid>/task/<tid>/stat fields 14 and 15). */
function threadCpu(pid: number): ThreadCpu[] {
  const out: ThreadCpu[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.push({ tid: Number(tid), name, micros: ((Number(f[11]) + Number(f[12])) * 1e6) / kClockTicks });
  }
  return out;
}

/** The process's own utime + stime (live threads and the ones that ended), µs. */
function processCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1e6) / kClockTicks;
}

/** Per-thread CPU over a phase, grouped: the main thread by itself, the others by name. */
function threadDelta(pid: number, before: readonly ThreadCpu[], after: readonly ThreadCpu[], answers: number) {
  const start = new Map(before.map((t) => [t.tid, t.micros]));
  const groups: Record<string, number> = {};
  for (const t of after) {
    const d = t.micros - (start.get(t.tid) ?? 0);
    const key = t.tid === pid ? 'main' : t.name;
    groups[key] = (groups[key] ?? 0) + d;
  }
  return Object.fromEntries(
    Object.entries(groups)
      .filter(([, v]) => v > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => [k, Number((v / Math.max(1, answers)).toFixed(2))]),
  );
}

function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? 0 : Number(m[1]) / 1024;
}

async function scrape(opsUrl: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await (await fetch(`${opsUrl}/metrics`)).text()).split('\n')) {
    const m = /^(peregrine_(?:bid_requests_total|no_bids_total|shed_total))\{([^}]*)\} (\S+)$/.exec(line);
    if (m === null) continue;
    const label = /(outcome|reason)="([^"]+)"/.exec(m[2]!);
    if (label === null) continue;
    const key = `${m[1]}:${label[2]}`;
    out.set(key, (out.get(key) ?? 0) + Number(m[3]));
  }
  return out;
}

interface LoadResult {
  readonly seconds: number;
  readonly rps: number;
  readonly answers: number;
  readonly statuses: Record<string, number>;
  readonly latency: { p50: number; p90: number; p99: number; p999: number; max: number };
  /** Answers later than `lateMs`. */
  readonly late: number;
}

/** Answers the load generator counts as failures; a phase with any of these fails the benchmark. */
function checkLoad(phase: string, r: autocannon.Result, statuses: Record<string, number>, rated: boolean): void {
  const problems: string[] = [];
  if (r.timeouts > 0) problems.push(`${r.timeouts} requests timed out (no answer within 2 s)`);
  if (r.errors - r.timeouts > 0) problems.push(`${r.errors - r.timeouts} socket errors`);
  if (r.mismatches > 0) problems.push(`${r.mismatches} body mismatches`);
  const bad = Object.entries(statuses).filter(([s]) => s !== '200' && s !== '204');
  if (bad.length > 0) problems.push(`unexpected statuses ${bad.map(([s, n]) => `${s}×${n}`).join(', ')}`);
  // A connection the server stopped answering (e.g. a framing error) leaves requests sent but unanswered.
  // (Under a rate autocannon counts a second's worth of requests per client as sent up front: no check there;
  // a stuck connection still shows as a timeout.)
  const unanswered = r.requests.sent - r.requests.total;
  if (!rated && unanswered > r.connections) problems.push(`${unanswered} requests sent but never answered`);
  if (r.requests.total === 0) problems.push('no answers at all');
  if (problems.length > 0) throw new BenchFailure(`${phase}: ${problems.join('; ')}`);
}

/**
 * This run's progress: planned seconds of load and how many are behind us. Module state because every phase
 * goes through `load`, and a benchmark process runs one benchmark.
 */
let plan: { readonly line: ProgressLine; done: number } | undefined;

async function load(
  phase: string,
  url: string,
  corpus: readonly CorpusRequest[],
  o: { connections: number; duration: number; rate?: number; lateMs: number },
): Promise<LoadResult> {
  const requests = corpus.map((q) => ({
    method: 'POST' as const,
    path: `/bid/${q.channel}`,
    body: q.body,
    headers: { 'content-type': 'application/json' },
  }));
  // Per-answer times from the 'response' event: autocannon's own histogram, under a rate, also counts the
  // time a request waited in its rate limiter, which is the generator's queue, not the server's latency.
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  plan?.line.update(plan.done, phase);
  const started = performance.now();
  const r = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: o.connections,
        duration: o.duration,
        method: 'POST',
        // Not `requests`: autocannon deep-clones its options once per connection (seconds for 64 × 5,000
        // requests, with the clients' timers running); each client is handed the shared list instead.
        setupClient: (client: { setRequests(r: typeof requests): void }) => client.setRequests(requests),
        pipelining: 1,
        timeout: 2,
        ...(o.rate === undefined ? {} : { overallRate: o.rate }),
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      times.push(responseTime);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
  const seconds = (performance.now() - started) / 1000;
  if (plan !== undefined) plan.done += o.duration;
  checkLoad(phase, r, statuses, o.rate !== undefined);
  times.sort((a, b) => a - b);
  const q = (p: number) =>
    times.length === 0 ? 0 : Number(times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(3));
  let late = 0;
  for (let i = times.length - 1; i >= 0 && times[i]! > o.lateMs; i--) late++;
  return {
    seconds,
    rps: r.requests.total / o.duration,
    answers: r.requests.total,
    statuses,
    latency: {
      p50: q(0.5),
      p90: q(0.9),
      p99: q(0.99),
      p999: q(0.999),
      max: times.length === 0 ? 0 : Number(times[times.length - 1]!.toFixed(3)),
    },
    late,
  };
}

/** A measured saturated phase of one server: throughput and CPU per answer, whole process and per thread. */
async function measured(
  phase: string,
  pid: number,
  url: string,
  corpus: readonly CorpusRequest[],
  o: BenchOptions,
  lateMs: number,
  during?: () => () => void,
) {
  const threads0 = threadCpu(pid);
  const cpu0 = processCpu(pid);
  const stop = during?.();
  const r = await load(phase, url, corpus, { connections: o.connections, duration: o.duration, lateMs });
  stop?.();
  const cpu1 = processCpu(pid);
  const threads1 = threadCpu(pid);
  return {
    rps: Math.round(r.rps),
    answers: r.answers,
    statuses: r.statuses,
    cpuMicrosPerAnswer: Number(((cpu1 - cpu0) / Math.max(1, r.answers)).toFixed(1)),
    /** Share of one core the process used over the phase. */
    coreShare: Number(((cpu1 - cpu0) / 1e6 / r.seconds).toFixed(2)),
    threadsMicrosPerAnswer: threadDelta(pid, threads0, threads1, r.answers),
    latency: r.latency,
  };
}

function prepareConfig(o: BenchOptions, dir: string, redisPrefix: string): string {
  const configDir = join(dir, 'config');
  cpSync(join(root, 'config'), configDir, { recursive: true });
  const yamlFile = join(configDir, 'bidder.yaml');
  let yaml = readFileSync(yamlFile, 'utf8');
  if (o.store === 'redis') yaml = yaml.replace('keyPrefix: "pg:"', `keyPrefix: "${redisPrefix}"`);
  if (o.scoring !== undefined || o.threads !== undefined) {
    yaml += '\nscoring:\n';
    if (o.scoring !== undefined) yaml += `  mode: ${o.scoring}\n`;
    if (o.threads !== undefined) yaml += `  pool: { threads: ${o.threads} }\n`;
  }
  writeFileSync(yamlFile, yaml);
  return configDir;
}

const kPerfHz = 999;

function perfRecord(pid: number, out: string): () => void {
  const p = spawn('perf', ['record', '-F', String(kPerfHz), '-g', '-p', String(pid), '-o', out], { stdio: 'ignore' });
  return () => {
    p.kill('SIGINT');
  };
}

/**
 * Where a server's CPU per answer goes, from a perf recording of one phase: samples per thread (main or
 * helper) and per DSO (kernel, node's own code = V8 runtime and builtins, JIT = our JavaScript, libc, uWS),
 * turned into µs per answer (samples ÷ rate ÷ answers).
 */
function perfBreakdown(data: string, mainTid: number, answers: number): Record<string, number> {
  const r = spawnSync(
    'perf',
    ['report', '-i', data, '--stdio', '--no-children', '-n', '--sort', 'pid,dso', '-g', 'none', '-q'],
    {
      maxBuffer: 1 << 26,
    },
  );
  const out: Record<string, number> = {};
  for (const line of r.stdout.toString().split('\n')) {
    const m = /^\s*[\d.]+%\s+(\d+)\s+(\d+):\S+\s+(.+?)\s*$/.exec(line);
    if (m === null) continue;
    const dso = m[3]!.startsWith('[JIT]') ? 'JIT (JavaScript)' : m[3]!;
    const key = `${Number(m[2]) === mainTid ? 'main' : 'helpers'} ${dso}`;
    out[key] = (out[key] ?? 0) + Number(m[1]);
  }
  return Object.fromEntries(
    Object.entries(out)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => [k, Number(((n / kPerfHz / Math.max(1, answers)) * 1e6).toFixed(2))]),
  );
}

function perfReport(data: string, out: string, breakdown: Record<string, number>): void {
  const bySym = spawnSync(
    'perf',
    ['report', '-i', data, '--stdio', '--no-children', '--sort', 'pid,dso,sym', '-g', 'none', '-q'],
    { maxBuffer: 1 << 26 },
  );
  const inclusive = spawnSync(
    'perf',
    ['report', '-i', data, '--stdio', '--children', '--sort', 'sym', '-g', 'none', '-q'],
    {
      maxBuffer: 1 << 26,
    },
  );
  writeFileSync(
    out,
    `# µs per answer by thread and DSO\n${JSON.stringify(breakdown, null, 2)}\n\n# perf report --sort pid,dso,sym (self, top 150)\n${bySym.stdout
      .toString()
      .split('\n')
      .slice(0, 150)
      .join('\n')}\n\n# perf report --children --sort sym (inclusive, JavaScript frames)\n${inclusive.stdout
      .toString()
      .split('\n')
      .filter((l) => l.includes('JS:'))
      .slice(0, 120)
      .join('\n')}\n`,
  );
}

export async function runBench(o: BenchOptions): Promise<Record<string, unknown>> {
  if (o.build) {
    const b = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new BenchFailure('npm run build failed');
  }
  const date = new Date().toISOString();
  const sides = o.baseline === undefined ? 2 : 3;
  const planned = o.warmup * sides + o.rounds * sides * o.duration + 2 * o.duration + o.overload;
  plan = { line: new ProgressLine('bench:load', planned, 's of load', { quiet: o.quiet, everyMs: 0 }), done: 0 };
  const work = join(root, 'bench', '.corpus', `r${o.corpusSize}-s${o.seed}`);
  const written = writeCorpus(work, { requests: o.corpusSize, seed: o.seed });
  const corpus = written.requests;
  const noBidShaped = corpus.filter((q) => q.shape !== 'bid');
  const lateMs = Math.min(...corpus.map((q) => (JSON.parse(q.body) as { tmax: number }).tmax));
  const redisPrefix = `pgbench:${process.pid}:`;
  const configDir = prepareConfig(o, work, redisPrefix);
  if (hasTaskset) spawnSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  const [ceilingPort, bidderPort, opsPort] = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const profileDir = join(o.out, 'profiles');
  try {
    const ceiling = startPinned([join(root, 'bench/ceiling/server.mjs'), String(ceilingPort)], {}, 1);
    children.push(ceiling);
    const ceilingUrl = `http://127.0.0.1:${ceilingPort}`;
    await waitHttp(`${ceilingUrl}/parsed`);

    const env: NodeJS.ProcessEnv = {
      CONFIG_DIR: configDir,
      PORT: String(bidderPort),
      OPS_PORT: String(opsPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PEREGRINE_NOTICE_KEY_1: 'bench-key-1',
      PEREGRINE_NOTICE_KEY_0: 'bench-key-0',
      REDIS_URL: o.store === 'redis' ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : '',
      // One bidder process, so /proc/<pid> is the process that serves (WORKERS > 1 runs a primary that serves
      // nothing: --env WORKERS=2 measures throughput, and the CPU figures then cover the primary only).
      WORKERS: '1',
      ...(o.consolePoll > 0 ? { PEREGRINE_ADMIN_TOKEN: kConsoleToken } : {}),
      ...o.env,
    };
    if (o.store === 'redis') {
      const l = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          'tools/segments-load.ts',
          written.segmentsFile,
          '--redis',
          env.REDIS_URL!,
          '--prefix',
          redisPrefix,
        ],
        { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
      );
      if (l.status !== 0) throw new BenchFailure('loading the known users’ segments into Redis failed');
    }
    if (o.cpuProf || o.perf) mkdirSync(profileDir, { recursive: true });
    const nodeArgs = [
      ...o.nodeArgs,
      ...(o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ...(o.perf ? ['--perf-basic-prof'] : []),
    ];
    const bidder = startPinned([...nodeArgs, 'dist/main.js'], env, 1);
    children.push(bidder);
    let bidderErr = '';
    let gcLines = 0;
    bidder.stderr!.on('data', (d: Buffer) => {
      if (bidderErr.length < 20_000) bidderErr += d.toString();
    });
    bidder.stdout!.on('data', (d: Buffer) => {
      // --trace-gc writes one line per collection to stdout; the logger writes JSON lines starting with '{'.
      for (const line of d.toString().split('\n')) if (/^\[\d+:0x[0-9a-f]+\]\s+\d+ ms: /.test(line)) gcLines++;
    });
    const opsUrl = `http://127.0.0.1:${opsPort}`;
    await waitHttp(`${opsUrl}/readyz`).catch((err: unknown) => {
      throw new BenchFailure(`${String(err)}\nbidder stderr:\n${bidderErr}`);
    });
    const bidderUrl = `http://127.0.0.1:${bidderPort}`;
    const poller = o.consolePoll > 0 ? new ConsolePoller(opsUrl, kConsoleToken, o.consolePoll) : undefined;
    await poller?.signIn();
    let base: { proc: ChildProcess; url: string } | undefined;
    if (o.baseline !== undefined) {
      const [p, q] = [await freePort(), await freePort()];
      const proc = startPinned([join(o.baseline, 'main.js')], { ...env, PORT: String(p), OPS_PORT: String(q) }, 1);
      children.push(proc);
      await waitHttp(`http://127.0.0.1:${q}/readyz`);
      base = { proc, url: `http://127.0.0.1:${p}` };
    }

    // Warm-up: the JIT, the pacing leases, the connections.
    if (o.warmup > 0) {
      await load('ceiling warm-up', ceilingUrl, corpus, { connections: o.connections, duration: o.warmup, lateMs });
      await load('bidder warm-up', bidderUrl, corpus, { connections: o.connections, duration: o.warmup, lateMs });
      if (base !== undefined)
        await load('baseline warm-up', base.url, corpus, { connections: o.connections, duration: o.warmup, lateMs });
    }

    type Phase = Awaited<ReturnType<typeof measured>>;
    const rounds: { ceiling: Phase; bidder: Phase; baseline?: Phase }[] = [];
    const before = await scrape(opsUrl);
    const gc0 = gcLines;
    const perfFiles = {
      ceiling: join(profileDir, `perf-${date.replace(/[:.]/g, '-')}-ceiling.data`),
      bidder: join(profileDir, `perf-${date.replace(/[:.]/g, '-')}-bidder.data`),
    };
    for (let i = 0; i < o.rounds; i++) {
      const last = o.perf && i === o.rounds - 1;
      const c = await measured(
        `ceiling, round ${i + 1}`,
        ceiling.pid!,
        ceilingUrl,
        corpus,
        o,
        lateMs,
        last ? () => perfRecord(ceiling.pid!, perfFiles.ceiling) : undefined,
      );
      const perfDuring = last ? () => perfRecord(bidder.pid!, perfFiles.bidder) : undefined;
      // With --console-poll, every other bidder round runs with the console being polled.
      const polled = poller !== undefined && i % 2 === 1;
      const during =
        perfDuring === undefined && !polled
          ? undefined
          : () => {
              const stopPerf = perfDuring?.();
              if (polled) poller.start();
              return () => {
                if (polled) poller.stop();
                stopPerf?.();
              };
            };
      // With a baseline, the order alternates so neither side always follows the ceiling.
      const baseline =
        base !== undefined && i % 2 === 0
          ? await measured(`baseline, round ${i + 1}`, base.proc.pid!, base.url, corpus, o, lateMs)
          : undefined;
      const b = await measured(`bidder, round ${i + 1}`, bidder.pid!, bidderUrl, corpus, o, lateMs, during);
      const baseline2 =
        base !== undefined && i % 2 === 1
          ? await measured(`baseline, round ${i + 1}`, base.proc.pid!, base.url, corpus, o, lateMs)
          : undefined;
      rounds.push({ ceiling: c, bidder: b, baseline: baseline ?? baseline2 });
    }
    const after = await scrape(opsUrl);
    const gcPerRound = (gcLines - gc0) / o.rounds;

    const noBid = await measured('bidder, no-bid-shaped requests', bidder.pid!, bidderUrl, noBidShaped, o, lateMs);
    const afterNoBid = await scrape(opsUrl);

    const meanBidderRps = rounds.reduce((s, r) => s + r.bidder.rps, 0) / rounds.length;
    const halfRate = Math.max(1, Math.round(meanBidderRps / 2));
    const half = await load('bidder at half load', bidderUrl, corpus, {
      connections: Math.min(16, o.connections),
      duration: o.duration,
      rate: halfRate,
      lateMs,
    });
    // Overload: twice what it served at saturation, over many connections so requests queue at the bidder
    // (as an exchange's many connections do), not in the load generator. Every answer must beat its tmax.
    let overload: { offeredRps: number; result: LoadResult; shed: number } | undefined;
    if (o.overload > 0) {
      const beforeOverload = await scrape(opsUrl);
      const offeredRps = Math.round(2 * meanBidderRps);
      const result = await load('bidder at 2× its saturated rate', bidderUrl, corpus, {
        connections: 512,
        duration: o.overload,
        rate: offeredRps,
        lateMs,
      });
      const afterOverload = await scrape(opsUrl);
      let shed = 0;
      for (const [k, v] of afterOverload)
        if (k.startsWith('peregrine_shed_total:')) shed += v - (beforeOverload.get(k) ?? 0);
      overload = { offeredRps, result, shed };
    }
    const rss = peakRssMb(bidder.pid!);
    bidder.kill('SIGTERM');
    const [code] = (await once(bidder, 'exit')) as [number | null];
    base?.proc.kill('SIGTERM');
    let perf: Record<string, Record<string, number>> | undefined;
    if (o.perf) {
      // perf writes its file after SIGINT: give it a moment.
      await new Promise((r) => setTimeout(r, 2000));
      const lastRound = rounds[rounds.length - 1]!;
      const c = perfBreakdown(perfFiles.ceiling, ceiling.pid!, lastRound.ceiling.answers);
      const b = perfBreakdown(perfFiles.bidder, bidder.pid!, lastRound.bidder.answers);
      perf = { ceiling: c, bidder: b };
      perfReport(perfFiles.ceiling, perfFiles.ceiling.replace(/\.data$/, '.txt'), c);
      perfReport(perfFiles.bidder, perfFiles.bidder.replace(/\.data$/, '.txt'), b);
    }

    // The bidder's own counters over the saturated rounds must account for every answer the client saw.
    const delta = (a: Map<string, number>, b: Map<string, number>, k: string) => (b.get(k) ?? 0) - (a.get(k) ?? 0);
    const bids = delta(before, after, 'peregrine_bid_requests_total:bid');
    const nobids = delta(before, after, 'peregrine_bid_requests_total:nobid');
    const seen200 = rounds.reduce((s, r) => s + (r.bidder.statuses['200'] ?? 0), 0);
    const seen204 = rounds.reduce((s, r) => s + (r.bidder.statuses['204'] ?? 0), 0);
    // Requests in flight when a phase ends are counted by the bidder but not seen by the client.
    const slack = o.connections * o.rounds;
    if (Math.abs(bids - seen200) > slack || Math.abs(nobids - seen204) > slack)
      throw new BenchFailure(
        `the bidder counted ${bids} bids and ${nobids} no-bids, the client saw ${seen200} × 200 and ${seen204} × 204`,
      );
    const reasons: Record<string, number> = {};
    for (const k of after.keys())
      if (k.startsWith('peregrine_no_bids_total:')) reasons[k.slice(24)] = delta(before, after, k);
    const noBidPhaseBids = delta(after, afterNoBid, 'peregrine_bid_requests_total:bid');
    const noBidPhaseAll = noBidPhaseBids + delta(after, afterNoBid, 'peregrine_bid_requests_total:nobid');

    const ratio = (f: (r: (typeof rounds)[number]) => number) => rounds.map((r) => Number(f(r).toFixed(3)));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const throughputRatios = ratio((r) => r.bidder.rps / r.ceiling.rps);
    const cpuRatios = ratio((r) => r.bidder.cpuMicrosPerAnswer / r.ceiling.cpuMicrosPerAnswer);
    const lastCeiling = rounds[rounds.length - 1]!.ceiling;
    const result = {
      date,
      node: process.version,
      pinned: hasTaskset,
      options: o,
      corpus: { ...describeCorpus(corpus), minTmaxMs: lateMs },
      rounds,
      summary: {
        ceilingRps: rounds.map((r) => r.ceiling.rps),
        bidderRps: rounds.map((r) => r.bidder.rps),
        throughputRatio: throughputRatios,
        throughputRatioMedian: median(throughputRatios),
        ceilingCpuMicros: rounds.map((r) => r.ceiling.cpuMicrosPerAnswer),
        bidderCpuMicros: rounds.map((r) => r.bidder.cpuMicrosPerAnswer),
        cpuRatio: cpuRatios,
        baselineCpuMicros: base === undefined ? undefined : rounds.map((r) => r.baseline!.cpuMicrosPerAnswer),
        cpuRatioToBaseline:
          base === undefined ? undefined : ratio((r) => r.bidder.cpuMicrosPerAnswer / r.baseline!.cpuMicrosPerAnswer),
        throughputRatioToBaseline: base === undefined ? undefined : ratio((r) => r.bidder.rps / r.baseline!.rps),
        bidShare: Number((bids / Math.max(1, bids + nobids)).toFixed(3)),
        noBidReasons: Object.fromEntries(
          Object.entries(reasons)
            .filter(([, v]) => v > 0)
            .sort((a, b) => b[1] - a[1])
            .map(([k, v]) => [k, Number((v / Math.max(1, bids + nobids)).toFixed(3))]),
        ),
        noBidCpuMicros: noBid.cpuMicrosPerAnswer,
        noBidCpuRatioToCeiling: Number((noBid.cpuMicrosPerAnswer / lastCeiling.cpuMicrosPerAnswer).toFixed(2)),
        noBidPhaseBidShare: Number((noBidPhaseBids / Math.max(1, noBidPhaseAll)).toFixed(3)),
        halfLoad: {
          offeredRps: halfRate,
          achievedRps: Math.round(half.rps),
          latencyMs: half.latency,
          laterThanMinTmax: half.late,
        },
        overload:
          overload === undefined
            ? undefined
            : {
                offeredRps: overload.offeredRps,
                achievedRps: Math.round(overload.result.rps),
                answers: overload.result.answers,
                latencyMs: overload.result.latency,
                laterThanMinTmax: overload.result.late,
                shed: overload.shed,
                shedShare: Number((overload.shed / Math.max(1, overload.result.answers)).toFixed(3)),
              },
        consolePoll: poller === undefined ? undefined : consoleSummary(rounds, poller.stats, o.consolePoll),
        gcPerRound: o.nodeArgs.includes('--trace-gc') ? gcPerRound : undefined,
        peakRssMb: Number(rss.toFixed(1)),
        exitCode: code,
      },
      noBidPhase: noBid,
      perfMicrosPerAnswer: perf,
      bidderStderr: bidderErr.slice(0, 4000),
    };
    if (o.record) {
      mkdirSync(o.out, { recursive: true });
      const file = join(o.out, `${date.replace(/[:.]/g, '-')}.json`);
      writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      process.stderr.write(`bench:load: figures written to ${file}\n`);
    }
    plan.line.finish();
    if (code !== 0) throw new BenchFailure(`the bidder exited with ${code} after SIGTERM:\n${bidderErr}`);
    return result;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (o.store === 'redis') await dropRedisKeys(redisPrefix).catch(() => undefined);
  }
}

/** Removes this run's own keys (and only those) from the shared Redis. */
async function dropRedisKeys(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

function report(r: Record<string, unknown>): string {
  const s = r.summary as {
    ceilingRps: number[];
    bidderRps: number[];
    throughputRatio: number[];
    ceilingCpuMicros: number[];
    bidderCpuMicros: number[];
    cpuRatio: number[];
    bidShare: number;
    noBidReasons: Record<string, number>;
    noBidCpuMicros: number;
    noBidCpuRatioToCeiling: number;
    halfLoad: { offeredRps: number; latencyMs: Record<string, number>; laterThanMinTmax: number };
    overload?: {
      offeredRps: number;
      achievedRps: number;
      latencyMs: Record<string, number>;
      laterThanMinTmax: number;
      shedShare: number;
    };
    peakRssMb: number;
    baselineCpuMicros?: number[];
    cpuRatioToBaseline?: number[];
    throughputRatioToBaseline?: number[];
    consolePoll?: ReturnType<typeof consoleSummary>;
  };
  const rounds = r.rounds as {
    ceiling: { threadsMicrosPerAnswer: object };
    bidder: { threadsMicrosPerAnswer: object };
  }[];
  const l = s.halfLoad.latencyMs;
  return [
    `ceiling rps ${s.ceilingRps.join(' / ')}, bidder rps ${s.bidderRps.join(' / ')}: ratio ${s.throughputRatio.join(' / ')} (target ≥ 0.5)`,
    `CPU µs per answer: ceiling ${s.ceilingCpuMicros.join(' / ')}, bidder ${s.bidderCpuMicros.join(' / ')} (×${s.cpuRatio.join(' / ×')}; target ≤ 25 µs)`,
    `  bidder per thread (µs/answer, last round): ${JSON.stringify(rounds[rounds.length - 1]!.bidder.threadsMicrosPerAnswer)}`,
    `  ceiling per thread (µs/answer, last round): ${JSON.stringify(rounds[rounds.length - 1]!.ceiling.threadsMicrosPerAnswer)}`,
    `no-bid-shaped requests only: ${s.noBidCpuMicros} µs per answer = ×${s.noBidCpuRatioToCeiling} the ceiling's (target ≤ 1.5)`,
    `half load (${s.halfLoad.offeredRps} rps offered): p50 ${l.p50} p90 ${l.p90} p99 ${l.p99} p99.9 ${l.p999} max ${l.max} ms (target p99 ≤ 2), ${s.halfLoad.laterThanMinTmax} answers later than the smallest tmax`,
    ...(s.consolePoll === undefined
      ? []
      : [
          `console polled every ${s.consolePoll.intervalMs} ms in rounds 2, 4, … (${s.consolePoll.polls} pages, ${s.consolePoll.errors} errors, slowest ${s.consolePoll.slowestPageMs} ms): bidder/ceiling throughput ${s.consolePoll.throughputRatioPolled} polled vs ${s.consolePoll.throughputRatioQuiet} quiet, CPU ratio ×${s.consolePoll.cpuRatioPolled} vs ×${s.consolePoll.cpuRatioQuiet}`,
        ]),
    ...(s.overload === undefined
      ? []
      : [
          `overload (${s.overload.offeredRps} rps offered, ${s.overload.achievedRps} answered/s): p99 ${s.overload.latencyMs.p99} max ${s.overload.latencyMs.max} ms, ${s.overload.laterThanMinTmax} answers later than the smallest tmax, shed share ${s.overload.shedShare}`,
        ]),
    `bid share ${s.bidShare}; no-bid reasons (share of requests): ${JSON.stringify(s.noBidReasons)}`,
    `peak RSS ${s.peakRssMb} MB`,
    ...(s.cpuRatioToBaseline === undefined
      ? []
      : [
          `baseline CPU µs per answer ${s.baselineCpuMicros!.join(' / ')}: bidder/baseline CPU ×${s.cpuRatioToBaseline.join(' / ×')}, throughput ×${s.throughputRatioToBaseline!.join(' / ×')}`,
        ]),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let o: BenchOptions | undefined;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    const { line, code } = describeFailure('bench:load', err);
    console.error(line);
    process.exit(code);
  }
  if (o === undefined) {
    console.log(kUsage);
    process.exit(0);
  }
  runBench(o).then(
    (r) => {
      const { bidderStderr, ...rest } = r as { bidderStderr: string };
      console.log(JSON.stringify(rest, null, 2));
      console.log(`\n${report(r)}`);
      if (bidderStderr) console.error(`bidder stderr:\n${bidderStderr}`);
    },
    (err: unknown) => {
      console.error(
        err instanceof BenchFailure
          ? `\nBENCHMARK FAILED: ${err.message}\n`
          : `\nBENCHMARK FAILED (could not run): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exit(1);
    },
  );
}
