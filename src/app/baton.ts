/**
 * The composition root: builds Baton from validated settings. The functions
 * (functions/*.ts) reach the product only through here: the bot endpoint, the
 * outbox sweep, and (later) the timers.
 */
import { type BotEndpoint, createBotEndpoint, createConnector, type HttpResult } from '../bot/endpoint';
import { type Clock, realClock, ShiftedClock } from '../clock';
import { type Config, getConfig } from '../config';
import type { Person } from '../domain/handoff';
import { DEFAULT_WORKING_HOURS, type WorkingHours } from '../domain/working-hours';
import { createGraphServices, type GraphServices } from '../graph';
import { createLogger, errorText, type Logger } from '../logger';
import { LruMap } from '../lru';
import { ConversationStore } from '../store/conversation-store';
import { DueIndex } from '../store/due-index';
import { HandoffStore } from '../store/handoff-store';
import { PendingDeliveries } from '../store/pending-deliveries';
import { PeopleIndex } from '../store/people-index';
import { enqueue, openQueue, type QueueClient } from '../store/queues';
import { SummaryStore } from '../store/summary-store';
import { withStorageDeadline } from '../store/tables';
import type { App } from './handoffs';
import { Outbox } from './outbox';
import { OUTSIDE_DIRECTORY } from './people';
import type { Messenger, SummaryQueue } from './ports';

export type { HttpResult };
export { MAX_ACTIVITY_BYTES } from '../bot/endpoint';

export interface Baton {
  config: Config;
  app: App;
  /** POST /api/messages. */
  bot: BotEndpoint;
  /** Local mode's clock, which POST /dev/clock moves forward; undefined for a real bot (or a clock a test gave). */
  devClock: ShiftedClock | undefined;
}

export interface BatonOptions {
  /** Instead of the directory (and mailer) the settings choose (tests). */
  graph?: Pick<GraphServices, 'directory' | 'tenantId'> & Partial<Pick<GraphServices, 'mailer'>>;
  clock?: Clock;
  log?: Logger;
  /** Instead of the Storage queue (tests that look at what was enqueued). */
  summaryQueue?: SummaryQueue;
  /** Instead of the Bot Connector (tests that need a connector that misbehaves in ways a real one cannot be made to). */
  messenger?: Messenger;
}

/** Local mode's clock can be moved forward (to see a nudge without waiting a day); a real bot's is the real one. */
function clockFor(config: Config): Clock {
  if (!config.localMode) return realClock;
  const clock = new ShiftedClock(realClock, config.clockStart);
  clock.advance(config.clockOffsetMs);
  return clock;
}

/** How long an activity's Table calls may take in all: inside Teams' 5 seconds, with room to render and answer. */
const REQUEST_STORAGE_BUDGET_MS = 4000;

/** People whose unknown working hours were already logged: every card render asks; the log should say it once. */
const UNKNOWN_HOURS_LOGGED = 10_000;

/** Builds Baton from validated settings. */
export async function createBaton(config: Config, options: BatonOptions = {}): Promise<Baton> {
  const log = options.log ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? clockFor(config);
  const devClock = clock instanceof ShiftedClock ? clock : undefined;
  // Card actions must answer within Teams' 5 seconds: Graph gets little time to recover from throttling here.
  const own = options.graph ? undefined : createGraphServices(config, { retry: { maxAttempts: 2, maxTotalWaitMs: 1500 }, clock, log: (m) => log.warn(m) });
  const graph = options.graph ?? own!;
  const directoryFor = (tenantId: string) => (tenantId === graph.tenantId ? graph.directory : OUTSIDE_DIRECTORY);
  const loggedUnknown = new LruMap<string, true>(UNKNOWN_HOURS_LOGGED);
  const workingHours = async (tenantId: string, person: Person): Promise<WorkingHours> => {
    try {
      return await directoryFor(tenantId).getWorkingHours(person.aadObjectId);
    } catch (error) {
      if (!loggedUnknown.has(person.aadObjectId)) {
        loggedUnknown.set(person.aadObjectId, true);
        log.info(`Working hours of ${person.name} unknown; using Monday to Friday, 09:00-17:00 UTC`, { person: person.aadObjectId, error: errorText(error) });
      }
      return DEFAULT_WORKING_HOURS;
    }
  };
  // Mail is sent after the answer (the summary's queue function): Graph gets time to recover from throttling there.
  // (Local mail has no retries: the first services' outbox serves, and the Playground's files are read once.)
  const mailer =
    options.graph?.mailer ??
    (own?.mode === 'local' ? own.mailer : createGraphServices(config, { retry: { maxAttempts: 6, maxTotalWaitMs: 120_000 }, clock, log: (m) => log.warn(m) }).mailer);
  const { account, prefix } = config.tables;
  const [store, people, conversations, pending, dueIndex, summaries] = await Promise.all([
    HandoffStore.open(account, prefix),
    PeopleIndex.open(account, prefix),
    ConversationStore.open(account, prefix),
    PendingDeliveries.open(account, prefix),
    DueIndex.open(account, prefix),
    SummaryStore.open(account, prefix),
  ]);
  const connector = createConnector(config, log);
  const services = {
    store,
    people,
    conversations,
    pending,
    dueIndex,
    due: config.due,
    summaries,
    summaryQueue: options.summaryQueue ?? storageQueue(config),
    summary: config.summary,
    mailer,
    directoryFor,
    workingHours,
    publicBaseUrl: config.publicBaseUrl,
    clock,
    log,
  };
  const messenger = options.messenger ?? connector.messenger;
  const app: App = { ...services, messenger, outbox: new Outbox(services, messenger) };
  const endpoint = createBotEndpoint(config, connector.adapter, app);
  return {
    config,
    app,
    devClock,
    bot: {
      ...endpoint,
      // Storage gets what is left of Teams' 5 seconds after the bot's own work; the card says "try again" in time.
      handle: (rawBody, authHeader, origin, invocationId) => withStorageDeadline(REQUEST_STORAGE_BUDGET_MS, () => endpoint.handle(rawBody, authHeader, origin, invocationId)),
    },
  };
}

/** The summary's Storage queue, opened (and created when missing) on first use. */
function storageQueue(config: Config): SummaryQueue {
  let queue: Promise<QueueClient> | undefined;
  return {
    async send(message, delaySeconds) {
      queue ??= openQueue(config.queues.account, config.summary.queue).catch((error: unknown) => {
        queue = undefined;
        throw error;
      });
      await enqueue(await queue, message, delaySeconds === undefined ? {} : { visibilityTimeoutSeconds: delaySeconds });
    },
  };
}

/** The summary queue's name as the settings give it, for the queue trigger's registration (read at start-up, as Azure reads bindings). */
export function summaryQueueName(): string {
  return getConfig().summary.queue;
}

let shared: Promise<Baton> | undefined;

/** The process's Baton, built on first use from the environment's settings (a failure is not remembered). */
export function getBaton(): Promise<Baton> {
  shared ??= createBaton(getConfig()).catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}
