/**
 * `scoring.mode: auto` — inline or pool, per request, by measured cost on the event loop (the resource the
 * bidder runs out of first):
 *   inline cost = EWMA of the kernel's µs per candidate (measured on every inline run) × candidates;
 *   pool cost   = main-thread CPU of one round trip (post, receive, resolve), measured by calibration with
 *                 event-loop utilisation, which is what the pool costs the event loop whatever the model.
 * The pool wins when inline cost > pool cost × `kHysteresis`. In pool mode one request in `kSampleEvery`
 * still runs inline so the inline estimate follows model changes. With no pool (threads = 0) it is inline.
 */

export type ScoringMode = 'pool' | 'inline' | 'auto';

const kAlpha = 0.05;
const kHysteresis = 1.25;
const kSampleEvery = 64;
const kWarmupRuns = 32;

export class ModeChooser {
  readonly mode: ScoringMode;
  /** µs of kernel time per candidate, EWMA; NaN until measured. */
  inlineUsPerCandidate = NaN;
  /** µs of main-thread time per pool round trip; NaN until calibrated. */
  poolOverheadUs = NaN;
  #count = 0;
  #inlineRuns = 0;

  constructor(
    mode: ScoringMode,
    readonly hasPool: boolean,
  ) {
    this.mode = mode;
  }

  pick(n: number): 'inline' | 'pool' {
    if (!this.hasPool || this.mode === 'inline') return 'inline';
    if (this.mode === 'pool') return 'pool';
    if (!(this.inlineUsPerCandidate >= 0) || !(this.poolOverheadUs >= 0)) return 'inline';
    const pool = this.inlineUsPerCandidate * n > this.poolOverheadUs * kHysteresis;
    if (pool && ++this.#count % kSampleEvery === 0) return 'inline';
    return pool ? 'pool' : 'inline';
  }

  noteInline(us: number, n: number): void {
    if (n === 0) return;
    // The first runs measure the JIT, not the kernel: skip them.
    if (++this.#inlineRuns <= kWarmupRuns) return;
    const per = us / n;
    this.inlineUsPerCandidate = Number.isNaN(this.inlineUsPerCandidate)
      ? per
      : this.inlineUsPerCandidate + kAlpha * (per - this.inlineUsPerCandidate);
  }

  notePoolOverhead(us: number): void {
    this.poolOverheadUs = us;
  }
}
