/**
 * `npm run dev`'s stack: one stack per data folder, so two never overwrite
 * each other's tables (Azurite saves its whole store to the folder).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirInUseError, startDevStack } from '../../src/host/dev-stack';
import { freePort } from '../../src/host/processes';

async function envWithFreePorts() {
  return {
    AZURITE_TABLE_PORT: String(await freePort()),
    AZURITE_QUEUE_PORT: String(await freePort()),
    BATON_HOST_PORT: String(await freePort()),
    PLAYGROUND_PORT: String(await freePort()),
    TABLES_CONNECTION_STRING: '',
    BOT_ID: '',
  };
}

describe('the dev stack and its data folder', () => {
  it('refuses a second stack on the same folder, naming the first, and lets one start once the first stopped', {
    timeout: 60_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'baton-dev-'));
    const otherDir = mkdtempSync(join(tmpdir(), 'baton-dev-'));
    const sameEnv = await envWithFreePorts();
    const first = await startDevStack({ env: sameEnv, dataDir, playground: false, log: () => undefined });
    try {
      expect(existsSync(join(dataDir, 'dev.lock'))).toBe(true);
      const second = startDevStack({ env: await envWithFreePorts(), dataDir, playground: false, log: () => undefined });
      await expect(second).rejects.toBeInstanceOf(DataDirInUseError);
      await expect(second).rejects.toThrow(`Another Baton stack (process ${process.pid}) keeps its data in ${dataDir}.`);
      // The same `npm run dev` twice (the same ports too): told which stack holds the folder, not only that a port is busy.
      await expect(startDevStack({ env: sameEnv, dataDir, playground: false, log: () => undefined })).rejects.toThrow(
        `Another Baton stack (process ${process.pid}) keeps its data in ${dataDir}.`,
      );
      // Another folder on the first stack's ports: the port is named, and that folder is not left locked.
      await expect(startDevStack({ env: sameEnv, dataDir: otherDir, playground: false, log: () => undefined })).rejects.toThrow(
        /^Port \d+ for Azurite \(Table Storage\) is already in use/,
      );
      expect(existsSync(join(otherDir, 'dev.lock'))).toBe(false);
    } finally {
      await first.stop();
    }
    expect(existsSync(join(dataDir, 'dev.lock'))).toBe(false);
    // A lock left by a stack that died (no such process) is taken over.
    writeFileSync(join(dataDir, 'dev.lock'), '2147483646');
    const third = await startDevStack({ env: await envWithFreePorts(), dataDir, playground: false, log: () => undefined });
    await third.stop();
    for (const dir of [dataDir, otherDir]) rmSync(dir, { recursive: true, force: true });
  });
});
