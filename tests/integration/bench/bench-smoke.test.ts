/**
 * The bench pieces run end to end on a small corpus (no thresholds on speed: throughput is measured by
 * `npm run bench:load`, never asserted in tests): the sample config no-bids every no-bid-shaped request and
 * bids on most bid-shaped ones, so the corpus's no-bid share is what the bidder answers; and the ceiling
 * server answers a strict client (autocannon) with 204s.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import autocannon from 'autocannon';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../../bench/corpus/generate.js';
import { startBidder } from '../../helpers/bidder.js';
import { freePort } from '../../helpers/redis.js';

const corpus = generateCorpus({ requests: 400, seed: 3, knownUsers: 100 });

describe('bench smoke', () => {
  it('the sample config answers the corpus as shaped: every no-bid shape 204, most bid shapes 200', async () => {
    const b = await startBidder(new URL('../../../config/', import.meta.url).pathname);
    try {
      let bidShaped = 0;
      let bidShapedBids = 0;
      const unexpected: string[] = [];
      for (const q of corpus) {
        const res = await b.bid(q.channel, q.body);
        await res.arrayBuffer();
        expect([200, 204]).toContain(res.status);
        if (q.shape === 'bid') {
          bidShaped++;
          if (res.status === 200) bidShapedBids++;
        } else if (res.status !== 204) unexpected.push(`${q.shape}: ${q.body}`);
      }
      expect(unexpected).toEqual([]);
      // Pacing, frequency caps and dayparts keep some bid-shaped requests from a bid, as they would live.
      expect(bidShapedBids / bidShaped).toBeGreaterThan(0.6);
      const share = 1 - bidShapedBids / corpus.length;
      expect(share).toBeGreaterThan(0.6);
      expect(share).toBeLessThan(0.85);
    } finally {
      await b.stop();
    }
  });

  it('the ceiling server answers a strict client with 204s', async () => {
    const port = await freePort();
    const ceiling = spawn(process.execPath, ['bench/ceiling/server.mjs', String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await once(ceiling.stdout!, 'data');
      const result = await autocannon({
        url: `http://127.0.0.1:${port}`,
        connections: 4,
        duration: 1,
        timeout: 5,
        requests: corpus.slice(0, 50).map((q) => ({ method: 'POST', path: `/bid/${q.channel}`, body: q.body })),
      });
      expect(result.requests.total).toBeGreaterThan(0);
      expect(result.statusCodeStats).toEqual({ '204': { count: result.requests.total } });
      expect(result.errors).toBe(0);
    } finally {
      ceiling.kill('SIGTERM');
    }
  });
});
