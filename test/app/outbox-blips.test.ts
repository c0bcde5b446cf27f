/**
 * Exactly once through a blip of storage: the Table service is cut (every
 * connection reset, as when the network drops) at each step of an Accept's
 * delivery, restored once the deliverer's storage call has failed, and the
 * sweep runs after the rows' leases. Whatever the step, each person gets
 * their 1:1 message once and everyone's card is updated once: a message
 * goes twice only when the connector took it and Baton could not learn or
 * record that, never because storage blinked.
 *
 * Real parts: Azurite behind a proxy that cuts it, the Bot Connector stand-in,
 * Baton's own stores and deliverer. Each step runs on its own tables,
 * connector and proxy, all at once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GRACE_MS, LEASE_MS } from '../../src/app/deliverer';
import { handoffIdForForm } from '../../src/app/handoffs';
import { BACKGROUND } from '../../src/app/ports';
import { createBaton } from '../../src/baton';
import { loadConfig } from '../../src/config';
import { createLogger, formatRecord } from '../../src/logger';
import { cardAction, message, paymentsForm, people, TENANT } from '../support/activities';
import { type Arm, cutAt, cutAtWriteAfter, loseAnswerAfter, startBlipParts } from '../support/blips';

/**
 * One storage call of a delivery tries five times (the Table client's four
 * retries, about 7.5 s against a reset connection): storage comes back at the
 * sixth refused request, after one call has failed for good.
 */
const REFUSED_BEFORE_RESTORE = 6;

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

const isOneToOne = (r: { method: string; conversationId: string }) => r.method === 'POST' && r.conversationId.startsWith('a:personal-');
/** A write of an outbox row's mark (an update of the row by its keys). */
const isMark = (r: { method: string; path: string }) => r.method !== 'GET' && /RowKey='outbox_\d+_\d+'\)/.test(r.path);

/** Where storage is cut, as the delivery of Grace's Accept goes: its card, then Ada's and Alan's 1:1 messages. */
const steps: [string, Arm][] = [
  ['before the 1:1 messages are sent (as everyone’s card reaches the connector)', cutAt('arrived', (r) => r.method === 'PUT')],
  ['while the connector takes a 1:1 message', cutAt('arrived', isOneToOne)],
  ['right after the connector answered a 1:1 message', cutAt('answered', isOneToOne)],
  ['as the 1:1 message’s mark goes to storage', cutAtWriteAfter(isOneToOne, isMark)],
  ['when the mark reached storage but its answer was lost', loseAnswerAfter(isOneToOne, isMark)],
];

describe('storage cut at each step of a delivery', () => {
  it.concurrent.each(steps)('%s: each message reaches the connector exactly once', { timeout: 60_000 }, async (_name, arm) => {
    const { connector, proxy, prefix } = await startBlipParts([people.ada, people.grace, people.alan], closers);
    let now = Date.parse('2026-11-24T10:00:00Z');
    const logs: string[] = [];
    const baton = await createBaton(loadConfig({ TABLES_CONNECTION_STRING: proxy.connectionString, BATON_TABLE_PREFIX: prefix }), {
      clock: { now: () => now, sleep: async () => undefined },
      log: createLogger({ sink: (r) => logs.push(formatRecord(r)) }),
    });
    const post = async (activity: unknown) => {
      const answer = (await baton.bot.handle(JSON.stringify(activity), '')) as { status: number; body: any };
      await baton.app.deliveries.idle();
      return answer;
    };
    // Ada (the sender) and Alan (the owner) installed Baton: each is told of the Accept 1:1.
    for (const [person, chat] of [
      [people.ada, 'a:personal-ada'],
      [people.alan, 'a:personal-alan'],
    ] as const)
      await post({
        ...message(connector.url, person, ''),
        type: 'installationUpdate',
        action: 'add',
        conversation: { id: chat, conversationType: 'personal', tenantId: TENANT },
      });
    const formId = crypto.randomUUID();
    const cardMessage = `form-${formId}`;
    await post(cardAction(connector.url, people.ada, 'handoff.create', paymentsForm(formId), { replyToId: cardMessage }));
    const id = handoffIdForForm(TENANT, formId);
    const start = connector.sent.length;
    const since = () => connector.sent.slice(start);

    // Storage comes back once one of the delivery's calls failed for good.
    proxy.onRefused = (_request, refused) => {
      if (refused >= REFUSED_BEFORE_RESTORE) proxy.restore();
    };
    arm({ proxy, connector });
    const accepted = await post(cardAction(connector.url, people.grace, 'handoff.accept', { handoffId: id, criterion0: 'true' }));
    expect(accepted.body.statusCode).toBe(200);
    proxy.restore();

    // Past every lease and the marks' grace, two sweeps (two instances' timers, or two minutes) deliver what is left.
    now += LEASE_MS + GRACE_MS + 1;
    await baton.app.deliveries.sweep();
    await baton.app.deliveries.sweep();
    await baton.app.deliveries.idle();

    const toChat = (chat: string) => since().filter((s) => s.method === 'POST' && s.conversationId === chat);
    expect(toChat('a:personal-ada').map((s) => JSON.stringify(s.activity))).toEqual([expect.stringContaining('accepted your handoff')]);
    expect(toChat('a:personal-alan').map((s) => JSON.stringify(s.activity))).toEqual([
      expect.stringContaining('accepted the handoff you own'),
    ]);
    expect(since().filter((s) => s.method === 'PUT' && s.activityId === cardMessage)).toHaveLength(1);
    expect((await baton.app.stores.outbox.rows(id, BACKGROUND, { all: true })).map((r) => r.state)).not.toContain('pending');
    expect(await baton.app.stores.marks.list(BACKGROUND)).toEqual([]);
    expect(logs.filter((l) => l.startsWith('[error]'))).toEqual([]);
  });
});
