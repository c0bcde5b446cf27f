/**
 * The preload the dev stack gives the Agents Playground: a server started with
 * a port and no host listens on loopback only. (The Playground itself is
 * checked in test/e2e/handoff.e2e.test.ts.)
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, PROJECT_ROOT } from '../../src/host/processes';

const PRELOAD = join(PROJECT_ROOT, 'src', 'host', 'loopback-only.cjs');

/** Where a server started by `listen` in a child Node process with the preload ends up listening. */
function addressOf(listen: string, withPreload = true): Promise<string> {
  const script = `const s = require('node:http').createServer(); s.${listen}; s.on('listening', () => { console.log(s.address().address); s.close(); });`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...(withPreload ? ['--require', PRELOAD] : []), '-e', script], (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim()),
    );
  });
}

describe('loopback-only.cjs', () => {
  it('puts a server given a port and no host on 127.0.0.1, in each form listen takes, and keeps a host that is given', async () => {
    const port = await freePort();
    // Without it, Node listens on every interface.
    expect(['::', '0.0.0.0']).toContain(await addressOf(`listen(${port})`, false));
    expect(await addressOf(`listen(${port})`)).toBe('127.0.0.1');
    expect(await addressOf(`listen(${port}, () => undefined)`)).toBe('127.0.0.1');
    expect(await addressOf(`listen('${port}', 511)`)).toBe('127.0.0.1');
    expect(await addressOf(`listen({ port: ${port} })`)).toBe('127.0.0.1');
    expect(await addressOf(`listen(${port}, '0.0.0.0')`)).toBe('0.0.0.0');
    expect(await addressOf(`listen({ port: ${port}, host: '0.0.0.0' })`)).toBe('0.0.0.0');
  });
});
