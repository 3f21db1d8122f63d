/**
 * The Prebid demo: builds the Prebid.js bundle (core + Prebid Server adapter) with esbuild, starts the
 * bidder on a config directory, and serves the demo page on localhost with the bidder's endpoint filled in.
 * Used by `npm run demo:prebid` and by the browser end-to-end test.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createApp, type App } from '../../src/app.js';
import type { Logger } from '../../src/log.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface DemoOptions {
  readonly configDir: string;
  /** Page server port (0 = any free port). */
  readonly pagePort: number;
  readonly bidderPort: number;
  readonly opsPort: number;
  readonly host?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
}

export interface Demo {
  readonly app: App;
  readonly pageUrl: string;
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function buildPrebidBundle(): Promise<Uint8Array> {
  const out = await build({
    entryPoints: [join(here, 'entry.js')],
    bundle: true,
    format: 'iife',
    write: false,
    minify: true,
    logLevel: 'warning',
    absWorkingDir: join(here, '..', '..'),
  });
  return out.outputFiles[0]!.contents;
}

export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const host = opts.host ?? '127.0.0.1';
  const bundle = await buildPrebidBundle();
  const page = await readFile(join(here, 'index.html'), 'utf8');
  // The handler is attached before the port opens: a page requested while the bidder is still starting gets a
  // 503 that says so (and retries), never a connection that hangs.
  const state: DemoPageState = {};
  const pageServer = createServer(demoPageHandler(state));
  pageServer.listen(opts.pagePort, host);
  await new Promise<void>((resolve, reject) => {
    pageServer.once('listening', resolve);
    pageServer.once('error', reject);
  });
  const pagePort = (pageServer.address() as { port: number }).port;
  // The bidder is reached on the same host name as the page, so `localhost` pages call `localhost`.
  const app = await createApp({
    configDir: opts.configDir,
    env: { PEREGRINE_PUBLIC_URL: `http://${host}:${opts.bidderPort || 0}`, ...opts.env },
    port: opts.bidderPort,
    opsPort: opts.opsPort,
    host,
    logger: opts.logger,
  }).catch((err: unknown) => {
    pageServer.close();
    throw err;
  });
  const endpoint = `http://${host}:${app.port}/bid/prebid`;
  state.ready = { html: page.replace('{{ENDPOINT}}', endpoint), bundle };
  return {
    app,
    pageUrl: `http://${host}:${pagePort}/`,
    endpoint,
    close: async () => {
      await new Promise<void>((resolve) => pageServer.close(() => resolve()));
      await app.shutdown();
    },
  };
}

export interface DemoPageState {
  /** The page (endpoint filled in) and the bundle, once the bidder listens. */
  ready?: { readonly html: string; readonly bundle: Uint8Array };
}

/** The page server's handler: 503 with a reload until the bidder is up, then the page and the bundle. */
export function demoPageHandler(state: DemoPageState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const ready = state.ready;
    if (ready === undefined) {
      res
        .writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'retry-after': '1', refresh: '1' })
        .end('<!doctype html><title>Starting</title><p>The bidder is starting; this page reloads in a second.</p>\n');
    } else if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(ready.html);
    } else if (req.url === '/prebid.js') {
      res.writeHead(200, { 'content-type': 'application/javascript' }).end(ready.bundle);
    } else {
      res.writeHead(404).end();
    }
  };
}
