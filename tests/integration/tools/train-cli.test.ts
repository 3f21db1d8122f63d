/**
 * The trainer as an operator runs it: it never writes into the live models folder by default, refuses a
 * model no better than the constant-rate baseline (nothing written, exit 3) unless forced, and says in one
 * line what is wrong with a missing input.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'peregrine-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const train = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'tools/train.ts', ...args], { encoding: 'utf8' });

describe('tools/train.ts', () => {
  it('refuses a model no better than the baseline, writes nothing, and writes it only when forced', () => {
    const log = join(dir, 'events.jsonl');
    // Too little data to learn anything: the held-out log-loss cannot beat the base rate.
    expect(train('--generate', log, '--count', '3000', '--seed', '3').status).toBe(0);
    const out = join(dir, 'models', 'pctr-v1.json');
    const refused = train(log, '--out', out);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('no better than the constant-rate baseline');
    expect(existsSync(out)).toBe(false);
    const forced = train(log, '--out', out, '--force');
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain('WARNING');
    expect(readdirSync(join(dir, 'models'))).toEqual(['pctr-v1.json']);
  }, 60_000);

  it('publishes a model that beats the constant and reports AUC, log-loss and calibration against it', () => {
    const log = join(dir, 'good.jsonl');
    expect(
      train('--generate', log, '--count', '150000', '--seed', '4', '--win-rate', '1', '--base-ctr', '0.05').status,
    ).toBe(0);
    const out = join(dir, 'good', 'pctr-v1.json');
    const r = train(log, '--out', out, '--epochs', '2');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/vs const {3}log-loss -\d+\.\d%, AUC \+0\.\d{4}, calibration \d\.\d{3} vs \d\.\d{3}/);
    expect(existsSync(out)).toBe(true);
  }, 60_000);

  it('says in one line that an input file is missing', () => {
    const r = train(join(dir, 'nope.jsonl'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('ENOENT');
  }, 30_000);
});
