/**
 * The learning loop's offline half: read event logs (JSONL), join sampled bids to their outcomes, and train a
 * pCTR or pCVR model file the bidder can hot-load.
 *   ctr examples: sampled bids that won (impressions), label = clicked;
 *   cvr examples: sampled bids that were clicked, label = converted (pCVR is post-click, so the bid value
 *                 pCTR × pCVR × CPA is the expected conversions per impression).
 * Examples are ordered by bid time; the last `holdout` fraction is held out for log-loss and AUC, so the
 * report says how the model does on the future, not on what it saw. Before it, the last `calibrate` fraction
 * of the training part is kept out of FTRL and used to fit Platt scaling (platt.ts), folded into the file:
 *
 *   [ FTRL (epochs passes) ........................ | Platt fit | held out: report, raw and calibrated ]
 *
 * The bidder prices with pCTR × target, so a model that under-predicts by 20% under-bids by 20%; ranking
 * alone (AUC) does not show that, calibration (Σ pCTR ÷ clicks on held-out rows) does.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ScoringEvent } from '../../src/store/ports.js';
import {
  encodeRecord,
  kFeatureNames,
  kSlots,
  slotsOf,
  type FeatureName,
  type FeatureRecord,
} from '../../src/scoring/features.js';
import { auc, FtrlTrainer, logLoss } from './ftrl.js';
import { encodeWeights, type ModelFile } from '../../src/scoring/model-file.js';
import type { ModelTarget } from '../../src/scoring/model.js';
import { fitPlatt, type PlattFit } from './platt.js';

export interface Examples {
  readonly count: number;
  readonly feats: Int32Array;
  readonly labels: Uint8Array;
  readonly ts: Float64Array;
  /**
   * `auction:imp` of each example (set by `ExampleJoiner`), to line held-out examples up with outside data
   * such as a simulator's truth.
   */
  readonly keys?: readonly string[];
}

/** Joins bids with outcomes. Feed events in any order; call `examples` at the end. */
export class ExampleJoiner {
  readonly #bids = new Map<string, { ts: number; f: FeatureRecord }>();
  readonly #wins = new Set<string>();
  readonly #clicks = new Set<string>();
  readonly #convs = new Set<string>();
  skipped = 0;

  add(e: ScoringEvent): void {
    const key = `${e.auction}:${e.imp}`;
    switch (e.t) {
      case 'bid':
        this.#bids.set(key, { ts: e.ts, f: e.f });
        break;
      case 'win':
        this.#wins.add(key);
        break;
      case 'click':
        this.#clicks.add(key);
        break;
      case 'conv':
        this.#convs.add(key);
        break;
      case 'loss':
        break;
    }
  }

  examples(target: ModelTarget): Examples {
    // Logs without win notices (channels with implied wins): every bid counts as an impression.
    const impressions = this.#wins.size > 0 ? this.#wins : undefined;
    const rows: { key: string; ts: number; f: FeatureRecord; y: number }[] = [];
    for (const [key, b] of this.#bids) {
      if (target === 'ctr') {
        if (impressions !== undefined && !impressions.has(key)) continue;
        rows.push({ key, ts: b.ts, f: b.f, y: this.#clicks.has(key) ? 1 : 0 });
      } else if (this.#clicks.has(key)) {
        rows.push({ key, ts: b.ts, f: b.f, y: this.#convs.has(key) ? 1 : 0 });
      }
    }
    rows.sort((a, b) => a.ts - b.ts);
    const feats = new Int32Array(rows.length * kSlots);
    const labels = new Uint8Array(rows.length);
    const ts = new Float64Array(rows.length);
    rows.forEach((r, i) => {
      encodeRecord(r.f, feats, i * kSlots);
      labels[i] = r.y;
      ts[i] = r.ts;
    });
    return { count: rows.length, feats, labels, ts, keys: rows.map((r) => r.key) };
  }
}

/** Streams JSONL event files into the joiner; malformed lines are counted and skipped. */
export async function readEventFiles(files: readonly string[], joiner: ExampleJoiner): Promise<number> {
  let lines = 0;
  for (const file of files) {
    const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    for await (const line of rl) {
      if (line.length === 0) continue;
      lines++;
      try {
        const e = JSON.parse(line) as ScoringEvent;
        if (typeof e !== 'object' || e === null || typeof e.t !== 'string' || typeof e.auction !== 'string')
          joiner.skipped++;
        else joiner.add(e);
      } catch {
        joiner.skipped++;
      }
    }
  }
  return lines;
}

export interface TrainOptions {
  readonly name: string;
  readonly version: number;
  readonly target: ModelTarget;
  readonly hashBits?: number;
  readonly features?: readonly FeatureName[];
  /** Fraction held out at the end (by time). Default 0.2. */
  readonly holdout?: number;
  /**
   * Fraction of the training part (its latest rows by time) kept out of FTRL to fit Platt scaling on.
   * Default 0.1; 0 ships the raw FTRL model.
   */
  readonly calibrate?: number;
  readonly epochs?: number;
  readonly alpha?: number;
  readonly beta?: number;
  readonly l1?: number;
  readonly l2?: number;
  readonly nowMs?: number;
}

/** Held-out figures of one set of predictions. */
export interface HeldOutFigures {
  readonly logLoss: number;
  readonly auc: number;
  /** Σ predicted ÷ Σ labels on the held-out rows (1 = calibrated, < 1 under-predicts). */
  readonly calibration: number;
}

export interface TrainReport {
  /** Rows FTRL learned from plus the rows Platt scaling was fitted on. */
  readonly trainExamples: number;
  /** Of those, the rows the Platt fit used (0 = not calibrated). */
  readonly calibrationExamples: number;
  /** The Platt fit folded into the model (identity when not calibrated). */
  readonly platt: PlattFit;
  /** The raw FTRL model on the held-out rows, before the Platt step. */
  readonly raw: HeldOutFigures;
  readonly testExamples: number;
  readonly positiveRate: number;
  readonly logLoss: number;
  /** Log-loss of always predicting the training positive rate: the bar to beat. */
  readonly baselineLogLoss: number;
  /** Σ predicted ÷ Σ labels of that constant on the held-out rows (its AUC is 0.5). */
  readonly baselineCalibration: number;
  readonly auc: number;
  readonly calibration: number;
  readonly nonZeroWeights: number;
  /** Held-out predictions (for callers that compare against an oracle). */
  readonly testPredictions: Float64Array;
}

export function trainModel(ex: Examples, o: TrainOptions): { model: ModelFile; report: TrainReport } {
  const hashBits = o.hashBits ?? 18;
  const features = o.features ?? kFeatureNames;
  const split = Math.floor(ex.count * (1 - (o.holdout ?? 0.2)));
  if (split === 0 || split === ex.count) throw new Error(`not enough examples to train and hold out (${ex.count})`);
  const calStart = (o.calibrate ?? 0.1) > 0 ? Math.floor(split * (1 - (o.calibrate ?? 0.1))) : split;
  if (calStart === 0) throw new Error(`not enough examples to train and calibrate (${split})`);
  const trainer = new FtrlTrainer({
    hashBits,
    slots: slotsOf(features),
    alpha: o.alpha ?? 0.1,
    beta: o.beta ?? 1,
    l1: o.l1 ?? 1,
    l2: o.l2 ?? 1,
  });
  for (let e = 0; e < (o.epochs ?? 1); e++) trainer.fit(ex.feats, ex.labels, 0, calStart);
  let pos = 0;
  for (let i = 0; i < split; i++) pos += ex.labels[i]!;
  const rate = pos / split;
  const logitOf = (row: number) => {
    const p = trainer.predict(ex.feats, row * kSlots);
    return Math.log(p / (1 - p));
  };
  const calZ = new Float64Array(split - calStart);
  for (let i = calStart; i < split; i++) calZ[i - calStart] = logitOf(i);
  const platt = fitPlatt(calZ, ex.labels.subarray(calStart, split));
  const rawPreds = new Float64Array(ex.count - split);
  const preds = new Float64Array(ex.count - split);
  const ys = ex.labels.subarray(split);
  for (let i = split; i < ex.count; i++) {
    const z = logitOf(i);
    rawPreds[i - split] = 1 / (1 + Math.exp(-z));
    preds[i - split] = 1 / (1 + Math.exp(-(platt.a * z + platt.b)));
  }
  const weights = trainer.weights();
  let nonZero = 0;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] === 0) continue;
    nonZero++;
    weights[i] = weights[i]! * platt.a;
  }
  const report: TrainReport = {
    trainExamples: split,
    calibrationExamples: split - calStart,
    platt,
    raw: { logLoss: logLoss(rawPreds, ys), auc: auc(rawPreds, ys), calibration: ratio(rawPreds, ys) },
    testExamples: ex.count - split,
    positiveRate: rate,
    logLoss: logLoss(preds, ys),
    baselineLogLoss: logLoss(new Float64Array(preds.length).fill(rate), ys),
    baselineCalibration: ratio(new Float64Array(preds.length).fill(rate), ys),
    auc: auc(preds, ys),
    calibration: ratio(preds, ys),
    nonZeroWeights: nonZero,
    testPredictions: preds,
  };
  const model: ModelFile = {
    name: o.name,
    version: o.version,
    kind: 'logistic',
    target: o.target,
    hashBits,
    features: [...features],
    bias: Number((trainer.bias() * platt.a + platt.b).toPrecision(7)),
    weights: encodeWeights(weights),
    trainedAt: new Date(o.nowMs ?? Date.now()).toISOString(),
    metrics: {
      trainExamples: split,
      testExamples: report.testExamples,
      logLoss: report.logLoss,
      baselineLogLoss: report.baselineLogLoss,
      auc: report.auc,
      calibration: report.calibration,
      rawCalibration: report.raw.calibration,
      plattA: platt.a,
      plattB: platt.b,
    },
  };
  return { model, report };
}

function ratio(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let sp = 0;
  let sy = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sy += y[i]!;
  }
  return sy === 0 ? NaN : sp / sy;
}
