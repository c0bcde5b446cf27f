/**
 * The path of a request, as README's "How it is built" draws it, recorded
 * while an Accept runs: every Table call (each is a method of
 * src/store/table.ts's Table) and every message handed to the Messenger
 * records its stack with its async callers (V8 keeps the callers of each
 * `await`); a message ends in the file V8 says defines the messenger. The
 * project's files on those stacks are the files the request
 * passes through on its way to storage and the Bot Connector, from the
 * endpoint's turn to the answer and its deliveries. (Pure steps on the way,
 * the domain's decision and the card drawn, are called and return: they are
 * on no stack that reaches I/O, and the README names them beside the path.)
 *
 * V8 keeps the callers of an `await` only: a file that hands a promise on
 * without awaiting it is on the path without being on the stack (README says
 * so), and botbuilder's adapter does not keep the async callers of the turn it runs,
 * so a recorded path starts at the endpoint's turn (src/bot/endpoint.ts),
 * which functions/messages.ts calls; the deliveries, started after the
 * commit, start at the deliverer.
 */
import { Session } from 'node:inspector/promises';
import { relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handoffIdForForm } from '../../src/app/handoffs';
import { PROJECT_ROOT } from '../../src/host/processes';
import { Table } from '../../src/store/table';
import { cardAction, FIXTURE_DAY, paymentsForm, people, TENANT } from '../support/activities';
import { type Connector, startConnector } from '../support/connector';
import { startTestApp, type TestApp } from '../support/stack';

let app: TestApp;
let connector: Connector;

beforeAll(async () => {
  connector = await startConnector([people.ada, people.grace, people.alan]);
  app = await startTestApp({ at: FIXTURE_DAY });
});
afterAll(async () => {
  await app?.close();
  await connector?.close();
});

interface Trip {
  /** Where the request went: Table Storage, or the connector. */
  to: 'table' | 'connector';
  /** The project's source files on its stack, outermost caller first. */
  files: string[];
}

/** The project file of one stack frame ("at async commitChange (/…/src/app/unit-of-work.ts:171:20)"), or undefined. */
function fileOf(frame: string): string | undefined {
  const match = /\(?((?:file:\/\/)?\/[^():]+\.ts):\d+:\d+\)?$/.exec(frame.trim());
  if (!match) return undefined;
  const path = relative(PROJECT_ROOT, match[1]!.replace(/^file:\/\//, ''))
    .split(sep)
    .join('/');
  return /^(src|functions)\//.test(path) ? path : undefined;
}

/** The project's files on a stack, outermost first, each once in a row. */
function filesOf(stack: string | undefined): string[] {
  const files = (stack ?? '')
    .split('\n')
    .slice(1)
    .map(fileOf)
    .filter((f): f is string => f !== undefined)
    .reverse();
  return files.filter((f, i) => f !== files[i - 1]);
}

/** The project file a function is defined in, as V8 knows it (the inspector's [[FunctionLocation]]). */
async function definedIn(fn: (...args: never[]) => unknown): Promise<string | undefined> {
  const session = new Session();
  session.connect();
  const scripts = new Map<string, string>();
  session.on('Debugger.scriptParsed', ({ params }) => scripts.set(params.scriptId, params.url));
  const key = `batonDefinedIn${crypto.randomUUID().replaceAll('-', '')}`;
  (globalThis as Record<string, unknown>)[key] = fn;
  try {
    await session.post('Debugger.enable');
    const { result } = await session.post('Runtime.evaluate', { expression: `globalThis.${key}` });
    const { internalProperties } = await session.post('Runtime.getProperties', { objectId: result.objectId!, ownProperties: true });
    const location = internalProperties?.find((p) => p.name === '[[FunctionLocation]]')?.value?.value as { scriptId: string } | undefined;
    const url = location ? scripts.get(location.scriptId) : undefined;
    return url ? fileOf(`(${url.replace(/\?.*$/, '')}:1:1)`) : undefined;
  } finally {
    delete (globalThis as Record<string, unknown>)[key];
    await session.post('Debugger.disable');
    session.disconnect();
  }
}

/** What a Table call or a message sent goes through: every Table call is a method of src/store/table.ts's Table. */
const TABLE_CALLS = ['find', 'pages', 'upsert', 'create', 'update', 'delete', 'transact'] as const;

/**
 * Runs `work`, recording the stack (with its async callers) of every Table
 * call and every message handed to the Messenger.
 */
async function recordTrips(work: () => Promise<unknown>): Promise<Trip[]> {
  const trips: Trip[] = [];
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Infinity;
  const table = Table.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = TABLE_CALLS.map((name) => table[name]!);
  TABLE_CALLS.forEach((name, i) => {
    table[name] = function (this: unknown, ...args: unknown[]) {
      // The trip ends in this file, src/store/table.ts, whose method this is.
      trips.push({ to: 'table', files: [...filesOf(new Error(name).stack), 'src/store/table.ts'] });
      return originals[i]!.apply(this, args);
    };
  });
  // A message ends in the file that defines the messenger the composition root plugged in (botbuilder's proactive
  // turn hides the frames after it): asked of V8, not assumed.
  const messenger = app.baton().app.messenger as unknown as Record<string, (...args: unknown[]) => unknown>;
  const sends = { post: messenger.post!, update: messenger.update! };
  for (const [name, send] of Object.entries(sends)) {
    const file = await definedIn(send);
    messenger[name] = (...args: unknown[]) => {
      trips.push({ to: 'connector', files: [...filesOf(new Error(name).stack), file ?? `(${name}: no source file)`] });
      return send(...args);
    };
  }
  try {
    await work();
  } finally {
    TABLE_CALLS.forEach((name, i) => (table[name] = originals[i]!));
    Object.assign(messenger, sends);
    Error.stackTraceLimit = limit;
  }
  return trips;
}

/** Where a file sits: the edge (functions, src/bot), the use cases (src/app), the parts behind the ports (src/store, src/connector). */
const LAYERS: Record<string, number> = { functions: 0, bot: 1, app: 2, store: 3, connector: 3 };
const layerOf = (file: string) => LAYERS[file.split('/')[file.startsWith('functions/') ? 0 : 1]!];

/**
 * The files an Accept passes through, from the endpoint's turn on, written
 * out by hand: README's "The path of a request" lists the same, with
 * functions/messages.ts before them.
 */
const ACCEPT_PATH = [
  'src/bot/endpoint.ts',
  'src/bot/router.ts',
  'src/bot/bot.ts',
  'src/app/handoffs.ts',
  'src/errors.ts',
  'src/app/unit-of-work.ts',
  'src/app/working-hours.ts',
  'src/app/deliverer.ts',
  'src/store/table.ts',
  'src/store/handoff-store.ts',
  'src/store/indexes.ts',
  'src/store/away-records.ts',
  'src/store/personal-chats.ts',
  'src/connector/messenger.ts',
];

describe('the path of an Accept', () => {
  let trips: Trip[];

  beforeAll(async () => {
    const formId = crypto.randomUUID();
    const created = await app.post(
      cardAction(connector.url, people.ada, 'handoff.create', paymentsForm(formId), { replyToId: `form-${formId}` }),
    );
    expect(created.status).toBe(200);
    const handoffId = handoffIdForForm(TENANT, formId);
    const sentBefore = connector.sent.length;
    trips = await recordTrips(async () => {
      const accepted = await app.post(cardAction(connector.url, people.grace, 'handoff.accept', { handoffId, criterion0: 'true' }));
      expect(accepted.body.statusCode).toBe(200);
    });
    // The deliveries ran: everyone's card reached the connector.
    expect(connector.sent.slice(sentBefore).some((s) => s.method === 'PUT')).toBe(true);
  });

  it('reaches storage and the connector through the files README lists, and no others', () => {
    const files = new Set(trips.flatMap((t) => t.files));
    expect([...files].sort()).toEqual([...ACCEPT_PATH].sort());
    // Issue 21's bound: at most 15 source files, functions/messages.ts with them.
    expect(files.size + 1).toBeLessThanOrEqual(15);
    expect(trips.some((t) => t.to === 'connector')).toBe(true);
    // The request's own calls come from the endpoint's turn; the deliveries' from the deliverer.
    expect(trips[0]?.files[0]).toBe('src/bot/endpoint.ts');
  });

  it('never goes back: no call from src/app into src/bot, nor from a store or the connector into src/app', () => {
    for (const trip of trips) {
      const layers = trip.files.map(layerOf).filter((layer): layer is number => layer !== undefined);
      expect(layers, trip.files.join(' > ')).toEqual([...layers].sort((a, b) => a - b));
    }
  });
});
