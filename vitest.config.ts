import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts', 'tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Integration tests start real servers and a real Redis: run files one at a time.
          fileParallelism: false,
          // After the unit tests, before the fault suite (groups run one after another).
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          // The fault suite (issue 15): Redis outages, bidder signals, fuzzing — real processes under load,
          // measuring latency, so it runs alone, after the other projects (groupOrder), one file at a time.
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
