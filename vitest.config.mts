import { defineConfig } from 'vitest/config';

/** The tests that need no Azurite and start no process: the domain, the cards, the use cases on the in-memory stores. */
const UNIT = ['test/domain/**/*.test.ts', 'test/cards/**/*.test.ts', 'test/app/unit/**/*.test.ts', 'test/*.test.ts'];

export default defineConfig({
  test: {
    // Two cores: the end-to-end files start a whole stack, so files run two at a time at most.
    maxWorkers: 2,
    // One info line per activity would bury the test output; tests that read the log give their own logger.
    env: { BATON_LOG_LEVEL: 'warn' },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, testTimeout: 30_000 } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: UNIT,
          // One in-memory Azurite for the run, on free ports.
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
