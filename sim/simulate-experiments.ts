/**
 * `npm run sim:experiments [-- --aa 100] [--ab 20] [--lift 1.2] [--seed N] [--metric clicks] [--alpha 0.05]
 * [--hours-aa 24] [--hours-ab 96]`: the experiments scenario of sim/experiments.ts — `--ab` runs where the
 * treatment arm's CTR is `--lift` × the control's (time to a correct verdict), then `--aa` runs where the arms
 * are the same (false-verdict rate, target ≤ α). Prints both and writes <report-dir, default sim/out>/experiments.md.
 */
import { parseOrExit } from '../tools/cli/command.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kExperimentMetrics, type ExperimentMetric } from '../src/scoring/experiments.js';
import { kExperimentDefaults, quantile, runExperiment, type ExperimentRun } from './experiments.js';

const kUsage = `usage: npm run sim:experiments -- [--aa 100] [--ab 20] [--lift 1.2] [--seed N] [--metric clicks|conversions|value]
       [--alpha 0.05] [--hours-aa 24] [--hours-ab 96] [--report-dir sim/out]
The experiments scenario (sim/experiments.ts): --ab runs where the treatment arm's rate is --lift × the
control's (time to a correct verdict), then --aa runs where the arms are the same (false-verdict rate,
target ≤ α). Prints both and writes <report-dir>/experiments.md.`;

const { values } = parseOrExit('sim:experiments', kUsage, {
  aa: { type: 'string', default: '100' },
  ab: { type: 'string', default: '20' },
  lift: { type: 'string', default: '1.2' },
  seed: { type: 'string', default: '1' },
  metric: { type: 'string', default: kExperimentDefaults.metric },
  alpha: { type: 'string', default: String(kExperimentDefaults.alpha) },
  'hours-aa': { type: 'string', default: '24' },
  'hours-ab': { type: 'string', default: '96' },
  'report-dir': { type: 'string' },
} as const);
if (!(kExperimentMetrics as readonly string[]).includes(values.metric)) throw new Error(`unknown --metric`);
const models = new URL('../config/models', import.meta.url).pathname;
const base = {
  ...kExperimentDefaults,
  metric: values.metric as ExperimentMetric,
  alpha: Number(values.alpha),
};
const lift = Number(values.lift);
const seed0 = Number(values.seed);
const t0 = performance.now();
const ab: ExperimentRun[] = [];
for (let i = 0; i < Number(values.ab); i++)
  ab.push(
    await runExperiment(models, {
      ...base,
      seed: seed0 * 1000 + i,
      lift,
      maxHours: Number(values['hours-ab']),
    }),
  );
const tAb = performance.now();
const aa: ExperimentRun[] = [];
for (let i = 0; i < Number(values.aa); i++)
  aa.push(
    await runExperiment(models, {
      ...base,
      seed: seed0 * 1000 + 500 + i,
      lift: 1,
      maxHours: Number(values['hours-aa']),
    }),
  );
const tAa = performance.now();

const correct = ab.filter((r) => r.verdict === 'better');
const wrong = ab.filter((r) => r.verdict === 'worse');
const hours = correct.map((r) => r.hours);
const falseVerdicts = aa.filter((r) => r.verdict === 'better' || r.verdict === 'worse');
const covered = ab.filter((r) => r.effect !== undefined && r.effect.low <= lift - 1 && lift - 1 <= r.effect.high);
const args = process.argv.slice(2).join(' ');
const lines = [
  '# Experiments scenario',
  '',
  `Command: \`npm run sim:experiments${args.length > 0 ? ` -- ${args}` : ''}\` (sim/experiments.ts). ` +
    `${base.impressionsPerHour} impressions/hour split 50/50 by person, CTR ${base.ctr}, conversion ${base.cvr} ` +
    `per click, report read every ${base.lookEveryMin} min, verdict on ${base.metric} per dollar, α ${base.alpha}.`,
  '',
  '| runs | arms | horizon | correct verdict | wrong verdict | no verdict | hours to verdict (median / p90 / max) | wall |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  `| ${ab.length} | treatment CTR × ${values.lift} | ${values['hours-ab']} h | ${correct.length} (better) | ` +
    `${wrong.length} (worse) | ${ab.length - correct.length - wrong.length} | ` +
    `${quantile(hours, 0.5).toFixed(1)} / ${quantile(hours, 0.9).toFixed(1)} / ${Math.max(...hours).toFixed(1)} | ` +
    `${((tAb - t0) / 1000).toFixed(1)} s |`,
  `| ${aa.length} | A/A (same CTR) | ${values['hours-aa']} h | – | ${falseVerdicts.length} ` +
    `(${((100 * falseVerdicts.length) / Math.max(1, aa.length)).toFixed(1)}%, target ≤ ${(base.alpha * 100).toFixed(0)}%) | ` +
    `${aa.length - falseVerdicts.length} | – | ${((tAa - tAb) / 1000).toFixed(1)} s |`,
  '',
  `A/B: the always-valid interval of the effect at the stop covers the true +${((lift - 1) * 100).toFixed(0)}% ` +
    `in ${covered.length} of ${ab.length} runs; clicks per arm at the verdict ` +
    `${quantile(
      correct.map((r) => r.clicks.control),
      0.5,
    ).toFixed(0)} (median, control).`,
  ...(falseVerdicts.length > 0
    ? [
        `A/A false verdicts: ${falseVerdicts.map((r) => `seed ${r.seed} ${r.verdict} at ${r.hours.toFixed(1)} h`).join('; ')}.`,
      ]
    : []),
  '',
];
console.log(lines.join('\n'));
const out = values['report-dir'] ?? new URL('./out/', import.meta.url).pathname;
await mkdir(out, { recursive: true });
await writeFile(join(out, 'experiments.md'), lines.join('\n'));
console.log(`wrote ${join(out, 'experiments.md')}`);
