/**
 * The overdue check (issue 10) as the local Functions host runs it: the
 * timer function `overdueCheck`, fired the way the admin API fires it, with
 * Baton's local clock moved forward. The right nudges at the right instants,
 * once each however often and however concurrently it fires; the owner told
 * a goal later; the card saying so; an accepted handoff closing itself. And
 * its cost: Table round trips that follow the due count, not the open count.
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createBaton } from '../../src/baton';
import { BACKGROUND } from '../../src/app/ports';
import { overdueCheck } from '../../src/app/overdue';
import type { ShiftedClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { escalateAt } from '../../src/domain/due';
import type { Handoff } from '../../src/domain/handoff';
import { nextWorkingInstant } from '../../src/domain/working-hours';
import { createLogger } from '../../src/logger';
import { handoffIdForForm } from '../../src/app/handoffs';
import { ensureTables, tableRoundTrips, tripsSince } from '../../src/store/table';
import { cardAction, FIXTURE_DAY, message, paymentsForm, people, TENANT } from '../support/activities';
import { textsOf } from '../support/cards';
import { type Connector, type Member, startConnector } from '../support/connector';
import { startTestApp, type TestApp, uniquePrefix } from '../support/stack';

const katherine: Member = { id: '29:1katherine-johnson', name: 'Katherine Johnson', aadObjectId: '00000000-0000-0000-0000-0000000000d4' };
const hedy: Member = { id: '29:1hedy-lamarr', name: 'Hedy Lamarr', aadObjectId: '00000000-0000-0000-0000-0000000000e6' };

let app: TestApp;
let connector: Connector;
let clock: ShiftedClock;

beforeAll(async () => {
  connector = await startConnector([people.ada, people.grace, people.alan, katherine, hedy]);
  app = await startTestApp({ at: FIXTURE_DAY });
  clock = app.baton().devClock!;
  // Grace and Alan installed Baton; Katherine did not.
  for (const person of [people.grace, people.alan]) await install(person);
});

/** The person adds Baton in their personal chat. */
async function install(person: Member): Promise<void> {
  await app.post({
    ...message(connector.url, person, ''),
    type: 'installationUpdate',
    action: 'add',
    conversation: { id: `a:personal-${person.name}`, conversationType: 'personal', tenantId: TENANT },
  });
}
afterAll(async () => {
  await app?.close();
  await connector?.close();
});

async function create(receiver: Member = people.grace, fields: Record<string, unknown> = {}): Promise<string> {
  const formId = crypto.randomUUID();
  const form = paymentsForm(formId, { receiver: receiver.aadObjectId, ...fields });
  expect((await app.post(cardAction(connector.url, people.ada, 'handoff.create', form, { replyToId: `msg-${formId}` }))).status).toBe(200);
  return handoffIdForForm(TENANT, formId);
}

const stored = async (id: string): Promise<Handoff> => (await app.handoff(id))!;
/** Moves Baton's clock to `at` (it only moves forward). */
const moveTo = (at: number) => clock.advance(Math.max(0, at - clock.now()));
/** Fires the timer function as the admin API does, and waits for what it sent. */
async function fire(name = 'overdueCheck'): Promise<void> {
  await app.host.fire(name);
  await app.baton().app.deliveries.idle();
}
/** The 1:1 messages a person got about one handoff, by headline. */
const toPerson = (person: Member, id: string) =>
  connector.sent
    .filter((s) => s.method === 'POST' && s.conversationId === `a:personal-${person.name}` && JSON.stringify(s.activity).includes(id))
    .map((s) => textsOf(s.activity.attachments?.[0]?.content)[0]);
const lastCard = (id: string) =>
  connector.sent.filter((s) => s.method === 'PUT' && s.activityId?.startsWith('msg-') && JSON.stringify(s.activity).includes(id)).at(-1)
    ?.activity.attachments?.[0]?.content;
const events = async (id: string) => (await app.history(id)).map((e) => [e.type, e.actor.name]);

describe('the overdue check, through the local host', () => {
  it('nudges the receiver when the review is due, tells the owner a goal later, and says so on the card', async () => {
    const id = await create();
    const { clock: due } = await stored(id);
    const nudgeAt = nextWorkingInstant(due!.holderHours, new Date(due!.dueAt!))!.getTime();

    moveTo(nudgeAt - 60_000);
    await fire();
    expect(toPerson(people.grace, id)).toEqual([]);
    expect(await events(id)).toEqual([['posted', 'Ada Lovelace']]);

    moveTo(nudgeAt);
    await fire();
    expect(toPerson(people.grace, id)).toEqual([
      expect.stringMatching(/^Your review of this handoff was due \w{3} \d+ \w{3}, \d\d:\d\d UTC\.$/),
    ]);
    expect(await events(id)).toEqual([
      ['posted', 'Ada Lovelace'],
      ['overdue', 'Baton'],
    ]);
    expect(textsOf(lastCard(id))).toContain('<at>Grace Hopper</at>, this handoff is for you to review.');
    expect(textsOf(lastCard(id))).toContainEqual(expect.stringMatching(/^Overdue since \{\{DATE\(.+\)\}\} \{\{TIME\(.+\)\}\}$/));
    // Again, and again: nothing more until the next level is due.
    await fire();
    await fire();
    expect(toPerson(people.grace, id)).toHaveLength(1);

    const nudged = await stored(id);
    moveTo(escalateAt(nudged.clock!)!);
    await fire();
    expect(toPerson(people.alan, id)).toEqual([
      expect.stringMatching(/^Grace Hopper's review was due \w{3} \d+ \w{3}( \d{4})?, \d\d:\d\d UTC and is now escalated to you\.$/),
    ]);
    expect(await events(id)).toEqual([
      ['posted', 'Ada Lovelace'],
      ['overdue', 'Baton'],
      ['escalated', 'Baton'],
    ]);
    expect(textsOf(lastCard(id))).toContain('<at>Grace Hopper</at>, this handoff is for you to review. Escalated to Alan Turing (owner).');
    expect(toPerson(people.grace, id)).toHaveLength(1);
  });

  it('does everything it owes when it ran late: the nudge and the escalation in one check', async () => {
    const id = await create();
    const { clock: due } = await stored(id);
    // No check ran until a week after the escalation was due (a stopped app, a long outage).
    moveTo(escalateAt(due!)! + 7 * 24 * 3_600_000);
    await fire();
    expect(await events(id)).toEqual([
      ['posted', 'Ada Lovelace'],
      ['overdue', 'Baton'],
      ['escalated', 'Baton'],
    ]);
    expect(toPerson(people.grace, id)).toHaveLength(1);
    // One message each, whatever the check owed them: the nudge for Grace, the escalation for Alan.
    expect(toPerson(people.alan, id)).toEqual([expect.stringMatching(/^Grace Hopper's review was due .+ and is now escalated to you\.$/)]);
    // Nothing owed twice.
    await fire();
    expect(await events(id)).toHaveLength(3);
  });

  it('sends one nudge when the timer fires twice at once (two instances, a retried run)', async () => {
    const id = await create();
    const { clock: due } = await stored(id);
    moveTo(nextWorkingInstant(due!.holderHours, new Date(due!.dueAt!))!.getTime());
    await Promise.all([app.host.fire('overdueCheck'), app.host.fire('overdueCheck'), app.host.fire('overdueCheck')]);
    await app.baton().app.deliveries.idle();
    expect(toPerson(people.grace, id)).toHaveLength(1);
    expect((await events(id)).filter(([type]) => type === 'overdue')).toHaveLength(1);
  });

  it('tells the owner at once when the person holding the ball never installed Baton, and the card says they were not told', async () => {
    const id = await create(katherine);
    const { clock: due } = await stored(id);
    moveTo(nextWorkingInstant(due!.holderHours, new Date(due!.dueAt!))!.getTime());
    await fire();
    expect(toPerson(people.alan, id)).toEqual([
      expect.stringMatching(
        /^Katherine Johnson's review was due .+ and is overdue\. Baton could not tell Katherine Johnson: they have not installed Baton\.$/,
      ),
    ]);
    expect(textsOf(lastCard(id))).toEqual(
      expect.arrayContaining(['Not told of the nudge: ', 'Katherine Johnson has not installed Baton.']),
    );
  });

  it('reminds the owner to close an accepted handoff, then closes it after 3 quiet working days and tells them', async () => {
    const id = await create();
    await app.post(cardAction(connector.url, people.grace, 'handoff.accept', { handoffId: id, criterion0: 'true' }));
    const accepted = await stored(id);
    expect(accepted.clock).toMatchObject({ step: 'close', holder: { name: 'Alan Turing' } });
    moveTo(nextWorkingInstant(accepted.clock!.ownerHours, new Date(accepted.clock!.dueAt!))!.getTime());
    await fire();
    expect(toPerson(people.alan, id).at(-1)).toMatch(/^Closing this accepted handoff was due /);
    // The check a minute after: the message says the policy's 3 days, not the minute the timer was late by.
    moveTo(Date.parse(accepted.clock!.autoCloseAt!) + 60_000);
    await fire();
    // Told inside his working hours: if it closed at the end of his day, the message waits for the next one.
    moveTo(nextWorkingInstant(accepted.clock!.ownerHours, new Date(accepted.clock!.autoCloseAt!))!.getTime());
    await fire('outboxSweep');
    const closed = await stored(id);
    expect(closed).toMatchObject({ status: 'closed', ending: { by: { name: 'Baton' } }, wakeAt: undefined });
    expect(toPerson(people.alan, id).at(-1)).toMatch(
      /^Baton closed this handoff you own: it was accepted .+ and not closed within 3 working days\.$/,
    );
    expect((await events(id)).at(-1)).toEqual(['closed', 'Baton']);
    expect(textsOf(lastCard(id))).toContain('Closed by Baton.');
  });
});

/** The next Monday 09:00 UTC after Baton's clock: the tests' people work Monday to Friday, 09:00-17:00 UTC. */
function nextMonday(): number {
  const now = new Date(clock.now());
  const days = (8 - now.getUTCDay()) % 7 || 7;
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days, 9);
}
const HOUR = 3_600_000;
const personal = (person: Member) => ({ id: `a:personal-${person.name}`, conversationType: 'personal', tenantId: TENANT });
/** Cards Baton posted in a person's personal chat, by their first text. */
const cardsTo = (person: Member) =>
  connector.sent
    .filter((s) => s.method === 'POST' && s.conversationId === `a:personal-${person.name}` && s.activity.attachments?.length)
    .map((s) => s.activity.attachments![0]!.content as Record<string, unknown>);
/** The 1:1 card about one handoff a person got last. */
const lastTo = (person: Member, id: string) =>
  connector.sent
    .filter((s) => s.method === 'POST' && s.conversationId === `a:personal-${person.name}` && JSON.stringify(s.activity).includes(id))
    .at(-1)?.activity.attachments?.[0]?.content as { actions: Record<string, unknown>[] } | undefined;

describe('calm signals, through the local host', () => {
  it("holds what a night-time check finds until the reader's working day starts, then sends it once", async () => {
    moveTo(nextMonday());
    const today = new Date(clock.now()).toISOString().slice(0, 10);
    const id = await create(people.grace, { neededBy: today, confirmed: true });
    const { neededByAt } = await stored(id);
    // The end of the day in Grace's zone (UTC): midnight.
    expect(neededByAt).toBe(new Date(Date.parse(today) + 24 * HOUR).toISOString());

    // 00:01: the needed-by date has ended. The check records it, and Alan's message waits for his 09:00.
    moveTo(Date.parse(neededByAt!) + 60_000);
    await fire();
    expect(await events(id)).toEqual([
      ['posted', 'Ada Lovelace'],
      ['neededByPassed', 'Baton'],
    ]);
    expect(toPerson(people.alan, id)).toEqual([]);
    const held = (await app.stores.outbox.rows(id, BACKGROUND)).filter((r) => r.effect.kind === 'message');
    expect(held.map((r) => [r.state, r.nextAttemptAt])).toEqual([['pending', `${neededByAt!.slice(0, 10)}T09:00:00.000Z`]]);

    moveTo(Date.parse(neededByAt!) + 9 * HOUR - 60_000);
    await fire('outboxSweep');
    expect(toPerson(people.alan, id)).toEqual([]);
    moveTo(Date.parse(neededByAt!) + 9 * HOUR);
    await fire('outboxSweep');
    await fire('outboxSweep');
    expect(toPerson(people.alan, id)).toEqual([
      expect.stringMatching(
        /^The handoff's needed-by date, \w{3} \d+ \w{3}( \d{4})?, has passed and it is not accepted yet\. It waits on Grace Hopper\.$/,
      ),
    ]);
    // Delivered, with its true count of attempts.
    const [row] = (await app.stores.outbox.rows(id, BACKGROUND, { all: true })).filter((r) => r.key === held[0]!.key);
    expect([row!.state, row!.attempts]).toEqual(['delivered', 1]);
  });

  it('keeps a held reminder pending when a later change on the handoff is delivered first, and sends it in the morning', async () => {
    moveTo(nextMonday());
    const today = new Date(clock.now()).toISOString().slice(0, 10);
    const id = await create(people.grace, { neededBy: today });
    const { neededByAt } = await stored(id);
    moveTo(Date.parse(neededByAt!) + 60_000);
    await fire();
    expect(toPerson(people.alan, id)).toEqual([]);
    // At 01:00 Alan nudges Grace: that change's message goes at once, and the held one must not lose its way to the sweep.
    moveTo(Date.parse(neededByAt!) + HOUR);
    expect((await app.post(cardAction(connector.url, people.alan, 'handoff.nudge', { handoffId: id }))).status).toBe(200);
    await app.baton().app.deliveries.idle();
    expect(toPerson(people.grace, id)).toEqual(['Alan Turing, the owner, nudged you: your review waits on you.']);
    moveTo(Date.parse(neededByAt!) + 9 * HOUR);
    await fire('outboxSweep');
    await fire('outboxSweep');
    expect(toPerson(people.alan, id)).toEqual([
      expect.stringMatching(/^The handoff's needed-by date, .+, has passed and it is not accepted yet\. It waits on Grace Hopper\.$/),
    ]);
  });

  it('a blocked handoff waits on its sender: the receiver is never nudged, the owner hears when unblocking is late, and the review resumes where it was', async () => {
    moveTo(nextMonday());
    const blocker = 'Waiting for finance to grant read access';
    const id = await create(people.grace, { workState: 'blocked', blocker });
    const blocked = await stored(id);
    expect(blocked.clock).toMatchObject({ step: 'unblock', holder: { name: 'Ada Lovelace' }, goalMinutes: 16 * 60 });
    // The shared card: what blocks it, who is on it, and when the owner hears of it, in each viewer's own time.
    expect(textsOf(lastCard(id))).toContain(`Blocked: ${blocker}. Ada Lovelace is on it.`);
    // (A goal after unblocking falls due: the escalation's time, for a sender Baton can remind first.)
    expect(textsOf(lastCard(id))).toContainEqual(
      expect.stringMatching(/^The owner is told if it is still blocked on \{\{DATE\([0-9T:-]+Z, SHORT\)\}\} \{\{TIME\([0-9T:-]+Z\)\}\}$/),
    );
    // A day and a half on, Grace's review would have been overdue: nobody hears of it.
    moveTo(clock.now() + 30 * HOUR);
    await fire();
    expect(toPerson(people.grace, id)).toEqual([]);
    expect(await events(id)).toEqual([['posted', 'Ada Lovelace']]);

    // The unblocking goal passes: Ada never installed Baton, so Alan hears at once, with Nudge and Reassign.
    moveTo(nextWorkingInstant(blocked.clock!.holderHours, new Date(blocked.clock!.dueAt!))!.getTime());
    await fire();
    expect(toPerson(people.alan, id)).toEqual([
      expect.stringMatching(
        /^Unblocking the handoff \(Ada Lovelace\) was due .+ and is overdue\. Baton could not tell Ada Lovelace: they have not installed Baton\.$/,
      ),
    ]);
    // A nudge could not reach Ada either: Reassign is what the owner can do.
    expect(lastTo(people.alan, id)!.actions.map((a) => a.title)).toEqual(['Reassign', 'Show it here', 'Go to the card']);
    expect(toPerson(people.grace, id)).toEqual([]);

    // Ada unblocks it: Grace's review resumes with all of its 8 hours, and she is told.
    const unblockedAt = clock.now();
    const ready = await app.post(cardAction(connector.url, people.ada, 'handoff.setWorkState', { handoffId: id, workState: 'ready' }));
    expect(ready.status).toBe(200);
    await app.baton().app.deliveries.idle();
    const resumed = await stored(id);
    expect(resumed.clock).toMatchObject({ step: 'review', holder: { name: 'Grace Hopper' }, usedMinutes: 0, goalMinutes: 8 * 60 });
    // The dev clock runs on from where the test set it: the review started at the unblocking.
    expect(Date.parse(resumed.clock!.runStartedAt)).toBeGreaterThanOrEqual(unblockedAt);
    expect(Date.parse(resumed.clock!.runStartedAt)).toBeLessThanOrEqual(clock.now());
    expect(toPerson(people.grace, id)).toEqual(['Ada Lovelace unblocked the handoff: your review resumes.']);
    expect((await app.history(id)).at(-1)?.detail).toMatch(/^Ready, after \d+ days? blocked$/);
  });

  it("the owner's escalation carries Nudge: clicked in the 1:1, it nudges", async () => {
    moveTo(nextMonday());
    const id = await create();
    const due = (await stored(id)).clock!;
    moveTo(nextWorkingInstant(due.holderHours, new Date(due.dueAt!))!.getTime());
    await fire();
    moveTo(escalateAt((await stored(id)).clock!)!);
    await fire();
    const escalation = lastTo(people.alan, id)!;
    const nudge = escalation.actions.find((a) => a.title === 'Nudge Grace Hopper')!;
    moveTo(clock.now() + 60_000);
    const clicked = await app.post(
      cardAction(connector.url, people.alan, String(nudge.verb), nudge.data as Record<string, unknown>, {
        conversation: personal(people.alan),
      }),
    );
    expect(clicked.status).toBe(200);
    await app.baton().app.deliveries.idle();
    expect((await events(id)).at(-1)).toEqual(['nudged', 'Alan Turing']);
    expect(toPerson(people.grace, id).at(-1)).toBe('Alan Turing, the owner, nudged you: your review waits on you.');
  });

  it('a person who chose the daily digest gets no reminder one by one, and what waits on them in one message at the start of their day', async () => {
    // Hedy installs Baton, asks for `settings` in her personal chat and chooses the digest.
    await install(hedy);
    const asked = connector.sent.length;
    expect((await app.post(message(connector.url, hedy, 'settings', { conversation: personal(hedy) }))).status).toBe(200);
    const settings = connector.sent.slice(asked).find((s) => s.activity.attachments?.length)!.activity.attachments![0]!.content;
    expect(textsOf(settings)[0]).toBe('Your Baton settings');
    const saved = await app.post(
      cardAction(connector.url, hedy, 'settings.save', { reminders: 'daily' }, { conversation: personal(hedy) }),
    );
    expect(textsOf(saved.body.value)).toContain('Saved: one digest at the start of each working day; no reminder one by one.');

    moveTo(nextMonday());
    const first = await create(hedy);
    const second = await create(hedy);
    const due = (await stored(second)).clock!;
    // Tuesday: both reviews are due; the check nudges (the history says so) but writes Hedy nothing.
    moveTo(nextWorkingInstant(due.holderHours, new Date(due.dueAt!))!.getTime());
    await fire();
    expect((await events(first)).map(([type]) => type)).toEqual(['posted', 'overdue']);
    expect((await events(second)).map(([type]) => type)).toEqual(['posted', 'overdue']);
    expect(cardsTo(hedy).filter((card) => JSON.stringify(card).includes(first))).toEqual([]);

    const digests = () => cardsTo(hedy).filter((card) => /waits? on you today$/.test(textsOf(card)[0] ?? ''));
    await fire('dailyDigest');
    await fire('dailyDigest');
    expect(digests().map((card) => textsOf(card).slice(0, 2))).toEqual([['2 handoffs wait on you today', 'To review (2)']]);
    // The next working day, one more; none at night.
    moveTo(clock.now() + 10 * HOUR);
    await fire('dailyDigest');
    expect(digests()).toHaveLength(1);
    moveTo(clock.now() + 14 * HOUR);
    await fire('dailyDigest');
    expect(digests()).toHaveLength(2);
  });
});

describe('what a check costs', () => {
  it('reads the due handoffs and the hours since the last check: the same round trips for 5 open handoffs as for 25', async () => {
    let now = Date.parse('2026-12-07T10:00:00.000Z'); // a Monday
    const config = loadConfig({ TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: uniquePrefix() });
    const baton = await createBaton(config, {
      clock: { now: () => now, sleep: async () => undefined },
      log: createLogger({ sink: () => undefined }),
    });
    // As a deployment does: no table is made on the measured path.
    await ensureTables(config.tables.account, config.tables.prefix);
    const post = async (at: number) => {
      now = at;
      const formId = crypto.randomUUID();
      const form = {
        formId,
        summary: 'Ledger export is ready',
        whatIsReady: 'Merged.',
        acceptanceCriteria: 'Totals match',
        links: 'https://example.com/pr/1',
        effort: '1h',
        receiver: people.grace.aadObjectId,
        owner: people.alan.aadObjectId,
      };
      await baton.bot.handle(
        JSON.stringify(cardAction(connector.url, people.ada, 'handoff.create', form, { replyToId: `msg-${formId}` })),
        '',
      );
      await baton.app.deliveries.idle();
    };
    /** A check at `at`: its round trips before the deliveries it starts, and after. */
    const measured = async (at: number) => {
      now = at;
      const before = { ...tableRoundTrips };
      const report = await overdueCheck(baton.app);
      return { report, own: tripsSince(before).own };
    };
    // One handoff due Tuesday 10:00; the others posted later, due later.
    await post(now);
    for (let i = 1; i <= 4; i += 1) await post(now + i * 60 * 60_000);
    await measured(Date.parse('2026-12-07T12:00:00.000Z')); // the first check ever: it settles the cursor
    // Checks 15 to 35 minutes apart, as the timer runs them: each reads the hour before and its own.
    await measured(Date.parse('2026-12-08T09:50:00.000Z'));
    const five = await measured(Date.parse('2026-12-08T10:05:00.000Z'));
    expect(five.report).toMatchObject({ entries: 1, handoffs: 1, overdue: 1, failed: 0 });

    for (let i = 0; i < 20; i += 1) await post(Date.parse('2026-12-08T10:06:00.000Z') + i * 60_000);
    await measured(Date.parse('2026-12-08T10:30:00.000Z'));
    // The next one due: the second handoff, posted an hour after the first.
    const twentyFive = await measured(Date.parse('2026-12-08T11:05:00.000Z'));
    expect(twentyFive.report).toMatchObject({ entries: 1, handoffs: 1, overdue: 1, failed: 0 });
    // The cursor, three hours (the one before the last check's, its own, this one), the handoff, the away
    // records of its receiver and its owner (an absence seen since the review began moves it before anyone is
    // nudged; each read once a minute per process), whether she installed Baton, whether she reads a daily
    // digest instead, the outbox mark, the transaction (what it saved says nothing more is due: no second
    // read), the cursor again: 12, and nothing for the open handoffs not due. The spent entry is its
    // delivery's to remove, with the wake-up the change moved (the check at 11:05 reads 1 entry, not 2).
    expect(five.own).toBe(12);
    expect(twentyFive.own).toBe(five.own);
  });

  it('asks once per check whether a holder installed Baton, however many of their handoffs are due', async () => {
    let now = Date.parse('2026-12-07T10:00:00.000Z'); // a Monday
    const config = loadConfig({ TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: uniquePrefix() });
    const baton = await createBaton(config, {
      clock: { now: () => now, sleep: async () => undefined },
      log: createLogger({ sink: () => undefined }),
    });
    await ensureTables(config.tables.account, config.tables.prefix);
    await baton.bot.handle(
      JSON.stringify({
        ...message(connector.url, people.grace, ''),
        type: 'installationUpdate',
        action: 'add',
        conversation: { id: 'a:grace-once', conversationType: 'personal', tenantId: TENANT },
      }),
      '',
    );
    for (let i = 0; i < 3; i += 1) {
      const formId = crypto.randomUUID();
      await baton.bot.handle(
        JSON.stringify(cardAction(connector.url, people.ada, 'handoff.create', paymentsForm(formId), { replyToId: `msg-${formId}` })),
        '',
      );
    }
    await baton.app.deliveries.idle();
    await overdueCheck(baton.app); // the first check ever: it settles the cursor
    const lookups = vi.spyOn(baton.app.stores.chats, 'find');
    now = Date.parse('2026-12-09T10:00:00.000Z');
    const report = await overdueCheck(baton.app);
    await baton.app.deliveries.idle();
    expect(report).toMatchObject({ handoffs: 3, overdue: 3, failed: 0 });
    // Once by the check for Grace, who holds all three, and once by each of the three 1:1 deliveries finding her chat.
    expect(lookups.mock.calls.filter(([, person]) => person === people.grace.aadObjectId)).toHaveLength(1 + 3);
    // Each nudge reached her (after the welcome Baton sent on installation, a text message).
    const toGrace = connector.sent.filter((s) => s.conversationId === 'a:grace-once' && s.activity.attachments?.length);
    expect(toGrace.map((s) => textsOf(s.activity.attachments?.[0]?.content)[0])).toEqual(
      Array.from({ length: 3 }, () => expect.stringMatching(/^Your review of this handoff was due /)),
    );
  });
});
