/**
 * The app as the use cases' unit tests meet it: the in-memory stores, a
 * messenger that records what it sends, a directory of the test's people,
 * and Baton's clock in the test's hands. No Azurite, no host, no connector.
 */
import { Deliverer } from '../../src/app/deliverer';
import type { App, Caller, ConversationAddress, Directory, Mailer, Messenger, Stores } from '../../src/app/ports';
import { requestBudget } from '../../src/app/ports';
import type { AdaptiveCard } from '../../src/cards/render';
import type { Clock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { AutomaticReplies } from '../../src/domain/away';
import type { Person } from '../../src/domain/handoff';
import { DEFAULT_WORKING_HOURS, type WorkingHours } from '../../src/domain/working-hours';
import { createLogger, formatRecord } from '../../src/logger';
import { memoryStores } from './memory-stores';
import { workingHoursFrom } from '../../src/app/working-hours';

export interface Sent {
  method: 'post' | 'update';
  to: ConversationAddress;
  messageId: string;
  card: AdaptiveCard;
}

export interface MemoryApp {
  app: App & { deliveries: Deliverer };
  stores: Stores;
  /** Every card the messenger posted or updated, in order. */
  sent: Sent[];
  logs: string[];
  /** Moves Baton's clock to `at` (ISO), or by `ms`. */
  at(instant: string): void;
  now(): number;
}

/** A directory that knows the given people, their hours (the default week for anyone else), their automatic replies (off unless set) and chats' topics (an Error: it fails). */
function directoryOf(
  hours: ReadonlyMap<string, WorkingHours>,
  replies: ReadonlyMap<string, AutomaticReplies>,
  topics: ReadonlyMap<string, string | Error>,
): Directory {
  return {
    resolvePeople: async (queries) =>
      queries.map((query) => ({ ok: false as const, query, reason: 'unknown' as const, message: `"${query}" is unknown here.` })),
    getWorkingHours: async (aadObjectId) => hours.get(aadObjectId) ?? DEFAULT_WORKING_HOURS,
    chatTopic: async (chatId) => {
      const topic = topics.get(chatId);
      if (topic instanceof Error) throw topic;
      return topic;
    },
    getAutomaticReplies: async (aadObjectId) => replies.get(aadObjectId) ?? { status: 'disabled' },
  };
}

const noMail: Mailer = {
  defaultSender: 'baton@contoso.example',
  wasSent: async () => false,
  sendMail: async () => {
    throw new Error('no mail in these tests');
  },
};

/**
 * @param options.replies people's automatic replies, by object id: the test may change the map as it goes (someone turns theirs on)
 */
export function memoryApp(options: {
  at: string;
  hours?: ReadonlyMap<string, WorkingHours>;
  replies?: ReadonlyMap<string, AutomaticReplies>;
  topics?: ReadonlyMap<string, string | Error>;
}): MemoryApp {
  let now = Date.parse(options.at);
  const clock: Clock = { now: () => now, sleep: async () => undefined };
  const sent: Sent[] = [];
  let posted = 0;
  const messenger: Messenger = {
    post: async (to, card) => {
      const messageId = `m-${(posted += 1)}`;
      sent.push({ method: 'post', to, messageId, card });
      return messageId;
    },
    update: async (to, messageId, card) => void sent.push({ method: 'update', to, messageId, card }),
  };
  const logs: string[] = [];
  const log = createLogger({ sink: (r) => logs.push(formatRecord(r)) });
  const stores = memoryStores();
  const directory = directoryOf(options.hours ?? new Map(), options.replies ?? new Map(), options.topics ?? new Map());
  const config = loadConfig({});
  const parts = {
    stores,
    messenger,
    directoryFor: () => directory,
    workingHours: workingHoursFrom(() => directory, stores.away, clock, log),
    mailer: noMail,
    summaryQueue: { send: async () => undefined },
    settings: { due: config.due, summary: config.summary, publicBaseUrl: 'https://baton.example', tenantId: 't1' },
    clock,
    log,
  };
  const app = { ...parts, deliveries: new Deliverer(parts) };
  return {
    app,
    stores,
    sent,
    logs,
    at: (instant) => {
      now = Date.parse(instant);
    },
    now: () => now,
  };
}

let activities = 0;

/** A request from `person` in a group chat of `members`, each call a new activity unless `activityId` names one. */
export function callerFor(
  person: Person,
  options: { tenantId?: string; members?: Person[]; activityId?: string; replyToId?: string; conversation?: string } = {},
): Caller {
  return {
    actor: { person, tenantId: options.tenantId ?? 't1' },
    activityId: options.activityId ?? `f:${(activities += 1)}`,
    channel: 'msteams',
    conversation: { id: options.conversation ?? '19:chat', serviceUrl: 'https://smba.example/', personal: false },
    replyToId: options.replyToId,
    timeZone: 'UTC',
    today: '2026-05-04',
    budget: requestBudget(4000),
    members: async () => options.members ?? [],
  };
}
