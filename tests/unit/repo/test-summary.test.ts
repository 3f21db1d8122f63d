/**
 * scripts/test-summary.mjs, the line CI reads: a file that fails to load runs no test, so a summary that only
 * counted failed tests would say "0 failed" for a broken run. It must name the file and exit non-zero.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const kScript = join(import.meta.dirname, '..', '..', '..', 'scripts', 'test-summary.mjs');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function summarise(report: object | undefined, vitestExit = 0): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pg-summary-'));
  dirs.push(dir);
  if (report !== undefined) {
    mkdirSync(join(dir, 'test-output'));
    writeFileSync(join(dir, 'test-output', 'vitest.json'), JSON.stringify(report));
  }
  const r = spawnSync(process.execPath, [kScript, `--vitest-exit=${vitestExit}`], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

function report(files: { name: string; status: string; message?: string; tests: string[] }[]): object {
  const all = files.flatMap((f) => f.tests);
  return {
    success: files.every((f) => f.status === 'passed'),
    numTotalTests: all.length,
    numPassedTests: all.filter((t) => t === 'passed').length,
    numFailedTests: all.filter((t) => t === 'failed').length,
    numPendingTests: all.filter((t) => t === 'skipped').length,
    numTodoTests: 0,
    testResults: files.map((f) => ({
      name: f.name,
      status: f.status,
      message: f.message ?? '',
      assertionResults: f.tests.map((status) => ({ status })),
    })),
  };
}

// Each case starts a node process: give them time on a loaded machine.
describe('test summary', { timeout: 30_000 }, () => {
  it('passes a clean run and says so in one line', () => {
    const r = summarise(report([{ name: 'a.test.ts', status: 'passed', tests: ['passed', 'passed', 'skipped'] }]));
    expect(r.out.trim()).toBe('vitest: 1 files passed, 0 files failed; 2 tests passed, 0 failed, 1 skipped');
    expect(r.code).toBe(0);
  });
  it('counts a file that failed to load as a failure, naming it and why', () => {
    const r = summarise(
      report([
        { name: 'a.test.ts', status: 'passed', tests: ['passed'] },
        { name: 'b.test.ts', status: 'failed', message: "ENOENT: no such file 'x.json'\n  at …", tests: [] },
      ]),
      1,
    );
    expect(r.out).toContain("FAILED b.test.ts: did not run: ENOENT: no such file 'x.json'");
    expect(r.out).toContain('1 files failed');
    expect(r.code).toBe(1);
  });
  it('fails a failed test, a run vitest itself failed, an empty run and a missing report', () => {
    expect(summarise(report([{ name: 'a.test.ts', status: 'failed', tests: ['failed'] }])).code).toBe(1);
    expect(summarise(report([{ name: 'a.test.ts', status: 'passed', tests: ['passed'] }]), 1).code).toBe(1);
    expect(summarise(report([])).code).toBe(1);
    const none = summarise(undefined, 1);
    expect(none.code).toBe(1);
    expect(none.out).toContain('no report');
  });
});
