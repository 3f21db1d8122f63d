/**
 * Runs `loadConfigDir` in a worker thread, so a reload never blocks the event loop for long: the bidder keeps
 * answering while a big file is parsed. The worker is started on the first load and kept while reloads come
 * (a fresh one costs a module load and a cold JIT); it is ended after `idleMs` without work, so the memory a
 * big parse took is returned. Its heap is capped and each load's run time bounded: a worker that runs out of
 * either is terminated and the load reported as failed, and `close()` ends it at once (a SIGTERM during a
 * reload must not wait for the parse). Structured cloning brings the plain-data `LoadResult` back.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoadLimits, LoadResult } from './load.js';
import type { LoadRequest } from './load-worker.js';

export interface LoaderThreadOptions {
  /** A load that takes longer is abandoned and the worker ended (default 30 s). */
  readonly timeoutMs?: number;
  /** Old-generation heap cap of the worker, in MB (default 512). */
  readonly maxHeapMb?: number;
  /** The worker is ended after this long without a load (default 30 s). */
  readonly idleMs?: number;
}

export class ConfigLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigLoadError';
  }
}

/**
 * The worker's entry as eval'd code: `load-worker.js` next to this file in `dist/`; under tsx or vitest only
 * the `.ts` exists, and it is imported through tsx's API inside the worker (loader hooks passed with
 * `--import` do not reach a worker's modules on Node 20).
 */
function workerCode(): string {
  const js = new URL('./load-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return `import(${JSON.stringify(js.href)})`;
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const api = pathToFileURL(join(tsxDir, 'dist', 'esm', 'api', 'index.mjs')).href;
  const ts = new URL('./load-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(ts)}, ${JSON.stringify(import.meta.url)}))`;
}

interface Pending {
  readonly id: number;
  resolve(r: LoadResult): void;
  reject(e: ConfigLoadError): void;
  readonly timer: NodeJS.Timeout;
}

type Reply = { id: number; result: LoadResult } | { id: number; error: string };

/** One worker, one load at a time (callers serialise: the config holder does). */
export class LoaderThread {
  readonly #opts: LoaderThreadOptions;
  #worker: Worker | undefined;
  #pending: Pending | undefined;
  #idle: NodeJS.Timeout | undefined;
  #nextId = 1;
  #closed = false;

  constructor(opts: LoaderThreadOptions = {}) {
    this.#opts = opts;
  }

  load(dir: string, limits: LoadLimits): Promise<LoadResult> {
    if (this.#closed) return Promise.reject(new ConfigLoadError('config loader is closed'));
    if (this.#pending !== undefined) return Promise.reject(new ConfigLoadError('a config load is already running'));
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = undefined;
    const worker = this.#worker ?? this.#spawn();
    const id = this.#nextId++;
    const timeoutMs = this.#opts.timeoutMs ?? 30_000;
    return new Promise<LoadResult>((resolve, reject) => {
      const timer = setTimeout(
        () => this.#fail(new ConfigLoadError(`config load took longer than ${timeoutMs} ms; abandoned`)),
        timeoutMs,
      );
      timer.unref();
      this.#pending = { id, resolve, reject, timer };
      const req: LoadRequest = { id, dir, limits };
      worker.postMessage(req);
    });
  }

  /** Ends the worker; a running load fails at once. */
  close(): void {
    this.#closed = true;
    this.#fail(new ConfigLoadError('config load aborted: shutting down'));
  }

  #spawn(): Worker {
    const worker = new Worker(workerCode(), {
      eval: true,
      resourceLimits: { maxOldGenerationSizeMb: this.#opts.maxHeapMb ?? 512 },
    });
    worker.unref();
    worker.on('message', (m: Reply) => {
      const p = this.#pending;
      if (p === undefined || p.id !== m.id) return;
      this.#pending = undefined;
      clearTimeout(p.timer);
      if ('error' in m) p.reject(new ConfigLoadError(`config load failed: ${m.error}`));
      else p.resolve(m.result);
      this.#idle = setTimeout(() => this.#end(), this.#opts.idleMs ?? 30_000);
      this.#idle.unref();
    });
    worker.on('error', (err) => {
      const oom = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.#fail(
        new ConfigLoadError(
          oom
            ? `config load ran out of memory (loader heap cap ${this.#opts.maxHeapMb ?? 512} MB)`
            : `config load failed: ${err.message}`,
        ),
      );
    });
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#fail(new ConfigLoadError(`config loader exited (code ${code}) without a result`));
    });
    this.#worker = worker;
    return worker;
  }

  /** Fails the running load (if any) and ends the worker: after a timeout or an error it is not trusted. */
  #fail(err: ConfigLoadError): void {
    const p = this.#pending;
    this.#pending = undefined;
    this.#end();
    if (p === undefined) return;
    clearTimeout(p.timer);
    p.reject(err);
  }

  #end(): void {
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = undefined;
    const w = this.#worker;
    this.#worker = undefined;
    if (w !== undefined) void w.terminate();
  }
}
