/**
 * The config directory as hostile input (issue 15 item 5): whatever sits in it, loading ends — with a short,
 * honest report — and never hangs on a FIFO, crashes on a symlink loop or drowns in a huge file.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatIssues, kDefaultLoadLimits, loadConfigDir } from '../../../src/config/load.js';
import { tempConfig, type TempConfig } from '../../helpers/config-dir.js';

let cfg: TempConfig | undefined;
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
  cfg?.cleanup();
  cfg = undefined;
});

/** Resolves with the load, or rejects when it has not ended by the deadline (a FIFO open blocks forever). */
function loadWithin(dir: string, ms = 20_000, limits = kDefaultLoadLimits) {
  return Promise.race([
    loadConfigDir(dir, limits),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`load still running after ${ms} ms`)), ms)),
  ]);
}

const bigInvalid = (entries: number) =>
  `campaigns:\n${Array.from({ length: entries }, (_, i) => `  - id: e${i}`).join('\n')}\n`;

describe('a hostile config directory', { timeout: 30_000 }, () => {
  it('a self-referencing symlink named like a campaign is an error with its cause, not a crash', async () => {
    cfg = tempConfig();
    symlinkSync('self.yaml', join(cfg.dir, 'campaigns', 'self.yaml'));
    const r = await loadWithin(cfg.dir);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toEqual([{ file: 'campaigns/self.yaml', path: '', message: 'symlink loop (ELOOP)' }]);
  });

  it('a two-link symlink loop and a dangling symlink are reported, the rest of the directory still checked', async () => {
    cfg = tempConfig();
    symlinkSync('b.yaml', join(cfg.dir, 'campaigns', 'a.yaml'));
    symlinkSync('a.yaml', join(cfg.dir, 'campaigns', 'b.yaml'));
    symlinkSync('nowhere.yaml', join(cfg.dir, 'campaigns', 'dangling.yaml'));
    const r = await loadWithin(cfg.dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => `${i.file}: ${i.message}`)).toEqual([
      'campaigns/a.yaml: symlink loop (ELOOP)',
      'campaigns/b.yaml: symlink loop (ELOOP)',
      'campaigns/dangling.yaml: cannot read: ENOENT (missing, or a dangling symlink)',
    ]);
  });

  it('a symlink to a regular file outside the folder is followed (ConfigMaps are symlinks)', async () => {
    cfg = tempConfig();
    const text = readFileSync(join(cfg.dir, 'campaigns', 'volt-desktop.yaml'), 'utf8');
    cfg.write('elsewhere/other.yaml', text.replace('id: volt-desktop', 'id: volt-linked'));
    symlinkSync(join(cfg.dir, 'elsewhere', 'other.yaml'), join(cfg.dir, 'campaigns', 'linked.yaml'));
    const r = await loadWithin(cfg.dir);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.campaigns.map((c) => c.id)).toContain('volt-linked');
  });

  it('a FIFO is skipped with a warning, never opened: the load ends and the config stays valid', async () => {
    cfg = tempConfig();
    execFileSync('mkfifo', [join(cfg.dir, 'campaigns', 'pipe.yaml')]);
    const r = await loadWithin(cfg.dir);
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual(['campaigns/pipe.yaml: skipped, not a regular file (FIFO)']);
  });

  it('a FIFO in place of bidder.yaml is an error (there is no config without it), still never opened', async () => {
    cfg = tempConfig();
    cfg.remove('bidder.yaml');
    execFileSync('mkfifo', [join(cfg.dir, 'bidder.yaml')]);
    const r = await loadWithin(cfg.dir);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toEqual([{ file: 'bidder.yaml', path: '', message: 'not a regular file (FIFO)' }]);
  });

  it('a socket and a directory under a config name are skipped with a warning', async () => {
    cfg = tempConfig();
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(join(cfg!.dir, 'campaigns', 'sock.yaml'), resolve));
    cfg.write('campaigns/dir.yaml/inner.yaml', 'not: read');
    const r = await loadWithin(cfg.dir);
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([
      'campaigns/dir.yaml: skipped, not a regular file (directory)',
      'campaigns/sock.yaml: skipped, not a regular file (socket)',
    ]);
  });

  it('a file over the per-file limit is refused unread, with its size and the limit', async () => {
    cfg = tempConfig();
    const text = bigInvalid(200_000); // ~3 MB, as measured in issue 15
    cfg.write('campaigns/huge.yaml', text);
    const r = await loadWithin(cfg.dir);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues).toEqual([
        {
          file: 'campaigns/huge.yaml',
          path: '',
          message: `file too large (${text.length} bytes; the limit is ${kDefaultLoadLimits.maxFileBytes})`,
        },
      ]);
  }, 30_000);

  it('the total limit stops reading once the files together exceed it', async () => {
    cfg = tempConfig();
    const r = await loadWithin(cfg.dir, 20_000, { ...kDefaultLoadLimits, maxTotalBytes: 4_000 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.message).toBe('the config files exceed the total limit of 4000 bytes; not read further');
  });

  it('a file of many invalid entries yields a capped report: the first issues, then how many more', async () => {
    cfg = tempConfig();
    cfg.write('campaigns/bad.yaml', bigInvalid(2_000));
    const r = await loadWithin(cfg.dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const max = kDefaultLoadLimits.maxIssues;
    expect(r.issues).toHaveLength(max + 1);
    expect(r.issues[0]).toEqual({
      file: 'campaigns/bad.yaml',
      path: 'campaigns[0].advertiser',
      message: 'Invalid input: expected string, received undefined',
    });
    // Checking stops once 20 × max issues are counted; what was skipped is said, not hidden.
    expect(r.totalIssues).toBeGreaterThanOrEqual(max * 20);
    expect(r.issues.at(-1)!.message).toMatch(
      new RegExp(`^… and ${r.totalIssues - max} more issues \\(the first ${max} shown; checking stopped there, \\d+`),
    );
    expect(formatIssues(r.issues).length).toBeLessThan(20_000);
  }, 30_000);

  it('clips one enormous message (thousands of unknown keys) instead of passing it on whole', async () => {
    cfg = tempConfig();
    const keys = Array.from({ length: 1_000 }, (_, i) => `unknown_key_${i}: 1`).join('\n');
    cfg.write('campaigns/keys.yaml', `id: keys\n${keys}\n`);
    const r = await loadWithin(cfg.dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    for (const i of r.issues) expect(i.message.length).toBeLessThanOrEqual(300);
    expect(r.issues.some((i) => i.message.startsWith('Unrecognized keys: "unknown_key_0"'))).toBe(true);
  }, 30_000);

  it('still refuses a YAML alias bomb', async () => {
    cfg = tempConfig();
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      levels.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    cfg.write('campaigns/bomb.yaml', `${levels.join('\n')}\n`);
    const r = await loadWithin(cfg.dir);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.message).toMatch(/^invalid YAML.*[Aa]lias/);
  });
});

describe('every stage reports in one pass', { timeout: 30_000 }, () => {
  it('a field error, a whole-campaign rule and an unknown channel in one campaign file are all reported', async () => {
    cfg = tempConfig();
    const text = readFileSync(join(cfg.dir, 'campaigns', 'volt-desktop.yaml'), 'utf8');
    // Field stage: a creative's width of 0. Campaign stage: shares that do not sum to 1. Reference stage: a
    // channel that does not exist.
    const bad = text
      .replace('id: volt-desktop', 'id: volt-stages')
      .replace(/w: 728/, 'w: 0')
      .replace(/ssp-beta: [0-9.]+/, 'ssp-nowhere: 0.5');
    expect(bad).not.toBe(text);
    cfg.write('campaigns/stages.yaml', bad);
    const r = await loadWithin(cfg.dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.issues.map((i) => `${i.file} ${i.path}: ${i.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^campaigns\/stages\.yaml creatives\[\d+\]\.w: /),
        expect.stringMatching(/^campaigns\/stages\.yaml budget\.channels: channel shares must sum to 1/),
        'campaigns/stages.yaml budget.channels.ssp-nowhere: unknown channel ssp-nowhere',
      ]),
    );
  });

  it('an invalid channels.yaml does not hide a campaign naming an unknown channel', async () => {
    cfg = tempConfig();
    const channels = readFileSync(join(cfg.dir, 'channels.yaml'), 'utf8');
    cfg.write('channels.yaml', channels.replace(/auctionType: \d/, 'auctionType: 7'));
    const text = readFileSync(join(cfg.dir, 'campaigns', 'volt-desktop.yaml'), 'utf8');
    cfg.write('campaigns/volt-desktop.yaml', text.replace(/ssp-beta/g, 'ssp-zeta'));
    const r = await loadWithin(cfg.dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.issues.map((i) => `${i.file} ${i.path}`);
    expect(lines.some((l) => l.startsWith('channels.yaml channels['))).toBe(true);
    expect(lines).toContain('campaigns/volt-desktop.yaml budget.channels.ssp-zeta');
  });
});
