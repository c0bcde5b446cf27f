/**
 * The outbox against a real Azurite and a local connector, with Baton's clock
 * in the test's hands: what is retried, when, what is given up on and why,
 * and that an invoke never waits for a delivery.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { BACKGROUND } from '../../src/app/ports';
import { type Baton, createBaton } from '../../src/baton';
import { backoffMs, GRACE_MS, LEASE_MS, MAX_ATTEMPTS } from '../../src/app/deliverer';
import { loadConfig } from '../../src/config';
import { createLogger, formatRecord } from '../../src/logger';
import { PROJECT_ROOT } from '../../src/project';
import { handoffIdForForm } from '../../src/app/handoffs';
import { tableRoundTrips } from '../../src/store/table';
import { cardAction, message, paymentsForm, people, TENANT } from '../support/activities';
import { type Connector, startConnector } from '../support/connector';
import { uniquePrefix } from '../support/stack';

let connector: Connector;
let baton: Baton;
const prefix = uniquePrefix();
let now = Date.parse('2026-11-24T10:00:00Z');
const logs: string[] = [];

beforeAll(async () => {
  connector = await startConnector([people.ada, people.grace, people.alan]);
  const config = loadConfig({ TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: prefix });
  baton = await createBaton(config, {
    clock: { now: () => now, sleep: async () => undefined },
    log: createLogger({ sink: (r) => logs.push(formatRecord(r)) }),
  });
  // Ada and Alan installed Baton; Grace did not.
  for (const [person, chat] of [
    [people.ada, 'a:personal-ada'],
    [people.alan, 'a:personal-alan'],
  ] as const) {
    await post({
      ...message(connector.url, person, ''),
      type: 'installationUpdate',
      action: 'add',
      conversation: { id: chat, conversationType: 'personal', tenantId: TENANT },
    });
  }
});
afterAll(() => connector?.close());
beforeEach(() => {
  connector.hang = undefined;
  connector.failNextPosts = 0;
  connector.throttleNextPosts = 0;
});

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function post(activity: unknown) {
  const result = await baton.bot.handle(JSON.stringify(activity), '');
  return result as { status: number; body: any };
}

/** A handoff from Ada to Grace, owned by Alan, its card in the group chat; deliveries done. */
async function created(): Promise<string> {
  const formId = crypto.randomUUID();
  const form = paymentsForm(formId);
  await post(cardAction(connector.url, people.ada, 'handoff.create', form, { replyToId: `form-${formId}` }));
  await baton.app.deliveries.idle();
  return handoffIdForForm(TENANT, formId);
}

/** `npm run outbox -- <command> <id>` with this test's tables. */
function outboxScript(command: string, id: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // The script's Baton starts its clock where this test's is.
  const env = {
    ...process.env,
    TABLES_CONNECTION_STRING: inject('tablesConnectionString'),
    BATON_TABLE_PREFIX: prefix,
    BATON_LOG_LEVEL: 'warn',
    BATON_CLOCK_START: new Date(now).toISOString(),
  };
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'scripts', 'outbox.ts'), command, id],
      { env, cwd: PROJECT_ROOT },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

const accept = (id: string, extra: Record<string, unknown> = {}) =>
  post(cardAction(connector.url, people.grace, 'handoff.accept', { handoffId: id, criterion0: 'true' }, extra));
const cardsTo = (chat: string) =>
  connector.sent.filter((s) => s.method === 'POST' && s.conversationId === chat && s.activity.attachments !== undefined);
const messages = async (id: string) =>
  (await baton.app.stores.outbox.rows(id, BACKGROUND, { all: true })).filter((r) => r.effect.kind === 'message');

describe('delivery', () => {
  it('answers the invoke at once while the connector hangs on the card update and the 1:1 messages', async () => {
    const id = await created();
    connector.hang = /^(PUT|POST) \/v3\/conversations\//;
    const held = connector.held;
    const sendsBefore = connector.sent.length;
    const answer = await accept(id);
    expect(answer.body.value.type).toBe('AdaptiveCard');
    // The deliveries it started reach the connector, which holds them; the answer did not wait for them.
    await until(() => connector.held > held);
    expect(connector.sent.length).toBe(sendsBefore);
    connector.hang = undefined;
    connector.release();
    await baton.app.deliveries.idle();
    // The connector client retried the released requests itself: everything went out.
    expect(await baton.app.stores.outbox.rows(id, BACKGROUND)).toEqual([]);
  });

  it('gives up at once on a message nobody can receive, keeps the row as dead with why, and never retries it', async () => {
    const id = await created();
    const before = logs.length;
    // Grace asks; Ada is told. Then Ada answers; Grace (not installed) cannot be told.
    await post(cardAction(connector.url, people.grace, 'handoff.ask', { handoffId: id, comment: 'Which flag?' }));
    await post(cardAction(connector.url, people.ada, 'handoff.answer', { handoffId: id, answer: 'payments-retry' }));
    await baton.app.deliveries.idle();
    expect((await messages(id)).map((r) => [r.effect.kind === 'message' && r.effect.to.name, r.state, r.attempts])).toEqual([
      // A delivered row counts the attempt that delivered it.
      ['Ada Lovelace', 'delivered', 1],
      ['Grace Hopper', 'dead', 1],
    ]);
    expect((await messages(id))[1]?.lastError).toBe('Grace Hopper has not installed Baton, so there is no personal chat to write to');
    expect(logs.slice(before).filter((l) => l.startsWith('[warn] Outbox row cannot be delivered'))).toHaveLength(1);
    now += 24 * 3600_000;
    await baton.app.deliveries.sweep();
    expect((await messages(id))[1]).toMatchObject({ state: 'dead', attempts: 1 });
    expect(await baton.app.stores.marks.list(BACKGROUND)).toEqual([]);
  });

  it('gives up at once when the connector refuses for good (403: Baton was removed from the chat)', async () => {
    const id = await created();
    connector.failNextPosts = 1;
    await accept(id);
    await baton.app.deliveries.idle();
    const rows = await messages(id);
    expect(rows.map((r) => r.state).sort()).toEqual(['dead', 'delivered']);
    expect(rows.find((r) => r.state === 'dead')?.lastError).toContain('403 BotNotInConversationRoster');
  });

  it("replays dead rows on an operator's command once the cause is gone: each delivered once, nothing else resent", async () => {
    const id = await created();
    connector.failNextPosts = 1;
    await accept(id);
    await baton.app.deliveries.idle();
    const dead = (await messages(id)).filter((r) => r.state === 'dead');
    expect(dead).toHaveLength(1);
    const to = dead[0]!.effect.kind === 'message' ? dead[0]!.effect.to : undefined;
    const chat = to?.aadObjectId === people.ada.aadObjectId ? 'a:personal-ada' : 'a:personal-alan';
    const before = cardsTo(chat).length;

    // The operator's command, as docs/deploy.md gives it, against the same tables. Three runs of the
    // script, each a new Node process: about 9 s on a calm machine, 19 s with both cores busy.
    const shown = await outboxScript('show', id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`${dead[0]!.key}  message to ${to!.name} \\(accepted\\)  dead  attempts=1  .*403`));
    const replayed = await outboxScript('replay', id);
    expect(replayed).toMatchObject({ code: 0, stdout: expect.stringContaining('Replayed 1 dead row(s)') });
    const revived = (await messages(id)).find((r) => r.key === dead[0]!.key)!;
    expect([revived.state, revived.attempts]).toEqual(['pending', 0]);
    expect(revived.lastError).toContain('replayed after: ');
    // Twice, or by two operators: still one row to deliver.
    expect(await baton.app.deliveries.replayDead(id)).toEqual([]);
    expect((await outboxScript('replay', 'no-such-handoff')).code).toBe(1);
    // The script's Baton started its clock at this one's and ran on for a moment: this one catches up with it.
    now += 60_000;
    const report = await baton.app.deliveries.sweep();
    expect(report).toMatchObject({ delivered: 1, dead: 0 });
    expect(cardsTo(chat).length).toBe(before + 1);
    expect((await messages(id)).map((r) => r.state)).toEqual(['delivered', 'delivered']);
    await baton.app.deliveries.sweep();
    expect(cardsTo(chat).length).toBe(before + 1);
    expect(await baton.app.stores.marks.list(BACKGROUND)).toEqual([]);
  }, 60_000);

  it('retries a busy connector after a backoff, only once it passed, and gives up after the last attempt', async () => {
    const id = await created();
    const start = now;
    connector.throttleNextPosts = 1000;
    await accept(id);
    await baton.app.deliveries.idle();
    let rows = await messages(id);
    expect(rows.map((r) => [r.state, r.attempts])).toEqual([
      ['pending', 1],
      ['pending', 1],
    ]);
    const retryAt = Date.parse(rows[0]!.nextAttemptAt);
    // Jittered between half and all of the base wait.
    expect(retryAt - start).toBeGreaterThanOrEqual(backoffMs(1, () => 0));
    expect(retryAt - start).toBeLessThanOrEqual(backoffMs(1, () => 1));

    // The mark's grace and the backoff have not both passed: a sweep leaves the rows alone.
    now = start + GRACE_MS - 1;
    await baton.app.deliveries.sweep();
    expect((await messages(id)).map((r) => r.attempts)).toEqual([1, 1]);

    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt += 1) {
      now += 31 * 60_000;
      await baton.app.deliveries.sweep();
      rows = await messages(id);
      expect(rows.map((r) => r.attempts)).toEqual([attempt, attempt]);
    }
    expect(rows.map((r) => r.state)).toEqual(['dead', 'dead']);
    expect(rows[0]?.lastError).toContain('503');
    now += 24 * 3600_000;
    await baton.app.deliveries.sweep();
    expect((await messages(id)).map((r) => r.attempts)).toEqual([MAX_ATTEMPTS, MAX_ATTEMPTS]);
    expect(await baton.app.stores.marks.list(BACKGROUND)).toEqual([]);
  });

  it('delivers a throttled message on the next sweep once the connector recovers, exactly once', async () => {
    const id = await created();
    connector.throttleNextPosts = 1000;
    await accept(id);
    await baton.app.deliveries.idle();
    connector.throttleNextPosts = 0;
    const before = cardsTo('a:personal-ada').length + cardsTo('a:personal-alan').length;
    now += LEASE_MS + 60_000;
    await Promise.all([baton.app.deliveries.sweep(), baton.app.deliveries.sweep()]);
    expect(cardsTo('a:personal-ada').length + cardsTo('a:personal-alan').length - before).toBe(2);
    expect((await messages(id)).map((r) => r.state)).toEqual(['delivered', 'delivered']);
  });

  it("re-attempts a replayed activity's own undelivered rows, and sends nothing twice", async () => {
    const id = await created();
    connector.throttleNextPosts = 1000;
    const activity = cardAction(connector.url, people.grace, 'handoff.accept', { handoffId: id, criterion0: 'true' });
    await post(activity);
    await baton.app.deliveries.idle();
    connector.throttleNextPosts = 0;
    const before = cardsTo('a:personal-ada').length;
    // Teams resends the same activity: nothing changes, and once the backoff passed its rows go out.
    now += 31 * 60_000;
    await post(activity);
    await baton.app.deliveries.idle();
    await post(activity);
    await baton.app.deliveries.idle();
    expect(cardsTo('a:personal-ada').length - before).toBe(1);
    expect((await baton.app.stores.handoffs.history(id, BACKGROUND)).map((e) => e.type)).toEqual(['posted', 'accepted']);
  });

  it('answers a replay that read the handoff before the first delivery committed with the card, and sends nothing twice', async () => {
    const id = await created();
    const stale = await baton.app.stores.handoffs.read(id, BACKGROUND);
    const activity = cardAction(connector.url, people.grace, 'handoff.accept', { handoffId: id, criterion0: 'true' });
    const first = await post(activity);
    await baton.app.deliveries.idle();
    const sent = connector.sent.length;
    // The second delivery read the handoff as it was before the first one committed: the domain allows the Accept, the
    // commit conflicts, the re-read finds it accepted, and the refusal asks (once) whether this activity was the one.
    const read = vi.spyOn(baton.app.stores.handoffs, 'read').mockResolvedValueOnce(stale);
    const applied = vi.spyOn(baton.app.stores.handoffs, 'applied');
    const again = await post(activity);
    await baton.app.deliveries.idle();
    expect(applied).toHaveBeenCalledTimes(1);
    read.mockRestore();
    applied.mockRestore();
    expect(again.body).toEqual(first.body);
    expect((await baton.app.stores.handoffs.history(id, BACKGROUND)).map((e) => e.type)).toEqual(['posted', 'accepted']);
    expect(connector.sent.length).toBe(sent);
  });

  it("reads the handoff in an Accept's deliveries only after writing what shows it, and remembers who installed Baton", async () => {
    const id = await created();
    const before = { ...tableRoundTrips };
    const told = cardsTo('a:personal-ada').length + cardsTo('a:personal-alan').length;
    await accept(id);
    await baton.app.deliveries.idle();
    // One read after everyone's card, one after the listings (each checks that no newer change landed meanwhile); the
    // 1:1s and the due index use the last; Ada's and Alan's chats were remembered when they installed Baton. The Accept
    // made the handoff's mark (none was there), so nothing of an earlier change is pending: it is cleared unread.
    expect(tableRoundTrips.readsInDeliveries - before.readsInDeliveries).toBe(2);
    expect(await baton.app.stores.outbox.rows(id, BACKGROUND)).toEqual([]);
    expect(cardsTo('a:personal-ada').length + cardsTo('a:personal-alan').length - told).toBe(2);
    const listing = (await baton.app.stores.people.handoffsOf(TENANT, people.ada.aadObjectId, 1000, BACKGROUND)).find(
      (r) => r.handoffId === id,
    )?.listing;
    expect(listing?.status).toBe('accepted');
  });

  it("reads the handoff's rows before clearing a mark it found already there, and clears it when nothing is left", async () => {
    const id = await created();
    // An earlier change's mark, left behind (its writer crashed after marking, or a row of it waits to be tried again).
    const at = new Date(now).toISOString();
    await baton.app.stores.marks.mark(id, at, at, BACKGROUND);
    const before = { ...tableRoundTrips };
    await accept(id);
    await baton.app.deliveries.idle();
    // The two reads of the Accept's deliveries, and the one of the rows still pending: none, so the mark goes.
    expect(tableRoundTrips.readsInDeliveries - before.readsInDeliveries).toBe(3);
    expect((await baton.app.stores.marks.list(BACKGROUND)).filter((m) => m.handoffId === id)).toEqual([]);
  });

  it('does the listings and due index again when their marks could not be written, and sends nothing twice', async () => {
    const id = await created();
    const failing = vi.spyOn(baton.app.stores.outbox, 'markDelivered').mockRejectedValueOnce(new Error('storage went away'));
    const told = cardsTo('a:personal-ada').length + cardsTo('a:personal-alan').length;
    await accept(id);
    await baton.app.deliveries.idle();
    failing.mockRestore();
    // Everything sent was marked at once; what is left is only what nobody receives, and the warning names it.
    const left = await baton.app.stores.outbox.rows(id, BACKGROUND);
    expect(left.map((r) => r.effect.kind)).toContain('index');
    expect(left.every((r) => r.effect.kind === 'index' || r.effect.kind === 'due')).toBe(true);
    expect(logs.at(-1)).toBe(
      `[warn] Delivered, but the outbox rows could not be marked delivered; they will be done again (handoffId=${id}, rows=${left.map((r) => r.key).join(' ')}, error=storage went away)`,
    );
    const updates = connector.sent.filter((s) => s.method === 'PUT').length;
    now += LEASE_MS + 1;
    expect(await baton.app.deliveries.sweep()).toMatchObject({ delivered: left.length, failed: 0, dead: 0 });
    expect(await baton.app.stores.outbox.rows(id, BACKGROUND)).toEqual([]);
    expect(connector.sent.filter((s) => s.method === 'PUT').length).toBe(updates);
    expect(cardsTo('a:personal-ada').length + cardsTo('a:personal-alan').length - told).toBe(2);
  });

  it('writes no pending-delivery mark for an action that changes nothing: refused, of another tenant, or of no handoff', async () => {
    const id = await created();
    const other = '99999999-9999-4999-8999-999999999999';
    const nowhere = '0123456789abcdef0123';
    const marked = async () => (await baton.app.stores.marks.list(BACKGROUND)).map((m) => m.handoffId);
    expect(await marked()).not.toContain(id);
    // Alan is not the receiver: refused.
    const refused = await post(cardAction(connector.url, people.alan, 'handoff.accept', { handoffId: id, criterion0: 'true' }));
    expect(refused.body.statusCode).toBe(200);
    // Grace, signed in to another tenant, names this tenant's handoff; and a handoff that does not exist.
    const foreign = await post(
      cardAction(
        connector.url,
        people.grace,
        'handoff.accept',
        { handoffId: id, criterion0: 'true' },
        {
          conversation: { id: '19:other@thread.v2', conversationType: 'groupChat', tenantId: other },
          channelData: { tenant: { id: other } },
        },
      ),
    );
    expect(foreign.body).toMatchObject({ statusCode: 404 });
    expect(
      (await post(cardAction(connector.url, people.grace, 'handoff.accept', { handoffId: nowhere, criterion0: 'true' }))).body,
    ).toMatchObject({
      statusCode: 404,
    });
    const marks = await marked();
    expect(marks).not.toContain(id);
    expect(marks).not.toContain(nowhere);
    expect((await baton.app.stores.handoffs.read(id, BACKGROUND))?.handoff.status).toBe('inReview');
  });
});
