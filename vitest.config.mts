import { defineConfig } from 'vitest/config';

/**
 * What @azure/functions prints, ten lines a file, when a test imports the
 * functions folder outside the Functions runtime: "Failed to detect the Azure
 * Functions runtime" and "Skipping call to register function". The local host
 * registers them itself, and its tests check that it did.
 */
const FUNCTIONS_TEST_MODE = /^WARNING: (Failed to detect the Azure Functions runtime|Skipping call to register function)/;

/** The tests that need no Azurite and start no process: the domain, the cards, the use cases on the in-memory stores. */
const UNIT = ['test/domain/**/*.test.ts', 'test/cards/**/*.test.ts', 'test/app/unit/**/*.test.ts', 'test/*.test.ts'];

export default defineConfig({
  test: {
    // Two cores: the end-to-end files start a whole stack, so files run two at a time at most.
    maxWorkers: 2,
    // One info line per activity would bury the test output; tests that read the log give their own logger.
    env: { BATON_LOG_LEVEL: 'warn' },
    // 180 such lines hid the warnings that say something in a green run.
    onConsoleLog: (log) => !FUNCTIONS_TEST_MODE.test(log),
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
