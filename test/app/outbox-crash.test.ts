/**
 * The outbox survives a crash: the real local host runs as a child process,
 * the connector hangs on a 1:1 message, the host is killed hard, and a new one
 * delivers what was left, each message exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BACKGROUND } from '../../src/app/ports';
import { createBaton } from '../../src/baton';
import { realClock, ShiftedClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { freePort, PROJECT_ROOT } from '../../src/host/processes';
import { createLogger } from '../../src/logger';
import { handoffIdForForm } from '../../src/app/handoffs';
import { cardAction, FIXTURE_DAY, message, paymentsForm, people, TENANT } from '../support/activities';
import { textsOf } from '../support/cards';
import { type Connector, startConnector } from '../support/connector';
import { uniquePrefix } from '../support/stack';

/** Each test's own tables: the dev clock's "next" must see only that test's handoff. */
let prefix = uniquePrefix();
/** Where the first host's clock starts; a later instance starts later, as one started after a crash would. */
const START = Date.parse(FIXTURE_DAY);
const at = (ms: number) => new Date(ms).toISOString();
const children: ChildProcess[] = [];
let connector: Connector;

/** Polls until `check` holds, or fails after `ms`; no fixed sleeps. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Starts `src/host/serve.ts` in a child process on a free port and waits until it answers. */
async function startHost(env: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  // Node itself runs the host (tsx as a loader, not as a wrapper process), so killing the child kills the host.
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'src', 'host', 'serve.ts')], {
    env: {
      ...process.env,
      TABLES_CONNECTION_STRING: inject('tablesConnectionString'),
      AzureWebJobsStorage: inject('storageConnectionString'),
      BATON_SUMMARY_QUEUE: `${prefix}-summaries`,
      BATON_TABLE_PREFIX: prefix,
      BATON_HOST_PORT: String(port),
      BOT_ID: '',
      BATON_CLOCK_START: at(START),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until(`the host to start (output so far: ${output})`, () => {
    if (child.exitCode !== null) throw new Error(`The host exited with ${child.exitCode}: ${output}`);
    return output.includes('Functions host ready');
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function post(host: { url: string }, activity: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${host.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  connector = await startConnector([people.ada, people.grace, people.alan]);
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await connector?.close();
});

describe('a host killed while the connector hangs on a 1:1 message', () => {
  it('delivers the message and the card update exactly once after a restart', async () => {
    const first = await startHost();
    // Ada installed Baton: her personal chat is where the 1:1 goes.
    await post(first, {
      ...message(connector.url, people.ada, ''),
      type: 'installationUpdate',
      action: 'add',
      conversation: { id: 'a:personal-ada', conversationType: 'personal', tenantId: TENANT },
    });
    const formId = crypto.randomUUID();
    const form = paymentsForm(formId, { owner: '' });
    const cardMessage = `form-${formId}`;
    expect((await post(first, cardAction(connector.url, people.ada, 'handoff.create', form, { replyToId: cardMessage }))).status).toBe(200);
    const id = handoffIdForForm(TENANT, formId);
    const updatesOfCard = () => connector.sent.filter((s) => s.method === 'PUT' && s.activityId === cardMessage);
    // Cards posted in Ada's personal chat (installing Baton also answered there with the help text).
    const toAda = () =>
      connector.sent.filter((s) => s.method === 'POST' && s.conversationId === 'a:personal-ada' && s.activity.attachments !== undefined);
    await until('the card to replace the form', () => updatesOfCard().length === 1);

    // Grace asks: the card update goes out, the 1:1 to Ada hangs at the connector.
    connector.hang = /^POST \/v3\/conversations\/a(:|%3A)personal-ada\/activities/i;
    const asked = await post(first, cardAction(connector.url, people.grace, 'handoff.ask', { handoffId: id, comment: 'Which flag name?' }));
    expect(textsOf(asked.body.value)).toContain('Which flag name?');
    await until('the 1:1 message to reach the hung connector', () => connector.held === 1);
    expect(updatesOfCard()).toHaveLength(2);

    first.child.kill('SIGKILL');
    await until('the first host to die', () => first.child.signalCode === 'SIGKILL');
    // Really gone: nothing answers on its port any more.
    expect(
      await fetch(`${first.url}/admin/functions`).then(
        () => 'answered',
        () => 'refused',
      ),
    ).toBe('refused');
    connector.hang = undefined;
    expect(toAda()).toEqual([]);

    // A new instance, its clock past the dead one's leases, sweeps as its timer would.
    const second = await startHost({ BATON_CLOCK_START: at(START + 5 * 60_000) });
    expect((await fetch(`${second.url}/admin/functions/outboxSweep`, { method: 'POST' })).status).toBe(202);
    await until('the 1:1 message to be delivered', () => toAda().length === 1);
    expect(textsOf(toAda()[0]!.activity.attachments?.[0]?.content)[0]).toBe(
      'Grace Hopper asked you a question about your handoff: answer it to give the review back.',
    );

    // Another instance sweeping again finds nothing left: nothing is sent twice.
    const clock = new ShiftedClock(realClock, START + 10 * 60_000);
    const config = loadConfig({ TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: prefix });
    const third = await createBaton(config, { clock, log: createLogger({ sink: () => undefined }) });
    await until('every row to be delivered', async () => (await third.app.stores.outbox.rows(id, BACKGROUND)).length === 0);
    await third.app.deliveries.sweep();
    await third.app.deliveries.idle();
    expect(toAda()).toHaveLength(1);
    expect(updatesOfCard()).toHaveLength(2);
    const rows = (await third.app.stores.outbox.rows(id, BACKGROUND, { all: true })).map((r) => [r.effect.kind, r.state]);
    // The due index's rows (one per change that moved the next wake-up) are delivered too.
    expect(rows.filter(([kind]) => kind !== 'due')).toEqual([
      ['card', 'delivered'],
      ['index', 'delivered'],
      ['card', 'delivered'],
      ['index', 'delivered'],
      ['message', 'delivered'],
    ]);
    expect(rows.every(([, state]) => state === 'delivered')).toBe(true);
    expect(await third.app.stores.marks.list(BACKGROUND)).toEqual([]);
  }, 60_000);
});

describe("a host killed between an overdue nudge's save and its delivery", () => {
  it('delivers the nudge once after a restart, and the next check sends no second one', async () => {
    // Its own tables: with the first test's handoff in them, "next" could jump to that one's due time before
    // this one's due-index row is written, and the check would then find nothing of this handoff's due.
    prefix = uniquePrefix();
    const first = await startHost();
    await post(first, {
      ...message(connector.url, people.grace, ''),
      type: 'installationUpdate',
      action: 'add',
      conversation: { id: 'a:personal-grace', conversationType: 'personal', tenantId: TENANT },
    });
    const formId = crypto.randomUUID();
    const form = {
      formId,
      summary: 'Ledger export is ready for review',
      whatIsReady: 'Merged.',
      acceptanceCriteria: 'Totals match the ledger',
      links: 'https://example.com/pr/7',
      effort: '1h',
      receiver: people.grace.aadObjectId,
    };
    expect((await post(first, cardAction(connector.url, people.ada, 'handoff.create', form, { replyToId: `form-${formId}` }))).status).toBe(
      200,
    );
    const id = handoffIdForForm(TENANT, formId);
    const toGrace = () =>
      connector.sent.filter(
        (s) => s.method === 'POST' && s.conversationId === 'a:personal-grace' && JSON.stringify(s.activity).includes(id),
      );

    // The dev clock moves the host past the review's due time; the nudge hangs at the connector.
    await until(
      'the handoff to be in the due index',
      async () => (await fetch(`${first.url}/dev/clock`, { method: 'POST', body: '{"to": "next"}' })).status === 200,
    );
    const { now: movedTo } = (await (await fetch(`${first.url}/dev/clock`)).json()) as { now: string };
    connector.hang = /^POST \/v3\/conversations\/a(:|%3A)personal-grace\/activities/i;
    const heldBefore = connector.held;
    expect((await fetch(`${first.url}/admin/functions/overdueCheck`, { method: 'POST' })).status).toBe(202);
    await until('the nudge to reach the hung connector', () => connector.held === heldBefore + 1);
    first.child.kill('SIGKILL');
    await until('the first host to die', () => first.child.signalCode === 'SIGKILL');
    connector.hang = undefined;
    expect(toGrace()).toEqual([]);

    // The nudge was saved with its event before the send: a new instance, past the dead one's lease, delivers it.
    const second = await startHost({ BATON_CLOCK_START: at(Date.parse(movedTo) + 5 * 60_000) });
    expect((await fetch(`${second.url}/admin/functions/outboxSweep`, { method: 'POST' })).status).toBe(202);
    await until('the nudge to be delivered', () => toGrace().length === 1);
    expect(textsOf(toGrace()[0]!.activity.attachments?.[0]?.content)[0]).toMatch(/^Your review of this handoff was due /);
    // The check runs again (the next timer, a second instance): the nudge is recorded, so nothing goes twice.
    expect((await fetch(`${second.url}/admin/functions/overdueCheck`, { method: 'POST' })).status).toBe(202);
    expect((await fetch(`${second.url}/admin/functions/outboxSweep`, { method: 'POST' })).status).toBe(202);
    const config = loadConfig({ TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: prefix });
    const reader = await createBaton(config, { log: createLogger({ sink: () => undefined }) });
    await until('the outbox to be empty', async () => (await reader.app.stores.outbox.rows(id, BACKGROUND)).length === 0);
    expect((await reader.app.stores.handoffs.history(id, BACKGROUND)).map((e) => e.type)).toEqual(['posted', 'overdue']);
    expect(toGrace()).toHaveLength(1);
  }, 60_000);
});
