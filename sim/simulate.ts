/**
 * `npm run sim:day [-- --scenario <name>] [options]` (`--help` lists them): one simulated day of the real bidder
 * components against the synthetic market, for each pacing configuration (ASAP, pace cap only, the ±10%/minute
 * throttle baseline, the adaptive controller; `--configs` runs a subset), printing the comparison table and the
 * simulator's speed, and writing <report-dir>/<scenario>-<store>[-<configs>][-<n>i].{md,html,json} (sim/out/
 * unless `--report-dir`, so a run never rewrites the committed reports in sim/reports/). Scenarios are
 * sim/scenarios/<name>.yaml; their `kind` says what runs: the pacing comparison (default), `shading` (shading
 * off vs on) or `mystique` (below). `--store redis` runs the instances against the Redis at REDIS_URL (default
 * 127.0.0.1:6379) under a key prefix of its own, deleted afterwards. Progress lines go to stderr.
 */
import { Redis } from 'ioredis';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { createRedisStore } from '../src/store/redis/index.js';
import { choiceOption, numberOption, parseCommand, runCommand, UsageError } from '../tools/cli/command.js';
import { ProgressLine } from '../tools/cli/progress.js';
import { buildReport, kConfigs, kStaticSplit, runScenario } from './compare.js';
import {
  constrainedCampaigns,
  type MystiqueMetrics,
  type MystiquePacing,
  mystiqueMetrics,
  parseMystiqueCsv,
  simulateMystique,
} from './mystique.js';
import { writeReport } from './report.js';
import { type DayResult, simulateDay } from './run-day.js';
import { loadScenario, loadShadingScenario, scenarioChannels, scenarioKind, shadingCampaigns } from './scenario.js';

const scenarioDir = new URL('./scenarios/', import.meta.url).pathname;
const scenarioNames = readdirSync(scenarioDir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  // The learning loop has its own command (sim:learning).
  .filter((name) => scenarioKind(join(scenarioDir, `${name}.yaml`)) !== 'learning')
  .sort();

const kUsage = `usage: npm run sim:day -- [options]

  --scenario <name>    sim/scenarios/<name>.yaml (default steady): ${scenarioNames.join(', ')}
  --seed <n>           the market's seed (default: the scenario's)
  --rpm <n>            requests per minute per channel (default: the scenario's)
  --instances <n>      bidder instances sharing the store (default: the scenario's)
  --configs <list>     pacing configurations to run, comma-separated: ${[...kConfigs, kStaticSplit].map((c) => c.key).join(',')}
                       (default: all four, plus the static split when the scenario floats budget)
  --store <kind>       memory (default) or redis (REDIS_URL, a key prefix of its own, deleted afterwards)
  --split <ch=f,…>     every generated campaign's base split, e.g. alpha=0.3,beta=0.7 (with --configs static: a
                       fixed split, the sweep that bounds what the floating pool can buy)
  --finish-early <s>   override the bidder's pacing.finishEarly, seconds (A/B runs)
  --days <n>           mystique scenario: days to simulate (default: the scenario's)
  --only ours          mystique scenario: run no pacing (it defines the constrained set) and ours only
  --report-dir <dir>   where reports go (default sim/out; sim/reports holds the committed ones)
  --quiet              no progress lines on stderr
  --help               this text

Prints the comparison table and the speed on stdout; progress (share done, elapsed, time left) on stderr.`;

const options = {
  scenario: { type: 'string', default: 'steady' },
  seed: { type: 'string' },
  rpm: { type: 'string' },
  instances: { type: 'string' },
  configs: { type: 'string' },
  store: { type: 'string', default: 'memory' },
  days: { type: 'string' },
  only: { type: 'string', default: 'all' },
  'report-dir': { type: 'string' },
  split: { type: 'string' },
  'finish-early': { type: 'string' },
  quiet: { type: 'boolean', default: false },
} as const;

type Values = NonNullable<ReturnType<typeof parseCommand<typeof options>>>['values'];

await runCommand('sim:day', async () => {
  const parsed = parseCommand(kUsage, options, process.argv.slice(2));
  if (parsed === undefined) return 0;
  await simulate(parsed.values);
  return 0;
});

/** The option, when given, as a number in range; else the scenario's value. */
function numberOr(v: string | undefined, name: string, dflt: number, min: number, max: number): number {
  return v === undefined ? dflt : numberOption(name, v, { min, max, integer: true });
}

async function simulate(v: Values): Promise<void> {
  const scenario = v.scenario;
  if (!scenarioNames.includes(scenario))
    throw new UsageError(`--scenario: no sim/scenarios/${scenario}.yaml (there are ${scenarioNames.join(', ')})`);
  const reportDir = resolve(v['report-dir'] ?? new URL('./out', import.meta.url).pathname);
  const quiet = v.quiet;
  const modelsDir = new URL('../config/models', import.meta.url).pathname;
  const scenarioFile = join(scenarioDir, `${scenario}.yaml`);
  const results: Record<string, DayResult> = {};
  const kind = scenarioKind(scenarioFile);
  if (kind === 'shading') {
    // The same day with shading off, then on (campaigns and market from the file; `--rpm`, `--seed` override).
    const sc = loadShadingScenario(scenarioFile);
    const rpm = numberOr(v.rpm, 'rpm', sc.requestsPerMinute, 1, 1e6);
    const seed = numberOr(v.seed, 'seed', sc.seed, 0, 2 ** 31);
    const channels = scenarioChannels({ channels: sc.channels, requestsPerMinute: rpm });
    const progress = new ProgressLine(`sim:day ${scenario}`, 2 * 1440, 'simulated minutes', { quiet });
    for (const [run, shading] of [false, true].entries())
      results[shading ? 'shaded' : 'unshaded'] = await simulateDay({
        campaigns: shadingCampaigns(sc, shading),
        channels,
        seed,
        modelsDir,
        onMinute: (m) => progress.update(run * 1440 + m, shading ? 'shaded' : 'unshaded'),
      });
    progress.finish();
    printShading(results);
  } else if (kind === 'mystique') {
    await runMystique(scenarioFile, v, reportDir);
  } else {
    const sc = loadScenario(scenarioFile);
    const s = {
      ...sc,
      seed: numberOr(v.seed, 'seed', sc.seed, 0, 2 ** 31),
      requestsPerMinute: numberOr(v.rpm, 'rpm', sc.requestsPerMinute, 1, 1e6),
      instances: numberOr(v.instances, 'instances', sc.instances, 1, 64),
      ...(v['finish-early'] === undefined
        ? {}
        : { finishEarly: numberOption('finish-early', v['finish-early'], { min: 0, max: 86_400 }) }),
      ...(v.split === undefined ? {} : { shares: parseSplit(v.split) }),
    };
    if (s.kill !== undefined && s.kill.instance >= s.instances)
      throw new UsageError(`--instances: the scenario kills instance ${s.kill.instance}, so it needs more than that`);
    const selectable = [...kConfigs, kStaticSplit];
    const configKeys = v.configs?.split(',');
    const configs = configKeys === undefined ? kConfigs : selectable.filter((c) => configKeys.includes(c.key));
    if (configKeys !== undefined && configs.length !== configKeys.length)
      throw new UsageError(`--configs: expected a comma-separated subset of ${selectable.map((c) => c.key).join(',')}`);
    const storeKind = choiceOption('store', v.store, ['memory', 'redis'] as const);
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const prefix = `pgsim:${process.pid}:`;
    const store =
      storeKind === 'redis'
        ? async () => {
            const st = await createRedisStore({ url, keyPrefix: prefix, instanceId: 'sim', idCacheSize: 0 });
            return { store: st, close: () => st.close() };
          }
        : undefined;
    const runCount = s.budget.floating > 0 && configs === kConfigs ? kConfigs.length + 1 : configs.length;
    const progress = new ProgressLine(`sim:day ${scenario}`, runCount * 1440, 'simulated minutes', { quiet });
    const { metrics, results: runs } = await runScenario(s, modelsDir, store, configs, (run, label, minute) =>
      progress.update(run * 1440 + minute, label),
    );
    progress.finish();
    if (storeKind === 'redis') {
      // Only this run's keys: the prefix is unique to this process.
      const r = new Redis(url);
      for await (const keys of r.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>)
        if (keys.length > 0) await r.del(...keys);
      r.disconnect();
    }
    const subset = configs.length === kConfigs.length ? '' : ` --configs ${configs.map((c) => c.key).join(',')}`;
    const split =
      (v.split === undefined ? '' : ` --split ${v.split}`) +
      (v['finish-early'] === undefined ? '' : ` --finish-early ${v['finish-early']}`);
    const command = `npm run sim:day -- --scenario ${scenario} --store ${storeKind} --seed ${s.seed} --rpm ${s.requestsPerMinute} --instances ${s.instances}${subset}${split}`;
    const report = buildReport(s, command, metrics, runs);
    console.log(`${s.name}: ${s.description} (${s.instances} instances, ${storeKind} store, seed ${s.seed})`);
    console.table(
      report.comparison.rows.map((row) => Object.fromEntries(report.comparison.columns.map((c, i) => [c, row[i]]))),
    );
    for (const m of metrics)
      console.log(
        `speed: ${m.label}: ${m.requests} requests in ${m.wallSeconds.toFixed(1)} s wall, ${Math.round(m.requests / m.wallSeconds)} requests/s`,
      );
    const suffix = `${subset === '' ? '' : `-${configs.map((c) => c.key).join('-')}`}${s.instances === sc.instances ? '' : `-${s.instances}i`}${split.replace(/[^\w.]+/g, '-')}`;
    const out = writeReport(reportDir, `${scenario}-${storeKind}${suffix}`, report);
    console.log(`report: ${out.md}, ${out.html}, ${out.json}`);
  }
}

/** `alpha=0.3,beta=0.7` → { alpha: 0.3, beta: 0.7 }. */
function parseSplit(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kv of text.split(',')) {
    const [ch, f] = kv.split('=');
    const share = Number(f);
    if (ch === undefined || ch === '' || f === undefined || !Number.isFinite(share) || share < 0 || share > 1)
      throw new UsageError(`--split: expected channel=share pairs like alpha=0.3,beta=0.7, got '${kv}'`);
    out[ch] = share;
  }
  return out;
}

function printShading(results: Record<string, DayResult>): void {
  const fmt = (x: number, d = 3) => x.toFixed(d);
  for (const [name, r] of Object.entries(results)) {
    const wins = r.campaigns.reduce((s2, c) => s2 + c.impressions, 0);
    const spent = r.campaigns.reduce((s2, c) => s2 + c.spend, 0);
    console.log(
      `${name}: ${r.requests} requests, ${r.bids} bids, wins ${wins}, spend ${fmt(spent, 2)}, average paid CPM ${fmt((1000 * spent) / Math.max(1, wins), 3)}`,
    );
  }
}

/**
 * The external anchor: Yahoo's default scenario, 7 days, our controllers beside their published baselines.
 * `--scenario mystique-default [--seed N] [--days N] [--only ours]`.
 */
async function runMystique(file: string, v: Values, reportDir: string): Promise<void> {
  const sc = parse(readFileSync(file, 'utf8')) as {
    campaigns: string;
    days: number;
    seed: number;
    adaptive: { intervalSeconds: number; leadSeconds: number; controlTauSeconds: number; horizonSeconds: number };
  };
  const csv = resolve(dirname(file), '..', '..', sc.campaigns);
  const campaigns = parseMystiqueCsv(readFileSync(csv, 'utf8'));
  const budgets = campaigns.map((c) => c.dailyBudget);
  const days = numberOr(v.days, 'days', sc.days, 1, 365);
  const seed = numberOr(v.seed, 'seed', sc.seed, 0, 2 ** 31);
  const a = sc.adaptive;
  const adaptive = (minMultiplier: number): MystiquePacing => ({
    kind: 'adaptive',
    minMultiplier,
    intervalMs: a.intervalSeconds * 1000,
    leadMs: a.leadSeconds * 1000,
    controlTauMs: a.controlTauSeconds * 1000,
    horizonMs: a.horizonSeconds * 1000,
  });
  // `--only ours` while iterating: the no-pacing run is still needed, it defines the constrained campaigns.
  const only = choiceOption('only', v.only, ['all', 'ours'] as const);
  const progress = new ProgressLine('sim:day mystique-default', (only === 'ours' ? 2 : 4) * days, 'simulated days', {
    quiet: v.quiet,
    everyMs: 0,
  });
  progress.update(0, 'no pacing');
  const none = simulateMystique({ campaigns, days, seed, pacing: { kind: 'none' } });
  const constrained = constrainedCampaigns(none, budgets);
  const rows: MystiqueMetrics[] = [mystiqueMetrics('no pacing', none, budgets, constrained)];
  const all: [string, MystiquePacing][] = [
    ['±10%/min throttle', { kind: 'step', intervalMs: 60_000 }],
    ['adaptive, throttle below 0.3', adaptive(0.3)],
    ['adaptive, multiplier only (ours)', adaptive(0.001)],
  ];
  const runs = only === 'ours' ? all.slice(-1) : all;
  for (const [label, pacing] of runs) {
    progress.update(rows.length * days, `${label} (runs one after another)`);
    rows.push(mystiqueMetrics(label, simulateMystique({ campaigns, days, seed, pacing }), budgets, constrained));
  }
  progress.finish();
  console.log(
    `mystique-default: ${days} days, seed ${seed}, ${none.auctions} auctions per run, ${constrained.length} constrained campaigns`,
  );
  console.table(
    rows.map((m) => ({
      pacing: m.label,
      alive: m.alive.toFixed(3),
      utilisation: m.utilisation.toFixed(4),
      'RMSE vs linear': m.rmse.toFixed(4),
      'hourly CV': m.hourlyCv.toFixed(3),
      'CPM $': m.cpm.toFixed(2),
      'overspend $': m.overspend.toFixed(2),
      'impressions M': m.impressionsM.toFixed(3),
      'wall s': m.wallSeconds.toFixed(1),
    })),
  );
  mkdirSync(reportDir, { recursive: true });
  const out = join(reportDir, `mystique-default-seed${seed}.json`);
  writeFileSync(out, `${JSON.stringify({ days, seed, constrained: constrained.length, rows }, null, 2)}\n`);
  console.log(`report: ${out}`);
}
