/**
 * FTRL-proximal online logistic regression over hashed rows (McMahan et al., "Ad Click Prediction: a View
 * from the Trenches", KDD 2013, Algorithm 1): per-coordinate learning rates and L1 that zeroes rare,
 * uninformative weights — sparse models that fit a sparse model file. Plus the two metrics the trainer
 * reports: log-loss and ROC AUC.
 */
import { kSlots } from '../../src/scoring/features.js';

export interface FtrlOptions {
  readonly hashBits: number;
  /** Row slots the model reads (`slotsOf(features)`). */
  readonly slots: Int32Array;
  readonly alpha?: number;
  readonly beta?: number;
  readonly l1?: number;
  readonly l2?: number;
}

export class FtrlTrainer {
  readonly mask: number;
  readonly #slots: Int32Array;
  readonly #z: Float64Array;
  readonly #n: Float64Array;
  readonly #alpha: number;
  readonly #beta: number;
  readonly #l1: number;
  readonly #l2: number;
  #bz = 0;
  #bn = 0;
  // Scratch for the active indices of the current row.
  readonly #idx: Int32Array;
  readonly #w: Float64Array;

  constructor(o: FtrlOptions) {
    const size = 2 ** o.hashBits;
    this.mask = size - 1;
    this.#slots = o.slots;
    this.#z = new Float64Array(size);
    this.#n = new Float64Array(size);
    this.#alpha = o.alpha ?? 0.1;
    this.#beta = o.beta ?? 1;
    this.#l1 = o.l1 ?? 1;
    this.#l2 = o.l2 ?? 1;
    this.#idx = new Int32Array(o.slots.length);
    this.#w = new Float64Array(o.slots.length);
  }

  #weight(z: number, n: number, l1: number): number {
    if (Math.abs(z) <= l1) return 0;
    return -(z - Math.sign(z) * l1) / ((this.#beta + Math.sqrt(n)) / this.#alpha + this.#l2);
  }

  /** The current model's probability for a row, recording the row's active weights for `update`. */
  predict(feats: Int32Array, base: number): number {
    let z = this.#weight(this.#bz, this.#bn, 0);
    let k = 0;
    for (let j = 0; j < this.#slots.length; j++) {
      const h = feats[base + this.#slots[j]!]!;
      if (h === 0) continue;
      const i = h & this.mask;
      const w = this.#weight(this.#z[i]!, this.#n[i]!, this.#l1);
      this.#idx[k] = i;
      this.#w[k++] = w;
      z += w;
    }
    for (; k < this.#idx.length; k++) this.#idx[k] = -1;
    return 1 / (1 + Math.exp(-Math.max(-35, Math.min(35, z))));
  }

  /** One FTRL step on the row last passed to `predict`, with its prediction p and label y. */
  update(p: number, y: number): void {
    const g = p - y;
    const g2 = g * g;
    const bw = this.#weight(this.#bz, this.#bn, 0);
    const bs = (Math.sqrt(this.#bn + g2) - Math.sqrt(this.#bn)) / this.#alpha;
    this.#bz += g - bs * bw;
    this.#bn += g2;
    for (let k = 0; k < this.#idx.length; k++) {
      const i = this.#idx[k]!;
      if (i < 0) break;
      const n = this.#n[i]!;
      const s = (Math.sqrt(n + g2) - Math.sqrt(n)) / this.#alpha;
      this.#z[i] = this.#z[i]! + g - s * this.#w[k]!;
      this.#n[i] = n + g2;
    }
  }

  /** Trains on rows `[from, to)` of `feats` (kSlots ints per row) in order. */
  fit(feats: Int32Array, labels: Uint8Array, from: number, to: number): void {
    for (let r = from; r < to; r++) this.update(this.predict(feats, r * kSlots), labels[r]!);
  }

  bias(): number {
    return this.#weight(this.#bz, this.#bn, 0);
  }

  weights(): Float32Array {
    const out = new Float32Array(this.#z.length);
    for (let i = 0; i < out.length; i++) out[i] = this.#weight(this.#z[i]!, this.#n[i]!, this.#l1);
    return out;
  }
}

export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]!));
    s -= y[i]! === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return p.length === 0 ? NaN : s / p.length;
}

/** ROC AUC by the rank-sum (Mann–Whitney U) with tied scores sharing their average rank. */
export function auc(p: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = p.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && p[order[j + 1]!] === p[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (y[order[k]!] === 1) {
        pos++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  return pos === 0 || neg === 0 ? NaN : (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
