// Prints vitest's totals as one plain line ("N passed, N failed, N skipped") for CI runners that read it.
import { readFileSync } from 'node:fs';

const r = JSON.parse(readFileSync('test-output/vitest.json', 'utf8'));
console.log(
  `vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
);
process.exit(r.numFailedTests > 0 || r.numTotalTests === 0 ? 1 : 0);
