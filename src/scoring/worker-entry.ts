/**
 * Where the pool's worker module is. In production the bidder runs from `dist/` and `worker.js` sits next to
 * this file; under vitest or tsx only `worker.ts` exists, so the worker thread loads it through tsx's ESM
 * loader (`--import <tsx loader>`, resolved to an absolute URL so the worker's cwd does not matter).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface WorkerEntry {
  readonly filename: string;
  /** undefined = inherit the process's execArgv (piscina's default). */
  readonly execArgv: string[] | undefined;
}

export function resolveWorkerEntry(base: string = import.meta.url, name = 'worker'): WorkerEntry {
  const js = new URL(`./${name}.js`, base);
  if (existsSync(fileURLToPath(js))) return { filename: js.href, execArgv: undefined };
  const ts = new URL(`./${name}.ts`, base);
  const tsx = pathToFileURL(createRequire(base).resolve('tsx')).href;
  return { filename: ts.href, execArgv: ['--import', tsx] };
}
