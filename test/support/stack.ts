/**
 * The app as the tests meet it: the local Functions host serving the real
 * function registrations, on a free port, against the run's Azurite, with a
 * table prefix of its own.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { BACKGROUND, type Stores } from '../../src/app/ports';
import { type Baton, getBaton, tableStores } from '../../src/baton';
import type { Handoff, HandoffEvent } from '../../src/domain/handoff';
import { bindingSettings, loadConfig } from '../../src/config';
import { type FunctionsHost, loadFunctions, startFunctionsHost } from '../../src/host/functions-host';
import { ensureTables } from '../../src/store/table';
import { countRows, type RowCounts } from './rows';

export interface TestApp {
  host: FunctionsHost;
  /** The app's tables, read by the test (with a background budget). */
  stores: Stores;
  /** A handoff as stored now, or undefined. */
  handoff(id: string): Promise<Handoff | undefined>;
  history(id: string): Promise<HandoffEvent[]>;
  /** The rows of a handoff's partition, by kind. */
  countRows(id: string): Promise<RowCounts>;
  prefix: string;
  logs: string[];
  /** The process's Baton, as the functions built it. */
  baton(): Baton;
  /**
   * Posts an activity to /api/messages and waits for the deliveries it started
   * (the outbox sends after answering, as it would on Azure) before resolving.
   */
  post(activity: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** A table prefix no other test file uses. */
export function uniquePrefix(): string {
  return `t${randomBytes(6).toString('hex')}`;
}

let started = false;

/** The settings a test app sets for the functions it serves, put back as they were when it closes. */
const SETTINGS = [
  'TABLES_CONNECTION_STRING',
  'BATON_TABLE_PREFIX',
  'AzureWebJobsStorage',
  'BATON_SUMMARY_QUEUE',
  'BATON_CLOCK_START',
  'BOT_ID',
] as const;

/**
 * @param options.at the instant Baton's clock starts at (it runs on in real
 *   time and moves forward when the test says): a test never depends on the
 *   machine's date
 */
export async function startTestApp(options: { at: string }): Promise<TestApp> {
  // The functions build their bot once per process from the settings of the first app (as on Azure);
  // a second app would read a table the bot never writes.
  if (started) throw new Error('startTestApp: start one app per test file and share it between describe blocks.');
  started = true;
  const prefix = uniquePrefix();
  const connectionString = inject('tablesConnectionString');
  const before = Object.fromEntries(SETTINGS.map((name) => [name, process.env[name]]));
  // The functions read settings through src/config on first use, like on Azure.
  process.env.TABLES_CONNECTION_STRING = connectionString;
  process.env.BATON_TABLE_PREFIX = prefix;
  // The summary's queue: in the run's Azurite, one queue per test file, so files never take each other's messages.
  process.env.AzureWebJobsStorage = inject('storageConnectionString');
  process.env.BATON_SUMMARY_QUEUE = `${prefix}-summaries`;
  process.env.BATON_CLOCK_START = options.at;
  delete process.env.BOT_ID;
  const logs: string[] = [];
  // As the deployment would have: the tables exist before the first request (src/store/tables.ts).
  await ensureTables(connectionString, prefix);
  const host = await startFunctionsHost({
    registrations: await loadFunctions(),
    port: 0,
    env: { ...process.env, ...bindingSettings(loadConfig()) },
    log: (m) => logs.push(m),
    // Fast polling and a short visibility timeout, so a retried message comes back within the test.
    queues: { maxPollingIntervalMs: 200, visibilityTimeoutSeconds: 1 },
    // The tests fire each timer when they mean to, at the instant they set Baton's clock to.
    schedule: false,
  });
  const stores = tableStores(loadConfig());
  return {
    host,
    stores,
    handoff: async (id) => (await stores.handoffs.read(id, BACKGROUND))?.handoff,
    history: (id) => stores.handoffs.history(id, BACKGROUND),
    countRows: (id) => countRows(connectionString, prefix, id),
    prefix,
    logs,
    async post(activity, headers = {}) {
      const response = await fetch(`${host.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof activity === 'string' ? activity : JSON.stringify(activity),
      });
      const text = await response.text();
      await getBaton().app.deliveries.idle();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    baton: getBaton,
    async close() {
      await host.close();
      for (const [name, value] of Object.entries(before)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}
