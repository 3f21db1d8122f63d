/**
 * Thousands of malformed, random and hostile bodies against the running server: every answer is one of
 * 200/204/400/413, nothing hangs, and the process keeps serving valid requests afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../../tools/train/synthetic.js';
import { tempConfig, type TempConfig } from '../helpers/config-dir.js';
import { sampleBannerRequest, startBidder, type TestBidder } from '../helpers/bidder.js';

let cfg: TempConfig;
let b: TestBidder;
beforeAll(async () => {
  cfg = tempConfig();
  b = await startBidder(cfg.dir);
});
afterAll(async () => {
  await b.stop();
  cfg.cleanup();
});

const kWeird: unknown[] = [
  null,
  true,
  -1,
  Number.POSITIVE_INFINITY, // 1e309 in JSON text overflows to Infinity
  -0,
  0.5,
  '',
  'x'.repeat(300),
  [],
  {},
  [[[[[]]]]],
  { __proto__: { x: 1 } },
  '\u0000',
  2 ** 53 + 1,
];

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

function body(r: () => number, i: number): string | Uint8Array {
  const kind = i % 4;
  const valid = JSON.stringify(sampleBannerRequest(`fz-${i}`));
  if (kind === 0) return Uint8Array.from({ length: Math.floor(r() * 2000) }, () => Math.floor(r() * 256));
  if (kind === 1) return valid.slice(0, Math.floor(r() * valid.length));
  if (kind === 2) return JSON.stringify(mutate(sampleBannerRequest(`fz-${i}`), r));
  return '['.repeat(Math.floor(r() * 5000)) + ']'.repeat(Math.floor(r() * 5000));
}

describe('fuzzing the server', () => {
  it('answers 200/204/400/413 to 3,000 hostile bodies and stays up', async () => {
    const r = prng(42);
    const seen = new Map<number, number>();
    for (let batch = 0; batch < 30; batch++) {
      const statuses = await Promise.all(
        Array.from({ length: 100 }, (_, k) =>
          b.bid(k % 2 ? 'ssp-alpha' : 'ssp-beta', body(r, batch * 100 + k)).then((res) => res.status),
        ),
      );
      for (const s of statuses) seen.set(s, (seen.get(s) ?? 0) + 1);
    }
    for (const s of seen.keys()) expect([200, 204, 400, 413]).toContain(s);
    expect(seen.get(400)).toBeGreaterThan(1000);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await b.bid('ssp-alpha', sampleBannerRequest())).status).toBe(200);
    expect((await fetch(`${b.opsUrl}/healthz`)).status).toBe(200);
  });
});
