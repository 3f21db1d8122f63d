import { describe, expect, it } from 'vitest';
import { adminAllowed, adminGuard, bearerToken, type AdminCall } from '../../../src/endpoints/admin-auth.js';
import type { RequestInfo } from '../../../src/http/server.js';

const token = { adminToken: 's3cret', adminOpen: undefined } as const;
const open = { adminToken: undefined, adminOpen: 'loopback' } as const;
const call = (authorization: string, remoteAddress = '127.0.0.1') => ({ authorization, remoteAddress });

describe('admin authorization', () => {
  it('reads the bearer scheme case-insensitively and keeps the credentials exactly as sent', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('BEARER  abc')).toBe('abc');
    expect(bearerToken('Bearer abc ')).toBe('abc ');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearerabc')).toBeUndefined();
    expect(bearerToken('')).toBeUndefined();
  });

  it('accepts exactly the token, whatever the case of the scheme', () => {
    expect(adminAllowed(call('Bearer s3cret'), token)).toBe(true);
    expect(adminAllowed(call('bearer s3cret'), token)).toBe(true);
    expect(adminAllowed(call('bEaReR s3cret', '10.1.2.3'), token)).toBe(true);
  });

  it('refuses a token with anything around it, a prefix of it, another scheme, or none', () => {
    for (const h of [
      'Bearer s3cret ',
      'Bearer  s3cret\t',
      'Bearer s3cre',
      'Bearer s3cretX',
      'Bearer S3CRET',
      'Basic s3cret',
      's3cret',
      '',
    ])
      expect(adminAllowed(call(h), token), JSON.stringify(h)).toBe(false);
  });

  it('a configured token is required from loopback callers too', () => {
    expect(adminAllowed(call(''), token)).toBe(false);
    expect(adminAllowed(call('', '::1'), token)).toBe(false);
  });

  it('loopback-open development mode answers loopback callers only', () => {
    for (const a of [
      '127.0.0.1',
      '127.0.0.2',
      '::1',
      '0000:0000:0000:0000:0000:0000:0000:0001',
      '0000:0000:0000:0000:0000:ffff:7f00:0001',
    ])
      expect(adminAllowed(call('', a), open), a).toBe(true);
    for (const a of ['10.0.0.1', '192.168.1.127', '0000:0000:0000:0000:0000:ffff:0a00:0001', ''])
      expect(adminAllowed(call('', a), open), a).toBe(false);
    // Without the setting, no token configured means nobody (the app always has one unless open).
    expect(adminAllowed(call(''), { adminToken: undefined, adminOpen: undefined })).toBe(false);
  });

  it('audits every call with its outcome and status, allowed or refused, and never the token', async () => {
    const calls: AdminCall[] = [];
    const guard = adminGuard({ current: token }, (c) => calls.push(c));
    const info = (authorization: string): RequestInfo => ({
      method: 'post',
      url: '/admin/reload',
      query: '',
      param: '',
      contentType: '',
      contentEncoding: '',
      acceptEncoding: '',
      origin: '',
      authorization,
      remoteAddress: '127.0.0.1',
      receivedAtMs: 0,
      arrivedAtMs: 0,
    });
    const ok = guard('/admin/reload', () => ({ status: 200 }));
    const failing = guard('/admin/reload', async () => ({ status: 422 }));
    const throwing = guard('/admin/reload', async (): Promise<never> => {
      throw new Error('broken');
    });
    expect((ok(info('Bearer nope'), undefined) as { status: number }).status).toBe(401);
    expect((ok(info('Bearer s3cret'), undefined) as { status: number }).status).toBe(200);
    expect((await failing(info('Bearer s3cret'), undefined)).status).toBe(422);
    await expect(throwing(info('Bearer s3cret'), undefined)).rejects.toThrow('broken');
    expect(calls.map((c) => [c.outcome, c.status])).toEqual([
      ['unauthorized', 401],
      ['ok', 200],
      ['error', 422],
      ['error', 500],
    ]);
    expect(calls[0]).toEqual({
      method: 'POST',
      path: '/admin/reload',
      route: '/admin/reload',
      outcome: 'unauthorized',
      status: 401,
      remoteAddress: '127.0.0.1',
    });
    expect(JSON.stringify(calls)).not.toContain('s3cret');
  });
});
