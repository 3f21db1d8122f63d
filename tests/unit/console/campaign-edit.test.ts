import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CampaignEditor } from '../../../src/console/campaign-edit.js';

const kFile = `# Acme: prospecting.
id: acme
advertiser: Acme
adomain: [acme.example]
budget:
  daily: 600 # per day
  total: 18000
  channels: { ssp-alpha: 0.6, ssp-beta: 0.4 }
  pacing: even
bid: { strategy: fixed_cpm, cpm: 2.10 }
# caps below
frequencyCaps:
  - { count: 3, window: 1d }
creatives:
  - id: c1
    format: banner
    w: 300
    h: 250
    landingUrl: https://acme.example/
    markup: <b>hi</b>
`;

let dir: string;
let editor: CampaignEditor;
const read = () => readFileSync(join(dir, 'campaigns/acme.yaml'), 'utf8');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pg-edit-'));
  mkdirSync(join(dir, 'campaigns'));
  writeFileSync(join(dir, 'campaigns/acme.yaml'), kFile);
  editor = new CampaignEditor({
    configDir: dir,
    channelIds: () => new Set(['ssp-alpha', 'ssp-beta', 'ssp-gamma']),
    auditLog: join(dir, 'audit/changes.jsonl'),
    now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('campaign editor', () => {
  it('writes a valid change keeping comments, order and flow style, and audits the diff', async () => {
    const before = await editor.read('acme');
    const r = await editor.edit('acme', { budget: { daily: 750 }, status: 'paused' }, before!.etag, 'ann', 'console');
    expect(r.ok).toBe(true);
    const text = read();
    expect(text).toContain('# Acme: prospecting.');
    expect(text).toContain('daily: 750 # per day');
    expect(text).toContain('channels: { ssp-alpha: 0.6, ssp-beta: 0.4 }');
    expect(text).toContain('# caps below');
    expect(text.indexOf('status: paused')).toBeGreaterThan(text.indexOf('adomain'));
    const audit = readFileSync(join(dir, 'audit/changes.jsonl'), 'utf8').trim().split('\n');
    expect(audit).toHaveLength(1);
    const entry = JSON.parse(audit[0]!);
    expect(entry).toMatchObject({ who: 'ann', via: 'console', campaign: 'acme', etagBefore: before!.etag });
    expect(entry.diff).toEqual(
      expect.arrayContaining([
        { path: 'budget.daily', before: 600, after: 750 },
        { path: 'status', before: null, after: 'paused' },
      ]),
    );
    expect((await editor.read('acme'))!.etag).toBe(entry.etagAfter);
    expect(readdirSync(join(dir, 'campaigns'))).toEqual(['acme.yaml']);
  });

  it('refuses an invalid change with each issue at its field, and leaves the file alone', async () => {
    const r = await editor.edit(
      'acme',
      { budget: { daily: -5, channels: { 'ssp-alpha': 0.5, 'ssp-zeta': 0.2 } } },
      undefined,
      'ann',
      'admin',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.status).toBe(422);
    const paths = r.issues!.map((i) => i.path);
    expect(paths).toContain('budget.daily');
    expect(paths).toContain('budget.channels');
    expect(paths).toContain('budget.channels.ssp-zeta');
    expect(read()).toBe(kFile);
  });

  it('takes a whole form: empty flight and no total on a file without them, same caps: only real changes', async () => {
    const form = {
      budget: { daily: 600, total: 18000, channels: { 'ssp-alpha': 0.6, 'ssp-beta': 0.4 }, floating: 0 },
      bid: { strategy: 'fixed_cpm', cpm: 2.1 },
      flight: { start: null, end: null },
      frequencyCaps: [{ count: 3, window: '1d' }],
    };
    const r = await editor.edit('acme', form, undefined, 'ann', 'console');
    expect(r).toMatchObject({ ok: true, diff: [{ path: 'budget.floating', before: null, after: 0 }] });
    const again = await editor.edit(
      'acme',
      { ...form, budget: { ...form.budget, total: null } },
      undefined,
      'a',
      'admin',
    );
    expect(again).toMatchObject({ ok: true, diff: [{ path: 'budget.total', before: 18000, after: null }] });
    expect(read()).not.toContain('flight');
  });

  it('refuses a change to a file that changed since it was read (ETag)', async () => {
    const before = await editor.read('acme');
    writeFileSync(join(dir, 'campaigns/acme.yaml'), kFile.replace('600', '650'));
    const r = await editor.edit('acme', { budget: { daily: 700 } }, before!.etag, 'ann', 'console');
    expect(r).toMatchObject({ ok: false, status: 412 });
    expect(read()).toContain('daily: 650');
  });

  it('replaces the split, bid, flight and caps; removes the total budget', async () => {
    const r = await editor.edit(
      'acme',
      {
        budget: { total: null, channels: { 'ssp-alpha': 0.5, 'ssp-gamma': 0.5 }, floating: 0.2 },
        bid: { strategy: 'max_cpm', cpm: 3 },
        flight: { start: '2026-01-01T00:00:00Z', end: '2026-02-01T00:00:00Z' },
        frequencyCaps: [{ count: 5, window: '12h' }],
      },
      undefined,
      'bob',
      'admin',
    );
    expect(r.ok).toBe(true);
    const text = read();
    expect(text).toContain('channels: { ssp-alpha: 0.5, ssp-gamma: 0.5 }');
    expect(text).toMatch(/bid: \{ strategy: max_cpm, cpm: 3(\.00)? \}/);
    expect(text).not.toContain('total:');
    expect(text).toContain('floating: 0.2');
    expect(text).toContain('start: 2026-01-01T00:00:00Z');
    expect(text).toContain('# caps below');
    expect(text).toMatch(/frequencyCaps: \[ \{ count: 5, window: 12h \} \]/);
    const flightEnd = editor.edit('acme', { flight: { end: '2025-01-01T00:00:00Z' } }, undefined, 'bob', 'admin');
    expect(await flightEnd).toMatchObject({ ok: false, issues: [{ path: 'flight.end' }] });
  });
});
