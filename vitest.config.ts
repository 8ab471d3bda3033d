import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 15_000,
    hookTimeout: 20_000,
    // Every test owns its servers on port 0, so files can run in parallel safely.
    pool: 'forks',
  },
});
