/**
 * What the primary process and its bidder workers say to each other over the cluster IPC channel. Kept in
 * one place so both sides agree on the shapes; every message is plain JSON.
 */
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** Worker → primary. */
export type WorkerMessage =
  | { readonly type: 'listening'; readonly index: number; readonly storeKind: string; readonly port: number }
  | { readonly type: 'metrics-request'; readonly id: number }
  | { readonly type: 'metrics-json'; readonly id: number; readonly metrics: MetricsJson }
  | { readonly type: 'reloaded'; readonly ok: boolean; readonly fromAdmin: boolean };

/** Primary → worker. */
export type PrimaryMessage =
  | { readonly type: 'metrics-collect'; readonly id: number }
  | { readonly type: 'metrics-text'; readonly id: number; readonly text: string; readonly contentType: string }
  | { readonly type: 'reload' };

/**
 * Anything on the channel with a string `type` is taken as ours: both ends are this codebase, and an unknown
 * `type` falls through every switch.
 */
export function isMessage<T extends WorkerMessage | PrimaryMessage>(m: unknown): m is T {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}

/** The env var that tells a forked process which worker it is (0 owns the ops port). */
export const kWorkerIndexEnv = 'PEREGRINE_WORKER_INDEX';
