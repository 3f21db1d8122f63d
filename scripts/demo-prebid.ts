/**
 * `npm run demo:prebid`: builds the Prebid.js bundle, starts the bidder on the sample config (memory store)
 * and serves the demo page. Open the printed URL; Ctrl-C stops everything.
 *   DEMO_PORT (5180), PORT (8080), OPS_PORT (9464), CONFIG_DIR (./config)
 */
import { resolve } from 'node:path';
import { startDemo } from '../examples/prebid/demo-server.js';

const demo = await startDemo({
  configDir: resolve(process.env.CONFIG_DIR ?? 'config'),
  pagePort: Number(process.env.DEMO_PORT ?? 5180),
  bidderPort: Number(process.env.PORT ?? 8080),
  opsPort: Number(process.env.OPS_PORT ?? 9464),
  host: '127.0.0.1',
});
process.stdout.write(
  `\nPrebid demo: ${demo.pageUrl}\nbidder endpoint: ${demo.endpoint}\nmetrics: http://localhost:${demo.app.opsPort}/metrics\n\n`,
);
const stop = () => void demo.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
