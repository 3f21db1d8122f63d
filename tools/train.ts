/**
 * Trains a pCTR or pCVR model from event logs with FTRL-proximal and writes a model file the bidder hot-loads.
 *
 *   node dist/tools/train.js (or `npm run tools:train --`) <events.jsonl...> [--target ctr|cvr]
 *       [--out config/models/pctr-vN.json] [--name pctr] [--version N] [--hash-bits 18] [--features channel,…]
 *       [--epochs 1] [--holdout 0.2] [--calibrate 0.1] [--alpha 0.1] [--l1 1] [--l2 1] [--description text]
 *   node dist/tools/train.js --generate <out.jsonl> [--count 300000] [--seed 1] [--base-ctr 0.01]
 *       [--base-cvr 0.08] [--win-rate 0.35]          (a synthetic log with a known truth, `train/synthetic.ts`)
 *
 * Reports log-loss (and the constant-rate baseline) and AUC on the last 20% by time. The file is written to a
 * temporary name and renamed, so the bidder's watcher never reads half a model.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { kFeatureNames, type FeatureName } from '../src/scoring/features.js';
import { SyntheticMarket } from './train/synthetic.js';
import { ExampleJoiner, readEventFiles, trainModel } from './train/training.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    target: { type: 'string', default: 'ctr' },
    out: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    'hash-bits': { type: 'string', default: '18' },
    features: { type: 'string' },
    epochs: { type: 'string', default: '1' },
    holdout: { type: 'string', default: '0.2' },
    calibrate: { type: 'string', default: '0.1' },
    alpha: { type: 'string', default: '0.1' },
    l1: { type: 'string', default: '1' },
    l2: { type: 'string', default: '1' },
    generate: { type: 'string' },
    count: { type: 'string', default: '300000' },
    seed: { type: 'string', default: '1' },
    'base-ctr': { type: 'string', default: '0.01' },
    'base-cvr': { type: 'string', default: '0.08' },
    'win-rate': { type: 'string', default: '0.35' },
    description: { type: 'string' },
    force: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});

/** Where a model goes without --out: beside the live folder, never into it. */
const kDraftDir = 'train-output';

const kUsage = `usage: train <events.jsonl...> [--target ctr|cvr] [--out config/models/pctr-vN.json] [--name pctr]
         [--version N] [--hash-bits 18] [--features channel,domain,…] [--epochs 1] [--holdout 0.2]
         [--calibrate 0.1] [--alpha 0.1] [--l1 1] [--l2 1] [--description text] [--force]
       train --generate <out.jsonl> [--count 300000] [--seed 1] [--base-ctr 0.01] [--base-cvr 0.08]
         [--win-rate 0.35]
Trains a pCTR or pCVR model from event logs (FTRL-proximal, then a Platt step) and writes a model file the
bidder hot-loads; --generate writes a synthetic log with a known truth instead.
Held out (the last --holdout by time), the model is compared with the constant training rate: it is refused
(exit 3, nothing written) unless its log-loss is lower, its AUC above 0.5 and its calibration (Σ p ÷ Σ y) within
25% or no worse than the constant's — unless --force.
Without --out the model goes to ${kDraftDir}/ (not the live config/models/, which the bidder hot-loads): publish
it with --out config/models/<name>-v<N>.json.
`;
if (values.help === true) {
  process.stdout.write(kUsage);
  process.exit(0);
}

function fail(msg: string): never {
  console.error(`train: ${msg}`);
  process.exit(2);
}

async function generate(out: string): Promise<void> {
  const market = new SyntheticMarket({
    seed: Number(values.seed),
    baseCtr: Number(values['base-ctr']),
    baseCvr: Number(values['base-cvr']),
    winRate: Number(values['win-rate']),
  });
  const ws = createWriteStream(out);
  let n = 0;
  for (const e of market.events(Number(values.count), Date.UTC(2026, 0, 5), 2_000)) {
    if (!ws.write(`${JSON.stringify(e)}\n`)) await new Promise<void>((r) => ws.once('drain', () => r()));
    n++;
  }
  await new Promise<void>((res, rej) => ws.end((e?: Error | null) => (e ? rej(e) : res())));
  console.log(`wrote ${n} events to ${out}`);
}

async function nextVersion(dir: string, name: string): Promise<number> {
  let max = 0;
  const re = new RegExp(`^${name}-v(\\d+)\\.json$`);
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    const m = re.exec(f);
    if (m !== null) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

async function train(): Promise<void> {
  if (positionals.length === 0) fail('give at least one events .jsonl file (or --generate <file>)');
  const target = values.target;
  if (target !== 'ctr' && target !== 'cvr') fail(`--target must be ctr or cvr, got ${target}`);
  const features = values.features === undefined ? undefined : (values.features.split(',') as FeatureName[]);
  for (const f of features ?? [])
    if (!(kFeatureNames as readonly string[]).includes(f))
      fail(`unknown feature ${f} (known: ${kFeatureNames.join(', ')})`);
  const named = values.out === undefined ? null : /^(.+)-v(\d+)\.json$/.exec(basename(values.out));
  const name = values.name ?? named?.[1] ?? (target === 'ctr' ? 'pctr' : 'pcvr');
  const dir = values.out === undefined ? kDraftDir : dirname(values.out);
  const version =
    values.version !== undefined
      ? Number(values.version)
      : named !== null
        ? Number(named[2])
        : await nextVersion(dir, name);
  const out = values.out ?? join(dir, `${name}-v${version}.json`);

  const t0 = performance.now();
  const joiner = new ExampleJoiner();
  const lines = await readEventFiles(positionals, joiner).catch((err: unknown) =>
    fail(err instanceof Error ? err.message : String(err)),
  );
  const ex = joiner.examples(target);
  console.log(`read ${lines} events (${joiner.skipped} malformed) → ${ex.count} ${target} examples`);
  const { model, report } = trainModel(ex, {
    name,
    version,
    target,
    hashBits: Number(values['hash-bits']),
    ...(features === undefined ? {} : { features }),
    holdout: Number(values.holdout),
    calibrate: Number(values.calibrate),
    epochs: Number(values.epochs),
    alpha: Number(values.alpha),
    l1: Number(values.l1),
    l2: Number(values.l2),
  });
  if (values.description !== undefined) model.description = values.description;
  // A model that predicts no better than the base rate would only add noise to every bid it prices: it must
  // beat the constant on held-out log-loss, rank better than chance, and be no worse calibrated than the
  // constant unless within 25% (the bidder prices with pCTR × target, so calibration is money).
  const offBy = (c: number) => Math.abs(Math.log(c));
  const why = [
    ...(report.logLoss < report.baselineLogLoss ? [] : ['log-loss no better than the constant-rate baseline']),
    ...(report.auc > 0.5 ? [] : ['AUC no better than chance']),
    ...(offBy(report.calibration) <= Math.max(offBy(report.baselineCalibration), Math.log(1.25))
      ? []
      : ['calibration worse than the constant and off by more than 25%']),
  ];
  const worse = why.length > 0;
  if (worse && values.force !== true) {
    console.error(
      `train: refused: ${why.join('; ')} (held-out log-loss ${report.logLoss.toFixed(5)} vs constant ` +
        `${report.baselineLogLoss.toFixed(5)}, AUC ${report.auc.toFixed(4)} vs 0.5, calibration ` +
        `${report.calibration.toFixed(3)} vs ${report.baselineCalibration.toFixed(3)}); nothing written. ` +
        'More or better data, or --force to write it anyway.',
    );
    process.exit(3);
  }
  await mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(model)}\n`);
  await rename(tmp, out);
  console.log(
    [
      `model      ${model.name}@${model.version} (${target}, 2^${model.hashBits}, ${report.nonZeroWeights} non-zero weights) → ${out}`,
      `train/test ${report.trainExamples} / ${report.testExamples} examples (held out: last ${Number(values.holdout) * 100}% by time)`,
      `rate       ${(report.positiveRate * 100).toFixed(3)}% positive in training`,
      `log-loss   ${report.logLoss.toFixed(5)} (constant-rate baseline ${report.baselineLogLoss.toFixed(5)})`,
      `AUC        ${report.auc.toFixed(4)} (constant 0.5)`,
      `vs const   log-loss ${((report.logLoss / report.baselineLogLoss - 1) * 100).toFixed(1)}%, AUC +${(report.auc - 0.5).toFixed(4)}, calibration ${report.calibration.toFixed(3)} vs ${report.baselineCalibration.toFixed(3)}`,
      `calibration Σ p ÷ Σ y held out ${report.calibration.toFixed(3)} (raw FTRL ${report.raw.calibration.toFixed(3)}, log-loss ${report.raw.logLoss.toFixed(5)}; Platt a ${report.platt.a.toFixed(3)} b ${report.platt.b.toFixed(3)} on ${report.calibrationExamples} rows)`,
      `time       ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      ...(worse ? [`WARNING    written with --force although refused: ${why.join('; ')}`] : []),
      ...(values.out === undefined
        ? [`publish    not live: copy it to config/models/ (or train again with --out config/models/…)`]
        : []),
    ].join('\n'),
  );
}

if (values.generate !== undefined) await generate(values.generate);
else await train();
