/**
 * The Prebid demo: builds the Prebid.js bundle (core + Prebid Server adapter) with esbuild, starts the
 * bidder on a config directory, and serves the demo page on localhost with the bidder's endpoint filled in.
 * Used by `npm run demo:prebid` and by the browser end-to-end test.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
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
  const pageServer = createServer();
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
  });
  const endpoint = `http://${host}:${app.port}/bid/prebid`;
  servePage(pageServer, page.replace('{{ENDPOINT}}', endpoint), bundle);
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

function servePage(server: Server, html: string, bundle: Uint8Array): void {
  server.on('request', (req, res) => {
    if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (req.url === '/prebid.js') {
      res.writeHead(200, { 'content-type': 'application/javascript' }).end(bundle);
    } else {
      res.writeHead(404).end();
    }
  });
}
