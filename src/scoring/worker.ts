/**
 * The piscina worker: scores one task buffer with the kernel and hands the buffer back (transferred).
 *
 * Models arrive three ways, all versioned by the table's `gen`: the table at pool start (`workerData`),
 * broadcasts on every reload (read synchronously, between tasks, with `receiveMessageOnPort`, so a task
 * never sees a half-swapped table), and — for a worker started after the last broadcast, e.g. a
 * replacement for one that died — the table resent with the task after this worker answered "stale".
 */
import { BroadcastChannel, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { move } from 'piscina';
import { scoreTask } from './kernel.js';
import type { ModelTable } from './model.js';
import { kH, kTaskLate, kTaskStale, viewsOf } from './task-buffer.js';

export interface WorkerInit {
  readonly channel: string;
  readonly table: ModelTable;
}

/** A task: the buffer alone, or with the model table when the worker said it was stale. */
export type WorkerTask = ArrayBuffer | { readonly buf: ArrayBuffer; readonly table: ModelTable };

const init = workerData as WorkerInit;
let table: ModelTable = init.table;
const updates = new BroadcastChannel(init.channel);
// Never keep the thread alive for updates; piscina owns its lifetime.
updates.unref();

function drainUpdates(): void {
  for (;;) {
    // Node accepts a BroadcastChannel here (since 15.12); @types/node only declares MessagePort.
    const m = receiveMessageOnPort(updates as unknown as MessagePort);
    if (m === undefined) return;
    const t = m.message as ModelTable;
    if (t.gen > table.gen) table = t;
  }
}

export default function score(task: WorkerTask): unknown {
  let buf: ArrayBuffer;
  if (task instanceof ArrayBuffer) {
    buf = task;
  } else {
    buf = task.buf;
    if (task.table.gen > table.gen) table = task.table;
  }
  const v = viewsOf(buf);
  const h = v.header;
  if (performance.timeOrigin + performance.now() > h[kH.deadline]!) {
    h[kH.status] = kTaskLate;
    return move(buf);
  }
  if (table.gen < h[kH.gen]!) drainUpdates();
  if (table.gen < h[kH.gen]!) {
    h[kH.status] = kTaskStale;
    return move(buf);
  }
  scoreTask(table, v);
  return move(buf);
}
