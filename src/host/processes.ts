/**
 * Starting and stopping the local stack's processes (Azurite, the Playground),
 * shared by `npm run dev`, the tests and the benchmark.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../azurite';
import { PROJECT_ROOT } from '../project';

// Re-exported for the dev stack, the tests and the benchmark, which import it from here.
export { PROJECT_ROOT };
const BIN = join(PROJECT_ROOT, 'node_modules', '.bin');

/** Where free ports are looked for: below the systems' ephemeral ranges (Linux 32768-60999, macOS and Windows 49152-65535). */
const PORTS_FROM = 20_000;
const PORTS_TO = 32_000;

/**
 * A free loopback port, below the ephemeral range. A port the OS hands out
 * for listen(0) is one of the ephemeral ones, which any outgoing connection
 * may take before the part binds it: on a busy machine a test's dev stack
 * once found its port taken that way.
 * @internal the tests and the bench start their parts on free ports
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 100; tries += 1) {
    const port = PORTS_FROM + Math.floor(Math.random() * (PORTS_TO - PORTS_FROM));
    if (await canListen(port)) return port;
  }
  throw new Error(`No free loopback port between ${PORTS_FROM} and ${PORTS_TO} after 100 tries.`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
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
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
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
export function startProcess(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Omit<Started, 'port'> {
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

/** Azurite's ports: Table always, Queue when the queue triggers or the fan-out need it. */
export interface AzuritePorts {
  table: number;
  queue?: number;
}

/** Azurite as started: `port` and `child` are the Table service's. */
export interface Azurite extends Started {
  /** The Queue service's port, when it was started. */
  queuePort: number | undefined;
  /** Azurite's well-known account with an endpoint for each service started: AzureWebJobsStorage's shape. */
  connectionString: string;
}

/**
 * A connection string for Azurite's well-known account (devstoreaccount1)
 * with Table and, given a port, Queue endpoints on loopback; path-style URLs,
 * as Azurite serves them.
 */
export function azuriteStorageConnectionString(ports: AzuritePorts, host = '127.0.0.1'): string {
  const endpoints = [`TableEndpoint=http://${host}:${ports.table}/${AZURITE_ACCOUNT};`];
  if (ports.queue !== undefined) endpoints.push(`QueueEndpoint=http://${host}:${ports.queue}/${AZURITE_ACCOUNT};`);
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};${endpoints.join('')}`;
}

/**
 * Starts Azurite's Table service, and its Queue service when given a queue
 * port, on loopback.
 *
 * Each service is its own process (`azurite-table`, `azurite-queue`) rather
 * than the combined `azurite`, which always starts Blob as well: that would
 * take a third port nobody uses (10000 by default, often busy), and a
 * service that fails to start is named by its own error. Both can keep their
 * data in one folder: their files have different names.
 * @param ports the Table port, or the Table and Queue ports
 * @param location a folder to keep data in; omitted, the data lives in memory.
 */
export async function startAzurite(ports: number | AzuritePorts, location?: string): Promise<Azurite> {
  const { table, queue } = typeof ports === 'number' ? { table: ports, queue: undefined } : ports;
  const common = [
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--silent',
    ...(location ? ['--location', location] : ['--inMemoryPersistence']),
  ];
  const services = [
    {
      what: 'Azurite (Table Storage)',
      port: table,
      started: startProcess(join(BIN, 'azurite-table'), ['--tableHost', '127.0.0.1', '--tablePort', String(table), ...common]),
    },
  ];
  if (queue !== undefined) {
    services.push({
      what: 'Azurite (Queue Storage)',
      port: queue,
      started: startProcess(join(BIN, 'azurite-queue'), ['--queueHost', '127.0.0.1', '--queuePort', String(queue), ...common]),
    });
  }
  const stop = async () => {
    await Promise.all(services.map((s) => s.started.stop()));
  };
  const output = () => services.map((s) => `${s.what}:\n${s.started.output()}`).join('\n');
  const ready = await Promise.allSettled(services.map((s) => waitForPort(s.port, s.started.child, 30_000, s.what)));
  const failed = ready.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await stop();
    throw new Error(`${(failed.reason as Error).message}\n${output()}`);
  }
  const [tableService] = services;
  return {
    child: tableService!.started.child,
    port: table,
    queuePort: queue,
    connectionString: azuriteStorageConnectionString({ table, queue }),
    stop,
    output,
  };
}
