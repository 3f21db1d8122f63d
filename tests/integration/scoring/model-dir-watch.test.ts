/**
 * The models directory through the shared directory watcher and safe reader: an atomic save (rename over the
 * file) and a later in-place write both reload, and a FIFO or a symlink loop named like a model is refused
 * with its reason — never opened, never fatal — while the live model stays.
 */
import { execFileSync } from 'node:child_process';
import { renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelRegistry, type ReloadReport } from '../../../src/scoring/model-registry.js';
import { modelJson, tempDir, writeModel } from '../../unit/scoring/fixtures.js';

const dirs: string[] = [];
const registries: ModelRegistry[] = [];
afterEach(() => {
  for (const r of registries.splice(0)) r.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function watched(dir: string) {
  const reg = new ModelRegistry({ dir });
  registries.push(reg);
  await reg.reload();
  const reports: (ReloadReport | Error)[] = [];
  const waiters = new Set<() => void>();
  await reg.watch(
    (r) => {
      reports.push(r);
      for (const w of waiters) w();
    },
    { debounceMs: 30, pollMs: 0 },
  );
  const until = (cond: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!cond()) return;
        waiters.delete(check);
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${what}: not seen in 20 s; reports: ${JSON.stringify(reports)}`));
      }, 20_000);
      waiters.add(check);
      check();
    });
  return { reg, reports, until };
}

describe('models directory watch', { timeout: 60_000 }, () => {
  it('rename-over, then an in-place write of the same file: both reload', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = writeModel(dir, { version: 1, bias: -4 });
    const { reg, until } = await watched(dir);
    writeFileSync(`${file}.tmp`, JSON.stringify(modelJson({ version: 1, bias: -3 })));
    renameSync(`${file}.tmp`, file);
    await until(() => reg.live('ctr')?.bias === -3, 'rename-over');
    writeFileSync(file, JSON.stringify(modelJson({ version: 1, bias: -2 })));
    await until(() => reg.live('ctr')?.bias === -2, 'in-place write after the rename');
  });

  it('a FIFO and a symlink loop named like models are refused with their reasons; the live model stays', async () => {
    const dir = tempDir();
    dirs.push(dir);
    writeModel(dir, { version: 1, bias: -4 });
    const { reg, reports, until } = await watched(dir);
    execFileSync('mkfifo', [join(dir, 'pctr-v9.json')]);
    symlinkSync('pctr-v8.json', join(dir, 'pctr-v8.json'));
    const refusals = () =>
      reports.flatMap((r) => (r instanceof Error ? [r.message] : r.refused.map((e) => e.message))).join('\n');
    await until(() => /FIFO/.test(refusals()) && /ELOOP/.test(refusals()), 'both refused');
    expect(refusals()).toMatch(/pctr-v9\.json.*not a regular file \(FIFO\)/);
    expect(refusals()).toMatch(/pctr-v8\.json.*ELOOP/);
    expect(reg.live('ctr')?.key).toBe('pctr@1');
    // The directory is still watched: a real model written next to them goes live.
    writeModel(dir, { version: 2, bias: -1 });
    await until(() => reg.live('ctr')?.key === 'pctr@2', 'next model');
  });
});
