/**
 * The primary process when `WORKERS` > 1: it serves no requests itself. It forks the bidder workers (each a
 * full instance from the composition root, all listening on the public port with SO_REUSEPORT, which uWS
 * sets by default, so the kernel spreads connections), restarts one that dies, aggregates every worker's
 * metrics for the one `/metrics` that worker 0 serves on the ops port, fans a reload out to every worker,
 * and turns SIGTERM into a drain of all of them.
 *
 * Worker 0 starts first and says which store it opened. The memory store lives inside one process, so N
 * workers on it would each spend the whole budget: with the memory store the primary keeps one worker (and
 * refuses an explicit `WORKERS` > 1); with Redis it starts the rest.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from 'pino';
import { isMessage, kWorkerIndexEnv, type MetricsJson, type PrimaryMessage, type WorkerMessage } from './messages.js';

export interface PrimaryOptions {
  readonly workers: number;
  /** `WORKERS` was set explicitly (so a memory store is an error, not a reason to run one worker). */
  readonly explicit: boolean;
  readonly logger: Logger;
  /** How long a worker may take to drain on SIGTERM before it is killed. */
  readonly drainTimeoutMs?: number;
  /** How long to wait for every worker's metrics before answering with the ones that came. */
  readonly metricsTimeoutMs?: number;
}

const kRestartMinMs = 500;
const kRestartMaxMs = 30_000;

export function runPrimary(opts: PrimaryOptions): void {
  const { logger } = opts;
  const slots = new Map<number, Worker>();
  const restarts = new Map<number, number>();
  let wanted = opts.workers;
  let stopping = false;
  let exitCode = 0;
  let metricsSeq = 0;
  // Workers that have said they listen (a restarted one says it again), and whether the group was announced.
  const listening = new Set<number>();
  const started = new Set<number>();
  let announced = false;
  const gathering = new Map<number, { readonly got: MetricsJson[]; readonly done: () => void }>();

  const send = (w: Worker, m: PrimaryMessage) => {
    if (w.isConnected()) w.send(m);
  };

  const fork = (index: number) => {
    const w = cluster.fork({ [kWorkerIndexEnv]: String(index) });
    slots.set(index, w);
    w.on('message', (m: unknown) => onMessage(index, w, m));
    w.on('exit', (code, signal) => {
      if (slots.get(index) === w) slots.delete(index);
      listening.delete(index);
      if (stopping) return;
      if (index >= wanted) return;
      if (!started.has(index)) {
        // It never listened: a bad config or environment, which a restart would only repeat.
        exitCode = code !== null && code !== 0 ? code : 1;
        stop('a worker failed to start');
        return;
      }
      const n = (restarts.get(index) ?? 0) + 1;
      restarts.set(index, n);
      const delay = Math.min(kRestartMaxMs, kRestartMinMs * 2 ** Math.min(n - 1, 6));
      logger.error({ worker: index, code, signal, restartInMs: delay }, 'bidder worker exited; restarting');
      setTimeout(() => {
        if (!stopping) fork(index);
      }, delay).unref();
    });
  };

  const onMessage = (index: number, w: Worker, m: unknown) => {
    if (!isMessage<WorkerMessage>(m)) return;
    switch (m.type) {
      case 'listening': {
        restarts.delete(index);
        listening.add(index);
        started.add(index);
        if (listening.size === wanted && !announced) {
          announced = true;
          logger.info({ workers: wanted, store: m.storeKind, port: m.port }, `peregrine running ${wanted} workers`);
        }
        if (index !== 0 || slots.size > 1) return;
        if (m.storeKind === 'memory' && wanted > 1) {
          if (opts.explicit) {
            logger.fatal(
              { workers: wanted },
              'WORKERS > 1 needs a shared store: the memory store lives in one process, and each worker would ' +
                'spend the whole budget. Set REDIS_URL (or store.kind: redis), or WORKERS=1.',
            );
            exitCode = 2;
            stop('config');
            return;
          }
          logger.info(
            { store: 'memory' },
            'memory store: running one bidder worker (a shared store runs one per core)',
          );
          wanted = 1;
          announced = true;
          return;
        }
        for (let i = 1; i < wanted; i++) fork(i);
        return;
      }
      case 'metrics-request': {
        void gather().then(
          (list) => {
            const registry = AggregatorRegistry.aggregate(list);
            return registry.metrics().then((text) => {
              send(w, { type: 'metrics-text', id: m.id, text, contentType: registry.contentType });
            });
          },
          (err: unknown) => logger.error({ err }, 'metrics aggregation failed'),
        );
        return;
      }
      case 'metrics-json': {
        const g = gathering.get(m.id);
        if (g === undefined) return;
        g.got.push(m.metrics);
        g.done();
        return;
      }
      case 'reloaded': {
        // A reload asked of one worker (admin API) is asked of all; a watcher-driven one happens in each.
        if (!m.fromAdmin) return;
        for (const [i, other] of slots) if (i !== index) send(other, { type: 'reload' });
        return;
      }
    }
  };

  const gather = (): Promise<MetricsJson[]> => {
    const id = ++metricsSeq;
    const workers = [...slots.values()].filter((w) => w.isConnected());
    return new Promise((resolve) => {
      const got: MetricsJson[] = [];
      const finish = () => {
        gathering.delete(id);
        clearTimeout(timer);
        resolve(got);
      };
      const timer = setTimeout(finish, opts.metricsTimeoutMs ?? 2_000);
      gathering.set(id, {
        got,
        done: () => {
          if (got.length >= workers.length) finish();
        },
      });
      for (const w of workers) send(w, { type: 'metrics-collect', id });
      if (workers.length === 0) finish();
    });
  };

  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: why, workers: slots.size }, 'draining all workers');
    const live = [...slots.values()];
    if (live.length === 0) process.exit(exitCode);
    let left = live.length;
    const killer = setTimeout(() => {
      logger.error({ left }, 'workers did not drain in time; killing them');
      for (const w of live) w.process.kill('SIGKILL');
      exitCode = exitCode || 1;
    }, opts.drainTimeoutMs ?? 15_000);
    for (const w of live) {
      w.once('exit', (code) => {
        if (code !== 0 && code !== null) exitCode = exitCode || code;
        if (--left === 0) {
          clearTimeout(killer);
          process.exit(exitCode);
        }
      });
      w.process.kill('SIGTERM');
    }
  };

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  fork(0);
}
