/**
 * The admin API as an attacker on the host and an operator see it (issue 15, item 6): a token is required
 * by default (one is made for the run when none is configured), the exact token only — checked here over a
 * raw socket, since fetch normalises header values — any case of the `Bearer` scheme, loopback access
 * without a token only with the explicit development setting, and every call logged and counted, never
 * the token. Whitespace at the very end of the header line is not part of the field value (RFC 9110 §5.5)
 * and uWS drops it before any handler runs, so "token + trailing space" can only be refused inside the value
 * (unit tests: tests/unit/endpoints/admin-auth.test.ts).
 */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { tempConfig, type TempConfig } from '../helpers/config-dir.js';
import { startBidder, type TestBidder } from '../helpers/bidder.js';

let cfg: TempConfig | undefined;
let b: TestBidder | undefined;
afterEach(async () => {
  await b?.stop();
  cfg?.cleanup();
  b = undefined;
  cfg = undefined;
});

/** Starts the bidder with its logs captured as JSON lines. */
async function start(env: Record<string, string>): Promise<{ b: TestBidder; logs: Record<string, unknown>[] }> {
  cfg = tempConfig();
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') logs.push(JSON.parse(line));
      done();
    },
  });
  b = await startBidder(cfg.dir, { env, logger: pino({ level: 'info' }, sink) });
  return { b, logs };
}

/** One raw HTTP/1.1 request: the header bytes exactly as given. Resolves with the status code. */
function rawGet(port: number, path: string, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let text = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('no answer in 5 s'));
    }, 5_000);
    s.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m !== null) {
        clearTimeout(timer);
        s.destroy();
        resolve(Number(m[1]));
      }
    });
    s.on('error', reject);
    s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\n\r\n`);
  });
}

const kClosed = { PEREGRINE_ADMIN_OPEN: '' };

describe('admin API access', () => {
  it('requires a token by default: one is made for the run and logged once at start', async () => {
    const { b, logs } = await start(kClosed);
    const snap = b.app.config.current;
    expect(snap.adminTokenGenerated).toBe(true);
    const token = snap.adminToken!;
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(logs.filter((l) => String(l.msg).includes(token)).length).toBe(1);
    expect((await fetch(`${b.opsUrl}/admin/spend`)).status).toBe(401);
    expect((await fetch(`${b.opsUrl}/admin/reload`, { method: 'POST' })).status).toBe(401);
    const ok = await fetch(`${b.opsUrl}/admin/spend`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    // The token stays the same across reloads.
    await fetch(`${b.opsUrl}/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(b.app.config.current.adminToken).toBe(token);
  });

  it('accepts the exact token with any case of the scheme, and nothing else', async () => {
    const { b } = await start({ ...kClosed, PEREGRINE_ADMIN_TOKEN: 'tok-123' });
    const port = b.app.opsPort;
    expect(await rawGet(port, '/admin/config', 'Bearer tok-123')).toBe(200);
    expect(await rawGet(port, '/admin/config', 'bearer tok-123')).toBe(200);
    expect(await rawGet(port, '/admin/config', 'BEARER tok-123')).toBe(200);
    expect(await rawGet(port, '/admin/config', 'Bearer tok-123 x')).toBe(401);
    expect(await rawGet(port, '/admin/config', 'Bearer tok-123\t,')).toBe(401);
    expect(await rawGet(port, '/admin/config', 'Bearer tok-1234')).toBe(401);
    expect(await rawGet(port, '/admin/config', 'Bearer tok-12')).toBe(401);
    expect(await rawGet(port, '/admin/config', 'Basic tok-123')).toBe(401);
  });

  it('opens to loopback callers without a token only with PEREGRINE_ADMIN_OPEN=loopback and no token set', async () => {
    const { b } = await start({ PEREGRINE_ADMIN_OPEN: 'loopback' });
    expect(b.app.config.current.adminToken).toBeUndefined();
    expect((await fetch(`${b.opsUrl}/admin/spend`)).status).toBe(200);
    await b.stop();
    cfg?.cleanup();
    // A configured token wins over the development setting.
    const again = await start({ PEREGRINE_ADMIN_OPEN: 'loopback', PEREGRINE_ADMIN_TOKEN: 'tok-xyz' });
    expect((await fetch(`${again.b.opsUrl}/admin/spend`)).status).toBe(401);
  });

  it('a misspelt PEREGRINE_ADMIN_OPEN keeps the admin API closed, with a warning', async () => {
    const { b, logs } = await start({ PEREGRINE_ADMIN_OPEN: 'yes' });
    expect((await fetch(`${b.opsUrl}/admin/spend`)).status).toBe(401);
    expect(logs.some((l) => String(l.msg).includes('PEREGRINE_ADMIN_OPEN="yes" is not "loopback"'))).toBe(true);
  });

  it('logs and counts every admin call, refused or not, without the token', async () => {
    const { b, logs } = await start({ ...kClosed, PEREGRINE_ADMIN_TOKEN: 'tok-audit' });
    const auth = { authorization: 'Bearer tok-audit' };
    await fetch(`${b.opsUrl}/admin/spend`);
    await fetch(`${b.opsUrl}/admin/spend`, { headers: auth });
    await fetch(`${b.opsUrl}/admin/reload`, { method: 'POST', headers: auth });
    await fetch(`${b.opsUrl}/admin/replay/nope`, { method: 'POST', headers: auth, body: '{}' });
    const m = (route: string, outcome: string) => b.metric('peregrine_admin_requests_total', { route, outcome });
    expect(await m('/admin/spend', 'unauthorized')).toBe(1);
    expect(await m('/admin/spend', 'ok')).toBe(1);
    expect(await m('/admin/reload', 'ok')).toBe(1);
    expect(await m('/admin/replay/:channel', 'error')).toBe(1);
    const audit = logs.filter((l) => l.msg === 'admin call' || l.msg === 'admin call refused');
    expect(audit.map((l) => [l.method, l.path, l.status])).toEqual([
      ['GET', '/admin/spend', 401],
      ['GET', '/admin/spend', 200],
      ['POST', '/admin/reload', 200],
      ['POST', '/admin/replay/nope', 404],
    ]);
    for (const l of audit) expect(l.remote).toMatch(/127\.0\.0\.1|7f00:0001|::1/);
    expect(JSON.stringify(logs)).not.toContain('tok-audit');
  });
});
