/**
 * `npm run sim:learning-gap -- [--seeds 1,2,3,7] [--days 3] [--traffic 4] [--bounds]`: the learning scenario's AUC gap to the
 * oracle in seconds instead of a simulated week — the exploration days' impressions drawn straight from its
 * market (`sim/learning-data.ts`, no bidder), clicks drawn from the truth, the scenario's trainer settings
 * (`trainModel`, the last 20% by time held out), and the held-out AUC of the model and of the true CTR. What it
 * leaves out of `npm run sim:learning` is the bid path and the notices (1% lost, some late), so its figures are
 * a close proxy, not a replacement: sim/RESULTS.md gives both side by side. `--bounds` prints instead, per
 * campaign × channel, the highest eCPC the supply allows ÷ the target (which target_cpc cells can be met at all).
 */
import { parseOrExit } from '../tools/cli/command.js';
import { encodeRecord, kSlots } from '../src/scoring/features.js';
import { auc, logLoss } from '../tools/train/ftrl.js';
import { trainModel } from '../tools/train/training.js';
import { learningMarket, learningRows, maxReachableEcpc } from './learning-data.js';
import { prng } from './random.js';
import { loadLearningScenario } from './scenario.js';

/**
 * Per campaign × channel of `seed`'s market: the highest eCPC its supply allows at the campaign's max CPM
 * (`maxReachableEcpc` over one day of its slice's requests) ÷ its target — below 0.9, no bid gets within 10%.
 */
function supplyBounds(seed: number, file: string, maxCpm: number): string[] {
  const m = learningMarket(seed, file);
  const sums = new Map<string, { n: number; ctr: number }>();
  // Exploration wins at a flat CPM are independent of the features: the won rows' mean CTR is the slice's.
  for (const row of learningRows(m, 1, seed + 900)) {
    const key = `${row.rec.campaign!}\u0000${row.rec.channel!}`;
    const x = sums.get(key) ?? { n: 0, ctr: 0 };
    x.n++;
    x.ctr += row.pctr;
    sums.set(key, x);
  }
  return m.campaigns.flatMap((c) =>
    m.channels.map((ch) => {
      const x = sums.get(`${c.id}\u0000${ch.id}`) ?? { n: 0, ctr: NaN };
      const target = c.cpc ?? NaN;
      const ratio = maxReachableEcpc(ch, maxCpm, x.ctr / x.n) / target;
      return `  ${c.id.padEnd(12)} ${ch.id}  mean CTR ${((x.ctr / x.n) * 100).toFixed(2)}%  max eCPC ÷ target ${ratio.toFixed(2)}${ratio < 0.9 ? '  supply-limited' : ''}`;
    }),
  );
}

const kUsage = `usage: npm run sim:learning-gap -- [--seeds 1,2,3,7] [--days 3] [--traffic 4] [--bounds]
The learning scenario's AUC gap to the oracle, from its market's exploration days drawn without the bidder
(sim/learning-data.ts) and the scenario's trainer settings; --bounds prints instead, per campaign × channel,
the highest eCPC the supply allows ÷ the target.`;

const { values } = parseOrExit('sim:learning-gap', kUsage, {
  seeds: { type: 'string', default: '1,2,3,7' },
  days: { type: 'string' },
  traffic: { type: 'string' },
  bounds: { type: 'boolean', default: false },
} as const);
const file = new URL('./scenarios/learning.yaml', import.meta.url).pathname;
const train = loadLearningScenario(file).train;
if (values.bounds) {
  // target_cpc campaigns bid at most 50 CPM in the scenario (learning.ts, targetCampaigns).
  for (const seed of values.seeds.split(',').map(Number))
    console.log(`seed ${seed}\n${supplyBounds(seed, file, 50).join('\n')}`);
  process.exit(0);
}
console.log('seed  impressions  held-out clicks  AUC model  AUC oracle     gap  log-loss model / oracle  calibration');
for (const seed of values.seeds.split(',').map(Number)) {
  const m = learningMarket(seed, file);
  const days = values.days === undefined ? 2 : Number(values.days);
  const explore = {
    ...m.explore,
    traffic: values.traffic === undefined ? (m.explore.traffic ?? 1) : Number(values.traffic),
  };
  const rows = [...learningRows({ ...m, explore }, days, seed + 500)];
  const n = rows.length;
  const feats = new Int32Array(n * kSlots);
  const labels = new Uint8Array(n);
  const ts = new Float64Array(n);
  const truth = new Float64Array(n);
  const r = prng(seed * 3 + 1);
  for (const [i, row] of rows.entries()) {
    encodeRecord(row.rec, feats, i * kSlots);
    labels[i] = r() < row.pctr ? 1 : 0;
    ts[i] = row.ts;
    truth[i] = row.pctr;
  }
  const { report } = trainModel(
    { count: n, feats, labels, ts },
    {
      name: 'pctr',
      version: 2,
      target: 'ctr',
      holdout: train.holdout,
      epochs: train.epochs,
      ...(train.alpha === undefined ? {} : { alpha: train.alpha }),
      ...(train.l1 === undefined ? {} : { l1: train.l1 }),
      ...(train.l2 === undefined ? {} : { l2: train.l2 }),
    },
  );
  const ys = labels.subarray(report.trainExamples);
  const oracle = truth.subarray(report.trainExamples);
  let clicks = 0;
  for (const y of ys) clicks += y;
  const oracleAuc = auc(oracle, ys);
  console.log(
    `${String(seed).padStart(4)} ${String(n).padStart(12)} ${String(clicks).padStart(16)} ${report.auc.toFixed(4).padStart(10)} ` +
      `${oracleAuc.toFixed(4).padStart(11)} ${(oracleAuc - report.auc).toFixed(4).padStart(7)} ` +
      `${report.logLoss.toFixed(5).padStart(15)} / ${logLoss(oracle, ys).toFixed(5)} ${report.calibration.toFixed(3).padStart(12)}`,
  );
}
