import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most tests wait on child processes (the built CLI), not the CPU: two at a time halve the run.
    maxWorkers: 2,
  },
});
