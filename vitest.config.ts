import { defineConfig } from 'vitest/config';

// Servers and a real Redis: run files one at a time, with room for start-up.
const serial = { testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false } as const;

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], environment: 'node', ...serial },
      },
      { test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], environment: 'node', ...serial } },
    ],
  },
});
