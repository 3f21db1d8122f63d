/**
 * A bidder worker's side of the cluster channel (see primary.ts): it answers the primary's metrics
 * collection with this worker's registry, asks the primary for the fleet's aggregate when worker 0 is
 * scraped, reports reloads (so one asked of the admin API reaches every worker) and reloads when told.
 * Without a primary (WORKERS=1, tests) there is no link and the instance serves its own metrics.
 */
import type { Registry } from 'prom-client';
import { isMessage, kWorkerIndexEnv, type PrimaryMessage, type WorkerMessage } from './messages.js';

export interface WorkerLink {
  readonly index: number;
  /** The aggregate of every worker's metrics, as Prometheus text. */
  fleetMetrics(): Promise<{ body: string; contentType: string }>;
  listening(storeKind: string, port: number): void;
  reloaded(ok: boolean, fromAdmin: boolean): void;
  close(): void;
}

export interface WorkerLinkDeps {
  readonly registry: Registry;
  /** Refreshes the gauges a scrape fills from live state, before this worker's registry is read. */
  beforeCollect?(): void;
  /** Reload the config from disk (asked by the primary after another worker's admin reload). */
  reload(): void;
  readonly timeoutMs?: number;
}

/** The link to the primary, or undefined when this process was not forked by one. */
export function connectToPrimary(env: NodeJS.ProcessEnv, deps: WorkerLinkDeps): WorkerLink | undefined {
  const raw = env[kWorkerIndexEnv];
  if (raw === undefined || process.send === undefined) return undefined;
  const index = Number(raw);
  const send = (m: WorkerMessage) => process.send?.(m);
  let seq = 0;
  const waiting = new Map<number, (r: { body: string; contentType: string }) => void>();
  const onMessage = (m: unknown) => {
    if (!isMessage<PrimaryMessage>(m)) return;
    const msg = m;
    switch (msg.type) {
      case 'metrics-collect':
        deps.beforeCollect?.();
        void deps.registry.getMetricsAsJSON().then((metrics) => send({ type: 'metrics-json', id: msg.id, metrics }));
        return;
      case 'metrics-text':
        waiting.get(msg.id)?.({ body: msg.text, contentType: msg.contentType });
        waiting.delete(msg.id);
        return;
      case 'reload':
        deps.reload();
        return;
    }
  };
  process.on('message', onMessage);
  return {
    index,
    fleetMetrics: () =>
      new Promise((resolve, reject) => {
        const id = ++seq;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error('the primary did not answer the metrics request in time'));
        }, deps.timeoutMs ?? 5_000);
        waiting.set(id, (r) => {
          clearTimeout(timer);
          resolve(r);
        });
        send({ type: 'metrics-request', id });
      }),
    listening: (storeKind, port) => send({ type: 'listening', index, storeKind, port }),
    reloaded: (ok, fromAdmin) => send({ type: 'reloaded', ok, fromAdmin }),
    close: () => {
      process.off('message', onMessage);
    },
  };
}
