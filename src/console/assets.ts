/**
 * The console's static files (`index.html`, the bundled script and styles), built by esbuild at
 * `npm run build` into `dist/console/ui/` (scripts/build-console.ts) and served from memory by the ops port:
 * nothing comes from a CDN, so the console works on an air-gapped network.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HttpReply } from '../http/reply.js';

const kTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/** Headers on every console page and asset: no framing, no sniffing, no referrer, scripts from us only. */
export const kSecurityHeaders: readonly (readonly [string, string])[] = [
  [
    'content-security-policy',
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
      "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  ],
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'no-referrer'],
  ['x-frame-options', 'DENY'],
];

/** Where the built assets are: next to the compiled module (dist/console/ui), or dist/ from the sources. */
function defaultAssetsDir(): string {
  const here = fileURLToPath(new URL('./ui/', import.meta.url));
  if (existsSync(join(here, 'index.html'))) return here;
  return fileURLToPath(new URL('../../dist/console/ui/', import.meta.url));
}

export class ConsoleAssets {
  readonly #dir: string;
  #files: Map<string, HttpReply> | undefined;

  constructor(dir: string = defaultAssetsDir()) {
    this.#dir = dir;
  }

  /** The asset named `name` (a plain file name, no paths), or undefined. */
  get(name: string): HttpReply | undefined {
    return this.#load()?.get(name);
  }

  get built(): boolean {
    return this.#load() !== undefined;
  }

  #load(): Map<string, HttpReply> | undefined {
    if (this.#files !== undefined) return this.#files;
    if (!existsSync(join(this.#dir, 'index.html'))) return undefined;
    const files = new Map<string, HttpReply>();
    for (const name of readdirSync(this.#dir)) {
      const type = kTypes[extname(name)];
      if (type === undefined) continue;
      files.set(name, {
        status: 200,
        body: readFileSync(join(this.#dir, name)),
        contentType: type,
        headers: [...kSecurityHeaders, ['cache-control', 'no-cache']],
      });
    }
    this.#files = files;
    return files;
  }
}
