/**
 * Fuzzing the real bidder process (issue 15): FUZZ_BODIES hostile bodies (default 100,000; a fixed seed,
 * FUZZ_SEED, so a failure replays), JSON and protobuf, some gzip, over keep-alive connections with bounded
 * concurrency. Every answer must be well framed (tests/helpers/raw-http.ts checks it byte by byte), none a 5xx, none late
 * past 5 s (a hang), and the process must not crash and must still bid afterwards.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openrtb } from '../../src/openrtb/proto/generated/openrtb.js';
import { prng } from '../../sim/random.js';
import { sampleBannerRequest } from '../helpers/bidder.js';
import { kSampleConfig } from '../helpers/config-dir.js';
import { jsonToProtoRequest } from '../helpers/proto.js';
import { spawnBidder, writeFigures, type ChildBidder } from './helpers/child-bidder.js';
import { KeepAliveClient, post } from '../helpers/raw-http.js';

const kBodies = Number(process.env.FUZZ_BODIES ?? 100_000);
const kSeed = Number(process.env.FUZZ_SEED ?? 42);
const kConcurrency = 16;

const kWeird: unknown[] = [
  null,
  true,
  -1,
  Number.POSITIVE_INFINITY,
  -0,
  0.5,
  '',
  'x'.repeat(300),
  [],
  {},
  [[[[[]]]]],
  '\u0000',
  '\ud800',
  2 ** 53 + 1,
  -1e308,
];
const kChannels = ['ssp-alpha', 'ssp-beta', 'ssp-gamma', 'prebid', 'nope'];

function mutate(value: unknown, r: () => number, depth = 0): unknown {
  if (depth > 6 || r() < 0.08) return kWeird[Math.floor(r() * kWeird.length)];
  if (Array.isArray(value)) return value.map((v) => mutate(v, r, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (r() > 0.05) out[k] = mutate(v, r, depth + 1);
    if (r() < 0.05) out[r() < 0.5 ? '__proto__' : 'constructor'] = { polluted: true };
    return out;
  }
  return value;
}

const validJson = Buffer.from(JSON.stringify(sampleBannerRequest('fz')));
const validProto = Buffer.from(openrtb.BidRequest.encode(jsonToProtoRequest(sampleBannerRequest('fz'))).finish());

function randomBytes(r: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** Flips, inserts and deletes a few bytes. */
function corrupt(src: Buffer, r: () => number): Buffer {
  const b = Buffer.from(src);
  const edits = 1 + Math.floor(r() * 8);
  let out = b;
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(r() * out.length);
    const k = r();
    if (k < 0.5) out[at] = Math.floor(r() * 256);
    else if (k < 0.75)
      out = Buffer.concat([out.subarray(0, at), randomBytes(r, 1 + Math.floor(r() * 4)), out.subarray(at)]);
    else out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + Math.floor(r() * 4))]);
  }
  return out;
}

/** The i-th request: kind chosen by i, contents by the seeded generator. */
function request(r: () => number, i: number): Buffer {
  const channel = kChannels[i % 17 === 0 ? 4 : Math.floor(r() * 4)]!;
  const path = `/bid/${channel}`;
  const json = { 'Content-Type': 'application/json' };
  const proto = { 'Content-Type': 'application/octet-stream' };
  switch (i % 10) {
    case 0:
      return post(path, randomBytes(r, Math.floor(r() * 2_000)), r() < 0.5 ? json : proto);
    case 1:
      return post(path, validJson.subarray(0, Math.floor(r() * validJson.length)), json);
    case 2:
    case 3:
      return post(path, JSON.stringify(mutate(sampleBannerRequest(`fz-${i}`), r)), json);
    case 4:
      return post(path, corrupt(validJson, r), json);
    case 5:
      return post(path, '['.repeat(Math.floor(r() * 5_000)) + ']'.repeat(Math.floor(r() * 5_000)), json);
    case 6:
      return post(path, corrupt(validProto, r), proto);
    case 7:
      return post(path, validProto.subarray(0, Math.floor(r() * validProto.length)), proto);
    case 8:
      // gzip: a corrupted body compressed, or compressed bytes corrupted.
      return post(path, r() < 0.5 ? gzipSync(corrupt(validJson, r)) : corrupt(gzipSync(validJson), r), {
        ...json,
        'Content-Encoding': 'gzip',
      });
    default:
      // A valid request now and then, so the bid path itself runs between the hostile ones.
      return post(path, r() < 0.5 ? validJson : validProto, r() < 0.5 ? json : proto);
  }
}

let bidder: ChildBidder;
beforeAll(async () => {
  bidder = await spawnBidder({ configDir: kSampleConfig });
});
afterAll(() => bidder?.kill());

describe('fuzzing the bidder process', () => {
  it(`answers ${kBodies} hostile bodies (seed ${kSeed}) well framed, never 5xx, never hung, and keeps bidding`, async () => {
    const r = prng(kSeed);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: kConcurrency }, async () => {
        const conn = new KeepAliveClient(bidder.port, 5_000);
        for (;;) {
          const i = next++;
          if (i >= kBodies) break;
          const bytes = request(r, i);
          try {
            const res = await conn.request(bytes);
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status >= 500 && failures.length < 20) failures.push(`#${i}: ${res.status} ${res.body}`);
          } catch (err) {
            if (failures.length < 20) failures.push(`#${i}: ${(err as Error).message}`);
            conn.close();
          }
        }
        conn.close();
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const byStatus = Object.fromEntries([...statuses].sort(([a], [b]) => a - b));
    writeFigures('fuzz', {
      command: 'npm run test:faults -- fuzz',
      bodies: kBodies,
      seed: kSeed,
      concurrency: kConcurrency,
      seconds: Math.round(seconds * 10) / 10,
      perSecond: Math.round(kBodies / seconds),
      byStatus,
      failures: failures.length,
    });
    expect(failures).toEqual([]);
    for (const s of statuses.keys()) expect([200, 204, 400, 404, 413, 415]).toContain(s);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(kBodies);
    expect(bidder.child.exitCode).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Still serving: a valid request is answered (a bid, unless pacing holds back after the valid ones above).
    const after = await new KeepAliveClient(bidder.port).request(post('/bid/ssp-alpha', validJson));
    expect([200, 204]).toContain(after.status);
    expect((await fetch(`http://127.0.0.1:${bidder.opsPort}/readyz`)).status).toBe(200);
  });
});
