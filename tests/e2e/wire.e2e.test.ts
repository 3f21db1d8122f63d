/**
 * The wire, as the strictest exchange client sees it: raw sockets that check every answer's framing
 * (exact Content-Length, no body length on a 204), keep-alive after every status the server produces on
 * both ports, pipelining in order, `Expect: 100-continue`, chunked bodies, request smuggling refused — then
 * node:http with a keep-alive agent and autocannon over a mix of bids and no-bids.
 */
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleBannerRequest, startBidder, type TestBidder } from '../helpers/bidder.js';
import { tempConfig, type TempConfig, withoutBlock } from '../helpers/config-dir.js';
import { chunked, RawConnection, type RawResponse, request } from '../helpers/raw-http.js';

let cfg: TempConfig;
let b: TestBidder;
let port: number;
let opsPort: number;

const kAdminToken = 'wire-admin-token';

beforeAll(async () => {
  cfg = tempConfig();
  // Scoring inline, so a pipelined bid is never answered from a worker's later tick: uWS 20.30 closes the
  // connection when a pipelined request arrives behind a pending answer (docs/wire.md), a library limit.
  cfg.write(
    'bidder.yaml',
    `${withoutBlock(readFileSync(join(cfg.dir, 'bidder.yaml'), 'utf8'), 'scoring')}\nscoring:\n  mode: inline\n`,
  );
  b = await startBidder(cfg.dir, { env: { PEREGRINE_ADMIN_TOKEN: kAdminToken } });
  port = b.app.port;
  opsPort = b.app.opsPort;
  // Warm up the scorer: these tests are about framing, and a burst on a cold worker pool can miss its
  // scoring deadline (a no-bid, well framed, but not the status a case below expects).
  for (let i = 0; i < 20; i++) await (await b.bid('ssp-alpha', sampleBannerRequest())).arrayBuffer();
  const burst = await Promise.all(Array.from({ length: 8 }, () => b.bid('ssp-alpha', sampleBannerRequest())));
  await Promise.all(burst.map((r) => r.arrayBuffer()));
});
afterAll(async () => {
  await b.stop();
  cfg.cleanup();
});

const json = (v: unknown) => JSON.stringify(v);
/** The sample config bids on this (acme-prospecting: US desktop 300×250). */
const bidBody = (id = `w-${Math.random().toString(36).slice(2)}`) => json(sampleBannerRequest(id));
/** No campaign in the sample config buys a 1×1 banner: a well-formed no-bid. */
const noBidBody = (id = `n-${Math.random().toString(36).slice(2)}`) => {
  const r = sampleBannerRequest(id) as { imp: { banner: unknown }[] };
  r.imp[0]!.banner = { w: 1, h: 1, format: [{ w: 1, h: 1 }] };
  return json(r);
};
const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  request('POST', path, { body, headers: { 'content-type': 'application/json', ...headers } });

/** Every status a strict client must be able to read and then reuse the connection after. */
function expectFramed(r: RawResponse): void {
  const length = r.headers.get('content-length');
  if (r.status === 204) {
    expect(r.body.length).toBe(0);
    expect(length === undefined || (length.length === 1 && length[0] === '0'), r.raw).toBe(true);
  } else {
    expect(length, r.raw).toHaveLength(1);
    expect(Number(length![0]), r.raw).toBe(r.body.length);
  }
  expect(r.headers.has('transfer-encoding')).toBe(false);
}

async function clickUrl(): Promise<string> {
  const res = await b.bid('ssp-alpha', sampleBannerRequest());
  expect(res.status).toBe(200);
  const bid = ((await res.json()) as { seatbid: { bid: { adm: string }[] }[] }).seatbid[0]!.bid[0]!;
  return new URL(/href="([^"]+)"/.exec(bid.adm)![1]!).pathname + new URL(/href="([^"]+)"/.exec(bid.adm)![1]!).search;
}

describe('every status keeps the connection usable', () => {
  const publicCases: [string, () => Promise<Buffer> | Buffer, number][] = [
    ['a bid', () => post('/bid/ssp-alpha', bidBody()), 200],
    ['a no-bid', () => post('/bid/ssp-alpha', noBidBody()), 204],
    ['a click redirect', async () => request('GET', await clickUrl()), 302],
    ['a malformed bid request', () => post('/bid/ssp-alpha', '{"id": '), 400],
    ['a conversion without credentials', () => request('GET', '/conv?adv=acme&click=x'), 401],
    ['a forged notice token', () => request('GET', '/notice/win?t=k1.forged&p=1'), 403],
    ['an unknown path', () => request('GET', '/nowhere'), 404],
    ['an unknown channel', () => post('/bid/no-such-channel', bidBody()), 404],
    ['a GET on the bid route', () => request('GET', '/bid/ssp-alpha'), 405],
    ['an unsupported content encoding', () => post('/bid/ssp-alpha', bidBody(), { 'content-encoding': 'br' }), 415],
  ];
  for (const [name, make, status] of publicCases) {
    it(`public port: ${name} (${status}) is framed exactly and the next request on the connection is answered`, async () => {
      const c = await RawConnection.open(port);
      try {
        c.write(await make());
        const first = await c.read();
        expect(first.status, first.raw).toBe(status);
        expectFramed(first);
        c.write(post('/bid/ssp-alpha', noBidBody()));
        const next = await c.read();
        expect(next.status, next.raw).toBe(204);
        expect(c.isClosed).toBe(false);
      } finally {
        c.destroy();
      }
    });
  }

  const opsCases: [string, () => Buffer, number][] = [
    ['health', () => request('GET', '/healthz'), 200],
    ['metrics', () => request('GET', '/metrics'), 200],
    ['readiness', () => request('GET', '/readyz'), 200],
    ['admin without a token', () => request('GET', '/admin/config'), 401],
    [
      'admin with the token',
      () => request('GET', '/admin/spend', { headers: { authorization: `Bearer ${kAdminToken}` } }),
      200,
    ],
    ['an unknown path', () => request('GET', '/nowhere'), 404],
    ['a POST on health', () => request('POST', '/healthz', { body: 'x' }), 405],
  ];
  for (const [name, make, status] of opsCases) {
    it(`ops port: ${name} (${status}) is framed exactly and the next request on the connection is answered`, async () => {
      const c = await RawConnection.open(opsPort);
      try {
        c.write(make());
        const first = await c.read();
        expect(first.status, first.raw).toBe(status);
        expectFramed(first);
        c.write(request('GET', '/healthz'));
        const next = await c.read();
        expect(next.status).toBe(200);
        expect(next.body.toString()).toBe('ok');
      } finally {
        c.destroy();
      }
    });
  }

  it('HEAD is answered with the headers of GET and no body, and the connection carries on', async () => {
    const c = await RawConnection.open(opsPort);
    try {
      c.write(request('HEAD', '/healthz'));
      const head = await c.read({ head: true });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toEqual(['2']);
      c.write(request('HEAD', '/nowhere'));
      const missing = await c.read({ head: true });
      expect(missing.status).toBe(404);
      // Had the server sent bodies after the HEAD answers, they would be read as this response and fail.
      c.write(request('GET', '/healthz'));
      const get = await c.read();
      expect(get.body.toString()).toBe('ok');
      expect(c.pending.length).toBe(0);
    } finally {
      c.destroy();
    }
  });

  it('an oversized body gets its 413 before the connection closes', async () => {
    const c = await RawConnection.open(port);
    try {
      const big = 'x'.repeat(b.app.config.current.bidder.limits.maxBodyBytes + 1);
      c.write(post('/bid/ssp-alpha', big));
      const r = await c.read();
      expect(r.status).toBe(413);
      expectFramed(r);
      expect(await c.closesWithin(2_000)).toBe(true);
    } finally {
      c.destroy();
    }
  });
});

describe('pipelining and request bodies', () => {
  it('answers pipelined requests in order, bids and no-bids and errors alike', async () => {
    const c = await RawConnection.open(port);
    try {
      const plan: { bytes: Buffer; status: number; id?: string }[] = [];
      for (let i = 0; i < 30; i++) {
        const kind = i % 5;
        if (kind === 0) plan.push({ bytes: post('/bid/ssp-alpha', bidBody(`p-${i}`)), status: 200, id: `p-${i}` });
        else if (kind === 1 || kind === 3)
          plan.push({ bytes: post('/bid/ssp-alpha', noBidBody(`p-${i}`)), status: 204 });
        else if (kind === 2) plan.push({ bytes: request('GET', `/nowhere-${i}`), status: 404 });
        else plan.push({ bytes: post('/bid/ssp-alpha', '[1,'), status: 400 });
      }
      c.write(Buffer.concat(plan.map((p) => p.bytes)));
      for (const p of plan) {
        const r = await c.read();
        // A bid may legitimately be a no-bid (a deadline on a loaded machine); every other status is fixed,
        // and a bid's body names its own request, so answers out of order would fail either way.
        if (p.status === 200 && r.status === 204) continue;
        expect(r.status, r.raw).toBe(p.status);
        expectFramed(r);
        if (p.id !== undefined) expect((JSON.parse(r.body.toString()) as { id: string }).id).toBe(p.id);
      }
      expect(c.isClosed).toBe(false);
    } finally {
      c.destroy();
    }
  });

  it('handles Expect: 100-continue: the interim answer first, then the body is read and answered', async () => {
    const c = await RawConnection.open(port);
    try {
      const body = bidBody('expect-1');
      c.write(
        request('POST', '/bid/ssp-alpha', {
          headers: {
            'content-type': 'application/json',
            'content-length': String(body.length),
            expect: '100-continue',
          },
        }),
      );
      const interim = await c.read();
      expect(interim.status).toBe(100);
      c.write(body);
      const r = await c.read();
      expect(r.status).toBe(200);
      expectFramed(r);
      expect((JSON.parse(r.body.toString()) as { id: string }).id).toBe('expect-1');
    } finally {
      c.destroy();
    }
  });

  it('accepts a chunked request body within the body limit', async () => {
    const c = await RawConnection.open(port);
    try {
      const body = bidBody('chunked-1');
      c.write(
        request('POST', '/bid/ssp-alpha', {
          body: chunked(body, 100),
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        }),
      );
      const r = await c.read();
      expect(r.status, r.raw).toBe(200);
      expect((JSON.parse(r.body.toString()) as { id: string }).id).toBe('chunked-1');
      c.write(post('/bid/ssp-alpha', noBidBody()));
      expect((await c.read()).status).toBe(204);
    } finally {
      c.destroy();
    }
  });

  it('refuses a chunked request body past the body limit with 413', async () => {
    const c = await RawConnection.open(port);
    try {
      const big = 'y'.repeat(b.app.config.current.bidder.limits.maxBodyBytes + 10);
      c.write(
        request('POST', '/bid/ssp-alpha', {
          body: chunked(big, 4096),
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        }),
      );
      const r = await c.read();
      expect(r.status).toBe(413);
      expectFramed(r);
    } finally {
      c.destroy();
    }
  });

  it('refuses a request with both Content-Length and Transfer-Encoding (smuggling): no handler runs', async () => {
    const before = await b.metric('peregrine_bid_requests_total');
    const c = await RawConnection.open(port);
    try {
      const smuggled = request('GET', '/notice/win?t=x&p=1');
      const body = `0\r\n\r\n${smuggled.toString('latin1')}`;
      c.write(
        request('POST', '/bid/ssp-alpha', {
          body,
          headers: { 'content-type': 'application/json', 'content-length': '5', 'transfer-encoding': 'chunked' },
        }),
      );
      expect(await c.closesWithin(2_000)).toBe(true);
      // uWebSockets.js closes the connection without an answer: nothing was parsed, nothing was smuggled.
      expect(c.pending.length).toBe(0);
    } finally {
      c.destroy();
    }
    expect(await b.metric('peregrine_bid_requests_total')).toBe(before);
  });

  it('answers a request body sent in many small writes', async () => {
    const c = await RawConnection.open(port);
    try {
      const bytes = post('/bid/ssp-alpha', bidBody('split-1'));
      for (let i = 0; i < bytes.length; i += 37) {
        c.write(bytes.subarray(i, i + 37));
        await new Promise((r) => setImmediate(r));
      }
      const r = await c.read();
      expect(r.status).toBe(200);
      expect((JSON.parse(r.body.toString()) as { id: string }).id).toBe('split-1');
    } finally {
      c.destroy();
    }
  });

  it('a client that drops mid-body leaves nothing in flight', async () => {
    const c = await RawConnection.open(port);
    c.write(request('POST', '/bid/ssp-alpha', { headers: { 'content-length': '5000' } }));
    c.write('{"id":"half');
    await new Promise((r) => setTimeout(r, 50));
    c.destroy();
    await c.closed;
    const until = Date.now() + 2_000;
    while (b.app.inflight() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(b.app.inflight()).toBe(0);
  });
});

describe('strict clients over kept-alive connections', () => {
  it('node:http with a keep-alive agent: 400 requests, bids and no-bids, over at most 4 sockets', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    let sockets = 0;
    const counted = new WeakSet<object>();
    const one = (i: number) =>
      new Promise<number>((resolve, reject) => {
        const body = i % 3 === 0 ? bidBody() : noBidBody();
        const req = httpRequest(
          {
            agent,
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/bid/ssp-alpha',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
          },
        );
        req.on('socket', (s) => {
          if (!counted.has(s)) {
            counted.add(s);
            sockets++;
          }
        });
        req.setTimeout(5_000, () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end(body);
      });
    try {
      const statuses = await Promise.all(Array.from({ length: 400 }, (_, i) => one(i)));
      expect(statuses.filter((s) => s !== 200 && s !== 204)).toEqual([]);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s === 204).length).toBeGreaterThan(0);
      expect(sockets).toBeLessThanOrEqual(4);
    } finally {
      agent.destroy();
    }
  });

  it('autocannon over a mix of bids and no-bids: every request answered, no errors, no timeouts', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? bidBody() : noBidBody()));
    const result = await autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: 8,
      amount: 3_000,
      timeout: 5,
      requests: bodies.map((body) => ({
        method: 'POST' as const,
        path: '/bid/ssp-alpha',
        headers: { 'content-type': 'application/json' },
        body,
      })),
    });
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result['2xx']).toBe(3_000);
    expect(result.statusCodeStats?.['204']?.count ?? 0).toBeGreaterThan(0);
    expect(result.statusCodeStats?.['200']?.count ?? 0).toBeGreaterThan(0);
  });
});

describe('draining', () => {
  it('an open ops connection sees 503 from readiness while the bidder drains', async () => {
    const c = await RawConnection.open(opsPort);
    try {
      c.write(request('GET', '/readyz'));
      expect((await c.read()).status).toBe(200);
      const stopping = b.stop();
      c.write(request('GET', '/readyz'));
      const r = await c.read();
      expect(r.status).toBe(503);
      expectFramed(r);
      await stopping;
    } finally {
      c.destroy();
    }
  });
});
