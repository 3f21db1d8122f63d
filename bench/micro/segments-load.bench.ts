/**
 * Segment loader throughput: generates N JSONL records (uid + ifa + one eid, 3 segments each), loads them
 * with `loadSegments` (what `npm run segments:load` runs) and prints records/s.
 *
 *   npx tsx bench/micro/segments-load.bench.ts [N=1000000] [--redis URL]
 *
 * Without --redis it starts a private redis-server (so a big load does not disturb a shared one). Keys go
 * under a unique prefix and are deleted afterwards either way; the generated file is removed.
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { loadSegments } from '../../tools/segments-load.js';
import { deleteByPrefix, startOwnRedis, type OwnRedis } from '../../tests/helpers/redis.js';

const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const urlArg = args.includes('--redis') ? args[args.indexOf('--redis') + 1] : undefined;
const kSegments = ['auto', 'travel', 'sports', 'finance', 'news', 'games', 'food', 'tech'];

async function generate(file: string): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < n; i++) {
    const rec = {
      ids: {
        uid: `u${i}`,
        ifa: `${(i * 2654435761) >>> 0}-ifa-${i}`,
        eids: [{ source: 'id5-sync.com', id: `ID5-${i}` }],
      },
      segments: [kSegments[i % 8], kSegments[(i >> 3) % 8], { id: `s${i % 1000}`, ttl: 86_400 }],
    };
    if (!out.write(`${JSON.stringify(rec)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const dir = mkdtempSync(join(tmpdir(), 'pg-segload-'));
const file = join(dir, 'users.jsonl');
let own: OwnRedis | undefined;
const prefix = `pgbench:${process.pid}:`;
try {
  const tg = performance.now();
  await generate(file);
  console.log(
    `generated ${n.toLocaleString('en-US')} records, ${(statSync(file).size / 1e6).toFixed(0)} MB, in ${((performance.now() - tg) / 1000).toFixed(1)} s`,
  );
  own = urlArg === undefined ? await startOwnRedis() : undefined;
  const url = urlArg ?? own!.url;
  const summary = await loadSegments({ file, redisUrl: url, prefix, batch: 1_000, every: 250_000 });
  const admin = new Redis(url);
  const mem = /used_memory_human:(\S+)/.exec(await admin.info('memory'))?.[1];
  await admin.quit();
  console.log(`node ${process.version}, redis ${url}${own === undefined ? '' : ' (private)'}`);
  console.log(
    `records ${summary.records.toLocaleString('en-US')}, bad ${summary.badLines}, failed ${summary.failed}, ${summary.seconds.toFixed(2)} s, ${Math.round(summary.recordsPerSecond).toLocaleString('en-US')} records/s, redis used_memory ${mem}`,
  );
  const t0 = performance.now();
  const deleted = await deleteByPrefix(url, prefix);
  console.log(`deleted ${deleted.toLocaleString('en-US')} keys in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await own?.stop();
}
