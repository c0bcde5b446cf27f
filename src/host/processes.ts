/**
 * Starting and stopping the local stack's processes (Azurite, the Playground),
 * shared by `npm run dev`, the tests and the benchmark.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';

export const PROJECT_ROOT = join(__dirname, '..', '..');
const BIN = join(PROJECT_ROOT, 'node_modules', '.bin');

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** True when something already listens on the loopback port. */
export function isPortInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until a TCP port accepts connections, or the child exits, or time runs out. */
export async function waitForPort(port: number, child: ChildProcess | undefined, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    if (await isPortInUse(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} was not ready on port ${port} after ${timeoutMs} ms`);
}

/** Waits until a URL answers 200, or the child exits, or time runs out. */
export async function waitForHttp(url: string, child: ChildProcess | undefined, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms`);
}

export interface Started {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
  /** What the process printed, for error messages. */
  output(): string;
}

/** Starts a long-running child in its own process group, keeping the tail of its output. */
export function startProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Omit<Started, 'port'> {
  const child = spawn(command, args, {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32',
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    child,
    output: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        // The Playground and Azurite start helpers of their own: end the whole process group.
        try {
          if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGTERM');
          else child.kill('SIGTERM');
        } catch {
          resolve();
        }
        setTimeout(() => {
          try {
            if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }, 3000).unref();
      }),
  };
}

/**
 * Starts Azurite's Table service on a loopback port.
 * @param location a folder to keep data in; omitted, the data lives in memory.
 */
export async function startAzurite(port: number, location?: string): Promise<Started> {
  const args = ['--tableHost', '127.0.0.1', '--tablePort', String(port), '--disableTelemetry', '--skipApiVersionCheck', '--silent'];
  args.push(...(location ? ['--location', location] : ['--inMemoryPersistence']));
  const started = { ...startProcess(join(BIN, 'azurite-table'), args), port };
  try {
    await waitForPort(port, started.child, 30_000, 'Azurite');
  } catch (error) {
    await started.stop();
    throw new Error(`${(error as Error).message}\n${started.output()}`);
  }
  return started;
}
