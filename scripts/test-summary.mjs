// Prints vitest's totals as one plain line for CI runners that read it, after naming every failed file:
// "vitest: 73 files passed, 2 files failed; 1024 tests passed, 1 failed, 0 skipped".
// A file that fails to load (missing fixture, syntax error) runs no test at all, so counting tests alone would
// say "0 failed" for a broken run: failed files are counted and listed too. `--vitest-exit=N` passes vitest's
// own exit status in, so a run that crashed before writing its report fails as well.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const report = 'test-output/vitest.json';
const exitArg = process.argv.find((a) => a.startsWith('--vitest-exit='));
const vitestExit = exitArg === undefined ? 0 : Number(exitArg.slice('--vitest-exit='.length));

if (!existsSync(report)) {
  console.log(`vitest: no report at ${report} (vitest exited ${vitestExit}); the run failed`);
  process.exit(1);
}
const r = JSON.parse(readFileSync(report, 'utf8'));
const files = r.testResults ?? [];
const failedFiles = files.filter((f) => f.status === 'failed');
for (const f of failedFiles) {
  const failedTests = (f.assertionResults ?? []).filter((a) => a.status === 'failed').length;
  const why = failedTests > 0 ? `${failedTests} failed test(s)` : `did not run: ${firstLine(f.message)}`;
  console.log(`FAILED ${relative(process.cwd(), f.name)}: ${why}`);
}
const skipped = r.numPendingTests + r.numTodoTests;
console.log(
  `vitest: ${files.length - failedFiles.length} files passed, ${failedFiles.length} files failed; ` +
    `${r.numPassedTests} tests passed, ${r.numFailedTests} failed, ${skipped} skipped`,
);
const failed =
  vitestExit !== 0 || r.success === false || failedFiles.length > 0 || r.numFailedTests > 0 || r.numTotalTests === 0;
process.exit(failed ? 1 : 0);

function firstLine(s) {
  return String(s ?? 'no message').split('\n')[0];
}
