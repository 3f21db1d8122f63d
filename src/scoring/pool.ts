/**
 * The piscina pool that scores whole batches in worker threads. One task per request: the batch's buffer
 * goes out by transfer and comes back by transfer. The caller always gets an answer by the deadline:
 *
 *   queue at `maxQueue`                  → "no score" (queue_full), at once
 *   round trip estimate (or 1 ms) > time left → "no score" (deadline), at once; while it refuses, an
 *                                          empty probe task goes every 50 ms and its round trip corrects
 *                                          the estimate, so refusing cannot latch (rtt-estimate.ts)
 *   no answer by min(deadline, taskDeadlineMs) → "no score" (deadline) when the timer fires; the late
 *                                          result is dropped (and a worker skips a task already late)
 *   worker threw or died                 → "no score" (worker_error); piscina replaces a dead worker
 *                                          (min = max threads), the other tasks carry on
 *
 * `admission` answers the first two synchronously, so `auto` mode can score inline instead of refusing.
 *
 * Model tables are broadcast to the workers on every change (`publish`); see `worker.ts` for the swap.
 */
import { cpus } from 'node:os';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ScoreBatch } from './batch.js';
import type { ModelTable } from './model.js';
import { RttEstimate } from './rtt-estimate.js';
import { allocTask, kH, kTaskDone, kTaskStale, viewsOf } from './task-buffer.js';
import type { WorkerInit, WorkerTask } from './worker.js';
import { resolveWorkerEntry, type WorkerEntry } from './worker-entry.js';

export type NoScoreReason = 'queue_full' | 'deadline' | 'worker_error';
export type ScoreOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: NoScoreReason };

export const kScored: ScoreOutcome = Object.freeze({ ok: true });
export const kNoScore: Readonly<Record<NoScoreReason, ScoreOutcome>> = Object.freeze({
  queue_full: Object.freeze({ ok: false, reason: 'queue_full' }),
  deadline: Object.freeze({ ok: false, reason: 'deadline' }),
  worker_error: Object.freeze({ ok: false, reason: 'worker_error' }),
});

export interface PoolOptions {
  /** Worker threads (fixed: min = max, never idled out). Default max(1, cores − 1). */
  readonly threads?: number;
  /** Tasks waiting for a worker before callers get "no score". Default 64. */
  readonly maxQueue?: number;
  /** Upper bound on one task's time, whatever the request deadline. Default 20 ms. */
  readonly taskDeadlineMs?: number;
  /** Another worker module (tests wrap the real one to inject crashes). */
  readonly worker?: WorkerEntry;
  /** The clock of the round-trip estimate (ms, monotonic). Default performance.now; deadlines stay wall time. */
  readonly now?: () => number;
}

export interface PoolStats {
  tasks: number;
  noScore: Record<NoScoreReason, number>;
  staleRetries: number;
  /** Tasks answered with scores. */
  scored: number;
  /** Empty tasks sent to measure the round trip while the estimate refused (rtt-estimate.ts). */
  probes: number;
  /** The round-trip estimate at the last answer, ms. */
  rttMs: number;
}

let gPoolSeq = 0;

class Pending {
  settled = false;
  timer: NodeJS.Timeout | undefined = undefined;
  constructor(
    readonly sentAt: number,
    readonly batch: ScoreBatch,
    readonly resolve: (o: ScoreOutcome) => void,
    public retried: boolean,
  ) {}
}

function onTimeout(pool: ScoringPool, p: Pending): void {
  pool.settle(p, kNoScore.deadline);
}

export class ScoringPool {
  readonly threads: number;
  readonly maxQueue: number;
  readonly taskDeadlineMs: number;
  readonly stats: PoolStats = {
    tasks: 0,
    noScore: { queue_full: 0, deadline: 0, worker_error: 0 },
    staleRetries: 0,
    scored: 0,
    probes: 0,
    rttMs: 0.2,
  };
  readonly #now: () => number;
  readonly #rtt = new RttEstimate();
  #probing = false;
  readonly #piscina: Piscina<WorkerTask, ArrayBuffer>;
  readonly #updates: BroadcastChannel;
  #table: ModelTable;
  #closed = false;

  constructor(opts: PoolOptions, table: ModelTable) {
    this.threads = Math.max(1, opts.threads ?? Math.max(1, cpus().length - 1));
    this.maxQueue = Math.max(1, opts.maxQueue ?? 64);
    this.taskDeadlineMs = opts.taskDeadlineMs ?? 20;
    this.#now = opts.now ?? (() => performance.now());
    this.#table = table;
    const channel = `peregrine-scoring-${process.pid}-${++gPoolSeq}`;
    this.#updates = new BroadcastChannel(channel);
    this.#updates.unref();
    const entry = opts.worker ?? resolveWorkerEntry();
    const init: WorkerInit = { channel, table };
    this.#piscina = new Piscina<WorkerTask, ArrayBuffer>({
      filename: entry.filename,
      ...(entry.execArgv === undefined ? {} : { execArgv: entry.execArgv }),
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      // Our own queue check runs first; piscina's limit is a backstop (its rejection counts as queue_full too).
      maxQueue: this.maxQueue,
      concurrentTasksPerWorker: 1,
      // Piscina's per-task histograms cost event-loop time on every task; our own stats are enough.
      recordTiming: false,
      workerData: init,
    });
    // A worker that dies is replaced by piscina; its task's promise rejects and is answered "no score".
    this.#piscina.on('error', () => {});
  }

  /** Sends a new model table to every worker; each swaps on its next task. */
  publish(table: ModelTable): void {
    this.#table = table;
    if (!this.#closed) this.#updates.postMessage(table);
  }

  get queueSize(): number {
    return this.#piscina.queueSize;
  }

  /** Would `run` take a task with `remainingMs` left? Undefined if so, else why not. */
  admission(remainingMs: number): NoScoreReason | undefined {
    const budget = Math.min(remainingMs, this.taskDeadlineMs);
    // Timers have whole-millisecond resolution: with less than 1 ms left, refuse now.
    if (this.#closed || budget < 1) return 'deadline';
    if (this.#piscina.queueSize >= this.maxQueue) return 'queue_full';
    const now = this.#now();
    if (this.#rtt.fits(budget, now)) return undefined;
    if (!this.#probing && this.#rtt.probeDue(now)) this.#probe(now);
    return 'deadline';
  }

  /** Scores the batch in a worker, answering by `remainingMs` at the latest. */
  run(batch: ScoreBatch, remainingMs: number): Promise<ScoreOutcome> {
    const refused = this.admission(remainingMs);
    if (refused !== undefined) return this.refuse(refused);
    return this.dispatch(batch, remainingMs);
  }

  /** `run` without the admission check (the caller asked `admission` already). */
  dispatch(batch: ScoreBatch, remainingMs: number): Promise<ScoreOutcome> {
    const budget = Math.min(remainingMs, this.taskDeadlineMs);
    this.stats.tasks++;
    const v = batch.seal(this.#table.gen, performance.timeOrigin + performance.now() + budget);
    return new Promise<ScoreOutcome>((resolve) => {
      const p = new Pending(this.#now(), batch, resolve, false);
      // Whole milliseconds: Node keeps one timer list per distinct duration.
      p.timer = setTimeout(onTimeout, Math.max(1, Math.floor(budget)), this, p);
      p.timer.unref();
      this.#send(p, v.buf);
    });
  }

  /**
   * Waits until every worker has loaded the module and answered (piscina queues tasks until a worker is
   * ready, which would eat the first requests' deadlines), by keeping `threads` tasks in flight at a time.
   */
  async warm(rounds = 2): Promise<void> {
    for (let r = 0; r < rounds; r++) await Promise.all(Array.from({ length: this.threads }, () => this.ping()));
  }

  /** One round trip of an empty task (no candidates), for warming and calibration. */
  async ping(timeoutMs = 10_000): Promise<void> {
    const v = allocTask(1);
    v.header[kH.gen] = this.#table.gen;
    v.header[kH.deadline] = performance.timeOrigin + performance.now() + timeoutMs;
    await this.#piscina.run(v.buf, { transferList: [v.buf] });
  }

  /** An empty task whose round trip (queue included) is a sample like any answer's. */
  #probe(sentAt: number): void {
    this.#probing = true;
    this.stats.probes++;
    const done = (): void => {
      this.#probing = false;
      const now = this.#now();
      this.#rtt.sample(now - sentAt, now);
      this.stats.rttMs = this.#rtt.at(now);
    };
    this.ping().then(done, done);
  }

  /** Resolves a pending task once (first of: result, error, timeout). */
  settle(p: Pending, outcome: ScoreOutcome): void {
    if (p.settled) return;
    p.settled = true;
    if (p.timer !== undefined) clearTimeout(p.timer);
    if (outcome.ok) this.stats.scored++;
    else this.stats.noScore[outcome.reason]++;
    p.resolve(outcome);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#updates.close();
    await this.#piscina.destroy();
  }

  /** Counts a refusal and answers it. */
  refuse(reason: NoScoreReason): Promise<ScoreOutcome> {
    this.stats.noScore[reason]++;
    return Promise.resolve(kNoScore[reason]);
  }

  #send(p: Pending, buf: ArrayBuffer, table?: ModelTable): void {
    const task: WorkerTask = table === undefined ? buf : { buf, table };
    this.#piscina.run(task, { transferList: [buf] }).then(
      (out) => this.#done(p, out),
      (e: unknown) =>
        this.settle(p, (e as Error).message?.includes('queue') ? kNoScore.queue_full : kNoScore.worker_error),
    );
  }

  #done(p: Pending, out: ArrayBuffer): void {
    // Every answer is a round-trip sample, a late one too: it is what brings the estimate up, or down.
    const now = this.#now();
    this.#rtt.sample(now - p.sentAt, now);
    this.stats.rttMs = this.#rtt.at(now);
    if (p.settled) return; // answered "deadline" already: the late buffer is dropped
    const status = viewsOf(out).header[kH.status];
    if (status === kTaskStale && !p.retried) {
      // A worker that started after the last broadcast: resend with the table attached (once).
      this.stats.staleRetries++;
      p.retried = true;
      this.#send(p, out, this.#table);
      return;
    }
    p.batch.adopt(out);
    this.settle(p, status === kTaskDone ? kScored : kNoScore.deadline);
  }
}
