/** Hot reload as a media buyer does it: edit a YAML file (watched) or POST /admin/reload; bad files are refused whole. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempConfig, type TempConfig } from '../helpers/config-dir.js';
import { sampleBannerRequest, startBidder, type TestBidder } from '../helpers/bidder.js';

let cfg: TempConfig | undefined;
let b: TestBidder | undefined;
afterEach(async () => {
  await b?.stop();
  cfg?.cleanup();
  b = undefined;
});

async function until(cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

describe('config reload', () => {
  it('a valid edit is picked up by the file watcher without restart', async () => {
    cfg = tempConfig();
    b = await startBidder(cfg.dir);
    const price = async () => {
      const r = await b!.bid('ssp-beta', sampleBannerRequest());
      return r.status === 200
        ? ((await r.json()) as { seatbid: { bid: { price: number; cid: string }[] }[] }).seatbid[0]!.bid[0]!
        : undefined;
    };
    const before = await price();
    expect(before).toBeDefined();
    const text = readFileSync(join(cfg.dir, 'campaigns', 'volt-desktop.yaml'), 'utf8');
    cfg.write('campaigns/volt-desktop.yaml', text.replace('cpm: 1.90', 'cpm: 19.00'));
    await until(async () => (await b!.metric('peregrine_config_version')) === 2, 30_000);
    const after = await price();
    expect(after).toMatchObject({ cid: 'volt-desktop', price: 19 });
  });

  it('an atomic save (rename over the file) reloads, and every attempt is counted by its result', async () => {
    cfg = tempConfig();
    b = await startBidder(cfg.dir);
    const startedAt = await b.metric('peregrine_config_last_reload_success_timestamp_seconds');
    expect(startedAt).toBeGreaterThan(0);
    const file = join(cfg.dir, 'campaigns', 'volt-desktop.yaml');
    const text = readFileSync(file, 'utf8');
    writeFileSync(`${file}.swp-new`, text.replace('cpm: 1.90', 'cpm: 19.00'));
    renameSync(`${file}.swp-new`, file);
    await until(async () => (await b!.metric('peregrine_config_version')) === 2, 30_000);
    expect(await b.metric('peregrine_config_reloads_total', { result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(await b.metric('peregrine_config_last_reload_success_timestamp_seconds')).toBeGreaterThanOrEqual(startedAt);
    // Nothing changed: still an attempt, counted as such.
    expect((await fetch(`${b.opsUrl}/admin/reload`, { method: 'POST' })).status).toBe(200);
    expect(await b.metric('peregrine_config_reloads_total', { result: 'unchanged' })).toBeGreaterThanOrEqual(1);
    writeFileSync(`${file}.swp-new`, text.replace('cpm: 1.90', 'cpm: oops'));
    renameSync(`${file}.swp-new`, file);
    await until(async () => (await b!.metric('peregrine_config_reloads_total', { result: 'invalid' })) >= 1, 30_000);
    expect(await b.metric('peregrine_config_version')).toBe(2);
  });

  it('an invalid edit is refused with every error, and the previous config stays live', async () => {
    cfg = tempConfig();
    b = await startBidder(cfg.dir);
    cfg.write(
      'campaigns/broken.yaml',
      'id: broken\nadvertiser: X\nadomain: [x.example]\nbudget: { daily: 0, channels: { ssp-alpha: 0.7 } }\nbid: { strategy: fixed_cpm, cpm: 1 }\ncreatives: []\n',
    );
    const res = await fetch(`${b.opsUrl}/admin/reload`, { method: 'POST' });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { code: string; issues: { file: string; path: string; message: string }[] };
    expect(body.code).toBe('INVALID_CONFIG');
    const paths = body.issues.map((i) => `${i.file} ${i.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'campaigns/broken.yaml budget.daily',
        'campaigns/broken.yaml budget.channels',
        'campaigns/broken.yaml creatives',
      ]),
    );
    expect(await b.metric('peregrine_config_version')).toBe(1);
    expect(await b.metric('peregrine_config_reloads_total', { result: 'invalid' })).toBeGreaterThanOrEqual(1);
    expect((await b.bid('ssp-alpha', sampleBannerRequest())).status).toBe(200);
    cfg.remove('campaigns/broken.yaml');
    const ok = await fetch(`${b.opsUrl}/admin/reload`, { method: 'POST' });
    expect(ok.status).toBe(200);
  });

  it('the admin API requires the bearer token when one is configured', async () => {
    cfg = tempConfig();
    b = await startBidder(cfg.dir, { env: { PEREGRINE_ADMIN_TOKEN: 's3cret-token' } });
    expect((await fetch(`${b.opsUrl}/admin/reload`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`${b.opsUrl}/admin/config`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const res = await fetch(`${b.opsUrl}/admin/config`, { headers: { authorization: 'Bearer s3cret-token' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { campaigns: unknown[] }).campaigns.length).toBe(13);
  });

  it('pausing a campaign takes effect on reload', async () => {
    cfg = tempConfig();
    b = await startBidder(cfg.dir);
    const text = readFileSync(join(cfg.dir, 'campaigns', 'nimbus-pmp.yaml'), 'utf8');
    cfg.write(
      'campaigns/nimbus-pmp.yaml',
      text.replace('advertiser: Nimbus Bank', 'advertiser: Nimbus Bank\nstatus: paused'),
    );
    expect((await fetch(`${b.opsUrl}/admin/reload`, { method: 'POST' })).status).toBe(200);
    const req = {
      ...sampleBannerRequest(),
      imp: [
        {
          id: '1',
          banner: { w: 300, h: 250 },
          pmp: { private_auction: 1, deals: [{ id: 'NB-PREMIUM-2026', bidfloor: 4 }] },
        },
      ],
    };
    expect((await b.bid('ssp-alpha', req)).status).toBe(204);
  });
});
