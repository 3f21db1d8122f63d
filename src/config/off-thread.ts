/**
 * Runs `loadConfigDir` in a short-lived worker thread, so a reload never blocks the event loop for long: the
 * bidder keeps answering while a big file is parsed. The worker's heap is capped and its run time bounded;
 * a worker that runs out of either is terminated and the load reported as failed, and `abort()` ends it at
 * once (a SIGTERM during a reload must not wait for the parse). Structured cloning brings the plain-data
 * `LoadResult` back.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoadLimits, LoadResult } from './load.js';

export interface OffThreadOptions {
  readonly limits: LoadLimits;
  /** A load that takes longer is abandoned (default 30 s). */
  readonly timeoutMs?: number;
  /** Old-generation heap cap of the worker, in MB (default 512). */
  readonly maxHeapMb?: number;
}

export class ConfigLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigLoadError';
  }
}

/**
 * Where the worker module is: `load-worker.js` next to this file in `dist/`; under tsx or vitest only the
 * `.ts` exists, loaded through tsx's ESM loader (the same resolution as scoring's pool, kept separate so
 * config does not depend on scoring).
 */
function workerEntry(): { filename: URL; execArgv: string[] | undefined } {
  const js = new URL('./load-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { filename: js, execArgv: undefined };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { filename: new URL('./load-worker.ts', import.meta.url), execArgv: ['--import', tsx] };
}

/** One load in one worker; `abort()` terminates it and rejects the promise. */
export function loadConfigDirOffThread(
  dir: string,
  opts: OffThreadOptions,
): { readonly result: Promise<LoadResult>; abort(): void } {
  const entry = workerEntry();
  const worker = new Worker(entry.filename, {
    workerData: { dir, limits: opts.limits },
    ...(entry.execArgv === undefined ? {} : { execArgv: entry.execArgv }),
    resourceLimits: { maxOldGenerationSizeMb: opts.maxHeapMb ?? 512 },
    stdout: false,
    stderr: false,
  });
  let settle: ((r: LoadResult | ConfigLoadError) => void) | undefined;
  const result = new Promise<LoadResult>((resolve, reject) => {
    const timer = setTimeout(
      () => settle?.(new ConfigLoadError(`config load took longer than ${opts.timeoutMs ?? 30_000} ms; abandoned`)),
      opts.timeoutMs ?? 30_000,
    );
    timer.unref();
    settle = (r) => {
      settle = undefined;
      clearTimeout(timer);
      void worker.terminate();
      if (r instanceof ConfigLoadError) reject(r);
      else resolve(r);
    };
  });
  worker.on('message', (r: LoadResult) => settle?.(r));
  worker.on('error', (err) => {
    const oom = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
    settle?.(
      new ConfigLoadError(
        oom
          ? `config load ran out of memory (worker heap cap ${opts.maxHeapMb ?? 512} MB)`
          : `config load failed: ${err.message}`,
      ),
    );
  });
  worker.on('exit', (code) => settle?.(new ConfigLoadError(`config loader exited (code ${code}) without a result`)));
  return { result, abort: () => settle?.(new ConfigLoadError('config load aborted')) };
}
