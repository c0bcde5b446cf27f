/**
 * Time away through the local Functions host (issue 25): Grace tells Baton
 * she is away and names Hedy her successor; the away check and the overdue
 * check, fired the way the admin API fires them, run through her absence
 * with Baton's clock moved: she is never nudged while away, the card says
 * she is away and when her review is due, and Alan, the owner, gets one
 * message, inside his working hours, with Reassign filled in with Hedy.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { awayCheck } from '../../src/app/away';
import { handoffIdForForm } from '../../src/app/handoffs';
import { BACKGROUND } from '../../src/app/ports';
import { createBaton } from '../../src/baton';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { ensureTables, tableRoundTrips, tripsSince } from '../../src/store/table';
import type { ShiftedClock } from '../../src/clock';
import type { Handoff } from '../../src/domain/handoff';
import { cardAction, FIXTURE_DAY, message, paymentsForm, people, TENANT } from '../support/activities';
import { textsOf } from '../support/cards';
import { type Connector, type Member, startConnector } from '../support/connector';
import { startTestApp, type TestApp, uniquePrefix } from '../support/stack';

const hedy: Member = { id: '29:1hedy-lamarr', name: 'Hedy Lamarr', aadObjectId: '00000000-0000-0000-0000-0000000000e6' };

let app: TestApp;
let connector: Connector;
let clock: ShiftedClock;

beforeAll(async () => {
  connector = await startConnector([people.ada, people.grace, people.alan, hedy]);
  // Tuesday 24 November 2026, 09:00 UTC. The tests' people work Monday to Friday, 09:00-17:00 UTC.
  app = await startTestApp({ at: FIXTURE_DAY });
  clock = app.baton().devClock!;
  for (const person of [people.grace, people.alan, hedy])
    await app.post({
      ...message(connector.url, person, ''),
      type: 'installationUpdate',
      action: 'add',
      conversation: { id: `a:personal-${person.name}`, conversationType: 'personal', tenantId: TENANT },
    });
});
afterAll(async () => {
  await app?.close();
  await connector?.close();
});

/** Baton's clock only moves forward: a test that would move it back says so rather than reading another test's time. */
const moveTo = (iso: string) => {
  const by = Date.parse(iso) - clock.now();
  if (by < 0) throw new Error(`Baton's clock is already past ${iso}: this test must start after the one before it`);
  clock.advance(by);
};
async function fire(name: string): Promise<void> {
  await app.host.fire(name);
  await app.baton().app.deliveries.idle();
}
const stored = async (id: string): Promise<Handoff> => (await app.handoff(id))!;
/** The cards Baton posted in a person's personal chat. */
const cardsTo = (person: Member) =>
  connector.sent
    .filter((s) => s.method === 'POST' && s.conversationId === `a:personal-${person.name}` && s.activity.attachments?.length)
    .map((s) => s.activity.attachments![0]!.content);
const lastCard = (id: string) =>
  connector.sent.filter((s) => s.method === 'PUT' && s.activityId?.startsWith('msg-') && JSON.stringify(s.activity).includes(id)).at(-1)
    ?.activity.attachments?.[0]?.content;
function found(card: unknown, match: (node: Record<string, unknown>) => boolean): Record<string, unknown>[] {
  const nodes: Record<string, unknown>[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      if (match(n as Record<string, unknown>)) nodes.push(n as Record<string, unknown>);
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return nodes;
}

describe('Grace away, through the local host', () => {
  it('is never nudged while away; Alan gets one message inside his hours, with Reassign to her successor', async () => {
    // Ada hands Grace the payments review at 13:00 on Tuesday: due Wednesday 13:00, her 8 working hours.
    moveTo('2026-11-24T13:00:00.000Z');
    const formId = crypto.randomUUID();
    const form = paymentsForm(formId, { receiver: people.grace.aadObjectId, owner: people.alan.aadObjectId, confirmed: true });
    expect((await app.post(cardAction(connector.url, people.ada, 'handoff.create', form, { replyToId: `msg-${formId}` }))).status).toBe(
      200,
    );
    const id = handoffIdForForm(TENANT, formId);
    // Baton's clock runs on from where the test put it: instants are checked to the second.
    expect((await stored(id)).clock?.dueAt).toMatch(/^2026-11-25T13:00:00\./);

    // That evening Grace tells Baton she is away Wednesday to Friday, back on Monday 30 November; Hedy takes over.
    moveTo('2026-11-24T18:00:00.000Z');
    const saved = await app.post(
      cardAction(connector.url, people.grace, 'away.save', {
        awayFrom: '2026-11-25',
        awayUntil: '2026-11-30',
        successor: hedy.aadObjectId,
        handOver: 'false',
      }),
    );
    expect(textsOf(saved.body.value)).toContain(
      'You told Baton you are away from Wed 25 Nov until Mon 30 Nov. Hedy Lamarr takes over your reviews while you are away, when their owners choose.',
    );

    // The checks run through her absence, every few hours, as the timers would; how many messages Alan has after each.
    const checks: [string, number][] = [
      ['2026-11-24T18:15:00.000Z', 0],
      ['2026-11-25T00:15:00.000Z', 0], // her absence began: his message waits for his working hours
      ['2026-11-25T08:30:00.000Z', 0],
      ['2026-11-25T09:00:00.000Z', 1],
      ['2026-11-25T13:15:00.000Z', 1], // her old due time
      ['2026-11-26T09:00:00.000Z', 1],
      ['2026-11-27T16:45:00.000Z', 1],
      ['2026-11-30T09:00:00.000Z', 1], // back
      ['2026-11-30T12:45:00.000Z', 1],
    ];
    for (const [at, toAlan] of checks) {
      moveTo(at);
      await fire('awayCheck');
      await fire('overdueCheck');
      await fire('outboxSweep');
      // Never nudged while away (nor right after: her review is due at 13:00 on her first day back).
      expect(cardsTo(people.grace), at).toEqual([]);
      expect(cardsTo(people.alan), at).toHaveLength(toAlan);
    }
    // Her due time moved by the days away: Tuesday 13:00-17:00, then Monday 09:00-13:00.
    const moved = await stored(id);
    expect(moved.clock).toMatchObject({ dueAt: expect.stringMatching(/^2026-11-30T13:00:00\./), level: 0 });
    // Away, and back on Monday by the absence's own end: the card is drawn again then.
    expect((await app.history(id)).map((e) => [e.type, e.actor.name])).toEqual([
      ['posted', 'Ada Lovelace'],
      ['away', 'Baton'],
      ['back', 'Baton'],
    ]);

    // Alan's one message, sent at 09:00 on Wednesday, the start of his working day.
    const toAlan = cardsTo(people.alan);
    expect(toAlan.map((c) => textsOf(c)[0])).toEqual(['Grace Hopper is away until Mon 30 Nov: a handoff you own waits on Grace.']);
    expect(textsOf(toAlan[0])).toContain('Review · due Mon 30 Nov, 13:00 UTC');
    // Reassign to her successor in one click (or to anyone with the picker), and Keep waiting.
    expect(found(toAlan[0], (n) => n.type === 'Action.Execute' || n.type === 'Action.ShowCard').map((n) => [n.title, n.data])).toEqual([
      ['Reassign to Hedy Lamarr', expect.objectContaining({ to: hedy.aadObjectId })],
      ['Reassign to someone else', undefined],
      ['Reassign', expect.objectContaining({ input: 'newReceiver_0' })],
      ['Keep waiting', expect.objectContaining({ handoffId: id })],
      ['Show it here', { handoffId: id }],
    ]);

    // The card never says overdue for her time away.
    // Back on Monday: the card everyone sees was drawn again, her turn with her moved due time, not "away until".
    expect(textsOf(lastCard(id))).toContainEqual('<at>Grace Hopper</at>, this handoff is for you to review.');
    expect(textsOf(lastCard(id))).toContainEqual('Due {{DATE(2026-11-30T13:00:00Z, SHORT)}} {{TIME(2026-11-30T13:00:00Z)}}');
    expect(textsOf(lastCard(id)).some((t) => /overdue/i.test(t))).toBe(false);

    // Back: nudged at her new due time, once, and the card says it.
    moveTo('2026-11-30T13:01:00.000Z');
    await fire('awayCheck');
    await fire('overdueCheck');
    expect(cardsTo(people.grace).map((c) => textsOf(c)[0])).toEqual(['Your review of this handoff was due Mon 30 Nov, 13:00 UTC.']);
    expect(cardsTo(people.alan)).toHaveLength(1);
  });

  it("hands the review to her successor from the owner's message: the history says so, and Hedy gets the usual 1:1", async () => {
    moveTo('2026-12-01T09:00:00.000Z');
    const formId = crypto.randomUUID();
    const form = paymentsForm(formId, { receiver: people.grace.aadObjectId, owner: people.alan.aadObjectId, confirmed: true });
    await app.post(cardAction(connector.url, people.ada, 'handoff.create', form, { replyToId: `msg-${formId}` }));
    const id = handoffIdForForm(TENANT, formId);
    // Away from Wednesday 2 December, back Monday 7 December; Hedy still her successor.
    await app.post(
      cardAction(connector.url, people.grace, 'away.save', {
        awayFrom: '2026-12-02',
        awayUntil: '2026-12-07',
        successor: hedy.aadObjectId,
      }),
    );
    moveTo('2026-12-02T09:00:00.000Z');
    const before = cardsTo(people.alan).length;
    await fire('awayCheck');
    const message = cardsTo(people.alan).at(-1);
    expect(cardsTo(people.alan)).toHaveLength(before + 1);
    const reassign = found(message, (n) => n.verb === 'away.reassign')[0]!.data as Record<string, unknown>;
    const answer = await app.post(cardAction(connector.url, people.alan, 'away.reassign', reassign));
    expect(answer.status).toBe(200);
    expect(textsOf(answer.body.value)).toContain('Handed to Hedy Lamarr by you.');
    expect((await stored(id)).receiver.name).toBe('Hedy Lamarr');
    expect((await app.history(id)).at(-1)).toMatchObject({ type: 'reassigned', detail: 'to Hedy Lamarr while Grace Hopper is away' });
    expect(cardsTo(hedy).map((c) => textsOf(c)[0])).toContainEqual(
      'Alan Turing handed this handoff to you to review while Grace Hopper is away.',
    );
    // Back on Monday: one message, with what was handed on.
    moveTo('2026-12-07T09:00:00.000Z');
    await fire('awayCheck');
    expect(cardsTo(people.grace).map((c) => textsOf(c)[0])).toContainEqual(
      'Welcome back, Grace. While you were away, one handoff was handed on:',
    );
  });
});

describe('what an away check costs', () => {
  it('one read of the watched people, and nothing more for each one who is not away: the same for 5 as for 50', async () => {
    const now = Date.parse('2026-12-07T10:00:00.000Z');
    const config = loadConfig({ TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: uniquePrefix() });
    const baton = createBaton(config, {
      clock: { now: () => now, sleep: async () => undefined },
      log: createLogger({ sink: () => undefined }),
    });
    await ensureTables(config.tables.account, config.tables.prefix);
    const watch = async (from: number, to: number) => {
      for (let i = from; i < to; i += 1)
        await baton.app.stores.away.watch(
          { tenantId: TENANT, aadObjectId: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, name: `Person ${i}`, userId: '' },
          new Date(now).toISOString(),
          BACKGROUND,
        );
    };
    const measured = async () => {
      const before = { ...tableRoundTrips };
      const report = await awayCheck(baton.app);
      return { report, own: tripsSince(before).own };
    };
    await watch(0, 5);
    const five = await measured();
    await watch(5, 50);
    const fifty = await measured();
    expect(five.report).toMatchObject({ people: 5, changed: 0, failed: 0 });
    expect(fifty.report).toMatchObject({ people: 50, changed: 0, failed: 0 });
    // The away partition, one page: each person's automatic replies come from the directory (Graph keeps them a minute).
    expect(five.own).toBe(1);
    expect(fifty.own).toBe(five.own);
  });
});
