/**
 * `npm run sim:day [-- --scenario steady|step|budget-raise|instance-kill|channel-roi|full-day|shading|mystique-default]
 * [--store memory|redis] [--seed N] [--rpm N] [--instances N] [--configs asap,cap,step,adaptive,static]
 * [--split alpha=0.3,beta=0.7] [--finish-early SECONDS]`: one
 * simulated day of the real bidder components against the synthetic market, for each pacing configuration
 * (ASAP, pace cap only, the ±10%/minute throttle baseline, the adaptive controller; `--configs` runs a
 * subset), printing the comparison table and the simulator's speed, and writing
 * sim/reports/<scenario>-<store>[-<configs>][-<n>i].{md,html,json}. Scenarios are sim/scenarios/<name>.yaml; their
 * `kind` says what runs: the pacing comparison (default), `shading` (shading off vs on) or `mystique` (below).
 * `--store redis` runs the instances against the Redis at REDIS_URL (default 127.0.0.1:6379) under a key
 * prefix of its own, deleted afterwards. `--split` sets every generated campaign's base split (with
 * `--configs static`: a fixed split, the sweep that bounds what the floating pool can buy); `--finish-early`
 * overrides the bidder's `pacing.finishEarly` (A/B runs).
 */
import { Redis } from 'ioredis';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { createRedisStore } from '../src/store/redis/index.js';
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

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const scenario = arg('scenario', 'steady');
const modelsDir = new URL('../config/models', import.meta.url).pathname;
const scenarioFile = new URL(`./scenarios/${scenario}.yaml`, import.meta.url).pathname;
const results: Record<string, DayResult> = {};
const kind = scenarioKind(scenarioFile);
if (kind === 'shading') {
  // The same day with shading off, then on (campaigns and market from the file; `--rpm`, `--seed` override).
  const sc = loadShadingScenario(scenarioFile);
  const rpm = Number(arg('rpm', String(sc.requestsPerMinute)));
  const seed = Number(arg('seed', String(sc.seed)));
  const channels = scenarioChannels({ channels: sc.channels, requestsPerMinute: rpm });
  for (const shading of [false, true])
    results[shading ? 'shaded' : 'unshaded'] = await simulateDay({
      campaigns: shadingCampaigns(sc, shading),
      channels,
      seed,
      modelsDir,
    });
  printShading(results);
} else if (kind === 'mystique') {
  await runMystique(scenarioFile);
} else {
  const sc = loadScenario(scenarioFile);
  const s = {
    ...sc,
    seed: Number(arg('seed', String(sc.seed))),
    requestsPerMinute: Number(arg('rpm', String(sc.requestsPerMinute))),
    instances: Number(arg('instances', String(sc.instances))),
    // `--finish-early 0`: the bidder's pacing.finishEarly in seconds (A/B against the default).
    ...(process.argv.includes('--finish-early') ? { finishEarly: Number(arg('finish-early', '')) } : {}),
    // `--split alpha=0.3,beta=0.7`: every generated campaign's base split (a fixed split with `--configs static`).
    ...(process.argv.includes('--split')
      ? {
          shares: Object.fromEntries(
            arg('split', '')
              .split(',')
              .map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])]),
          ),
        }
      : {}),
  };
  if (s.kill !== undefined && s.kill.instance >= s.instances)
    throw new Error(`--instances: the scenario kills instance ${s.kill.instance}`);
  const selectable = [...kConfigs, kStaticSplit];
  const configKeys = process.argv.includes('--configs') ? arg('configs', '').split(',') : undefined;
  const configs = configKeys === undefined ? kConfigs : selectable.filter((c) => configKeys.includes(c.key));
  if (configKeys !== undefined && configs.length !== configKeys.length)
    throw new Error(`--configs: expected a comma-separated subset of ${selectable.map((c) => c.key).join(',')}`);
  const storeKind = arg('store', 'memory');
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `pgsim:${process.pid}:`;
  const store =
    storeKind === 'redis'
      ? async () => {
          const st = await createRedisStore({ url, keyPrefix: prefix, instanceId: 'sim', idCacheSize: 0 });
          return { store: st, close: () => st.close() };
        }
      : undefined;
  const { metrics, results: runs } = await runScenario(s, modelsDir, store, configs);
  if (storeKind === 'redis') {
    // Only this run's keys: the prefix is unique to this process.
    const r = new Redis(url);
    for await (const keys of r.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>)
      if (keys.length > 0) await r.del(...keys);
    r.disconnect();
  }
  const subset = configs.length === kConfigs.length ? '' : ` --configs ${configs.map((c) => c.key).join(',')}`;
  const split =
    (process.argv.includes('--split') ? ` --split ${arg('split', '')}` : '') +
    (process.argv.includes('--finish-early') ? ` --finish-early ${arg('finish-early', '')}` : '');
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
  const out = writeReport(new URL('./reports', import.meta.url).pathname, `${scenario}-${storeKind}${suffix}`, report);
  console.log(`report: ${out.md}, ${out.html}, ${out.json}`);
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
async function runMystique(file: string): Promise<void> {
  const sc = parse(readFileSync(file, 'utf8')) as {
    campaigns: string;
    days: number;
    seed: number;
    adaptive: { intervalSeconds: number; leadSeconds: number; controlTauSeconds: number; horizonSeconds: number };
  };
  const csv = resolve(dirname(file), '..', '..', sc.campaigns);
  const campaigns = parseMystiqueCsv(readFileSync(csv, 'utf8'));
  const budgets = campaigns.map((c) => c.dailyBudget);
  const days = Number(arg('days', String(sc.days)));
  const seed = Number(arg('seed', String(sc.seed)));
  const a = sc.adaptive;
  const adaptive = (minMultiplier: number): MystiquePacing => ({
    kind: 'adaptive',
    minMultiplier,
    intervalMs: a.intervalSeconds * 1000,
    leadMs: a.leadSeconds * 1000,
    controlTauMs: a.controlTauSeconds * 1000,
    horizonMs: a.horizonSeconds * 1000,
  });
  const none = simulateMystique({ campaigns, days, seed, pacing: { kind: 'none' } });
  const constrained = constrainedCampaigns(none, budgets);
  const rows: MystiqueMetrics[] = [mystiqueMetrics('no pacing', none, budgets, constrained)];
  const all: [string, MystiquePacing][] = [
    ['±10%/min throttle', { kind: 'step', intervalMs: 60_000 }],
    ['adaptive, throttle below 0.3', adaptive(0.3)],
    ['adaptive, multiplier only (ours)', adaptive(0.001)],
  ];
  // `--only ours` while iterating: the no-pacing run is still needed, it defines the constrained campaigns.
  const runs = arg('only', 'all') === 'ours' ? all.slice(-1) : all;
  for (const [label, pacing] of runs)
    rows.push(mystiqueMetrics(label, simulateMystique({ campaigns, days, seed, pacing }), budgets, constrained));
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
  mkdirSync(new URL('./results', import.meta.url), { recursive: true });
  writeFileSync(
    new URL(`./results/mystique-default-seed${seed}.json`, import.meta.url),
    `${JSON.stringify({ days, seed, constrained: constrained.length, rows }, null, 2)}\n`,
  );
}
