/**
 * Progress of long offline work (a simulated day, a benchmark) as plain lines on stderr: at most one every few
 * seconds, with the share done, the elapsed time and an estimate of what is left, so a run of minutes is never
 * silent and a log file of it stays readable (no carriage returns). Stdout stays for the results.
 */

export interface ProgressOptions {
  /** Minimum wall time between two lines (default 5 s). */
  readonly everyMs?: number;
  readonly out?: { write(s: string): unknown };
  /** Wall clock in ms (injected in tests). */
  readonly now?: () => number;
  /** No lines at all (`--quiet`). */
  readonly quiet?: boolean;
}

export class ProgressLine {
  readonly #label: string;
  readonly #total: number;
  readonly #unit: string;
  readonly #everyMs: number;
  readonly #out: { write(s: string): unknown };
  readonly #now: () => number;
  readonly #quiet: boolean;
  readonly #t0: number;
  #last: number;

  /** `total` units of work (e.g. simulated minutes over all runs); `unit` names them in the line. */
  constructor(label: string, total: number, unit: string, o: ProgressOptions = {}) {
    this.#label = label;
    this.#total = Math.max(1, total);
    this.#unit = unit;
    this.#everyMs = o.everyMs ?? 5000;
    this.#out = o.out ?? process.stderr;
    this.#now = o.now ?? (() => performance.now());
    this.#quiet = o.quiet ?? false;
    this.#t0 = this.#now();
    this.#last = this.#t0;
  }

  /** `done` units finished so far; `note` says what is running now (a configuration, a phase). */
  update(done: number, note?: string): void {
    if (this.#quiet) return;
    const t = this.#now();
    if (t - this.#last < this.#everyMs) return;
    this.#last = t;
    this.#out.write(`${this.#line(done, t, note)}\n`);
  }

  /** The closing line, printed whatever the interval. */
  finish(note?: string): void {
    if (this.#quiet) return;
    const s = (this.#now() - this.#t0) / 1000;
    this.#out.write(`${this.#label}: done in ${formatSeconds(s)}${note === undefined ? '' : ` (${note})`}\n`);
  }

  #line(done: number, t: number, note: string | undefined): string {
    const f = Math.min(1, Math.max(0, done / this.#total));
    const elapsed = (t - this.#t0) / 1000;
    // The rate so far is the best estimate there is; before 1% of the work it says nothing useful.
    const left = f >= 0.01 ? formatSeconds((elapsed * (1 - f)) / f) : '?';
    const what = note === undefined ? '' : ` ${note}:`;
    return (
      `${this.#label}:${what} ${(f * 100).toFixed(0)}% (${Math.round(done)}/${Math.round(this.#total)} ${this.#unit}), ` +
      `${formatSeconds(elapsed)} elapsed, ~${left} left`
    );
  }
}

/** 7.4 s, 83 s, 12 min 5 s. */
export function formatSeconds(s: number): string {
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 600) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
