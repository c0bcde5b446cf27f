/**
 * The local stack: Azurite (Table Storage), the app's Functions host, and the
 * Microsoft 365 Agents Playground as the Teams client. Used by `npm run dev`,
 * the end-to-end tests and the benchmark, so all three run the same thing.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getBaton } from '../baton';
import { bindingSettings, type Config, ConfigError, loadConfig } from '../config';
import { ensureTables } from '../store/table';
import { createGraphServices, type GraphMode } from '../graph';
import { MAILBOX_PATH, mailboxPage } from '../local/mailbox-page';
import { CLOCK_PATH, devClock } from './dev-clock';
import { type DevRouteHandler, type FunctionsHost, loadFunctions, startFunctionsHost } from './functions-host';
import { isPortInUse, PROJECT_ROOT, type Started, startAzurite, startProcess, waitForHttp } from './processes';

export interface DevStack {
  config: Config;
  azurite: Started;
  host: FunctionsHost;
  playground: Omit<Started, 'port'> | undefined;
  urls: { tables: string; queues: string; messages: string; playground: string | undefined; mailbox: string | undefined };
  /** Which Microsoft Graph mode the settings chose, in one line. */
  graph: { mode: GraphMode; description: string };
  stop(): Promise<void>;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

/** Another stack keeps its data in the same folder. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/** Whether a process with this pid runs (signal 0 only asks). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims a data folder for this stack: two Azurites writing one folder each
 * save over the other's tables. A lock left by a stack that died is taken over.
 * @returns the release
 * @throws DataDirInUseError naming the process that holds it
 */
function lockDataDir(dir: string): () => void {
  const file = join(dir, 'dev.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && running(holder)) {
        throw new DataDirInUseError(
          `Another Baton stack (process ${holder}) keeps its data in ${dir}. Stop it first: two would overwrite each other's tables.`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new DataDirInUseError(`Could not claim ${dir} for this stack.`);
}

const PORT_SETTINGS: Record<keyof Config['ports'], { what: string; setting: string }> = {
  azurite: { what: 'Azurite (Table Storage)', setting: 'AZURITE_TABLE_PORT' },
  azuriteQueue: { what: 'Azurite (Queue Storage)', setting: 'AZURITE_QUEUE_PORT' },
  host: { what: 'the Functions host', setting: 'BATON_HOST_PORT' },
  playground: { what: 'the Agents Playground', setting: 'PLAYGROUND_PORT' },
};

/**
 * Starts the stack in order, each part only once the one before answers.
 * @param options.env settings (process.env by default); `dataDir` keeps Azurite's data
 *   (omitted: in memory); `playground: false` leaves the Playground out.
 * @throws ConfigError for bad settings, PortInUseError naming the busy port
 */
export async function startDevStack(options: {
  env?: Record<string, string | undefined>;
  dataDir?: string;
  playground?: boolean;
  log?: (message: string) => void;
}): Promise<DevStack> {
  const env = options.env ?? process.env;
  const config = loadConfig(env);
  // Graph settings are checked here too, before anything starts (ConfigError), and the local directory's files read.
  const graph = createGraphServices(config);
  const graphDescription = graph.description;
  const log = options.log ?? ((m: string) => console.log(m));
  const wanted =
    options.playground === false
      ? (['azurite', 'azuriteQueue', 'host'] as const)
      : (['azurite', 'azuriteQueue', 'host', 'playground'] as const);
  // The data folder first: a second `npm run dev` is told which stack holds it, rather than only that a port is busy.
  let unlock: (() => void) | undefined;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    unlock = lockDataDir(options.dataDir);
  }
  for (const part of wanted) {
    const port = config.ports[part];
    if (await isPortInUse(port)) {
      unlock?.();
      const { what, setting } = PORT_SETTINGS[part];
      throw new PortInUseError(
        `Port ${port} for ${what} is already in use. Stop whatever runs there, or choose another port with ${setting}.`,
      );
    }
  }
  const stopping: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stopping.reverse()) await step().catch(() => undefined);
  };
  try {
    if (unlock) {
      const release = unlock;
      stopping.push(async () => release());
    }
    const azurite = await startAzurite({ table: config.ports.azurite, queue: config.ports.azuriteQueue }, options.dataDir);
    stopping.push(() => azurite.stop());

    // The functions read their settings from the environment, as on Azure; the queue triggers read AzureWebJobsStorage.
    Object.assign(process.env, env, env.AzureWebJobsStorage?.trim() ? {} : { AzureWebJobsStorage: azurite.connectionString });
    // The mailbox page exists only in local mode, and only on this local host.
    const devRoutes: Record<string, DevRouteHandler> = {
      [CLOCK_PATH]: devClock(getBaton),
      ...(graph.mailboxDir ? { [MAILBOX_PATH]: mailboxPage({ dir: graph.mailboxDir }) } : {}),
    };
    // An empty queue is polled at least every 2 s, as the Functions runtime does in development (1 minute on Azure).
    const host = await startFunctionsHost({
      registrations: await loadFunctions(),
      port: config.ports.host,
      env: { ...process.env, ...bindingSettings(config) },
      log,
      devRoutes,
      queues: { maxPollingIntervalMs: 2000 },
    });
    stopping.push(() => host.close());
    // Validate at start-up what the functions would otherwise find out on the first request, and make the tables, as a deployment does.
    getBaton();
    await ensureTables(config.tables.account, config.tables.prefix);

    let playground: Omit<Started, 'port'> | undefined;
    if (options.playground !== false) {
      const logDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'baton-'));
      const playgroundLog = join(logDir, 'playground.log');
      playground = startProcess(
        join(PROJECT_ROOT, 'node_modules', '.bin', 'agentsplayground'),
        [
          '-e',
          `http://localhost:${config.ports.host}/api/messages`,
          '-c',
          'msteams',
          '-p',
          String(config.ports.playground),
          '--disable-telemetry',
        ],
        {
          cwd: PROJECT_ROOT,
          env: {
            M365_AGENTS_PLAYGROUND_CONFIG_PATH: join(PROJECT_ROOT, '.m365agentsplayground.yml'),
            // Its log (where config errors go) would otherwise be ./devTools in the repo.
            M365_AGENTS_PLAYGROUND_LOGFILE: playgroundLog,
            TEAMSAPPTESTER_BROWSER: 'none',
            // It listens on every interface and has no option to say otherwise: this makes it loopback only.
            NODE_OPTIONS:
              `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(join(PROJECT_ROOT, 'src', 'host', 'loopback-only.cjs'))}`.trim(),
          },
        },
      );
      stopping.push(() => playground!.stop());
      await waitForHttp(`http://127.0.0.1:${config.ports.playground}/_debug/ping`, playground.child, 60_000, 'The Agents Playground').catch(
        (error: Error) => {
          throw new Error(`${error.message}\n${playground!.output()}\nSee its log: ${playgroundLog}`);
        },
      );
      // A log of its own goes with the stack once it started (a failed start keeps it, for the message above).
      if (!options.dataDir) stopping.unshift(async () => rmSync(logDir, { recursive: true, force: true }));
    }
    return {
      config,
      azurite,
      host,
      playground,
      urls: {
        tables: `http://127.0.0.1:${config.ports.azurite}/devstoreaccount1`,
        queues: `http://127.0.0.1:${config.ports.azuriteQueue}/devstoreaccount1`,
        messages: `${host.url}/api/messages`,
        playground: playground ? `http://localhost:${config.ports.playground}` : undefined,
        mailbox: graph.mailboxDir ? `${host.url}${MAILBOX_PATH}` : undefined,
      },
      graph: { mode: graph.mode, description: graphDescription },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `npm run dev`: start everything, print where it is, stop it all on Ctrl-C. */
async function main(): Promise<void> {
  const started = Date.now();
  // With BOT_ID (real Teams through a tunnel) every request needs a Bot Framework token, which the Playground cannot give.
  const withPlayground = !process.env.BOT_ID?.trim();
  console.log(
    `Starting Baton: Azurite, the Functions host${withPlayground ? ' and the Agents Playground' : ' (BOT_ID is set: no Playground, use Teams)'}...`,
  );
  let stack: DevStack;
  try {
    stack = await startDevStack({ dataDir: join(PROJECT_ROOT, '.data'), playground: withPlayground });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PortInUseError || error instanceof DataDirInUseError)
      console.error(`\n${error.message}\n`);
    else console.error(error);
    process.exit(1);
  }
  const mode = stack.config.localMode
    ? 'local mode (no BOT_ID): unauthenticated, loopback connectors only'
    : `bot ${stack.config.bot.appId}`;
  console.log(`
Baton is ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${mode})
  Table Storage (Azurite)  ${stack.urls.tables}   data in .data/
  Queue Storage (Azurite)  ${stack.urls.queues}   the weekly summary's queue
  Functions host           ${stack.urls.messages}
${
  stack.urls.playground
    ? `  Agents Playground        ${stack.urls.playground}   <- open this: "new" in the personal chat; in Payments team pick Baton from the @ menu, then "new"
`
    : ''
}  Microsoft Graph          ${stack.graph.description}${stack.urls.mailbox ? `, shown at ${stack.urls.mailbox}` : ''}

Press Ctrl-C to stop.`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the Playground, the Functions host and Azurite...`);
    void stack.stop().then(() => {
      console.log('Stopped.');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => shutdown('Ctrl-C'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) void main();
