/**
 * The endpoint refuses what it cannot read, in one place, and keeps its
 * promises when its neighbours fail: malformed and oversized activities,
 * pages posting from a browser, unreadable records, replays, a hung member
 * list and a storage outage.
 */
import { odata, TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { BACKGROUND } from '../../src/app/ports';
import { createBaton } from '../../src/baton';
import { UNAVAILABLE } from '../../src/bot/bot';
import { azuriteConnectionString, loadConfig } from '../../src/config';
import { freePort, startAzurite } from '../../src/host/processes';
import { createLogger, formatRecord } from '../../src/logger';
import { handoffIdForForm } from '../../src/app/handoffs';
import { tableRoundTrips, tripsSince } from '../../src/store/table';
import { cardAction, extensionInvoke, FIXTURE_DAY, message, paymentsForm, people, TENANT } from '../support/activities';
import { textsOf } from '../support/cards';
import { type Connector, startConnector } from '../support/connector';
import { startTestApp, type TestApp, uniquePrefix } from '../support/stack';

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

const form = paymentsForm;

async function created(overrides: Record<string, unknown> = {}): Promise<string> {
  const formId = crypto.randomUUID();
  await app.post(cardAction(connector.url, people.ada, 'handoff.create', form(formId, overrides), { replyToId: `form-${formId}` }));
  return handoffIdForForm(TENANT, formId);
}

describe('malformed activities', () => {
  const valid = () => cardAction(connector.url, people.grace, 'handoff.refresh', { handoffId: '0123456789abcdef0123' });
  const cases: [string, (a: Record<string, any>) => unknown][] = [
    ['no type', (a) => ({ ...a, type: undefined })],
    ['a type that is not a string', (a) => ({ ...a, type: 7 })],
    ['a serviceUrl that is not a URL', (a) => ({ ...a, serviceUrl: 'not a url' })],
    ['a serviceUrl that is not http(s)', (a) => ({ ...a, serviceUrl: 'file:///etc/passwd' })],
    ['no channelId', (a) => ({ ...a, channelId: undefined })],
    ['from that is a string', (a) => ({ ...a, from: 'ada' })],
    ['an aadObjectId of 10 KB', (a) => ({ ...a, from: { ...a.from, aadObjectId: 'x'.repeat(10_000) } })],
    ['no recipient', (a) => ({ ...a, recipient: undefined })],
    ['a conversation id that is a number', (a) => ({ ...a, conversation: { ...a.conversation, id: 42 } })],
    ['an empty conversation id', (a) => ({ ...a, conversation: { ...a.conversation, id: '' } })],
    ['a tenant id of 1 KB', (a) => ({ ...a, conversation: { ...a.conversation, tenantId: 't'.repeat(1000) } })],
    ['a replyToId of 5 KB', (a) => ({ ...a, replyToId: 'r'.repeat(5000) })],
    ['a locale of 1 KB', (a) => ({ ...a, locale: 'l'.repeat(1000) })],
    ['a localTimezone that is an object', (a) => ({ ...a, localTimezone: { zone: 'UTC' } })],
    ['entities that are not a list', (a) => ({ ...a, entities: 'clientInfo' })],
    ['an array', () => [valid()]],
    ['null', () => null],
  ];

  it.each(cases)('answers 400 to %s and changes nothing', async (_name, mutate) => {
    const before = connector.sent.length;
    const response = await app.post(mutate(valid() as Record<string, any>));
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/^The body is not a Bot Framework activity Baton can read \(.+\)\.$|^The body is not JSON\.$/);
    expect(connector.sent.length).toBe(before);
  });

  it('refuses a card action whose verb is not a string, rather than coercing it', async () => {
    const id = await created();
    for (const verb of [['handoff.accept'], { 0: 'handoff.accept' }, 12]) {
      const response = await app.post({
        ...cardAction(connector.url, people.grace, 'x', {}),
        value: { action: { type: 'Action.Execute', verb, data: { handoffId: id, criterion0: 'true' } } },
      });
      expect(response.body).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    }
    expect((await app.handoff(id))?.status).toBe('inReview');
  });

  it('answers 413 to a body over its limit, at the function and at the host, instead of dropping the connection', async () => {
    const big = { ...message(connector.url, people.ada, 'help'), padding: 'p'.repeat(300 * 1024) };
    expect((await app.post(big)).status).toBe(413);
    const huge = await fetch(`${app.host.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(5 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
  });

  it('refuses, in local mode, a page posting with Origin "null" (a sandboxed frame) like any foreign page', async () => {
    const before = connector.sent.length;
    expect((await app.post(message(connector.url, people.ada, 'help'), { origin: 'null' })).status).toBe(403);
    expect(connector.sent.length).toBe(before);
  });
});

describe("a card action's answer, as Universal Actions specify it: HTTP 200, its status in the body", () => {
  const envelope = (statusCode: number, code: string) => ({
    status: 200,
    body: { statusCode, type: 'application/vnd.microsoft.error', value: { code, message: expect.any(String) } },
  });

  it('answers a value.action that is missing, null or not an object with 400 in the body, never 501', async () => {
    for (const value of [{}, { action: null }, { action: 'handoff.refresh' }, { trigger: 'manual' }]) {
      const response = await app.post({ ...cardAction(connector.url, people.grace, 'x', {}), value });
      expect(response).toEqual(envelope(400, 'BadRequest'));
    }
  });

  it('answers a handoff that does not exist with 404 in the body, and one with no signed-in user with 403', async () => {
    const missing = await app.post(cardAction(connector.url, people.grace, 'handoff.refresh', { handoffId: '0123456789abcdef0123' }));
    expect(missing).toEqual(envelope(404, 'NotFound'));
    const anonymous = await app.post(
      cardAction(connector.url, { id: '29:anonymous', name: 'Someone' } as never, 'handoff.refresh', { handoffId: '0123456789abcdef0123' }),
    );
    expect(anonymous).toEqual(envelope(403, 'Forbidden'));
  });
});

describe('the log', () => {
  it('writes one structured line per activity: invocation, activity, tenant, handoff, outcome and duration, never its content', async () => {
    const lines: string[] = [];
    const config = loadConfig({ TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: uniquePrefix() });
    const baton = await createBaton(config, { log: createLogger({ sink: (r) => lines.push(formatRecord(r)) }) });
    const formId = crypto.randomUUID();
    const create = cardAction(connector.url, people.ada, 'handoff.create', form(formId, { summary: 'Secret payroll export is ready' }), {
      replyToId: `form-${formId}`,
    });
    expect((await baton.bot.handle(JSON.stringify(create), '', undefined, 'inv-1')).status).toBe(200);
    expect((await baton.bot.handle('{"type":"message"}', '', undefined, 'inv-2')).status).toBe(400);
    await baton.app.deliveries.idle();
    const answered = lines.filter((l) => l.includes('Activity answered'));
    const handoffId = handoffIdForForm(TENANT, formId);
    expect(answered).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\[info\\] Activity answered \\(invocationId=inv-1, activityId=${create.id}, type=invoke, name=adaptiveCard/action, verb=handoff.create, channel=msteams, tenant=${TENANT}, status=200, outcome=ok, durationMs=\\d+\\)$`,
        ),
      ),
      expect.stringMatching(/^\[info\] Activity answered \(invocationId=inv-2, status=400, outcome=refused, durationMs=\d+\)$/),
    ]);
    const accept = cardAction(connector.url, people.grace, 'handoff.accept', { handoffId, criterion0: 'true' });
    await baton.bot.handle(JSON.stringify(accept), '', undefined, 'inv-3');
    expect(lines.find((l) => l.includes('invocationId=inv-3'))).toContain(`verb=handoff.accept, handoffId=${handoffId}, channel=msteams`);
    expect(lines.join('\n')).not.toContain('Secret payroll');
  });

  it('says at info, never as an error, that an invoke Baton does not implement answered 501; a refusal logs the status it carries', async () => {
    const lines: string[] = [];
    const config = loadConfig({ TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: uniquePrefix() });
    const baton = await createBaton(config, { log: createLogger({ sink: (r) => lines.push(formatRecord(r)) }) });
    const fetchTask = { ...cardAction(connector.url, people.ada, 'x', {}), name: 'task/fetch', value: { data: {} } };
    expect(await baton.bot.handle(JSON.stringify(fetchTask), '', undefined, 'inv-501')).toEqual({ status: 501, body: undefined });
    const missing = cardAction(connector.url, people.grace, 'handoff.refresh', { handoffId: '0123456789abcdef0123' });
    expect((await baton.bot.handle(JSON.stringify(missing), '', undefined, 'inv-404')).status).toBe(200);
    expect(lines.filter((l) => l.startsWith('[error]'))).toEqual([]);
    expect(lines.find((l) => l.includes('invocationId=inv-501'))).toMatch(
      /^\[info\] Activity answered \(invocationId=inv-501, .*name=task\/fetch, .*status=501, outcome=notImplemented, durationMs=\d+\)$/,
    );
    expect(lines.find((l) => l.includes('invocationId=inv-404'))).toMatch(
      /^\[info\] Activity answered \(invocationId=inv-404, .*status=404, httpStatus=200, outcome=refused, durationMs=\d+\)$/,
    );
  });
});

describe('records and replays', () => {
  it('lists a handoff whose record cannot be read from its index row; one whose row cannot be read is skipped and logged', async () => {
    const good = await created({ summary: 'Ledger sync is ready for review' });
    const bad = await created({ summary: 'Ledger export is ready for review' });
    const handoffs = TableClient.fromConnectionString(inject('tablesConnectionString'), `${app.prefix}handoffs`, {
      allowInsecureConnection: true,
    });
    await handoffs.updateEntity({ partitionKey: bad, rowKey: 'handoff', status: 'sideways' }, 'Merge');
    const mineCard = async () => {
      await app.post(
        message(connector.url, people.grace, 'mine', {
          conversation: { id: 'a:personal-grace', conversationType: 'personal', tenantId: TENANT },
        }),
      );
      return JSON.stringify(connector.sent.at(-1)!.activity.attachments![0]!.content);
    };
    const searched = async () => {
      const search = await app.post(
        extensionInvoke(connector.url, people.grace, 'composeExtension/query', {
          commandId: 'findHandoffs',
          parameters: [{ name: 'query', value: 'ledger' }],
        }),
      );
      expect(search.status).toBe(200);
      return search.body.composeExtension.attachments.map((a: any) => a.preview.content.title).sort();
    };
    // mine and search read the person index's listings, never the records: the broken record does not reach them.
    const before = { ...tableRoundTrips };
    expect(await mineCard()).toContain('Ledger export is ready for review');
    expect(tripsSince(before).ownReads).toBe(1);
    expect(await searched()).toEqual(['Ledger export is ready for review', 'Ledger sync is ready for review']);
    // A row whose listing cannot be read is skipped, and logged.
    const index = TableClient.fromConnectionString(inject('tablesConnectionString'), `${app.prefix}people`, {
      allowInsecureConnection: true,
    });
    for await (const row of index.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${`${TENANT}_${people.grace.aadObjectId}`}` },
    })) {
      if (row.rowKey!.endsWith(`_${bad}`))
        await index.updateEntity({ partitionKey: row.partitionKey!, rowKey: row.rowKey!, listing: '' }, 'Merge');
    }
    const logged = vi.spyOn(console, 'error');
    const mine = await mineCard();
    expect(mine).toContain('Ledger sync is ready for review');
    expect(mine).not.toContain('Ledger export');
    expect(await searched()).toEqual(['Ledger sync is ready for review']);
    expect(logged.mock.calls.map((c) => String(c[0]))).toContainEqual(
      `[error] Skipped a person-index row that cannot be read (handoffId=${bad})`,
    );
    logged.mockRestore();
    expect(good).not.toBe(bad);
  });

  it('writes one person-index row per participant however often a create is replayed or clicked', async () => {
    const formId = crypto.randomUUID();
    const submit = cardAction(connector.url, people.ada, 'handoff.create', form(formId));
    await Promise.all(Array.from({ length: 25 }, (_, i) => app.post(i % 2 ? submit : { ...submit, id: `f:click-${i}` })));
    const id = handoffIdForForm(TENANT, formId);
    for (const person of [people.ada, people.grace, people.alan]) {
      expect(
        (await app.stores.people.handoffsOf(TENANT, person.aadObjectId, 1000, BACKGROUND)).filter((r) => r.handoffId === id),
      ).toHaveLength(1);
    }
    // The person index, everyone's card (the fixture's own message becomes it) and the due index, written once.
    expect(await app.countRows(id)).toEqual({ handoff: 1, events: 1, activities: 1, outbox: 3 });
  });

  it('writes nothing anywhere for a form someone else already used', async () => {
    const formId = crypto.randomUUID();
    await app.post(cardAction(connector.url, people.ada, 'handoff.create', form(formId)));
    const id = handoffIdForForm(TENANT, formId);
    const rows = await app.countRows(id);
    // Alan reuses the form: refused, and no trace of it.
    const refused = await app.post(cardAction(connector.url, people.alan, 'handoff.create', form(formId, { owner: '' })));
    expect(refused.body).toMatchObject({ statusCode: 403 });
    expect(await app.countRows(id)).toEqual(rows);
    expect((await app.handoff(id))?.sender.name).toBe('Ada Lovelace');
  });
});

describe("within Teams' 5 seconds, whatever fails", () => {
  it('says so when Teams does not list the members in time, and stores nothing', { timeout: 5000 }, async () => {
    connector.hang = /\/pagedmembers/;
    try {
      const formId = crypto.randomUUID();
      const response = await app.post(cardAction(connector.url, people.ada, 'handoff.create', form(formId)));
      expect(textsOf(response.body.value)).toContain(
        "Nothing was posted: Teams did not list this conversation's members just now, so Baton cannot check the people on the form. Please try again in a minute.",
      );
      expect(await app.stores.handoffs.read(handoffIdForForm(TENANT, formId), BACKGROUND)).toBeUndefined();
    } finally {
      connector.hang = undefined;
      connector.release();
    }
  });

  describe('with storage down', () => {
    let azurite: Awaited<ReturnType<typeof startAzurite>>;
    let baton: Awaited<ReturnType<typeof createBaton>>;
    let handoffId: string;

    beforeAll(async () => {
      const port = await freePort();
      azurite = await startAzurite(port);
      const config = loadConfig({ TABLES_CONNECTION_STRING: azuriteConnectionString(port), BATON_TABLE_PREFIX: uniquePrefix() });
      baton = await createBaton(config, { log: createLogger({ sink: () => undefined }) });
      const formId = crypto.randomUUID();
      await baton.bot.handle(
        JSON.stringify(cardAction(connector.url, people.ada, 'handoff.create', form(formId), { replyToId: 'm-1' })),
        '',
      );
      await baton.app.deliveries.idle();
      handoffId = handoffIdForForm(TENANT, formId);
      await azurite.stop();
    });

    // Teams' own deadline for an invoke is the test's: the Table retry budget fits inside it.
    it('answers Baton\'s own "nothing was changed" card', { timeout: 5000 }, async () => {
      const accept = await baton.bot.handle(
        JSON.stringify(cardAction(connector.url, people.grace, 'handoff.accept', { handoffId, criterion0: 'true' })),
        '',
      );
      expect(accept.status).toBe(200);
      expect(accept.body).toEqual({
        statusCode: 503,
        type: 'application/vnd.microsoft.error',
        value: { code: 'ServiceUnavailable', message: UNAVAILABLE },
      });
    });
  });
});
