import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: the end-to-end file starts a whole stack, so files run two at a time at most.
    maxWorkers: 2,
    // One info line per activity would bury the test output; tests that read the log give their own logger.
    env: { BATON_LOG_LEVEL: 'warn' },
  },
});
