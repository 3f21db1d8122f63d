/**
 * The bench scripts run end to end on a tiny corpus (no thresholds: throughput is measured by
 * `npm run bench`, never asserted in tests): the corpus generator writes valid requests and a config
 * the bidder accepts, and the ceiling server answers the load generator.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { describe, expect, it } from 'vitest';
import { writeCorpus } from '../../../bench/corpus/generate.js';
import { loadConfigDir } from '../../../src/config/load.js';
import { decodeJsonRequest } from '../../../src/openrtb/decode-json.js';
import { freePort } from '../../helpers/redis.js';

describe('bench smoke', () => {
  it('generates a corpus the decoder and config loader accept, and loads the ceiling server for a second', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peregrine-corpus-'));
    try {
      const c = writeCorpus(dir, { campaigns: 20, requests: 200, seed: 3, knownUsers: 50 });
      expect(c.requests).toHaveLength(200);
      for (const r of c.requests) expect(decodeJsonRequest(r).ok).toBe(true);
      const sizes = c.requests.map((r) => r.length);
      expect(Math.min(...sizes)).toBeGreaterThan(500);
      expect((await loadConfigDir(c.configDir)).ok).toBe(true);
      // Same seed, same corpus.
      expect(
        writeCorpus(join(dir, 'again'), { campaigns: 20, requests: 200, seed: 3, knownUsers: 50 }).requests,
      ).toEqual(c.requests);

      const port = await freePort();
      const ceiling = spawn(process.execPath, ['bench/ceiling/server.mjs', String(port)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await once(ceiling.stdout!, 'data');
      const result = await autocannon({
        url: `http://127.0.0.1:${port}`,
        connections: 4,
        duration: 1,
        requests: c.requests.map((body) => ({ method: 'POST', path: '/bid/ssp-alpha', body })),
      });
      ceiling.kill('SIGTERM');
      expect(result.requests.total).toBeGreaterThan(0);
      expect(result.non2xx).toBe(0);
      expect(result.errors).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
