/**
 * `npm run sim:learning [-- --seed N] [--rpm N] [--explore-days N] [--explore-traffic X] [--cost-control off]
 *   [--out name] [--keep]`:
 * the learning-loop scenario (sim/scenarios/learning.yaml, run by sim/learning.ts; `--seed` and `--rpm`
 * override the file's) — two exploration days logged through the real event sink, the real trainer on the
 * log with the true-CTR oracle on the same held-out impressions, the trained model hot-loaded, then a
 * target_cpc day without budgets and one with budgets it delivers. Prints the tables and writes
 * sim/reports/<out, default learning>.{md,json} (the JSON is not committed). The event log and models live in
 * a temporary directory, removed afterwards unless `--keep`.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { aucGap, cellFigures, learningMarkdown, targetCells } from './learning-report.js';
import { learningScenario, simulateLearning } from './learning.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    rpm: { type: 'string' },
    'explore-days': { type: 'string' },
    'explore-traffic': { type: 'string' },
    out: { type: 'string', default: 'learning' },
    'cost-control': { type: 'string', default: 'on' },
    keep: { type: 'boolean', default: false },
  },
});
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
const out = new URL('./reports/', import.meta.url).pathname;
await mkdir(out, { recursive: true });
await writeFile(join(out, `${values.out}.md`), learningMarkdown(result, command));
await writeFile(join(out, `${values.out}.json`), `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${join(out, `${values.out}.md`)} and ${values.out}.json`);
