/**
 * The local Functions host: serves the app's registered functions the way the
 * Azure Functions host does, for machines without Azure Functions Core Tools.
 *
 * - HTTP functions at /api/{route}, with the same HttpRequest the runtime passes.
 * - Timer functions on their NCRONTAB schedule (UTC).
 * - Storage queue functions with the queue trigger's semantics
 *   (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger):
 *   host.json's `extensions.queues`, polling back-off, batches, retries after
 *   the visibility timeout, and `<queue>-poison` after `maxDequeueCount` tries.
 * - The admin API's POST /admin/functions/{name}, which fires a non-HTTP
 *   function now (202), and GET /admin/functions, which lists them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { HttpRequest, HttpResponse, type HttpResponseInit, InvocationContext, type Timer, type TriggerMetadata } from '@azure/functions';
import { type Registration, registrations as appRegistrations } from '../functions';
import type { QueueClient, ReceivedMessageItem } from '../store/queues';
import { formatRecord } from '../logger';
import { nextOccurrence, parseNcrontab } from './ncrontab';
import { PROJECT_ROOT } from './processes';

export const ROUTE_PREFIX = 'api';
/** A request body larger than this is refused; Bot Framework activities are far smaller. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface FunctionsHost {
  url: string;
  port: number;
  /** Runs a timer function now, as the admin API does. */
  fire(name: string): Promise<void>;
  /** Stops serving, timers and queue polling; waits for queue functions in flight. */
  close(): Promise<void>;
}

type Log = (message: string) => void;

/** A dev-only page or file served by the local host itself (e.g. the local mailbox at /dev/mailbox). */
export type DevRouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * What @azure/functions says outside the Functions runtime, a line a function:
 * "Failed to detect the Azure Functions runtime" and "Skipping call to
 * register function". Here this host is the runtime and serves each of those
 * registrations itself, so the lines only hide the start-up log's real ones.
 */
const FUNCTIONS_TEST_MODE = /^WARNING: (Failed to detect the Azure Functions runtime|Skipping call to register function)/;
let testModeQuiet = false;

function quietTestMode(): void {
  if (testModeQuiet) return;
  testModeQuiet = true;
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!(typeof args[0] === 'string' && FUNCTIONS_TEST_MODE.test(args[0]))) warn(...args);
  };
}

/**
 * Imports every function file, which registers its functions, and returns the
 * registrations. A bundle (dist/main.js, `npm run build`) carries its own copy
 * of src/functions.ts, so it exports its registrations and those are used.
 */
export async function loadFunctions(dir = join(PROJECT_ROOT, 'functions')): Promise<Registration[]> {
  quietTestMode();
  const files = readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  const bundled: Registration[] = [];
  for (const file of files) {
    // require, not import(), for a .js file: import() of a CommonJS file scans its whole text for export names first (200 ms for dist/main.js).
    const path = join(dir, file);
    const module = (file.endsWith('.js') ? require(path) : await import(path)) as { registrations?: Registration[] };
    if (Array.isArray(module.registrations) && module.registrations !== appRegistrations) bundled.push(...module.registrations);
  }
  return [...appRegistrations, ...bundled];
}

/**
 * The request's body, or undefined when it is over MAX_BODY_BYTES. An
 * oversized body is read to its end and dropped, so the client gets a 413
 * (as Azure's front end answers) rather than a reset connection.
 */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const TOO_LARGE = { error: `The request body is over ${MAX_BODY_BYTES} bytes.` };

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function isHttpResponse(result: unknown): result is HttpResponse {
  return (
    typeof result === 'object' &&
    result !== null &&
    typeof (result as HttpResponse).arrayBuffer === 'function' &&
    (result as HttpResponse).headers instanceof Headers
  );
}

async function writeResult(res: ServerResponse, result: HttpResponseInit | HttpResponse | undefined): Promise<void> {
  // A bundle's HttpResponse is another copy of the class than this host's: recognise it by shape.
  const response = result instanceof HttpResponse || isHttpResponse(result) ? result : new HttpResponse(result ?? {});
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers).end(body);
}

/** Matches "/api/messages" against a route like "messages" or "handoffs/{id}"; returns the params. */
function matchRoute(route: string, path: string): Record<string, string> | undefined {
  const want = route.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const value = got[i] ?? '';
    const param = /^\{(\w+)\??\}$/.exec(segment);
    if (param?.[1]) params[param[1]] = decodeURIComponent(value);
    else if (segment.toLowerCase() !== value.toLowerCase()) return undefined;
  }
  return params;
}

/** host.json `extensions.queues` as this host applies it; see readQueueSettings for the defaults. */
export interface QueueSettings {
  /** The shortest wait between polls; the runtime's is fixed at 100 ms. */
  pollingIntervalMs: number;
  /** The longest wait between polls of an empty queue (`maxPollingInterval`). */
  maxPollingIntervalMs: number;
  /** How long a message whose function failed stays invisible before its next try (`visibilityTimeout`). */
  visibilityTimeoutSeconds: number;
  /** How many messages one poll receives (`batchSize`, 1 to 32). */
  batchSize: number;
  /** With this many or fewer in flight the next batch is received (`newBatchThreshold`). */
  newBatchThreshold: number;
  /** Tries before a message moves to `<queue>-poison` (`maxDequeueCount`). */
  maxDequeueCount: number;
  /** How the message text carries the message (`messageEncoding`). */
  messageEncoding: 'base64' | 'none';
}

/** The runtime's shortest polling interval (QueuePollingIntervals.Minimum) and its default longest. */
const MIN_POLLING_INTERVAL_MS = 100;
const DEFAULT_MAX_POLLING_INTERVAL_MS = 60_000;
/** What the runtime uses instead of that default in the Development environment, as under Core Tools. */
const DEVELOPMENT_MAX_POLLING_INTERVAL_MS = 2_000;
/** The Queue service returns at most 32 messages per receive. */
const MAX_BATCH_SIZE = 32;
/**
 * The runtime receives each message invisible for 10 minutes and renews that
 * at half-time while the function runs; host.json's visibilityTimeout is only
 * for the release after a failure.
 */
const MESSAGE_LEASE_SECONDS = 600;
/** DateTimeOffset.MaxValue: the expiry and next-visible time of a message the admin API made up. */
const MAX_DATE = '9999-12-31T23:59:59.999Z';
const POISON_SUFFIX = '-poison';

const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/;

/** A .NET TimeSpan setting ("[d.]hh:mm:ss[.fffffff]") in milliseconds. */
function timeSpanMs(value: unknown, setting: string): number {
  const match = typeof value === 'string' ? TIME_SPAN.exec(value.trim()) : null;
  const [, days = '0', hours = '', minutes = '', seconds = '', fraction = ''] = match ?? [];
  // A bare number would parse in .NET as that many days: refused rather than guessed.
  if (!match || Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) {
    throw new Error(`host.json ${setting} is ${JSON.stringify(value)}; it takes a time span such as "00:00:30" (hh:mm:ss).`);
  }
  const wholeSeconds = ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds);
  return wholeSeconds * 1000 + Math.round(Number(`0.${fraction || '0'}`) * 1000);
}

function integerSetting(value: unknown, setting: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(
      `host.json ${setting} is ${JSON.stringify(value)}; it takes a whole number from ${min}${max === Infinity ? ' up' : ` to ${max}`}.`,
    );
  }
  return value;
}

/**
 * The queue trigger's settings from a parsed host.json, with the runtime's
 * defaults for what it leaves out (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#host-json
 * and the extension's QueuesOptions): maxPollingInterval 1 minute (2 s in development,
 * which this host is), visibilityTimeout 0, batchSize 16, newBatchThreshold
 * batchSize/2 (N x batchSize/2 with N = 1, as on the Consumption plan),
 * maxDequeueCount 5, messageEncoding base64.
 * @param overrides win over host.json (tests poll fast and retry soon)
 * @throws naming the setting, for a value the runtime would refuse
 */
export function readQueueSettings(hostJson: unknown, overrides: Partial<QueueSettings> = {}): QueueSettings {
  const extensions = typeof hostJson === 'object' && hostJson !== null ? (hostJson as { extensions?: unknown }).extensions : undefined;
  const found = typeof extensions === 'object' && extensions !== null ? (extensions as { queues?: unknown }).queues : undefined;
  const queues = (typeof found === 'object' && found !== null ? found : {}) as Record<string, unknown>;
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) as Partial<QueueSettings>;
  const at = (key: string) => `extensions.queues.${key}`;

  let maxPollingIntervalMs =
    queues.maxPollingInterval === undefined
      ? DEFAULT_MAX_POLLING_INTERVAL_MS
      : timeSpanMs(queues.maxPollingInterval, at('maxPollingInterval'));
  if (maxPollingIntervalMs < MIN_POLLING_INTERVAL_MS) {
    throw new Error(`host.json ${at('maxPollingInterval')} must not be less than 00:00:00.100 (100 ms).`);
  }
  // The runtime's own rule in Development: the default maximum becomes 2 s, even when written out.
  if (maxPollingIntervalMs === DEFAULT_MAX_POLLING_INTERVAL_MS) maxPollingIntervalMs = DEVELOPMENT_MAX_POLLING_INTERVAL_MS;
  const batchSize =
    given.batchSize ?? (queues.batchSize === undefined ? 16 : integerSetting(queues.batchSize, at('batchSize'), 1, MAX_BATCH_SIZE));
  // .NET binds the enum without regard to case.
  const encoding = typeof queues.messageEncoding === 'string' ? queues.messageEncoding.toLowerCase() : (queues.messageEncoding ?? 'base64');
  if (encoding !== 'base64' && encoding !== 'none') {
    throw new Error(`host.json ${at('messageEncoding')} is ${JSON.stringify(encoding)}; it takes "base64" or "none".`);
  }
  const settings: QueueSettings = {
    pollingIntervalMs: MIN_POLLING_INTERVAL_MS,
    maxPollingIntervalMs,
    visibilityTimeoutSeconds:
      queues.visibilityTimeout === undefined ? 0 : Math.floor(timeSpanMs(queues.visibilityTimeout, at('visibilityTimeout')) / 1000),
    batchSize,
    newBatchThreshold:
      queues.newBatchThreshold === undefined
        ? Math.floor(batchSize / 2)
        : integerSetting(queues.newBatchThreshold, at('newBatchThreshold'), 0, Infinity),
    maxDequeueCount: queues.maxDequeueCount === undefined ? 5 : integerSetting(queues.maxDequeueCount, at('maxDequeueCount'), 1, Infinity),
    messageEncoding: encoding,
    ...given,
  };
  if (settings.batchSize < 1 || settings.batchSize > MAX_BATCH_SIZE)
    throw new Error(`The queue batch size must be from 1 to ${MAX_BATCH_SIZE}, not ${settings.batchSize}.`);
  if (settings.pollingIntervalMs > settings.maxPollingIntervalMs) {
    throw new Error(
      `The queue polling interval (${settings.pollingIntervalMs} ms) is longer than its maximum (${settings.maxPollingIntervalMs} ms).`,
    );
  }
  return settings;
}

/**
 * The queue trigger's randomized exponential back-off
 * (RandomizedExponentialBackoffStrategy): the minimum right after a poll that
 * found messages, then min + (0.8..1.2) x 2^(n-1) x min for the n-th empty
 * poll in a row, until the maximum.
 * @returns the wait before the next poll, given whether messages came since the last wait
 */
export function pollingBackoff(minMs: number, maxMs: number): (foundMessages: boolean) => number {
  let current = 0;
  let exponent = 0;
  return (foundMessages) => {
    if (foundMessages) {
      current = minMs;
      exponent = 1;
    } else if (current !== maxMs) {
      const next = exponent > 0 ? minMs + (0.8 + Math.random() * 0.4) * 2 ** (exponent - 1) * minMs : minMs;
      if (next < maxMs) {
        current = next;
        exponent += 1;
      } else current = maxMs;
    }
    return current;
  };
}

/** What the Node.js worker does with the queue trigger's string data: JSON when it parses, else the string. */
function tryJsonParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The message text decoded per messageEncoding; undefined when it is not base64 (strict, like .NET's decoder). */
function decodeMessageText(text: string, encoding: QueueSettings['messageEncoding']): string | undefined {
  if (encoding === 'none') return text;
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64').toString('utf8');
}

/** The queue name with %app setting% references resolved, lower-cased and validated, as the runtime does. */
function resolveQueueName(queueName: string, functionName: string, env: Readonly<Record<string, string | undefined>>): string {
  const resolved = queueName
    .replace(/%([^%]+)%/g, (_, setting: string) => {
      const value = env[setting];
      if (value === undefined)
        throw new Error(`The queue function "${functionName}" names its queue with the app setting ${setting}, which is not set.`);
      return value;
    })
    .toLowerCase();
  if (!/^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/.test(resolved)) {
    throw new Error(
      `The queue function "${functionName}" has queue name "${resolved}": a queue name is 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.`,
    );
  }
  return resolved;
}

/** Storage errors that mean someone else already finished the message: it is gone, or another receiver holds it. */
function isMessageGone(error: unknown): boolean {
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  return statusCode === 404 || (statusCode === 400 && code === 'PopReceiptMismatch');
}

interface QueueListener {
  name: string;
  /** Starts polling. */
  start(): void;
  /** Runs the function once with `input` as the message text, as the admin API does. */
  runOnce(input: string): void;
  /** Stops polling and waits for every run in flight to finish, its message deleted or released. */
  stop(): Promise<void>;
}

/**
 * Connects one queue function to its queue, creating the queue and its
 * poison queue when missing; polling starts with start().
 * @throws naming the app setting when the connection is not set, or the queue cannot be opened
 */
async function prepareQueueListener(
  registration: Extract<Registration, { kind: 'queue' }>,
  settings: QueueSettings,
  env: Readonly<Record<string, string | undefined>>,
  log: Log,
): Promise<QueueListener> {
  const { name, options } = registration;
  // An empty connection means AzureWebJobsStorage; a setting AzureWebJobsX may be named as just X.
  const setting = options.connection || 'AzureWebJobsStorage';
  const connection = env[setting] ?? env[`AzureWebJobs${setting}`];
  if (!connection?.trim()) {
    throw new Error(`The queue function "${name}" reads its storage connection string from the app setting ${setting}, which is not set.`);
  }
  const queueName = resolveQueueName(options.queueName, name, env);
  // As the runtime: no poison queue for a poison queue, nor where the suffix would make the name too long.
  const poisonName =
    queueName.endsWith(POISON_SUFFIX) || queueName.length + POISON_SUFFIX.length > 63 ? undefined : `${queueName}${POISON_SUFFIX}`;
  let queue: QueueClient;
  let poison: QueueClient | undefined;
  try {
    // Loaded here, not at the top: a host serving only HTTP functions never needs the Queue SDK.
    const { openQueue } = await import('../store/queues.js');
    queue = await openQueue(connection, queueName);
    poison = poisonName ? await openQueue(connection, poisonName) : undefined;
  } catch (error) {
    throw new Error(
      `The queue function "${name}" could not open queue "${queueName}" with the connection string in ${setting}: ${(error as Error).message}`,
    );
  }

  const inFlight = new Set<Promise<void>>();
  const adminRuns = new Set<Promise<void>>();
  let stopped = false;
  let wake: (() => void) | undefined;
  let polling: Promise<void> | undefined;

  const track = (runs: Set<Promise<void>>, work: Promise<void>) => {
    const run: Promise<void> = work
      .catch((error: unknown) => log(`[${name}] queue "${queueName}": ${(error as Error).stack ?? String(error)}`))
      .finally(() => runs.delete(run));
    runs.add(run);
  };

  /** Calls the handler as the worker would; false when it threw (logged). */
  async function invoke(text: string, metadata: TriggerMetadata, what: string): Promise<boolean> {
    const input = tryJsonParse(text);
    const context = new InvocationContext({
      functionName: name,
      invocationId: crypto.randomUUID(),
      // The worker camel-cases the runtime's binding data (QueueTrigger, DequeueCount, ...) and parses its JSON values.
      triggerMetadata: {
        ...metadata,
        queueTrigger: input,
        sys: { methodName: name, utcNow: new Date().toISOString(), randGuid: crypto.randomUUID() },
      },
    });
    try {
      await options.handler(input, context);
      return true;
    } catch (error) {
      log(`[${name}] failed (${what}): ${(error as Error).stack ?? String(error)}`);
      return false;
    }
  }

  async function remove(messageId: string, popReceipt: string): Promise<void> {
    try {
      await queue.deleteMessage(messageId, popReceipt);
    } catch (error) {
      if (!isMessageGone(error)) throw error;
    }
  }

  /** The runtime copies the message text as it came (still encoded) to the poison queue, then deletes it. */
  async function moveToPoison(message: ReceivedMessageItem, popReceipt: string, why: string): Promise<void> {
    await poison!.sendMessage(message.messageText);
    await remove(message.messageId, popReceipt);
    log(`[${name}] message ${message.messageId} ${why}: moved to queue "${poisonName}".`);
  }

  async function processMessage(message: ReceivedMessageItem): Promise<void> {
    const { messageId, dequeueCount } = message;
    // Its earlier runs died before they could finish (host crashes): poison without another try.
    if (poison && dequeueCount > settings.maxDequeueCount) {
      return moveToPoison(
        message,
        message.popReceipt,
        `was dequeued ${dequeueCount} times, more than maxDequeueCount ${settings.maxDequeueCount}`,
      );
    }
    const text = decodeMessageText(message.messageText, settings.messageEncoding);
    if (text === undefined) {
      // The runtime's handler for a message its base64 decoding refuses: the function never sees it.
      if (poison) await moveToPoison(message, message.popReceipt, 'is not base64, which messageEncoding "base64" expects');
      return;
    }
    let popReceipt = message.popReceipt;
    let renewing: Promise<void> = Promise.resolve();
    const renewal = setInterval(
      () => {
        renewing = queue.updateMessage(messageId, popReceipt, undefined, MESSAGE_LEASE_SECONDS).then(
          (updated) => {
            popReceipt = updated.popReceipt ?? popReceipt;
          },
          (error: unknown) => log(`[${name}] could not keep message ${messageId} invisible: ${(error as Error).message}`),
        );
      },
      (MESSAGE_LEASE_SECONDS * 1000) / 2,
    );
    const succeeded = await invoke(
      text,
      {
        id: messageId,
        dequeueCount,
        insertionTime: message.insertedOn.toISOString(),
        expirationTime: message.expiresOn.toISOString(),
        nextVisibleTime: message.nextVisibleOn.toISOString(),
        popReceipt,
      },
      `message ${messageId}, try ${dequeueCount} of ${settings.maxDequeueCount}`,
    );
    clearInterval(renewal);
    await renewing;
    if (succeeded) return remove(messageId, popReceipt);
    // Without a poison queue the runtime leaves the message invisible, so it cannot fail in a fast loop.
    if (!poison) return;
    if (dequeueCount >= settings.maxDequeueCount)
      return moveToPoison(message, popReceipt, `failed ${dequeueCount} times (maxDequeueCount ${settings.maxDequeueCount})`);
    try {
      await queue.updateMessage(messageId, popReceipt, undefined, settings.visibilityTimeoutSeconds);
    } catch (error) {
      if (!isMessageGone(error)) throw error;
    }
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });
  }

  async function poll(): Promise<void> {
    const nextDelay = pollingBackoff(settings.pollingIntervalMs, settings.maxPollingIntervalMs);
    let foundSinceLastDelay = false;
    let lastError = '';
    while (!stopped) {
      let messages: ReceivedMessageItem[] = [];
      try {
        messages = (await queue.receiveMessages({ numberOfMessages: settings.batchSize, visibilityTimeout: MESSAGE_LEASE_SECONDS }))
          .receivedMessageItems;
        lastError = '';
      } catch (error) {
        // Like the runtime: log, back off, try again (Azurite restarting, the queue deleted under it).
        const text = (error as Error).message;
        if (text !== lastError) log(`[${name}] receiving from queue "${queueName}" failed: ${text}`);
        lastError = text;
      }
      for (const message of messages) track(inFlight, processMessage(message));
      if (messages.length > 0) {
        foundSinceLastDelay = true;
        // The next batch right away, once no more than newBatchThreshold are in flight.
        while (inFlight.size > settings.newBatchThreshold) await Promise.race(inFlight);
        continue;
      }
      if (stopped) break;
      await pause(nextDelay(foundSinceLastDelay));
      foundSinceLastDelay = false;
    }
  }

  return {
    name,
    start() {
      polling ??= poll();
    },
    runOnce(input) {
      const now = new Date().toISOString();
      // As the runtime's admin API: a message that was never in the queue, dequeued 0 times; nothing to delete or retry.
      track(
        adminRuns,
        invoke(input, { dequeueCount: 0, insertionTime: now, expirationTime: MAX_DATE, nextVisibleTime: MAX_DATE }, 'admin API').then(
          () => undefined,
        ),
      );
    },
    async stop() {
      stopped = true;
      wake?.();
      await polling;
      await Promise.all([...inFlight, ...adminRuns]);
    },
  };
}

/** The admin API's body, {"input": "<trigger input>"}: a string, number or boolean, as the message text. */
function adminInput(body: Buffer): string | undefined {
  try {
    const { input } = JSON.parse(body.toString('utf8')) as { input?: unknown };
    return typeof input === 'string' || typeof input === 'number' || typeof input === 'boolean' ? String(input) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts the host on a loopback port (0 picks a free one).
 * @throws when a timer schedule is invalid, a queue function's connection
 *   setting is missing or its queue cannot be opened, or the port is taken
 */
export async function startFunctionsHost(options: {
  registrations: Registration[];
  port: number;
  log?: Log;
  /** Dev-only routes mounted at the root, path prefix -> handler; Azure Functions has none of them. */
  devRoutes?: Readonly<Record<string, DevRouteHandler>>;
  /** App settings: queue connections and %setting% queue names (process.env by default). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Over host.json's `extensions.queues`, e.g. a fast polling interval and a short visibility timeout for tests. */
  queues?: Partial<QueueSettings>;
  /**
   * false: timers run only when fired (the admin API, `fire`), never on their
   * schedule: a test that moves Baton's clock fires each one when it means to.
   */
  schedule?: boolean;
}): Promise<FunctionsHost> {
  const log = options.log ?? ((m: string) => console.log(m));
  const http = options.registrations.filter((r) => r.kind === 'http');
  const timers = options.registrations.filter((r) => r.kind === 'timer');
  const queues = options.registrations.filter((r) => r.kind === 'queue');
  const schedules = new Map(timers.map((t) => [t.name, parseNcrontab(String(t.options.schedule))]));
  // A schedule that parses but never fires is refused before the port is taken.
  for (const schedule of schedules.values()) nextOccurrence(schedule, new Date());
  // Queue settings, connections and queues too: the runtime reads host.json for them.
  const queueSettings =
    queues.length > 0 ? readQueueSettings(JSON.parse(readFileSync(join(PROJECT_ROOT, 'host.json'), 'utf8')), options.queues) : undefined;
  const listeners: QueueListener[] = [];
  for (const registration of queues)
    listeners.push(await prepareQueueListener(registration, queueSettings!, options.env ?? process.env, log));
  const handles = new Map<string, NodeJS.Timeout>();
  let closed = false;

  async function runTimer(registration: Extract<Registration, { kind: 'timer' }>, isPastDue: boolean): Promise<void> {
    const context = new InvocationContext({ functionName: registration.name, invocationId: crypto.randomUUID() });
    const schedule = schedules.get(registration.name);
    const now = new Date();
    const timer: Timer = {
      schedule: { adjustForDST: false },
      isPastDue,
      scheduleStatus: {
        last: now.toISOString(),
        next: schedule ? nextOccurrence(schedule, now).toISOString() : '',
        lastUpdated: now.toISOString(),
      },
    };
    try {
      await registration.options.handler(timer, context);
    } catch (error) {
      // Like the Functions runtime, a failed timer run is logged and not retried.
      // In Baton's record format, one line, so the same query finds it as in Azure.
      log(
        formatRecord({
          level: 'error',
          message: 'Timer function failed',
          fields: { function: registration.name, error: (error as Error).stack ?? String(error) },
        }),
      );
    }
  }

  function arm(registration: Extract<Registration, { kind: 'timer' }>): void {
    const schedule = schedules.get(registration.name);
    if (!schedule || closed) return;
    const at = nextOccurrence(schedule, new Date());
    // setTimeout holds at most 2^31-1 ms (24.8 days): re-arm in steps for schedules further away.
    const wait = Math.min(at.getTime() - Date.now(), 2 ** 31 - 1);
    handles.set(
      registration.name,
      setTimeout(() => {
        if (Date.now() >= at.getTime()) void runTimer(registration, false).finally(() => arm(registration));
        else arm(registration);
      }, wait),
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const devRoute = Object.entries(options.devRoutes ?? {}).find(
      ([prefix]) => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`),
    );
    if (devRoute) return devRoute[1](req, res);
    const admin = /^\/admin\/functions\/?([^/]*)$/.exec(url.pathname);
    if (admin) {
      const name = decodeURIComponent(admin[1] ?? '');
      if (!name && method === 'GET')
        return send(
          res,
          200,
          options.registrations.map((r) => ({ name: r.name, kind: r.kind })),
        );
      const timer = timers.find((t) => t.name.toLowerCase() === name.toLowerCase());
      const listener = listeners.find((l) => l.name.toLowerCase() === name.toLowerCase());
      if (method !== 'POST') return send(res, 405);
      if (!timer && !listener) return send(res, 404, { error: `No non-HTTP function named "${name}"` });
      const body = await readBody(req);
      if (!body) return send(res, 413, TOO_LARGE);
      if (listener) {
        // For a queue trigger the admin API's input is the message text.
        const input = adminInput(body);
        if (input === undefined)
          return send(res, 400, { error: 'A queue function takes a body {"input": "<message>"}, a string, number or boolean.' });
        // Runs after the 202, as on Azure; close() waits for it.
        listener.runOnce(input);
        return send(res, 202);
      }
      void runTimer(timer!, false);
      return send(res, 202);
    }
    const prefix = `/${ROUTE_PREFIX}/`;
    if (!url.pathname.startsWith(prefix)) return send(res, 404);
    const path = url.pathname.slice(prefix.length);
    let routeMatched = false;
    for (const registration of http) {
      let params: Record<string, string> | undefined;
      try {
        params = matchRoute(registration.options.route ?? registration.name, path);
      } catch {
        return send(res, 400, { error: 'The path has a malformed percent-escape.' });
      }
      if (!params) continue;
      routeMatched = true;
      // Functions may share a route and differ by method, as on Azure.
      const methods = registration.options.methods ?? ['GET', 'POST'];
      if (!methods.includes(method as never)) continue;
      const body = await readBody(req);
      if (!body) return send(res, 413, TOO_LARGE);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[key] = value;
      const request = new HttpRequest({
        method,
        url: url.toString(),
        headers,
        query: Object.fromEntries(url.searchParams),
        params,
        ...(body.length > 0 ? { body: { bytes: body } } : {}),
      });
      const context = new InvocationContext({ functionName: registration.name, invocationId: crypto.randomUUID() });
      return writeResult(res, await registration.options.handler(request, context));
    }
    if (routeMatched) return send(res, 405);
    return send(res, 404);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(
        formatRecord({
          level: 'error',
          message: 'Request failed',
          fields: { method: req.method, url: req.url, error: (error as Error).stack ?? String(error) },
        }),
      );
      if (!res.headersSent) send(res, 500, { error: 'Internal error' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  if (options.schedule !== false) for (const timer of timers) arm(timer);
  for (const listener of listeners) listener.start();

  return {
    url: `http://localhost:${port}`,
    port,
    fire: async (name) => {
      const timer = timers.find((t) => t.name === name);
      if (!timer) throw new Error(`No timer function named "${name}"`);
      await runTimer(timer, false);
    },
    close: async () => {
      closed = true;
      for (const handle of handles.values()) clearTimeout(handle);
      server.closeAllConnections();
      await Promise.all([new Promise<void>((resolve) => server.close(() => resolve())), ...listeners.map((l) => l.stop())]);
    },
  };
}
