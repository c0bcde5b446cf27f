/**
 * The deployable build: `npm run build` bundles every function into one file
 * (dist/main.js), and that file, run by plain node behind the local host,
 * answers a Teams activity through the real Azurite.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { bundle } from '../../scripts/build';
import { freePort } from '../../src/host/processes';
import { PROJECT_ROOT } from '../../src/project';
import { message, people } from '../support/activities';
import { startConnector } from '../support/connector';
import { uniquePrefix } from '../support/stack';

// Inside the project, as dist/ is on Azure: the bundle finds the project's files (package.json, the Playground's people) from where it is.
mkdirSync(join(PROJECT_ROOT, '.data'), { recursive: true });
const out = mkdtempSync(join(PROJECT_ROOT, '.data', 'bundle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the deployable bundle', () => {
  it('carries every function file: src/main.ts imports each one', () => {
    const imported = [...readFileSync(join(PROJECT_ROOT, 'src', 'main.ts'), 'utf8').matchAll(/^import '\.\.\/functions\/([\w-]+)';$/gm)].map((m) => m[1]);
    const files = readdirSync(join(PROJECT_ROOT, 'functions')).map((f) => f.replace(/\.ts$/, ''));
    expect(new Set(imported)).toEqual(new Set(files));
  });

  it('is one file that plain node loads, and it answers an activity', async () => {
    await bundle(join(PROJECT_ROOT, 'src', 'main.ts'), join(out, 'dist', 'main.js'));
    await bundle(join(PROJECT_ROOT, 'bench', 'baton-host.ts'), join(out, 'host.js'));
    expect(readdirSync(join(out, 'dist')).filter((f) => f.endsWith('.js'))).toEqual(['main.js']);

    const connector = await startConnector([people.ada, people.grace]);
    const port = await freePort();
    const child = spawn(process.execPath, [join(out, 'host.js'), String(port), join(out, 'dist')], {
      env: { ...process.env, TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: uniquePrefix(), BATON_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      let status = 0;
      // Ready when it answers; no fixed wait.
      while (status === 0) {
        if (child.exitCode !== null) throw new Error(`the bundle's host exited with ${child.exitCode}: ${stderr.slice(-600)}`);
        status = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message(connector.url, people.ada, 'help')) })
          .then((r) => r.status)
          .catch(async () => {
            await new Promise((r) => setTimeout(r, 20));
            return 0;
          });
      }
      expect(status).toBe(200);
      expect(connector.sent.length).toBeGreaterThan(0);
      expect(JSON.stringify(connector.sent.at(-1))).toContain('Baton');
    } finally {
      child.kill();
      await connector.close();
    }
  }, 60_000);
});
