/**
 * The one place that reads settings. Every setting is validated by zod.
 *
 * - The settings Baton cannot run without a right value for (who the bot is,
 *   where its data lives, how it reaches Graph) stop start-up with a message
 *   naming every bad one.
 * - A setting with a default (the optional ones, {@link OPTIONAL}) that is
 *   wrong is set aside: its default applies, or the one feature that needs it
 *   is off, and `Config.ignored` says which and why, for one clear log line
 *   at start and one at the feature's first use (src/baton.ts). One typo never
 *   takes the bot down.
 *
 * Nothing reads a setting at import: Azure Functions loads every function
 * into one worker, and a module that throws while loading takes all of them
 * down. Callers validate at first use (`getConfig()` in a handler); the local
 * host validates at start-up.
 */
import * as z from 'zod';
import { type Level, LEVELS } from './logger';
import { DEFAULT_DUE_POLICY, type DuePolicy } from './domain/due';
import { parseEffort } from './domain/effort';
import { PRIORITIES, type Priority } from './domain/handoff';
import type { StorageAccount } from './store/account';
import { WEEKDAYS, type Weekday } from './domain/working-hours';

import { AZURITE_ACCOUNT, AZURITE_KEY } from './azurite';

export { AZURITE_ACCOUNT, AZURITE_KEY };

/** Host names of this machine. Local mode talks only to these. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a URL (or a bare host name) points at this machine. */
export function isLoopback(urlOrHost: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(urlOrHost).hostname);
  } catch {
    return LOOPBACK_HOSTS.has(urlOrHost.replace(/:\d+$/, '').toLowerCase());
  }
}

/** The connection string of an Azurite Table service on the given loopback port, and of its Queue service when given one. */
export function azuriteConnectionString(port: number, host = '127.0.0.1', queuePort?: number): string {
  const queue = queuePort === undefined ? '' : `QueueEndpoint=http://${host}:${queuePort}/${AZURITE_ACCOUNT};`;
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=http://${host}:${port}/${AZURITE_ACCOUNT};${queue}`;
}

const blankIsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const port = (fallback: number) => z.preprocess(blankIsUnset, z.coerce.number().int().min(1).max(65535).default(fallback));
const optional = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** Working time as the form's effort is typed: "2h", "1d", "1h 30m" (a day is 8 working hours). */
const workingTime = (fallback: number) =>
  z.preprocess(
    blankIsUnset,
    z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (text === undefined) return fallback;
        const minutes = parseEffort(text);
        if (minutes === undefined)
          ctx.addIssue({ code: 'custom', message: `must be working time such as 2h, 1d or 1h 30m, not "${text}"` });
        return minutes ?? fallback;
      }),
  );

/** Goals by priority, "urgent=2h, high=4h, normal=1d"; a priority left out keeps its default. */
const goalsByPriority = (fallback: Readonly<Record<Priority, number>>) =>
  z.preprocess(
    blankIsUnset,
    z
      .string()
      .optional()
      .transform((text, ctx) => {
        const goals = { ...fallback };
        for (const part of (text ?? '')
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)) {
          const [name = '', value = ''] = part.split('=').map((p) => p.trim());
          const minutes = parseEffort(value);
          if (!(PRIORITIES as readonly string[]).includes(name) || minutes === undefined) {
            ctx.addIssue({
              code: 'custom',
              message: `must list priorities with working time, such as "urgent=2h, high=4h, normal=1d" ("${part}" is not one)`,
            });
            continue;
          }
          goals[name as Priority] = minutes;
        }
        return goals;
      }),
  );

/** What Baton cannot run without a right value for: who the bot is, where its data lives, how it reaches Graph. */
const core = z.object({
  BOT_ID: optional.pipe(z.guid({ message: "must be the bot's Microsoft App ID (a GUID)" }).optional()),
  BOT_PASSWORD: optional,
  BOT_TYPE: z.preprocess(blankIsUnset, z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant')),
  BOT_TENANT_ID: optional,
  TABLES_CONNECTION_STRING: optional,
  AzureWebJobsStorage: optional,
  /** Identity-based storage, as the Functions host reads it: the account name, `managedidentity`, and a user-assigned identity's client id. */
  AzureWebJobsStorage__accountName: optional.pipe(
    z
      .string()
      .regex(/^[a-z0-9]{3,24}$/, 'must be a storage account name (3 to 24 lower-case letters and digits)')
      .optional(),
  ),
  AzureWebJobsStorage__credential: optional.pipe(
    z
      .literal('managedidentity', {
        error: 'must be managedidentity (the only credential Baton and the Functions host use without a connection string)',
      })
      .optional(),
  ),
  AzureWebJobsStorage__clientId: optional.pipe(
    z.guid({ message: "must be the user-assigned managed identity's client id (a GUID)" }).optional(),
  ),
  BATON_TABLE_PREFIX: z.preprocess(
    blankIsUnset,
    z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{0,30}$/, 'must be letters and digits, starting with a letter')
      .default('baton'),
  ),
  /** Local mode: the folder mail is written to instead of sent (.data/mailbox in the project by default). */
  BATON_MAILBOX_DIR: optional,
  /** Local mode: the local people's automatic replies, who is away (dev/away.json in the project by default). */
  BATON_AWAY_FILE: optional,
  /** Set by App Service on every Azure Functions instance. */
  WEBSITE_INSTANCE_ID: optional,
  /** Microsoft Graph (src/graph). Without GRAPH_CLIENT_ID or a managed identity: the local directory and outbox. */
  GRAPH_TENANT_ID: optional,
  GRAPH_CLIENT_ID: optional,
  GRAPH_CLIENT_SECRET: optional,
  GRAPH_USE_MANAGED_IDENTITY: z.preprocess(blankIsUnset, z.stringbool({ error: 'must be true or false' }).default(false)),
  MAIL_SENDER: optional,
});

/** What a wrong optional setting turns off. Its first use logs which setting did (src/baton.ts). */
export type Feature = 'log' | 'ports' | 'clock' | 'goals' | 'summary' | 'originator' | 'links' | 'graph';

const setting = <T extends z.ZodType>(schema: T, feature: Feature, without: string) => ({ schema, feature, without });

/**
 * The settings with a default. A wrong one is set aside, never fatal: the
 * default applies (`without` says what that means), and for the weekly
 * summary's own settings the weekly summary is off.
 */
const OPTIONAL = {
  BATON_HOST_PORT: setting(port(7071), 'ports', 'the local host uses port 7071'),
  AZURITE_TABLE_PORT: setting(port(10002), 'ports', "Azurite's Table service is looked for on port 10002"),
  AZURITE_QUEUE_PORT: setting(port(10001), 'ports', "Azurite's Queue service is looked for on port 10001"),
  PLAYGROUND_PORT: setting(port(56150), 'ports', 'the Playground uses port 56150'),
  BATON_LOG_LEVEL: setting(
    z.preprocess(blankIsUnset, z.enum(LEVELS, { message: 'must be debug, info, warn or error' }).default('info')),
    'log',
    'the log is written from info up',
  ),
  /** Local mode only: start Baton's clock this many minutes ahead of real time (see POST /dev/clock). */
  BATON_CLOCK_OFFSET_MINUTES: setting(
    z.preprocess(
      blankIsUnset,
      z.coerce
        .number()
        .int()
        .min(0)
        .max(60 * 24 * 366)
        .default(0),
    ),
    'clock',
    "Baton's clock is not moved ahead",
  ),
  /** Local mode only: the instant Baton's clock starts at (past or future), from which it runs on in real time; tests name theirs. */
  BATON_CLOCK_START: setting(
    optional.pipe(z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant such as 2026-12-01T09:00:00Z' }).optional()),
    'clock',
    "Baton's clock starts now",
  ),
  /** Due times (src/domain/due.ts), in working time of whoever holds the ball. */
  BATON_REVIEW_GOALS: setting(
    goalsByPriority(DEFAULT_DUE_POLICY.review),
    'goals',
    'the default review goals apply (urgent=2h, high=4h, normal=1d)',
  ),
  BATON_RESPONSE_GOALS: setting(
    goalsByPriority(DEFAULT_DUE_POLICY.respond),
    'goals',
    'the default response goals apply (urgent=2h, high=4h, normal=1d)',
  ),
  /** While the work is Blocked, the goal of whoever unblocks it (the sender), by priority. */
  BATON_UNBLOCK_GOALS: setting(
    goalsByPriority(DEFAULT_DUE_POLICY.unblock),
    'goals',
    'the default unblock goals apply (urgent=4h, high=1d, normal=2d)',
  ),
  BATON_CLOSE_GOAL: setting(workingTime(DEFAULT_DUE_POLICY.close), 'goals', 'the default close goal applies (1d)'),
  BATON_AUTO_CLOSE_AFTER: setting(workingTime(DEFAULT_DUE_POLICY.autoClose), 'goals', 'accepted handoffs close themselves after 3d'),
  /** The weekly summary: sent on this day at this hour in each person's own time zone. */
  BATON_SUMMARY_DAY: setting(
    z.preprocess(
      blankIsUnset,
      z.enum(WEEKDAYS, { error: `must be a weekday in English, lower case (${WEEKDAYS.join(', ')})` }).default('monday'),
    ),
    'summary',
    'the weekly summary is off',
  ),
  BATON_SUMMARY_HOUR: setting(
    z.preprocess(blankIsUnset, z.coerce.number({ error: 'must be an hour from 0 to 23' }).int().min(0).max(23).default(8)),
    'summary',
    'the weekly summary is off',
  ),
  /** The queue the hourly run fills with one message per recipient (3-63 lower-case letters, digits and hyphens). */
  BATON_SUMMARY_QUEUE: setting(
    z.preprocess(
      blankIsUnset,
      z
        .string()
        .regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, 'must be a queue name: 3-63 lower-case letters, digits and single hyphens')
        .default('baton-summaries'),
    ),
    'summary',
    'the weekly summary is off',
  ),
  /** Sends per minute per sending mailbox; Exchange Online accepts 30. */
  BATON_MAILBOX_PER_MINUTE: setting(
    z.preprocess(blankIsUnset, z.coerce.number({ error: 'must be a whole number' }).int().min(1).max(10_000).default(30)),
    'summary',
    'the weekly summary is off',
  ),
  /** The Actionable Email originator id of the provider registered for this bot's Outlook channel; blank until it is registered. */
  OUTLOOK_ORIGINATOR: setting(
    optional.pipe(z.guid({ message: 'must be the originator id (a GUID) from the Actionable Email Developer Dashboard' }).optional()),
    'originator',
    'the summary email goes without its actionable card (Outlook shows its HTML body)',
  ),
  /** Host name of Baton's public links (https://<host>/api/handoffs/<id>), the manifest's link-unfurling domain. */
  BATON_PUBLIC_HOSTNAME: setting(
    optional.pipe(
      z
        .string()
        .regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/i, 'must be a host name such as baton.contoso.com (no scheme, no path)')
        .optional(),
    ),
    'links',
    "Baton's links point at the local host (Go to the card and shared links do not open)",
  ),
  /** Graph's root (tests point it at a stand-in). */
  GRAPH_BASE_URL: setting(
    optional.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://graph.microsoft.com' }).optional()),
    'graph',
    'Microsoft Graph is reached at https://graph.microsoft.com',
  ),
} as const;

type OptionalName = keyof typeof OPTIONAL;

/**
 * The optional settings' names.
 * @internal the bundle's test sets each one wrong in turn
 */
export const OPTIONAL_SETTING_NAMES: readonly string[] = Object.keys(OPTIONAL);
type OptionalValues = { [K in OptionalName]: z.output<(typeof OPTIONAL)[K]['schema']> };

/** An optional setting that was wrong and is set aside. */
export interface IgnoredSetting {
  setting: string;
  /** What is wrong with it, naming it: "OUTLOOK_ORIGINATOR must be ...". */
  problem: string;
  feature: Feature;
  /** What Baton does without it: "the weekly summary is off". */
  without: string;
}

/**
 * The names of every setting Baton reads.
 * @internal the deployment's tests compare infra/azure.bicep's app settings against them
 */
export const SETTING_NAMES: readonly string[] = [...Object.keys(core.shape), ...Object.keys(OPTIONAL)];

/** What Graph mode needs, one sentence per setting (src/graph checks them when it is built). */
export const GRAPH_PROBLEMS = {
  clientId:
    'GRAPH_CLIENT_ID (or GRAPH_USE_MANAGED_IDENTITY=true) is required when BOT_ID is set: real Teams users are not in the local directory',
  tenantId: 'GRAPH_TENANT_ID is required in Graph mode (the Entra tenant whose directory and mailboxes Baton reads)',
  secret: 'GRAPH_CLIENT_SECRET is required with GRAPH_CLIENT_ID (or set GRAPH_USE_MANAGED_IDENTITY=true)',
  secretWithIdentity:
    'GRAPH_CLIENT_SECRET must not be set with GRAPH_USE_MANAGED_IDENTITY=true (the managed identity has no secret; remove one of them)',
  mailSender: "MAIL_SENDER is required in Graph mode (the UPN of the mailbox that sends Baton's email)",
} as const;

/**
 * Rules between settings. They read the raw values, so they are reported
 * together with any malformed setting rather than after it is fixed.
 */
function crossChecks(env: Record<string, string | undefined>): string[] {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const type = (env.BOT_TYPE ?? '').trim() || 'MultiTenant';
  const problems: string[] = [];
  if (set('BOT_ID') && type !== 'UserAssignedMSI' && !set('BOT_PASSWORD'))
    problems.push("BOT_PASSWORD is required when BOT_ID is set (the bot's client secret)");
  if (set('BOT_ID') && (type === 'SingleTenant' || type === 'UserAssignedMSI') && !set('BOT_TENANT_ID'))
    problems.push(`BOT_TENANT_ID is required when BOT_TYPE is ${type}`);
  if (!set('BOT_ID') && set('WEBSITE_INSTANCE_ID'))
    problems.push('BOT_ID is required on Azure: without it the bot endpoint would accept unauthenticated requests');
  if (
    set('WEBSITE_INSTANCE_ID') &&
    !set('TABLES_CONNECTION_STRING') &&
    !set('AzureWebJobsStorage') &&
    !set('AzureWebJobsStorage__accountName')
  ) {
    problems.push(
      'TABLES_CONNECTION_STRING is required on Azure (or AzureWebJobsStorage, or AzureWebJobsStorage__accountName with a managed identity)',
    );
  }
  return problems;
}

export interface Config {
  /** Optional settings that were wrong and are set aside, each with what Baton does without it. */
  ignored: IgnoredSetting[];
  /** Without bot credentials Baton runs in local mode: no token checks, loopback connectors only. */
  localMode: boolean;
  bot: { appId: string; password: string; type: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI'; tenantId: string };
  /** Where the tables (and queues) live: a connection string, or an account reached with the managed identity. */
  tables: { account: StorageAccount; prefix: string };
  /** Where the summary's queue lives: the Functions host's own storage (AzureWebJobsStorage), whose queue triggers read it. */
  queues: { account: StorageAccount };
  ports: { host: number; azurite: number; azuriteQueue: number; playground: number };
  /** The lowest log level written. */
  logLevel: Level;
  /** Local mode: how far ahead of real time Baton's clock starts, in ms (0 otherwise). */
  clockOffsetMs: number;
  /** Local mode: the instant (ms since the epoch) Baton's clock starts at; undefined for now. */
  clockStart: number | undefined;
  /** Local mode: where mail is written instead of sent; undefined for the project's .data/mailbox. */
  mailboxDir: string | undefined;
  /** Local mode: the local people's automatic replies; undefined for the project's dev/away.json. */
  awayFile: string | undefined;
  /** Each step's goal and the auto-close, in working minutes. */
  due: DuePolicy;
  /** Where Baton's own links point: https://BATON_PUBLIC_HOSTNAME, or the local host in development. */
  publicBaseUrl: string;
  /** The weekly summary. */
  summary: SummarySettings;
  /**
   * Microsoft Graph settings as given; absent when none is set (local
   * directory and outbox). src/graph checks how they combine at first use.
   */
  graph?: GraphSettings;
}

export interface SummarySettings {
  /** False when one of its settings was wrong: the hourly run enqueues nothing and the queue's messages are dropped. */
  enabled: boolean;
  /** Sent when it is this day and hour in the person's time zone. */
  day: Weekday;
  hour: number;
  /** The Storage queue of one message per recipient. */
  queue: string;
  /** Sends per minute per sending mailbox. */
  perMinute: number;
  /** The Outlook channel's originator id; without it Outlook shows the card's HTML body only. */
  originator: string | undefined;
  /** The mailboxes summaries are sent from (MAIL_SENDER, comma-separated): more of them send faster. */
  mailboxes: string[];
}

export interface GraphSettings {
  tenantId: string | undefined;
  /** The app registration's client id, or the user-assigned managed identity's. */
  clientId: string | undefined;
  clientSecret: string | undefined;
  useManagedIdentity: boolean;
  /** UPN (or object id) of the mailbox that sends Baton's email. */
  mailSender: string | undefined;
  /** Graph's root, https://graph.microsoft.com unless set (tests point it at a stand-in). */
  baseUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Baton's settings are not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The optional settings: each wrong one set aside (its default applies) and recorded in `ignored`. */
function optionalSettings(env: Record<string, string | undefined>, localMode: boolean, ignored: IgnoredSetting[]): OptionalValues {
  const values: Record<string, unknown> = {};
  for (const [name, { schema, feature, without }] of Object.entries(OPTIONAL) as [OptionalName, (typeof OPTIONAL)[OptionalName]][]) {
    const parsed = schema.safeParse(env[name]);
    if (parsed.success) {
      values[name] = parsed.data;
      continue;
    }
    values[name] = schema.parse(undefined);
    ignored.push({
      setting: name,
      problem: `${name} ${[...new Set(parsed.error.issues.map((i) => i.message))].join('; ')}`,
      feature,
      without,
    });
  }
  // A real bot's clock is the real one.
  for (const name of ['BATON_CLOCK_OFFSET_MINUTES', 'BATON_CLOCK_START'] as const) {
    const given = name === 'BATON_CLOCK_START' ? values[name] !== undefined : Number(values[name]) > 0;
    if (localMode || !given) continue;
    values[name] = OPTIONAL[name].schema.parse(undefined);
    ignored.push({
      setting: name,
      problem: `${name} is for local mode only: a real bot's clock is the real one (remove it, or unset BOT_ID)`,
      feature: 'clock',
      without: OPTIONAL[name].without,
    });
  }
  return values as OptionalValues;
}

/**
 * Validates settings from an environment (process.env by default).
 * @throws ConfigError naming every wrong setting Baton cannot run without (a wrong optional one is in `ignored`)
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = core.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || 'settings'} ${issue.message}`)),
    ...crossChecks(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const ignored: IgnoredSetting[] = [];
  const s = { ...parsed.data, ...optionalSettings(env, !parsed.data.BOT_ID, ignored) };
  return {
    ignored,
    localMode: !s.BOT_ID,
    bot: { appId: s.BOT_ID ?? '', password: s.BOT_PASSWORD ?? '', type: s.BOT_TYPE, tenantId: s.BOT_TENANT_ID ?? '' },
    tables: {
      account: storageAccountOf(s),
      prefix: s.BATON_TABLE_PREFIX,
    },
    queues: { account: queueAccountOf(s) },
    ports: { host: s.BATON_HOST_PORT, azurite: s.AZURITE_TABLE_PORT, azuriteQueue: s.AZURITE_QUEUE_PORT, playground: s.PLAYGROUND_PORT },
    logLevel: s.BATON_LOG_LEVEL,
    clockOffsetMs: s.BATON_CLOCK_OFFSET_MINUTES * 60_000,
    clockStart: s.BATON_CLOCK_START === undefined ? undefined : Date.parse(s.BATON_CLOCK_START),
    mailboxDir: s.BATON_MAILBOX_DIR,
    awayFile: s.BATON_AWAY_FILE,
    due: {
      review: s.BATON_REVIEW_GOALS,
      respond: s.BATON_RESPONSE_GOALS,
      unblock: s.BATON_UNBLOCK_GOALS,
      close: s.BATON_CLOSE_GOAL,
      autoClose: s.BATON_AUTO_CLOSE_AFTER,
    },
    publicBaseUrl: s.BATON_PUBLIC_HOSTNAME ? `https://${s.BATON_PUBLIC_HOSTNAME}` : `http://localhost:${s.BATON_HOST_PORT}`,
    summary: {
      enabled: !ignored.some((i) => i.feature === 'summary'),
      day: s.BATON_SUMMARY_DAY,
      hour: s.BATON_SUMMARY_HOUR,
      queue: s.BATON_SUMMARY_QUEUE,
      perMinute: s.BATON_MAILBOX_PER_MINUTE,
      originator: s.OUTLOOK_ORIGINATOR,
      mailboxes: mailboxesOf(s.MAIL_SENDER),
    },
    ...graphSettings(s),
  };
}

/** AzureWebJobsStorage, or its identity-based form, or Azurite's Table and Queue services on this machine. */
type Settings = z.infer<typeof core> & OptionalValues;

function hostStorageOf(s: Settings): StorageAccount {
  if (s.AzureWebJobsStorage) return s.AzureWebJobsStorage;
  if (s.AzureWebJobsStorage__accountName) {
    return {
      accountName: s.AzureWebJobsStorage__accountName,
      ...(s.AzureWebJobsStorage__clientId ? { clientId: s.AzureWebJobsStorage__clientId } : {}),
    };
  }
  return azuriteConnectionString(s.AZURITE_TABLE_PORT, '127.0.0.1', s.AZURITE_QUEUE_PORT);
}

/** Baton's tables: TABLES_CONNECTION_STRING when set, else the Functions host's own storage. */
function storageAccountOf(s: Settings): StorageAccount {
  return s.TABLES_CONNECTION_STRING ?? hostStorageOf(s);
}

/** The queue triggers read AzureWebJobsStorage (or its identity-based form): the summary's queue lives there. */
function queueAccountOf(s: Settings): StorageAccount {
  return hostStorageOf(s);
}

/** MAIL_SENDER's mailboxes: one, or several separated by commas. */
function mailboxesOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
}

/** The `graph` part of the config, only when some Graph setting is set. */
function graphSettings(s: Settings): Pick<Config, 'graph'> {
  const graph: GraphSettings = {
    tenantId: s.GRAPH_TENANT_ID,
    clientId: s.GRAPH_CLIENT_ID,
    clientSecret: s.GRAPH_CLIENT_SECRET,
    useManagedIdentity: s.GRAPH_USE_MANAGED_IDENTITY,
    mailSender: mailboxesOf(s.MAIL_SENDER)[0],
    baseUrl: s.GRAPH_BASE_URL,
  };
  return Object.values(graph).some((v) => v !== undefined && v !== false) ? { graph } : {};
}

/**
 * The app settings the functions' bindings name (`%BATON_SUMMARY_QUEUE%`),
 * with their defaults: what infra/azure.bicep gives them on Azure, for the
 * local host to resolve the same way.
 */
export function bindingSettings(config: Config): Record<string, string> {
  return { BATON_SUMMARY_QUEUE: config.summary.queue };
}

let cached: Config | undefined;

/** The process's settings, validated once on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
