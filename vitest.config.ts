import { defineConfig } from 'vitest/config';

// Servers and a real Redis: run files one at a time, with room for start-up; after the unit tests and before
// the fault suite (groups run one after another, lowest groupOrder first).
const serial = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  fileParallelism: false,
  sequence: { groupOrder: 1 },
} as const;

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], environment: 'node', ...serial },
      },
      { test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], environment: 'node', ...serial } },
      {
        test: {
          // The fault suite (issue 15): Redis outages, bidder signals, fuzzing, the fleet — real processes under
          // load, measuring latency, so it runs alone, after the other projects, one file at a time.
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
