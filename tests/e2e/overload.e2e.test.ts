/**
 * Shed, don't queue: a pipelined burst that takes the event loop longer to read than the requests' tmax.
 * What is read after its deadline is answered 204 at once (counted in `peregrine_shed_total`) instead of
 * being priced and sent late; every request is still answered, in order; bidding resumes right after.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleBannerRequest, startBidder, type TestBidder } from '../helpers/bidder.js';
import { tempConfig, type TempConfig, withoutBlock } from '../helpers/config-dir.js';
import { RawConnection, request } from '../helpers/raw-http.js';

let cfg: TempConfig;
let b: TestBidder;

beforeAll(async () => {
  cfg = tempConfig();
  // Scoring inline: a bid that waits on the worker pool is answered from a later tick, and uWS 20.30 closes a
  // connection when a pipelined request arrives while an answer is pending (docs/wire.md). The burst below is
  // about shedding; pipelining behind asynchronous answers is a limit of the server library, documented there.
  const bidderYaml = join(cfg.dir, 'bidder.yaml');
  cfg.write('bidder.yaml', `${withoutBlock(readFileSync(bidderYaml, 'utf8'), 'scoring')}\nscoring:\n  mode: inline\n`);
  b = await startBidder(cfg.dir);
  for (let i = 0; i < 20; i++) await (await b.bid('ssp-alpha', sampleBannerRequest())).arrayBuffer();
});
afterAll(async () => {
  await b.stop();
  cfg.cleanup();
});

const bid = (id: string, tmax: number) =>
  request('POST', '/bid/ssp-alpha', {
    body: JSON.stringify({ ...sampleBannerRequest(id), tmax }),
    headers: { 'content-type': 'application/json' },
  });

describe('overload', () => {
  it('sheds what a backlog makes late, answers everything in order, and bids again right after', async () => {
    const shedBefore = await b.metric('peregrine_shed_total', { channel: 'ssp-alpha', reason: 'deadline' });
    const c = await RawConnection.open(b.app.port);
    try {
      // One bid first, on its own: the campaigns take their budget leases now (an asynchronous answer), not
      // inside the burst — uWS 20.30 closes a connection when a pipelined request arrives while an earlier
      // answer is still pending (docs/wire.md), and the burst is about shedding, not about that.
      c.write(bid('before-1', 120));
      expect((await c.read()).status).toBe(200);
      // 6,000 requests with tmax 50 (30 ms after the channel's margin): reading them all takes the loop far
      // longer than that on any machine, so the tail of the burst cannot make its deadline.
      const n = 6_000;
      c.write(Buffer.concat(Array.from({ length: n }, (_, i) => bid(`burst-${i}`, 50))));
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) {
        const r = await c.read({ timeoutMs: 30_000 });
        statuses.push(r.status);
        if (r.status === 200) expect((JSON.parse(r.body.toString()) as { id: string }).id).toBe(`burst-${i}`);
      }
      expect(statuses.filter((s) => s !== 200 && s !== 204)).toEqual([]);
      expect(statuses[0]).toBe(200);
      const shed = (await b.metric('peregrine_shed_total', { channel: 'ssp-alpha', reason: 'deadline' })) - shedBefore;
      expect(shed).toBeGreaterThan(0);
      expect(statuses.filter((s) => s === 204).length).toBeGreaterThanOrEqual(shed);
      // Nothing latches: the next request on the same connection is priced as usual.
      c.write(bid('after-1', 120));
      const after = await c.read();
      expect(after.status).toBe(200);
      expect((JSON.parse(after.body.toString()) as { id: string }).id).toBe('after-1');
    } finally {
      c.destroy();
    }
  });
});
