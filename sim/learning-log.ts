/**
 * `npm run sim:learning-log -- [--seed N] [--days N] [--sample-seed N] [--out file.jsonl]`: writes the event log
 * of the learning scenario's exploration days drawn straight from its market (`sim/learning-data.ts`: the same
 * truth and request mix as `npm run sim:learning`, no bidder), for the real trainer to train the shipped models
 * on:
 *
 *   npm run sim:learning-log -- --days 3 --out train-output/learning-s1.jsonl
 *   npm run tools:train -- train-output/learning-s1.jsonl --target ctr --epochs 2 --out config/models/pctr-v1.json
 *
 * `--seed` is the scenario seed (the truth; default the file's, 1), `--sample-seed` the draws (default 1001; the
 * shipped-model test draws its held-out set with another). Output defaults to train-output/ (ignored by git).
 */
import { parseOrExit } from '../tools/cli/command.js';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { learningEvents, learningMarket, learningRows } from './learning-data.js';

const kUsage = `usage: npm run sim:learning-log -- [--seed N] [--days 3] [--sample-seed 1001] [--out train-output/learning-log.jsonl]
Writes the event log of the learning scenario's exploration days, drawn from its market (no bidder), for the
real trainer (npm run tools:train) to train the shipped models on.`;

const { values } = parseOrExit('sim:learning-log', kUsage, {
  seed: { type: 'string' },
  days: { type: 'string', default: '3' },
  'sample-seed': { type: 'string', default: '1001' },
  out: { type: 'string', default: 'train-output/learning-log.jsonl' },
} as const);
const sc = learningMarket(values.seed === undefined ? undefined : Number(values.seed));
const sampleSeed = Number(values['sample-seed']);
const out = values.out;
await mkdir(dirname(out), { recursive: true });
const ws = createWriteStream(out);
const counts = { bid: 0, win: 0, loss: 0, click: 0, conv: 0 };
for (const e of learningEvents(learningRows(sc, Number(values.days), sampleSeed), sampleSeed)) {
  counts[e.t]++;
  if (!ws.write(`${JSON.stringify(e)}\n`)) await new Promise<void>((r) => ws.once('drain', () => r()));
}
await new Promise<void>((res, rej) => ws.end((e?: Error | null) => (e ? rej(e) : res())));
console.log(
  `learning market seed ${sc.seed}, ${values.days} exploration days, draws ${sampleSeed}: ${counts.win} impressions, ` +
    `${counts.click} clicks, ${counts.conv} conversions → ${out}`,
);
