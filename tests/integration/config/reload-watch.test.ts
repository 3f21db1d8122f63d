/**
 * Hot reload as editors, tools and Kubernetes change files: real files in a temp directory, the real
 * watcher, and every reload heard by a listener. Each test waits (with a deadline) until the snapshot shows
 * the edit; none assumes how long the watcher takes.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/clock.js';
import { ConfigHolder, type ReloadResult } from '../../../src/config/config-holder.js';
import { DirWatcher } from '../../../src/files/dir-watcher.js';
import { kSampleConfig, tempConfig, type TempConfig } from '../../helpers/config-dir.js';

let cfg: TempConfig | undefined;
let holder: ConfigHolder | undefined;
const watchers: DirWatcher[] = [];
afterEach(() => {
  holder?.close();
  for (const w of watchers.splice(0)) w.close();
  cfg?.cleanup();
  holder = undefined;
  cfg = undefined;
});

interface Watched {
  readonly holder: ConfigHolder;
  readonly results: ReloadResult[];
  readonly watchErrors: string[];
  /** Resolves once `cond` holds after some reload; rejects at the deadline with what was seen. */
  until(cond: () => boolean, what: string, ms?: number): Promise<void>;
}

async function open(dir: string): Promise<Watched> {
  // Loads on the test's thread: these tests are about the watcher (the loader thread has its own test).
  holder = await ConfigHolder.open(dir, systemClock, {}, { offThread: false, watch: { debounceMs: 50, pollMs: 0 } });
  const results: ReloadResult[] = [];
  const watchErrors: string[] = [];
  const waiters = new Set<() => void>();
  holder.subscribe({
    onReload: (r) => {
      results.push(r);
      for (const w of waiters) w();
    },
    onWatchError: (err) => watchErrors.push(err.message),
  });
  await holder.watch();
  const h = holder;
  return {
    holder: h,
    results,
    watchErrors,
    until: (cond, what, ms = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!cond()) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${what}: not seen in ${ms} ms; reloads: ${JSON.stringify(results.map(summary))}`));
        }, ms);
        waiters.add(check);
        check();
      }),
  };
}

const summary = (r: ReloadResult) => ({ outcome: r.outcome, trigger: r.trigger });
const cpm = (h: ConfigHolder, id = 'volt-desktop') => {
  const bid = h.current.campaignsById.get(id)?.bid as { cpmMicros?: number } | undefined;
  return bid?.cpmMicros;
};
const voltFile = (dir: string) => join(dir, 'campaigns', 'volt-desktop.yaml');
const withCpm = (text: string, value: string) => text.replace(/cpm: \d+\.\d+/, `cpm: ${value}`);

describe('config hot reload, by save style', { timeout: 60_000 }, () => {
  it('in-place write', async () => {
    cfg = tempConfig();
    const w = await open(cfg.dir);
    writeFileSync(voltFile(cfg.dir), withCpm(readFileSync(voltFile(cfg.dir), 'utf8'), '7.50'));
    await w.until(() => cpm(w.holder) === 7_500_000, 'in-place edit');
    expect(w.results.at(-1)).toMatchObject({ ok: true, outcome: 'ok' });
  });

  it('rename over the file (sed -i, vim, atomic save), twice, then an in-place write: every edit reloads', async () => {
    cfg = tempConfig();
    const w = await open(cfg.dir);
    const f = voltFile(cfg.dir);
    const renameOver = (value: string) => {
      writeFileSync(`${f}.tmp-save`, withCpm(readFileSync(f, 'utf8'), value));
      renameSync(`${f}.tmp-save`, f);
    };
    renameOver('2.10');
    await w.until(() => cpm(w.holder) === 2_100_000, 'first rename-over');
    // The old watcher watched the file's inode: from here on it heard nothing.
    renameOver('2.20');
    await w.until(() => cpm(w.holder) === 2_200_000, 'second rename-over');
    writeFileSync(f, withCpm(readFileSync(f, 'utf8'), '2.30'));
    await w.until(() => cpm(w.holder) === 2_300_000, 'in-place write after renames');
  });

  it('delete and re-create the file', async () => {
    cfg = tempConfig();
    const w = await open(cfg.dir);
    const f = voltFile(cfg.dir);
    const text = readFileSync(f, 'utf8');
    rmSync(f);
    writeFileSync(f, withCpm(text, '3.10'));
    await w.until(() => cpm(w.holder) === 3_100_000, 'delete + recreate');
  });

  it('a new campaign file, then its deletion', async () => {
    cfg = tempConfig();
    const w = await open(cfg.dir);
    const text = readFileSync(voltFile(cfg.dir), 'utf8').replace('id: volt-desktop', 'id: volt-new');
    cfg.write('campaigns/volt-new.yaml', text);
    await w.until(() => w.holder.current.campaignsById.has('volt-new'), 'new file');
    rmSync(join(cfg.dir, 'campaigns', 'volt-new.yaml'));
    await w.until(() => !w.holder.current.campaignsById.has('volt-new'), 'deleted file');
  });

  it('editor swap and backup files alone do not reload', async () => {
    cfg = tempConfig();
    const w = await open(cfg.dir);
    cfg.write('campaigns/.volt-desktop.yaml.swp', 'swap');
    cfg.write('campaigns/volt-desktop.yaml~', 'backup');
    // A relevant write after them is the marker: when it has reloaded, the earlier writes would have too.
    writeFileSync(voltFile(cfg.dir), withCpm(readFileSync(voltFile(cfg.dir), 'utf8'), '4.40'));
    await w.until(() => cpm(w.holder) === 4_400_000, 'marker edit');
    expect(w.results.every((r) => !/\.swp|~$/.test(r.trigger))).toBe(true);
  });

  it('every attempt ends in an outcome: an invalid save is refused and said, the fix applies', async () => {
    cfg = tempConfig();
    const w = await open(cfg.dir);
    const f = voltFile(cfg.dir);
    const text = readFileSync(f, 'utf8');
    writeFileSync(f, text.replace(/w: 728/, 'w: 0'));
    await w.until(() => w.results.some((r) => r.outcome === 'invalid'), 'invalid outcome');
    const refused = w.results.find((r) => r.outcome === 'invalid');
    expect(refused).toMatchObject({ ok: false, totalIssues: 1 });
    expect(w.holder.current.version).toBe(1);
    writeFileSync(f, withCpm(text, '5.50'));
    await w.until(() => cpm(w.holder) === 5_500_000, 'fixed file');
  });

  it('a Kubernetes ConfigMap update (the ..data symlink flip), twice', async () => {
    // The kubelet's layout: real files in a timestamped directory, `..data` → it, and every entry a symlink
    // through `..data`; an update writes a new directory, flips `..data` by rename and deletes the old one.
    cfg = tempConfig(false);
    const root = cfg.dir;
    const version = (name: string, value: string) => {
      cpSync(kSampleConfig, join(root, name), { recursive: true });
      rmSync(join(root, name, 'models'), { recursive: true, force: true });
      const f = join(root, name, 'campaigns', 'volt-desktop.yaml');
      writeFileSync(f, withCpm(readFileSync(f, 'utf8'), value));
    };
    const flip = (name: string, old: string) => {
      symlinkSync(name, join(root, '..data_tmp'));
      renameSync(join(root, '..data_tmp'), join(root, '..data'));
      rmSync(join(root, old), { recursive: true });
    };
    version('..2026_12_02_a', '1.11');
    symlinkSync('..2026_12_02_a', join(root, '..data'));
    for (const n of ['bidder.yaml', 'channels.yaml', 'campaigns']) symlinkSync(join('..data', n), join(root, n));
    const w = await open(root);
    expect(cpm(w.holder)).toBe(1_110_000);
    version('..2026_12_02_b', '1.22');
    flip('..2026_12_02_b', '..2026_12_02_a');
    await w.until(() => cpm(w.holder) === 1_220_000, 'first flip');
    // The `campaigns` watch was on the deleted directory; it must have moved to the new one.
    version('..2026_12_02_c', '1.33');
    flip('..2026_12_02_c', '..2026_12_02_b');
    await w.until(() => cpm(w.holder) === 1_330_000, 'second flip');
  });

  it('a symlink loop in place of campaigns/ is reported and counted, never fatal; restoring it reloads', async () => {
    cfg = tempConfig();
    const w = await open(cfg.dir);
    const dir = join(cfg.dir, 'campaigns');
    renameSync(dir, join(cfg.dir, 'campaigns.bak'));
    symlinkSync('campaigns', dir);
    await w.until(() => w.results.some((r) => r.outcome === 'invalid'), 'loop reported');
    const r = w.results.find((x) => x.outcome === 'invalid');
    expect(r?.ok === false && r.issues).toEqual([{ file: 'campaigns', path: '', message: 'symlink loop (ELOOP)' }]);
    expect(w.watchErrors.some((m) => m.includes('ELOOP'))).toBe(true);
    rmSync(dir);
    const text = readFileSync(join(cfg.dir, 'campaigns.bak', 'volt-desktop.yaml'), 'utf8');
    renameSync(join(cfg.dir, 'campaigns.bak'), dir);
    writeFileSync(voltFile(cfg.dir), withCpm(text, '6.60'));
    await w.until(() => cpm(w.holder) === 6_600_000, 'restored directory');
  });
});

describe('directory watcher', { timeout: 60_000 }, () => {
  it('a directory created after start is found by the poll and watched from then on', async () => {
    cfg = tempConfig(false);
    const sub = join(cfg.dir, 'later');
    const changes: string[] = [];
    let notify: () => void = () => undefined;
    const w = new DirWatcher({
      dirs: [sub],
      debounceMs: 20,
      pollMs: 100,
      onChange: (why) => {
        changes.push(why);
        notify();
      },
    });
    watchers.push(w);
    await w.start();
    expect(w.watching).toEqual([]);
    const seen = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`only ${changes.length} changes: ${changes.join(', ')}`)), 20_000);
        notify = () => {
          if (changes.length < n) return;
          clearTimeout(t);
          resolve();
        };
        notify();
      });
    mkdirSync(sub);
    writeFileSync(join(sub, 'a.yaml'), 'a: 1');
    await seen(1);
    expect(changes[0]).toMatch(/^poll/);
    expect(w.watching).toEqual([sub]);
    writeFileSync(join(sub, 'b.yaml'), 'b: 1');
    await seen(2);
  });
});
