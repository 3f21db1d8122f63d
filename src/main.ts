/**
 * Process entry: reads the environment, builds the app, logs what it runs on, and turns SIGTERM/SIGINT
 * into a graceful drain (stop accepting, answer what is in flight, return leases, exit 0).
 *   CONFIG_DIR (default ./config), PORT, OPS_PORT, HOST, REDIS_URL, LOG_LEVEL, PEREGRINE_INSTANCE_ID,
 *   WORKERS (default: the machine's cores; one with the memory store — see cluster/primary.ts).
 * With more than one worker this process is the primary: it forks the workers (this same file, told which
 * worker it is by PEREGRINE_WORKER_INDEX) and serves nothing itself.
 */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { createApp } from './app.js';
import { runPrimary } from './cluster/primary.js';
import { connectToPrimary } from './cluster/worker-link.js';
import { InvalidConfigError } from './config/config-holder.js';
import { createLogger } from './log.js';

const env = process.env;
const configDir = resolve(env.CONFIG_DIR ?? 'config');

function intEnv(name: string, max: number): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    process.stderr.write(`${name} must be a whole number from 0 to ${max}, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return n;
}

const explicitWorkers = intEnv('WORKERS', 1024);
const workers = explicitWorkers === undefined || explicitWorkers === 0 ? availableParallelism() : explicitWorkers;

if (cluster.isPrimary && workers > 1) {
  runPrimary({ workers, explicit: explicitWorkers !== undefined, logger: createLogger(env.LOG_LEVEL ?? 'info') });
} else {
  await runWorker();
}

async function runWorker(): Promise<void> {
  try {
    let link: ReturnType<typeof connectToPrimary>;
    const index = cluster.isWorker ? Number(env.PEREGRINE_WORKER_INDEX ?? '0') : 0;
    const app = await createApp({
      configDir,
      env,
      port: intEnv('PORT', 65535),
      opsPort: intEnv('OPS_PORT', 65535),
      host: env.HOST,
      // Worker 0 serves the ops port for the whole group, with the group's metrics.
      ops: index === 0,
      // A cold process answers its first thousands of requests late (the JIT): warm the bid path first.
      warmUp: env.PEREGRINE_WARM_UP !== '0',
      ...(cluster.isWorker ? { fleetMetrics: () => link!.fleetMetrics() } : {}),
    });
    link = connectToPrimary(env, {
      registry: app.metrics.registry,
      beforeCollect: () => app.bidder.fillGauges(),
      reload: () => void app.config.reload('cluster'),
    });
    if (link !== undefined) {
      const l = link;
      // An admin reload reaches worker 0 only: the primary asks every other worker to reload too.
      app.config.subscribe({ onReload: (r) => l.reloaded(r.ok, r.trigger === 'admin') });
    }
    const snap = app.config.current;
    app.logger.info(
      {
        port: app.port,
        opsPort: app.opsPort,
        store: app.store.kind,
        configDir,
        configVersion: snap.version,
        configHash: snap.hash,
        campaigns: snap.campaigns.length,
        channels: [...snap.channels.keys()],
        instanceId: app.instanceId,
        ...(link === undefined ? {} : { worker: link.index }),
      },
      `peregrine listening on :${app.port} (ops :${app.opsPort}), store=${app.store.kind}, config=${configDir}`,
    );
    // Logging is asynchronous (buffered); the start-up line is what operators look for, so write it now.
    app.logger.flush();
    link?.listening(app.store.kind, app.port);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.logger.info({ signal }, 'draining');
      app.shutdown().then(
        () => {
          link?.close();
          process.exit(0);
        },
        (err: unknown) => {
          app.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  } catch (err) {
    process.stderr.write(
      err instanceof InvalidConfigError
        ? `${err.message}\n`
        : `peregrine failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  }
}
