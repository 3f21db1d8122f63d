/**
 * `npm run sim:learning [-- --seed N] [--rpm N] [--explore-days N] [--cost-control off] [--out name] [--keep]
 * [--report-dir dir]`:
 * the learning-loop scenario (sim/scenarios/learning.yaml, run by sim/learning.ts; `--seed` and `--rpm`
 * override the file's) — two exploration days logged through the real event sink, the real trainer on the
 * log with the true-CTR oracle on the same held-out impressions, the trained model hot-loaded, then a
 * target_cpc day without budgets and one with budgets it delivers. Prints the tables and writes
 * <report-dir, default sim/out>/<out, default learning>.{md,json}. The event log and models live in
 * a temporary directory, removed afterwards unless `--keep`.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { choiceOption, describeFailure, numberOption, parseCommand } from '../tools/cli/command.js';
import { aucGap, cellFigures, learningMarkdown, targetCells } from './learning-report.js';
import { learningScenario, simulateLearning } from './learning.js';

const kUsage = `usage: npm run sim:learning -- [options]

  --seed <n>            the market's seed (default: sim/scenarios/learning.yaml's)
  --rpm <n>             requests per minute per channel (default: the scenario's)
  --explore-days <n>    exploration days logged before training (default: the scenario's)
  --explore-traffic <x> exploration traffic multiplier (default: the scenario's)
  --cost-control off    target_cpc days without the cost controller
  --out <name>          report name (default learning)
  --report-dir <dir>    where the report goes (default sim/out; sim/reports holds the committed ones)
  --keep                keep the event log and models (a temporary directory)
  --help                this text

Exploration days through the real event sink, the real trainer, the model hot-loaded, then target_cpc days;
several minutes.`;

const options = {
  seed: { type: 'string' },
  rpm: { type: 'string' },
  'explore-days': { type: 'string' },
  'explore-traffic': { type: 'string' },
  out: { type: 'string', default: 'learning' },
  'report-dir': { type: 'string' },
  'cost-control': { type: 'string', default: 'on' },
  keep: { type: 'boolean', default: false },
} as const;

const values = (() => {
  try {
    const p = parseCommand(kUsage, options, process.argv.slice(2));
    if (p === undefined) process.exit(0);
    for (const k of ['seed', 'rpm', 'explore-days'] as const)
      if (p.values[k] !== undefined) numberOption(k, p.values[k], { min: 0, integer: true });
    if (p.values['explore-traffic'] !== undefined)
      numberOption('explore-traffic', p.values['explore-traffic'], { min: 0.01, max: 100 });
    choiceOption('cost-control', p.values['cost-control'], ['on', 'off']);
    return p.values;
  } catch (err) {
    const { line, code } = describeFailure('sim:learning', err);
    console.error(line);
    process.exit(code);
  }
})();
const work = await mkdtemp(join(tmpdir(), 'peregrine-learning-'));
const shipped = new URL('../config/models', import.meta.url).pathname;
const base = learningScenario(
  values.seed === undefined ? undefined : Number(values.seed),
  values.rpm === undefined ? undefined : Number(values.rpm),
  work,
  shipped,
);
const scenario = { ...base, costControl: values['cost-control'] !== 'off' };
const seed = base.seed;
const rpm = base.channels[0]?.requestsPerMinute;
const result = await simulateLearning({
  ...scenario,
  explore: {
    ...scenario.explore,
    ...(values['explore-days'] === undefined ? {} : { days: Number(values['explore-days']) }),
    ...(values['explore-traffic'] === undefined ? {} : { traffic: Number(values['explore-traffic']) }),
  },
});
if (values.keep) console.log(`event log and models kept in ${work}`);
else await rm(work, { recursive: true, force: true });

const t = result.training;
console.log(`learning loop, seed ${seed}, ${rpm} requests/min per channel, ${(result.wallMs / 1000).toFixed(1)} s`);
for (const d of [...result.explore, result.unconstrained, result.budgeted]) {
  console.log(
    `  ${d.label.padEnd(62)} ${String(d.requests).padStart(8)} req ${String(d.impressions).padStart(8)} imps ${String(d.clicks).padStart(6)} clicks  AUC ${d.model} ${d.auc.model.toFixed(4)} oracle ${d.auc.oracle.toFixed(4)}  ${(d.wallMs / 1000).toFixed(1)} s`,
  );
}
console.log(
  `training: ${t.trainExamples} (${t.calibrationExamples} of them for the Platt step) / ${t.testExamples} held out (${t.testClicks} clicks)`,
);
console.log(
  `  raw FTRL      AUC ${t.raw.auc.toFixed(4)}  log-loss ${t.raw.logLoss.toFixed(5)}  calibration ${t.raw.calibration.toFixed(3)}   Platt a ${t.platt.a.toFixed(3)} b ${t.platt.b.toFixed(3)}`,
);
console.log(
  `  held-out AUC  trained ${t.auc.toFixed(4)}  oracle ${t.oracleAuc.toFixed(4)}  gap ${aucGap(result).toFixed(4)} (target ≤ 0.01)  shipped pctr@1 ${t.shippedAuc.toFixed(4)}`,
);
console.log(
  `  log-loss      trained ${t.logLoss.toFixed(5)}  oracle ${t.oracleLogLoss.toFixed(5)}  constant ${t.baselineLogLoss.toFixed(5)}  calibration ${t.calibration.toFixed(3)}`,
);
for (const d of [result.unconstrained, result.budgeted]) {
  console.log(d.label);
  console.log(
    '  campaign     channel  target  delivery   imps  clicks   eCPC  ÷target  exp÷target  price÷value  calibration  ±10%      λ  updates  max÷target',
  );
  for (const c of d.cells.map(cellFigures)) {
    console.log(
      `  ${c.campaign.padEnd(12)} ${`${c.channel}/${c.auction[0]}p`.padEnd(8)} ${c.target.toFixed(2).padStart(6)} ${(c.delivery * 100).toFixed(1).padStart(8)}% ${String(c.impressions).padStart(6)} ${String(c.clicks).padStart(6)} ${c.ecpc.toFixed(3).padStart(6)} ${c.ratio.toFixed(3).padStart(8)} ${c.expectedRatio.toFixed(3).padStart(11)} ${c.priceToValue.toFixed(3).padStart(12)} ${c.calibration.toFixed(3).padStart(12)}  ${c.within10 ? 'yes' : 'no '}  ${c.costMultiplier.toFixed(2).padStart(5)} ${String(c.costUpdates).padStart(8)} ${c.maxRatio.toFixed(2).padStart(11)}${c.reachable ? '' : ' supply-limited'}`,
    );
  }
}
const tc = targetCells(result.unconstrained.cells.map(cellFigures), result.budgeted.cells.map(cellFigures));
console.log(
  `target allowed (supply reaches target − 10%, budget not binding): ${tc.allowedWithin} of ${tc.allowed} within ±10%; ` +
    `budgeted, supply allowing: ${tc.budgetedNotAbove} of ${tc.budgeted} at or below +10% (≥ 97% delivery); ` +
    `supply-limited: ${tc.supplyLimited}`,
);
const args = process.argv.slice(2).join(' ');
const command = `npm run sim:learning${args.length > 0 ? ` -- ${args}` : ''}`;
const out = values['report-dir'] ?? new URL('./out/', import.meta.url).pathname;
await mkdir(out, { recursive: true });
await writeFile(join(out, `${values.out}.md`), learningMarkdown(result, command));
await writeFile(join(out, `${values.out}.json`), `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${join(out, `${values.out}.md`)} and ${values.out}.json`);
