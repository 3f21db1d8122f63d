import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigDir } from '../../../src/config/load.js';
import { buildSnapshot } from '../../../src/config/snapshot.js';
import { tempConfig, type TempConfig } from '../../helpers/config-dir.js';

let cfg: TempConfig | undefined;
afterEach(() => cfg?.cleanup());

describe('config loading', () => {
  it('loads the sample config: 3 channels, 12 campaigns, 3 advertisers, banner/video/native, a deal', async () => {
    const r = await loadConfigDir((cfg = tempConfig()).dir);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.channels.length).toBeGreaterThanOrEqual(3);
    expect(r.config.campaigns.length).toBeGreaterThanOrEqual(10);
    expect(new Set(r.config.campaigns.map((c) => c.advertiser)).size).toBeGreaterThanOrEqual(3);
    const formats = new Set(
      r.config.campaigns.flatMap((c) =>
        c.creatives.map((cr) => (cr.format === 'banner' ? `${cr.w}x${cr.h}` : cr.format)),
      ),
    );
    for (const f of ['300x250', '728x90', '320x50', 'video', 'native']) expect(formats).toContain(f);
    expect(r.config.campaigns.some((c) => c.targeting.deals !== undefined)).toBe(true);
  });

  it('reports every error with its file and field path, across files', async () => {
    cfg = tempConfig();
    cfg.write(
      'campaigns/bad.yaml',
      'id: bad one\nadvertiser: X\nadomain: []\nbudget: { daily: -1, channels: { nowhere: 1 } }\nbid: { strategy: fixed_cpm, cpm: 1 }\ncreatives: [{ id: a, format: banner, w: 0, h: 250, markup: m, landingUrl: "not a url" }]\n',
    );
    cfg.write(
      'channels.yaml',
      'channels:\n  - { id: ssp-alpha, name: A, billableEvent: click }\n  - { id: ssp-beta, name: B }\n  - { id: ssp-gamma, name: C }\n',
    );
    const r = await loadConfigDir(cfg.dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.issues.map((i) => `${i.file} ${i.path}: ${i.message}`);
    expect(lines.some((l) => l.startsWith('campaigns/bad.yaml id:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('campaigns/bad.yaml adomain:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('campaigns/bad.yaml budget.daily:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('campaigns/bad.yaml creatives[0].w:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('campaigns/bad.yaml creatives[0].landingUrl:'))).toBe(true);
    expect(lines.some((l) => l.startsWith('channels.yaml channels[0].billableEvent:'))).toBe(true);
  });

  it('checks references across files: unknown channels and duplicate campaign ids', async () => {
    cfg = tempConfig();
    cfg.write(
      'campaigns/dup.yaml',
      (await import('node:fs'))
        .readFileSync(`${cfg.dir}/campaigns/volt-desktop.yaml`, 'utf8')
        .replace('ssp-beta', 'ssp-zeta'),
    );
    const r = await loadConfigDir(cfg.dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: 'campaigns/volt-desktop.yaml',
          path: 'id',
          message: 'duplicate campaign id volt-desktop (also in campaigns/dup.yaml)',
        }),
        expect.objectContaining({
          file: 'campaigns/dup.yaml',
          path: 'budget.channels.ssp-zeta',
          message: 'unknown channel ssp-zeta',
        }),
      ]),
    );
  });

  it('reports YAML syntax errors with the line', async () => {
    cfg = tempConfig();
    cfg.write('bidder.yaml', 'port: 8080\n  bad: [\n');
    const r = await loadConfigDir(cfg.dir);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues[0]).toMatchObject({
        file: 'bidder.yaml',
        message: expect.stringMatching(/invalid YAML \(line \d+\)/),
      });
  });

  it('accepts a file holding a list of campaigns, with indexed paths in errors', async () => {
    cfg = tempConfig();
    cfg.write(
      'campaigns/list.yaml',
      'campaigns:\n  - id: l1\n    advertiser: X\n    adomain: [x.example]\n    budget: { daily: 1, channels: { ssp-alpha: 1 } }\n    bid: { strategy: fixed_cpm, cpm: 1 }\n    creatives: [{ id: a, format: banner, w: 1, h: 1, markup: m, landingUrl: "https://x.example/" }]\n  - id: l2\n',
    );
    const r = await loadConfigDir(cfg.dir);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.every((i) => i.path.startsWith('campaigns[1]'))).toBe(true);
  });

  it('builds a frozen snapshot with resolved secrets, an fx table and ephemeral keys when env is unset', async () => {
    const r = await loadConfigDir((cfg = tempConfig()).dir);
    if (!r.ok) throw new Error('sample config invalid');
    const s = buildSnapshot(r.config, 1, 0, { PEREGRINE_NOTICE_KEY_1: 'abc', ACME_POSTBACK_SECRET: 'acme' });
    expect(Object.isFrozen(s)).toBe(true);
    expect(s.noticeKeys[0]).toEqual({ id: 'k1', secret: Buffer.from('abc') });
    expect(s.noticeKeys[1]!.secret.length).toBe(32);
    expect(s.warnings).toEqual([expect.stringContaining('notice key k0: env:PEREGRINE_NOTICE_KEY_0 is not set')]);
    expect(s.fx.get('USD')).toBe(1);
    expect(s.fx.get('EUR')).toBe(1.08);
    const again = buildSnapshot(r.config, 2, 0, {});
    expect(again.hash).toBe(s.hash);
  });
});
