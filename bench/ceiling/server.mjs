// The ceiling: the same uWebSockets.js stack as the bidder, doing the least a bidder must do — read the
// body, JSON.parse it, answer 204. Plain JavaScript so nothing but the work itself is measured.
// Usage: node bench/ceiling/server.mjs <port>
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const uws = require('uWebSockets.js');
if (!Object.keys(require.cache).some((k) => k.endsWith('.node'))) {
  console.error('uWebSockets.js native binary not loaded');
  process.exit(1);
}
const port = Number(process.argv[2] ?? 8090);
let parsed = 0;
uws
  .App()
  .post('/bid/:channel', (res) => {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    let chunks = [];
    res.onData((chunk, isLast) => {
      chunks.push(Buffer.copyBytesFrom(new Uint8Array(chunk)));
      if (!isLast) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      chunks = [];
      try {
        JSON.parse(body.toString());
        parsed++;
      } catch {
        // count nothing: the corpus is valid
      }
      if (!aborted) res.cork(() => res.writeStatus('204 No Content').endWithoutBody());
    });
  })
  .get('/parsed', (res) => res.end(String(parsed)))
  .listen('127.0.0.1', port, (s) => {
    if (!s) {
      console.error(`cannot listen on ${port}`);
      process.exit(1);
    }
    console.log(`ceiling listening on ${port}`);
  });
process.on('SIGTERM', () => process.exit(0));
