/**
 * Platt scaling: the recalibration step after FTRL. FTRL with per-coordinate L1/L2 shrinks weights toward
 * zero, which compresses the logits of a rare-positive model and under-predicts its mean (by 14–30% on the
 * simulator's logs, training rows included); a second, two-parameter logistic regression on held-back rows,
 *
 *     p = σ(a · z + b)      z = the model's logit,
 *
 * undoes that without touching the ranking (a > 0 keeps the order, so AUC is unchanged), and folds into a
 * logistic model file exactly: every weight × a, bias × a + b. Fitted by Newton's method on the mean
 * log-loss (two parameters: a 2 × 2 system per step), with a tiny ridge toward (1, 0) so a slice with
 * almost no positives cannot send the slope anywhere.
 */

export interface PlattFit {
  /** Slope on the logit. */
  readonly a: number;
  /** Intercept. */
  readonly b: number;
  /** Newton steps taken. */
  readonly iterations: number;
}

export interface PlattOptions {
  /** Ridge weight toward a = 1, b = 0, per row (default 1e-6: negligible with a few hundred positives). */
  readonly ridge?: number;
  readonly maxIterations?: number;
}

/** Fits σ(a·z + b) to labels `y` on logits `z` (same length). Identity (1, 0) when there is nothing to fit. */
export function fitPlatt(z: ArrayLike<number>, y: ArrayLike<number>, o: PlattOptions = {}): PlattFit {
  const n = z.length;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i]!;
  if (n === 0 || pos === 0 || pos === n) return { a: 1, b: 0, iterations: 0 };
  const ridge = (o.ridge ?? 1e-6) * n;
  let a = 1;
  let b = 0;
  let it = 0;
  let converged = false;
  for (; it < (o.maxIterations ?? 50); it++) {
    // Gradient and Hessian of Σ log-loss + ridge/2 · ((a − 1)² + b²).
    let ga = ridge * (a - 1);
    let gb = ridge * b;
    let haa = ridge;
    let hab = 0;
    let hbb = ridge;
    for (let i = 0; i < n; i++) {
      const zi = z[i]!;
      const p = 1 / (1 + Math.exp(-(a * zi + b)));
      const g = p - y[i]!;
      const w = p * (1 - p);
      ga += g * zi;
      gb += g;
      haa += w * zi * zi;
      hab += w * zi;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-9 && Math.abs(db) < 1e-9) {
      it++;
      converged = true;
      break;
    }
  }
  // A non-positive slope would invert the ranking, and a fit that did not converge (separable labels) is
  // no fit: ship the raw model rather than either.
  if (!converged || !(a > 0) || !Number.isFinite(b)) return { a: 1, b: 0, iterations: it };
  return { a, b, iterations: it };
}
