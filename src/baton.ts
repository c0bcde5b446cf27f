/**
 * The composition root: builds Baton from validated settings. The functions
 * (functions/*.ts) reach the product through here: the bot endpoint for
 * /api/messages, and the app (src/app) for the timers and the queue. It is
 * the one file that knows every concrete part: the Table stores, Graph or
 * the local directory and mailbox, the Bot Connector, the clock.
 */
import { Deliverer } from './app/deliverer';
import type { App, Messenger, Stores, SummaryQueue } from './app/ports';
import { OUTSIDE_DIRECTORY } from './app/form-people';
import { workingHoursFrom } from './app/working-hours';
import { type BotEndpoint, createBotAdapter, createBotEndpoint } from './bot/endpoint';
import { createMessenger } from './connector/messenger';
import { type Clock, realClock, ShiftedClock } from './clock';
import { type Config, type Feature, getConfig } from './config';
import { createGraphServices, type GraphServices } from './graph';
import { createLogger, type Logger } from './logger';
import { TableDeliveryMarks, TableDueIndex, TablePeopleIndex } from './store/indexes';
import { TableHandoffStore, TableOutboxStore } from './store/handoff-store';
import { TableConversationNames } from './store/conversation-names';
import { CachedAwayRecords, TableAwayRecords } from './store/away-records';
import { TableDigests } from './store/digests';
import { TablePreviewDrafts } from './store/drafts';
import { TablePersonalChats } from './store/personal-chats';
import { enqueue, openQueue, type QueueClient } from './store/queues';
import { TableMailboxBudget } from './store/summary/mailbox-budget';
import { TablePreferences } from './store/summary/preferences';
import { TableSendRecords } from './store/summary/send-records';
import { TableSubscribers } from './store/summary/subscribers';
import { TableZones } from './store/summary/zones';
import { TableTemplates } from './store/templates';

export { MAX_ACTIVITY_BYTES } from './bot/endpoint';

export interface Baton {
  config: Config;
  app: App & { deliveries: Deliverer };
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
  /** Instead of Table Storage (the use cases' tests, with the in-memory twins). */
  stores?: Stores;
}

/** Local mode's clock can start at any instant and be moved forward (to see a nudge without waiting a day); a real bot's is the real one. */
function clockFor(config: Config): Clock {
  if (!config.localMode) return realClock;
  const clock = new ShiftedClock(realClock, config.clockStart);
  clock.advance(config.clockOffsetMs);
  return clock;
}

/** Baton's stores on Table Storage. */
export function tableStores(config: Config): Stores {
  const { account, prefix } = config.tables;
  return {
    handoffs: TableHandoffStore.open(account, prefix),
    outbox: TableOutboxStore.open(account, prefix),
    marks: TableDeliveryMarks.open(account, prefix),
    people: TablePeopleIndex.open(account, prefix),
    due: TableDueIndex.open(account, prefix),
    chats: TablePersonalChats.open(account, prefix),
    digests: TableDigests.open(account, prefix),
    names: TableConversationNames.open(account, prefix),
    zones: TableZones.open(account, prefix),
    subscribers: TableSubscribers.open(account, prefix),
    preferences: TablePreferences.open(account, prefix),
    sendRecords: TableSendRecords.open(account, prefix),
    mailboxes: TableMailboxBudget.open(account, prefix),
    drafts: TablePreviewDrafts.open(account, prefix),
    away: TableAwayRecords.open(account, prefix),
    templates: TableTemplates.open(account, prefix),
  };
}

/** Builds Baton from validated settings. */
export function createBaton(config: Config, options: BatonOptions = {}): Baton {
  const log = options.log ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? clockFor(config);
  const devClock = clock instanceof ShiftedClock ? clock : undefined;
  // Card actions must answer within Teams' 5 seconds: Graph gets little time to recover from throttling here.
  const own = options.graph
    ? undefined
    : createGraphServices(config, { retry: { maxAttempts: 2, maxTotalWaitMs: 1500 }, clock, log: (m) => log.warn(m) });
  const graph = options.graph ?? own!;
  const directoryFor = (tenantId: string) => (tenantId === graph.tenantId ? graph.directory : OUTSIDE_DIRECTORY);
  // Mail is sent after the answer (the summary's queue function): Graph gets time to recover from throttling there.
  // (Local mail has no retries: the first services' mailbox serves, and the Playground's files are read once.)
  const mailer =
    options.graph?.mailer ??
    (own?.mode === 'local'
      ? own.mailer
      : createGraphServices(config, { retry: { maxAttempts: 6, maxTotalWaitMs: 120_000 }, clock, log: (m) => log.warn(m) }).mailer);
  const adapter = createBotAdapter(config, log);
  // A wrong optional setting is set aside (src/config.ts): one clear line now, and one when its feature is first used.
  for (const i of config.ignored) log.warn(`Setting set aside: ${i.problem}, so ${i.without}`, { setting: i.setting });
  const told = new Set<string>();
  const firstUse = (...features: Feature[]) => {
    for (const i of config.ignored)
      if (features.includes(i.feature) && !told.has(i.setting)) {
        told.add(i.setting);
        log.warn(`${i.without[0]!.toUpperCase()}${i.without.slice(1)}: ${i.problem}`, { setting: i.setting });
      }
  };
  const tables = options.stores ?? tableStores(config);
  // Every card and change asks for someone's absences: a process keeps each record it read for a minute.
  const stores = { ...tables, away: options.stores ? tables.away : new CachedAwayRecords(tables.away, clock) };
  const parts = {
    stores,
    messenger: options.messenger ?? createMessenger(adapter, config),
    directoryFor,
    workingHours: workingHoursFrom(directoryFor, stores.away, clock, log),
    mailer,
    summaryQueue: options.summaryQueue ?? storageQueue(config),
    settings: {
      get due() {
        firstUse('goals');
        return config.due;
      },
      get summary() {
        firstUse('summary', 'originator');
        return config.summary;
      },
      get publicBaseUrl() {
        firstUse('links');
        return config.publicBaseUrl;
      },
      // A getter: the local directory reads its file on first use, not while a cold start builds Baton.
      get tenantId() {
        return graph.tenantId;
      },
    },
    clock,
    log,
  };
  const app = { ...parts, deliveries: new Deliverer(parts) };
  return { config, app, devClock, bot: createBotEndpoint(config, adapter, app) };
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

let shared: Baton | undefined;

/** The process's Baton, built on first use from the environment's settings (a failure is not remembered). */
export function getBaton(): Baton {
  shared ??= createBaton(getConfig());
  return shared;
}
