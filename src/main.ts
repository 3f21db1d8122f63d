/**
 * Process entry: reads the environment, builds the app, logs what it runs on, and turns SIGTERM/SIGINT
 * into a graceful drain (stop accepting, answer what is in flight, return leases, exit 0).
 *   CONFIG_DIR (default ./config), PORT, OPS_PORT, HOST, REDIS_URL, LOG_LEVEL, PEREGRINE_INSTANCE_ID.
 */
import { resolve } from 'node:path';
import { createApp } from './app.js';
import { InvalidConfigError } from './config/config-holder.js';

const env = process.env;
const configDir = resolve(env.CONFIG_DIR ?? 'config');

function intEnv(name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`${name} must be a port number, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return n;
}

try {
  const app = await createApp({ configDir, env, port: intEnv('PORT'), opsPort: intEnv('OPS_PORT'), host: env.HOST });
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
    },
    `peregrine listening on :${app.port} (ops :${app.opsPort}), store=${app.store.kind}, config=${configDir}`,
  );
  // Logging is asynchronous (buffered); the start-up line is what operators look for, so write it now.
  app.logger.flush();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'draining');
    app.shutdown().then(
      () => process.exit(0),
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
