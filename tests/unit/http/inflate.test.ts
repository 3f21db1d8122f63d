/**
 * gzip request bodies under a hard inflated-size limit (valid, gzip bombs, truncated, not gzip) and gzipped
 * responses.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzipLimited, gzipResponse } from '../../../src/http/inflate.js';

const kMiB = 1024 * 1024;
const body = Buffer.from(
  JSON.stringify({
    id: 'r1',
    imp: [{ id: '1', banner: { w: 300, h: 250 } }],
    site: { page: 'https://example.com/'.repeat(20) },
  }),
);

describe('gunzipLimited', () => {
  it('inflates a valid body', () => {
    const r = gunzipLimited(gzipSync(body), kMiB);
    expect(r.ok).toBe(true);
    if (r.ok) expect(Buffer.from(r.bytes).equals(body)).toBe(true);
  });

  it('allows exactly the limit and refuses one byte more', () => {
    const gz = gzipSync(body);
    expect(gunzipLimited(gz, body.length).ok).toBe(true);
    expect(gunzipLimited(gz, body.length - 1)).toStrictEqual({ ok: false, reason: 'too_large' });
  });

  it('refuses a gzip bomb (10 MB of zeros) as too large, stopping at the limit without inflating the rest', () => {
    const bomb = gzipSync(Buffer.alloc(10 * kMiB));
    expect(bomb.length).toBeLessThan(20 * 1024);
    expect(gunzipLimited(bomb, kMiB)).toStrictEqual({ ok: false, reason: 'too_large' });
    // Cut the bomb in half: inflating all of it would reach the truncation and call the body corrupt, but the
    // first half alone inflates to far more than the limit, so an inflate that stops at the limit never sees it.
    const half = bomb.subarray(0, bomb.length >> 1);
    expect(gunzipLimited(half, 100 * kMiB)).toStrictEqual({ ok: false, reason: 'corrupt' });
    expect(gunzipLimited(half, kMiB)).toStrictEqual({ ok: false, reason: 'too_large' });
  });

  it('counts concatenated gzip members towards one limit', () => {
    const member = gzipSync(Buffer.alloc(600 * 1024));
    expect(gunzipLimited(Buffer.concat([member, member]), kMiB)).toStrictEqual({ ok: false, reason: 'too_large' });
    const two = gunzipLimited(Buffer.concat([gzipSync(body), gzipSync(body)]), kMiB);
    expect(two.ok && two.bytes.length).toBe(2 * body.length);
  });

  it('refuses every truncation of a valid body as corrupt', () => {
    const gz = gzipSync(body);
    for (let n = 0; n < gz.length; n++)
      expect(gunzipLimited(gz.subarray(0, n), kMiB), `prefix of ${n} bytes`).toStrictEqual({
        ok: false,
        reason: 'corrupt',
      });
  });

  it('refuses bodies that are not gzip as corrupt', () => {
    for (const notGzip of [
      Buffer.alloc(0),
      body,
      Buffer.from([0x1f, 0x8b, 0x08, 0x00]),
      Buffer.from('1f8b', 'hex'),
      Buffer.concat([gzipSync(body), Buffer.from('trailing')]),
    ]) {
      expect(gunzipLimited(notGzip, kMiB)).toStrictEqual({ ok: false, reason: 'corrupt' });
    }
    const flipped = Buffer.from(gzipSync(body));
    flipped[flipped.length - 6] = flipped[flipped.length - 6]! ^ 0xff; // the CRC-32 trailer
    expect(gunzipLimited(flipped, kMiB)).toStrictEqual({ ok: false, reason: 'corrupt' });
  });

  it('takes a limit of 0 to mean empty bodies only', () => {
    expect(gunzipLimited(gzipSync(Buffer.alloc(0)), 0)).toMatchObject({ ok: true });
    expect(gunzipLimited(gzipSync(Buffer.from('x')), 0)).toStrictEqual({ ok: false, reason: 'too_large' });
  });
});

describe('gzipResponse', () => {
  it('produces gzip that inflates back to the body', () => {
    const gz = gzipResponse(body);
    expect(gz[0]).toBe(0x1f);
    expect(gz[1]).toBe(0x8b);
    expect(gunzipSync(gz).equals(body)).toBe(true);
    expect(gz.length).toBeLessThan(body.length);
  });
});
