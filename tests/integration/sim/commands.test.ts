/**
 * The simulators as an operator runs them: `--help` answers at once and simulates nothing, a mistyped option
 * is one line and exit 2 before any work, progress goes to stderr, and reports go where they are told (an
 * ignored folder by default), never over the committed ones.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'peregrine-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 120_000 });

describe.each([
  ['sim/simulate.ts', 'npm run sim:day'],
  ['sim/simulate-anomalies.ts', 'npm run sim:anomalies'],
  ['sim/simulate-learning.ts', 'npm run sim:learning'],
  ['sim/simulate-experiments.ts', 'npm run sim:experiments'],
  ['sim/learning-gap.ts', 'npm run sim:learning-gap'],
  ['sim/learning-log.ts', 'npm run sim:learning-log'],
])('%s', (script, usage) => {
  it('prints its usage on --help and does nothing else', () => {
    const r = run(script, '--help', '--report-dir', dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`usage: ${usage}`);
    expect(r.stderr).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);

  it('refuses an unknown option in one line, exit 2', () => {
    const r = run(script, '--sede', '3');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/: Unknown option '--sede' \(see --help\)$/)]);
  }, 60_000);
});

describe('sim:day', () => {
  it('refuses a bad value before simulating', () => {
    const r = run('sim/simulate.ts', '--scenario', 'steady', '--rpm', 'many');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("sim:day: --rpm must be a whole number in 1–1000000, got 'many' (see --help)");
    expect(r.stdout).toBe('');
  }, 60_000);

  it('writes its report to --report-dir and its progress to stderr', () => {
    const r = run(
      'sim/simulate.ts',
      ...['--scenario', 'steady', '--rpm', '5', '--instances', '1', '--configs', 'adaptive', '--report-dir', dir],
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('adaptive (ours)');
    expect(r.stderr).toMatch(/^sim:day steady: done in [\d.]+ s/m);
    expect(readdirSync(dir).sort()).toEqual([
      'steady-memory-adaptive-1i.html',
      'steady-memory-adaptive-1i.json',
      'steady-memory-adaptive-1i.md',
    ]);
  }, 120_000);
});
