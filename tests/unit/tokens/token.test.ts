import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signToken, verifyToken, type NoticeClaims } from '../../../src/tokens/token.js';

const k1 = { id: 'k1', secret: Buffer.from('secret-one') };
const k0 = { id: 'k0', secret: Buffer.from('secret-zero') };
const now = Date.parse('2026-11-23T12:00:00Z');
const claims: NoticeClaims = {
  auctionId: 'auc-1|weird"id\u00e9',
  impId: '1',
  campaignId: 'c1',
  creativeId: 'cr1',
  channelId: 'ch1',
  bidCpmMicros: 2_500_000,
  bidCpmAccountMicros: 2_700_000,
  currency: 'EUR',
  issuedAtMs: now,
  instanceId: 'i-1',
  day: '2026-11-23',
  personId: 'p9',
  dealId: undefined,
};

/** The same claims with ASCII strings only: signed in v2. */
const ascii: NoticeClaims = { ...claims, auctionId: 'auc-1' };

/** LEB128, as v2 writes counts. */
function leb(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

const tag = (body: string) =>
  `${body}.${createHmac('sha256', k1.secret).update(body).digest().subarray(0, 16).toString('base64url')}`;

/** A v2 payload given as bytes, tagged with k1. */
const taggedBytes = (bytes: number[]) => tag(`k1.${Buffer.from(bytes).toString('base64url')}`);

/** The claims as a v1 token (a JSON array), signed with k1: what bidders before v2 issued. */
function signV1(c: NoticeClaims): string {
  const ppb = c.expected === undefined ? -1 : Math.round(c.expected * 1e9);
  const floor = c.floorCpmMicros ?? 0;
  const p: unknown[] = [1, c.auctionId, c.impId, c.campaignId, c.creativeId, c.channelId, c.bidCpmMicros];
  p.push(c.bidCpmAccountMicros, c.currency, Math.floor(c.issuedAtMs / 1000), c.instanceId, c.day);
  p.push(c.personId ?? '', c.dealId ?? '');
  if (floor > 0 || c.beacon === true)
    p.push(c.explore === true ? 1 : 0, ppb >= 0 && ppb <= 1e9 ? ppb : -1, floor, c.beacon ? 1 : 0);
  else if (ppb >= 0 && ppb <= 1e9) p.push(c.explore === true ? 1 : 0, ppb);
  else if (c.explore === true) p.push(1);
  return tag(`k1.${Buffer.from(JSON.stringify(p)).toString('base64url')}`);
}

describe('notice tokens', () => {
  it('round-trips every claim (issue time to the second) and is URL-safe', () => {
    const t = signToken(claims, k1);
    expect(t).toMatch(/^[A-Za-z0-9_.-]+$/);
    const v = verifyToken(t, [k1], now + 1000, 3600);
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.claims).toEqual(claims);
  });
  it('verifies with any active key (rotation) and rejects unknown keys', () => {
    const old = signToken(claims, k0);
    expect(verifyToken(old, [k1, k0], now, 3600).ok).toBe(true);
    expect(verifyToken(old, [k1], now, 3600)).toEqual({ ok: false, reason: 'bad_token' });
  });
  it('rejects any altered byte, a swapped key id, and garbage', () => {
    const t = signToken(claims, k1);
    for (let i = 0; i < t.length; i += 7) {
      const c = t[i] === 'A' ? 'B' : 'A';
      const forged = t.slice(0, i) + c + t.slice(i + 1);
      if (forged !== t) expect(verifyToken(forged, [k1, k0], now, 3600).ok, `byte ${i}`).toBe(false);
    }
    expect(verifyToken(`k0${t.slice(2)}`, [k1, k0], now, 3600).ok).toBe(false);
    for (const junk of ['', '.', 'a.b.c', 'k1..', 'k1.e30.AAAAAAAAAAAAAAAAAAAAAA', '${AUCTION_PRICE}'])
      expect(verifyToken(junk, [k1], now, 3600).ok).toBe(false);
  });
  it('carries the expected-actions claim after the explore flag, and still verifies tokens without either', () => {
    const sign = (c: NoticeClaims) => verifyToken(signToken(c, k1), [k1], now, 3600);
    const a = sign({ ...claims, expected: 0.0123456789 });
    expect(a.ok && a.claims.expected).toBeCloseTo(0.0123456789, 9);
    expect(a.ok && a.claims.explore).toBe(undefined);
    const b = sign({ ...claims, explore: true, expected: 2.5e-6 });
    expect(b.ok && b.claims.explore).toBe(true);
    expect(b.ok && b.claims.expected).toBeCloseTo(2.5e-6, 12);
    const c = sign({ ...claims, explore: true });
    expect(c.ok && c.claims).toEqual({ ...claims, explore: true });
    // Out of range values are not signed at all rather than clipped.
    const d = sign({ ...claims, expected: 1.5 });
    expect(d.ok && d.claims).toEqual(claims);
    // A 16-element payload whose 16th element is not a ppb integer is refused even with a valid tag.
    const body = (p: unknown[]) => `k1.${Buffer.from(JSON.stringify(p)).toString('base64url')}`;
    const base = [1, 'a', '1', 'c1', 'cr1', 'ch1', 1, 1, 'USD', Math.floor(now / 1000), 'i', '2026-11-23', '', ''];
    const tagged = (p: unknown[]) => {
      const b0 = body(p);
      return `${b0}.${createHmac('sha256', k1.secret).update(b0).digest().subarray(0, 16).toString('base64url')}`;
    };
    expect(verifyToken(tagged([...base, 0, 12345]), [k1], now, 3600).ok).toBe(true);
    for (const bad of [
      [...base, 0, 0.5],
      [...base, 0, -1],
      [...base, 0, 2e9],
      [...base, 2, 5],
      [...base, 0, '5'],
    ])
      expect(verifyToken(tagged(bad), [k1], now, 3600).ok, JSON.stringify(bad.slice(14))).toBe(false);
  });
  it('carries the price floor and the beacon flag in the 18-element form, with or without the other extras', () => {
    const sign = (c: NoticeClaims) => verifyToken(signToken(c, k1), [k1], now, 3600);
    const a = sign({ ...claims, floorCpmMicros: 2_079_000 });
    expect(a.ok && a.claims).toEqual({ ...claims, floorCpmMicros: 2_079_000 });
    const b = sign({ ...claims, beacon: true, explore: true, expected: 0.01 });
    expect(b.ok && b.claims).toMatchObject({ beacon: true, explore: true, expected: 0.01 });
    expect(b.ok && b.claims.floorCpmMicros).toBe(undefined);
    // The beacon copy is another token (another de-dup id) than the billing one.
    expect(signToken({ ...claims, beacon: true }, k1)).not.toBe(signToken(claims, k1));
    const body = (p: unknown[]) => `k1.${Buffer.from(JSON.stringify(p)).toString('base64url')}`;
    const tagged = (p: unknown[]) => {
      const b0 = body(p);
      return `${b0}.${createHmac('sha256', k1.secret).update(b0).digest().subarray(0, 16).toString('base64url')}`;
    };
    const base = [1, 'a', '1', 'c1', 'cr1', 'ch1', 1, 1, 'USD', Math.floor(now / 1000), 'i', '2026-11-23', '', ''];
    expect(verifyToken(tagged([...base, 0, -1, 5, 1]), [k1], now, 3600).ok).toBe(true);
    for (const bad of [
      [...base, 0, -2, 5, 0],
      [...base, 0, -1, -5, 0],
      [...base, 0, -1, 5, 2],
      [...base, 0, -1, 0.5, 0],
      [...base, 0, -1, 5],
    ])
      expect(verifyToken(tagged(bad), [k1], now, 3600).ok, JSON.stringify(bad.slice(14))).toBe(false);
  });
  it('expires after the TTL and refuses tokens from the future', () => {
    const t = signToken(claims, k1);
    expect(verifyToken(t, [k1], now + 3601_000, 3600)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyToken(t, [k1], now - 600_000, 3600)).toEqual({ ok: false, reason: 'expired' });
  });
  it('tags keyId.payload with HMAC-SHA256 truncated to 16 bytes (the documented format, so every version verifies it)', () => {
    for (const c of [claims, ascii]) {
      const t = signToken(c, k1);
      const dot2 = t.lastIndexOf('.');
      expect(t.slice(dot2 + 1)).toBe(
        createHmac('sha256', k1.secret).update(t.slice(0, dot2)).digest().subarray(0, 16).toString('base64url'),
      );
    }
    // Claims with a non-ASCII string are signed in v1: the JSON array.
    const t = signToken(claims, k1);
    const payload = JSON.parse(Buffer.from(t.slice(3, t.lastIndexOf('.')), 'base64url').toString('utf8')) as unknown[];
    expect(payload[1]).toBe(claims.auctionId);
  });
  it('signs ASCII claims in the binary v2 layout, about two thirds the length of v1', () => {
    const full: NoticeClaims = { ...ascii, explore: true, expected: 0.25, floorCpmMicros: 200, beacon: true };
    const t = signToken(full, k1);
    const bytes = Buffer.from(t.slice(3, t.lastIndexOf('.')), 'base64url');
    const str = (s: string) => [s.length, ...Buffer.from(s)];
    expect([...bytes]).toEqual([
      2,
      1 | 2 | 4 | 8 | 16,
      ...str('auc-1'),
      ...str('1'),
      ...str('c1'),
      ...str('cr1'),
      ...str('ch1'),
      ...[0xa0, 0xcb, 0x98, 0x01], // 2,500,000 as LEB128
      ...leb(2_700_000),
      ...str('EUR'),
      ...leb(Math.floor(now / 1000)),
      ...str('i-1'),
      ...str('2026-11-23'),
      ...str('p9'),
      ...leb(250_000_000),
      ...leb(200),
    ]);
    expect(t.length).toBeLessThan(signV1(full).length * 0.75);
    const v = verifyToken(t, [k1], now, 3600);
    expect(v.ok && v.claims).toEqual(full);
  });
  it('round-trips every optional claim in v2 exactly as v1 does, and still verifies v1 tokens (in flight at upgrade)', () => {
    const variants: NoticeClaims[] = [
      ascii,
      { ...ascii, personId: undefined, dealId: 'deal-7' },
      { ...ascii, personId: '', dealId: '' },
      { ...ascii, explore: true },
      { ...ascii, expected: 0 },
      { ...ascii, expected: 1 },
      { ...ascii, expected: 1.5 },
      { ...ascii, expected: 0.0123456789, explore: true },
      { ...ascii, floorCpmMicros: 0, beacon: false },
      { ...ascii, floorCpmMicros: 2_079_000 },
      { ...ascii, beacon: true, explore: true, expected: 0.01 },
      { ...ascii, bidCpmMicros: Number.MAX_SAFE_INTEGER, bidCpmAccountMicros: 0, issuedAtMs: 0 },
    ];
    for (const c of variants) {
      const v2 = signToken(c, k1);
      expect(v2[3], JSON.stringify(c)).toBe('A');
      const a = verifyToken(v2, [k1], c.issuedAtMs, 3600);
      const b = verifyToken(signV1(c), [k1], c.issuedAtMs, 3600);
      expect(a.ok, JSON.stringify(c)).toBe(true);
      expect(a.ok && a.claims, JSON.stringify(c)).toEqual(b.ok && b.claims);
    }
  });
  it('falls back to v1 for a count v2 cannot carry, which verification refuses as v1 always did', () => {
    for (const bad of [{ bidCpmMicros: 1.5 }, { bidCpmAccountMicros: -1 }, { bidCpmMicros: 2 ** 53 }]) {
      const t = signToken({ ...ascii, ...bad }, k1);
      expect(t[3]).toBe('W');
      expect(verifyToken(t, [k1], now, 3600)).toEqual({ ok: false, reason: 'bad_token' });
    }
  });
  it('refuses every other spelling of a v2 payload, even with a valid tag', () => {
    const good = [...Buffer.from(signToken({ ...ascii, personId: undefined }, k1).split('.')[1]!, 'base64url')];
    expect(verifyToken(taggedBytes(good), [k1], now, 3600).ok).toBe(true);
    const at = (i: number, ...b: number[]) => [...good.slice(0, i), ...b, ...good.slice(i + 1)];
    // `good` has no optional fields: flags 0, and its last field is the day.
    expect(good[1]).toBe(0);
    const bad: Record<string, number[]> = {
      'trailing byte': [...good, 0],
      truncated: good.slice(0, -1),
      'unknown flag': at(1, 64),
      'version 3': at(0, 3),
      'non-minimal length': [2, 0, 0x85, 0x00, ...good.slice(3)],
      'non-ASCII byte': at(3, 0xe9),
      'person flag, empty person': [...at(1, 16), 0],
      'floor flag, floor 0': [...at(1, 4), 0],
      'expected over 1': [...at(1, 2), ...leb(1_000_000_001)],
      'flag without its field': at(1, 2),
      empty: [],
    };
    expect(verifyToken(taggedBytes([...at(1, 2), ...leb(1_000_000_000)]), [k1], now, 3600).ok).toBe(true);
    for (const [name, bytes] of Object.entries(bad))
      expect(verifyToken(taggedBytes(bytes), [k1], now, 3600).ok, name).toBe(false);
  });
  it('rejects a tag of the wrong length even when it starts with the right bytes', () => {
    const t = signToken(claims, k1);
    const dot2 = t.lastIndexOf('.');
    const tag = Buffer.from(t.slice(dot2 + 1), 'base64url');
    for (const bad of [Buffer.concat([tag, Buffer.from([0, 0, 0])]), tag.subarray(0, 15)])
      expect(verifyToken(`${t.slice(0, dot2 + 1)}${bad.toString('base64url')}`, [k1], now, 3600).ok).toBe(false);
  });
  it('round-trips long and multi-byte claims (past the scratch buffers) and refuses tokens over 4096 characters', () => {
    for (const auctionId of ['é'.repeat(1000), 'a'.repeat(1400)]) {
      const t = signToken({ ...claims, auctionId }, k1);
      expect(t.length).toBeLessThanOrEqual(4096);
      const v = verifyToken(t, [k1], now, 3600);
      expect(v.ok && v.claims.auctionId).toBe(auctionId);
    }
    const long = signToken({ ...claims, auctionId: 'a'.repeat(4000) }, k1);
    expect(long.length).toBeGreaterThan(4096);
    expect(verifyToken(long, [k1], now, 3600)).toEqual({ ok: false, reason: 'bad_token' });
  });
  it('accepts only the canonical spelling of the tag, so a re-spelt tag cannot pass de-duplication as a new notice', () => {
    for (let n = 0; n < 20; n++) {
      const t = signToken({ ...claims, auctionId: `a-${n}` }, k1);
      const v = verifyToken(t, [k1], now, 3600);
      expect(v.ok && v.tokenId).toBe(t.slice(t.lastIndexOf('.') + 1));
      const last = t[t.length - 1]!;
      // The last of 22 characters carries 2 bits of the tag; its low 4 bits are ignored by the decoder.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sameBits = alphabet[(alphabet.indexOf(last) & 0x30) | (~alphabet.indexOf(last) & 0x0f)]!;
      expect(
        Buffer.from(t.slice(t.lastIndexOf('.') + 1, -1) + sameBits, 'base64url').equals(
          Buffer.from(t.slice(t.lastIndexOf('.') + 1), 'base64url'),
        ),
      ).toBe(true);
      expect(verifyToken(t.slice(0, -1) + sameBits, [k1], now, 3600).ok).toBe(false);
      const body = t.slice(0, t.lastIndexOf('.') + 1);
      const tag = t.slice(t.lastIndexOf('.') + 1);
      expect(verifyToken(`${body}${tag.replaceAll('-', '+').replaceAll('_', '/')}==`, [k1], now, 3600).ok).toBe(false);
    }
  });
});
