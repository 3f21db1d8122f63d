/**
 * The worker thread body of `off-thread.ts`: loads config directories on request and posts each result back.
 * A thread of its own keeps YAML parsing and validation (seconds for a big hostile file) off the bidder's
 * event loop; its heap is capped by the parent, and the parent ends it when idle so the memory is returned.
 */
import { parentPort } from 'node:worker_threads';
import { type LoadLimits, loadConfigDir } from './load.js';

export interface LoadRequest {
  readonly id: number;
  readonly dir: string;
  readonly limits: LoadLimits;
}

parentPort?.on('message', (req: LoadRequest) => {
  loadConfigDir(req.dir, req.limits).then(
    (result) => parentPort?.postMessage({ id: req.id, result }),
    (err: unknown) => parentPort?.postMessage({ id: req.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
