/**
 * The admin API as an operator reads it: `GET /admin/config` is plain JSON (sets as arrays, never `{}`) that
 * never shows a secret, and config warnings (an unset env secret) are logged once per process, not on every
 * reload.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startBidder, type TestBidder } from '../helpers/bidder.js';
import { tempConfig, type TempConfig } from '../helpers/config-dir.js';

let cfg: TempConfig | undefined;
let b: TestBidder | undefined;
afterEach(async () => {
  await b?.stop();
  cfg?.cleanup();
  b = undefined;
  cfg = undefined;
});

interface ChannelView {
  id: string;
  priceKeys: string;
  prebid?: { bidderCodes: unknown };
  corsOrigins?: unknown;
}

describe('GET /admin/config', () => {
  it('shows Prebid bidder codes and CORS origins as arrays, and price keys only as set or unset', async () => {
    cfg = tempConfig();
    const channels = readFileSync(join(cfg.dir, 'channels.yaml'), 'utf8');
    cfg.write(
      'channels.yaml',
      channels.replace(
        '    timeoutMarginMs: 20\n',
        '    timeoutMarginMs: 20\n    priceMacro: { style: encrypted, encryptionKey: env:ALPHA_EKEY, integrityKey: env:ALPHA_IKEY }\n',
      ),
    );
    b = await startBidder(cfg.dir, { env: { ALPHA_EKEY: 'alpha-encryption-key', ALPHA_IKEY: 'alpha-integrity-key' } });
    const res = await fetch(`${b.opsUrl}/admin/config`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as { channels: ChannelView[] };
    const prebid = body.channels.find((c) => c.id === 'prebid');
    expect(prebid?.prebid?.bidderCodes).toEqual(['peregrine']);
    expect(prebid?.corsOrigins).toEqual(['http://127.0.0.1:5180', 'http://localhost:5180']);
    const alpha = body.channels.find((c) => c.id === 'ssp-alpha');
    expect(alpha?.priceKeys).toBe('set');
    expect(body.channels.find((c) => c.id === 'ssp-beta')?.priceKeys).toBe('unset');
    expect(text).not.toContain('alpha-encryption-key');
    expect(text).not.toContain('alpha-integrity-key');
  });
});

describe('config warnings', () => {
  it('an unset env secret is warned about once per process, not again on each reload', async () => {
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l));
        done();
      },
    });
    cfg = tempConfig();
    // No notice keys and no postback secret in the environment: ephemeral keys and refused postbacks.
    b = await startBidder(cfg.dir, {
      env: { PEREGRINE_NOTICE_KEY_1: '', PEREGRINE_NOTICE_KEY_0: '' },
      logger: pino({ level: 'warn' }, sink),
    });
    for (let i = 0; i < 3; i++) {
      const file = join(cfg.dir, 'campaigns', 'acme-video.yaml');
      cfg.write('campaigns/acme-video.yaml', `${readFileSync(file, 'utf8')}\n# edit ${i}\n`);
      expect((await fetch(`${b.opsUrl}/admin/reload`, { method: 'POST' })).status).toBe(200);
    }
    const warnings = lines.filter((l) => l.level === 40).map((l) => l.msg);
    const ephemeral = warnings.filter((w) => w.includes('ephemeral random key'));
    expect(ephemeral).toHaveLength(2); // k1 and k0, once each
    expect(warnings.filter((w) => w.startsWith('advertiser acme:'))).toHaveLength(1);
    expect(new Set(warnings).size).toBe(warnings.length);
  });
});
