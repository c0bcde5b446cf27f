/**
 * The weekly stakeholder summary (issue 11) as the local Functions host runs
 * it: the hourly timer `weeklySummary` fills the Storage queue (Azurite's),
 * the queue function `sendSummary` sends each, by email (the local outbox,
 * with the card in the head) and in the person's personal chat. Monday 08:00
 * in each person's own zone; once per person and week however often the
 * timer fires or a message comes twice; poison messages set aside; a
 * mailbox's 30 a minute held across instances; and the card's buttons coming
 * back on the Outlook channel through the same bot.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BACKGROUND } from '../../src/app/ports';
import { createBaton } from '../../src/baton';
import { enqueueDueSummaries, sendSummary, summaryMailKey, type SummaryMessage, trendOf } from '../../src/app/summary';
import type { Clock, ShiftedClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { Handoff } from '../../src/domain/handoff';
import { instantAt } from '../../src/domain/time-zones';
import { nextWorkingInstant } from '../../src/domain/working-hours';
import { LocalDirectory } from '../../src/local/directory';
import { cardOf } from '../../src/graph/mail';
import { listMailbox, LocalMailbox } from '../../src/local/mailbox';
import { openQueue } from '../../src/store/queues';
import { TableMailboxBudget } from '../../src/store/summary/mailbox-budget';
import { handoffIdForForm } from '../../src/app/handoffs';
import { cardAction, message, paymentsForm } from '../support/activities';
import { textsOf } from '../support/cards';
import { type Connector, type Member, startConnector } from '../support/connector';
import { startTestApp, type TestApp } from '../support/stack';

// The Agents Playground's tenant and people: the local directory knows their mail addresses and zones (dev/working-hours.json).
const TENANT = '00000000-0000-0000-0000-0000000b0a70';
const FIXTURE_TENANT = '00000000-0000-0000-0000-00000000aaaa';
const member = (id: string, name: string, aad: string): Member => ({ id: `29:${id}`, name, aadObjectId: `10000000-0000-0000-0000-${aad}` });
const ada = member('ada-lovelace', 'Ada Lovelace', '0000000000a1');
const grace = member('grace-hopper', 'Grace Hopper', '0000000000b2');
const alan = member('alan-turing', 'Alan Turing', '0000000000c3');
/** Sydney; installed Baton. */
const katherine = member('katherine-johnson', 'Katherine Johnson', '0000000000d4');
/** Pacific time; never installed Baton. */
const margaret = member('margaret-hamilton', 'Margaret Hamilton', '0000000000e5');
/** Follows only the design channel's handoff (its own test). */
const hedy = member('hedy-lamarr', 'Hedy Lamarr', '0000000000f6');
const ORIGINATOR = '6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6c';

/** The activity, in the Playground's tenant. */
const inTenant = <T>(activity: T): T => JSON.parse(JSON.stringify(activity).replaceAll(FIXTURE_TENANT, TENANT)) as T;

/**
 * Baton's clock starts on Tuesday 1 December 2026, when Ada posts the
 * handoff. The weeks below follow from it: Monday 7 December 08:00 in Sydney
 * ends the first summary week Katherine follows anything in, and the week
 * before (ending 30 November) saw nothing of hers.
 */
const START = '2026-12-01T09:00:00.000Z';

let app: TestApp;
let connector: Connector;
let clock: ShiftedClock;
let mailboxDir: string;
let handoffId: string;

/** Monday 08:00 on a date in a zone, as an instant. */
const mondayEight = (date: string, zone: string) => {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return instantAt({ year, month, day, minutes: 8 * 60 }, zone);
};
const moveTo = (at: number) => clock.advance(Math.max(0, at - clock.now()));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stores = () => app.baton().app.stores;
/** The person's record for a week, once its sending finished. */
const finished = (week: string, person: Member) =>
  until(`${person.name}'s summary for ${week}`, async () => {
    const record = await stores().sendRecords.get(week, TENANT, person.aadObjectId, BACKGROUND);
    return record && record.state !== 'sending' ? record : undefined;
  });
/** Waits until the queue holds nothing, in flight or visible. */
async function drained(): Promise<void> {
  const queue = await openQueue(inject('storageConnectionString'), `${app.prefix}-summaries`);
  // A copy that met another's claim is back within 10 s; 30 s leaves room for a busy machine.
  await until(
    'the summary queue to drain',
    async () => ((await queue.getProperties()).approximateMessagesCount === 0 ? true : undefined),
    30_000,
  );
}
const emailsTo = (person: Member, week: string) =>
  listMailbox(mailboxDir).filter((m) => m.key === `summary:${week}:${TENANT}:${person.aadObjectId}`);
const teamsSummariesTo = (person: Member) =>
  connector.sent.filter(
    (s) =>
      s.method === 'POST' &&
      s.conversationId === `a:personal-${person.name}` &&
      textsOf(s.activity.attachments?.[0]?.content)[0] === 'Baton · your week in handoffs',
  );
const stored = async (id: string): Promise<Handoff> => (await app.handoff(id))!;

function outlookAction(from: Member, verb: string, data: Record<string, unknown>) {
  // What Outlook's channel sends: no conversation members, the recipient as the actor.
  return inTenant(
    cardAction(connector.url, from, verb, data, {
      channelId: 'outlook',
      conversation: { id: `outlook-${from.aadObjectId}`, tenantId: TENANT },
      replyToId: undefined,
    }),
  );
}

beforeAll(async () => {
  mailboxDir = mkdtempSync(join(tmpdir(), 'baton-summary-outbox-'));
  process.env.BATON_MAILBOX_DIR = mailboxDir;
  process.env.OUTLOOK_ORIGINATOR = ORIGINATOR;
  connector = await startConnector([ada, grace, alan, katherine, margaret, hedy]);
  app = await startTestApp({ at: START });
  clock = app.baton().devClock!;
  await app.post(
    inTenant({
      ...message(connector.url, katherine, ''),
      type: 'installationUpdate',
      action: 'add',
      conversation: { id: `a:personal-${katherine.name}`, conversationType: 'personal', tenantId: TENANT },
    }),
  );
  const formId = crypto.randomUUID();
  const form = paymentsForm(formId, {
    receiver: grace.aadObjectId,
    owner: alan.aadObjectId,
    stakeholders: `${katherine.aadObjectId},${margaret.aadObjectId}`,
  });
  expect((await app.post(inTenant(cardAction(connector.url, ada, 'handoff.create', form, { replyToId: `msg-${formId}` })))).status).toBe(
    200,
  );
  handoffId = handoffIdForForm(TENANT, formId);
});
afterAll(async () => {
  await app?.close();
  await connector?.close();
  delete process.env.BATON_MAILBOX_DIR;
  delete process.env.OUTLOOK_ORIGINATOR;
  if (mailboxDir) rmSync(mailboxDir, { recursive: true, force: true });
});

describe('the weekly summary, through the local host and its queue', () => {
  it('records each stakeholder in their own time zone when the handoff is posted', async () => {
    const zones = (await stores().zones.list(BACKGROUND)).map((z) => z.timeZone).sort();
    expect(zones).toEqual(['America/Los_Angeles', 'Australia/Sydney']);
  });

  it('sends Katherine one summary at Monday 08:00 in Sydney, by email and in her personal chat, however often the timer fires', async () => {
    const sydneyMonday = mondayEight('2026-12-07', 'Australia/Sydney');
    // The 15-minute check ran during the week, when Grace's review fell due: it went overdue, and the summary counts it.
    const { clock: review } = await stored(handoffId);
    const nudgeAt = nextWorkingInstant(review!.holderHours, new Date(review!.dueAt!))!.getTime();
    expect(nudgeAt).toBeLessThan(sydneyMonday);
    moveTo(nudgeAt);
    await app.host.fire('overdueCheck');
    expect((await app.history(handoffId)).map((e) => e.type)).toContain('overdue');
    moveTo(sydneyMonday - 60_000);
    await app.host.fire('weeklySummary');
    // A minute early, the last week to end in Sydney is the one before she followed anything: nothing to send.
    expect(await finished('2026-11-30', katherine)).toMatchObject({ state: 'skipped', reason: 'nothing open or changed that week' });
    expect(await stores().sendRecords.get('2026-12-07', TENANT, katherine.aadObjectId, BACKGROUND)).toBeUndefined();

    moveTo(sydneyMonday);
    // Fired twice at once (two instances), and once more later.
    await Promise.all([app.host.fire('weeklySummary'), app.host.fire('weeklySummary')]);
    await app.host.fire('weeklySummary');
    expect(await finished('2026-12-07', katherine)).toMatchObject({ state: 'sent', done: ['email', 'teams'], reason: '' });
    // The same message again (a retried enqueue): nothing more is sent.
    app.baton().app.summaryQueue.send({
      tenantId: TENANT,
      aadObjectId: katherine.aadObjectId,
      name: katherine.name,
      timeZone: 'Australia/Sydney',
      week: '2026-12-07',
    } satisfies SummaryMessage);
    await drained();
    expect(emailsTo(katherine, '2026-12-07')).toHaveLength(1);
    expect(teamsSummariesTo(katherine)).toHaveLength(1);
    // Margaret lives in Pacific time: her Monday 08:00 has not come yet.
    expect(await stores().sendRecords.get('2026-12-07', TENANT, margaret.aadObjectId, BACKGROUND)).toBeUndefined();
    // A copy that met the other fire's claim waits 10 s on the queue before it finds the week sent.
  }, 60_000);

  it('sends an HTML email with the card in its head: version 1.4, the originator, a refresh, the handoff', () => {
    const [email] = emailsTo(katherine, '2026-12-07');
    expect(email!.to).toEqual(['katherine@contoso.example']);
    expect(email!.subject).toBe('Your week in handoffs, 30 Nov - 7 Dec');
    const html = readFileSync(join(mailboxDir, `${email!.id}.html`), 'utf8');
    const card = cardOf(html) as Record<string, any>;
    expect(card).toMatchObject({
      type: 'AdaptiveCard',
      version: '1.4',
      originator: ORIGINATOR,
      // Everything the body says is on the card: Outlook shows the card alone.
      hideOriginalBody: true,
      refresh: { action: { verb: 'summary.refresh', data: { week: '2026-12-07' } } },
    });
    expect(JSON.stringify(card)).toContain('Payments retry logic is ready for QA');
    // The body says it too, for a client without cards.
    expect(html).toContain('Needs attention');
    // Since when, in Katherine's zone named in words (Outlook cannot show a reader's own zone), and how long ago.
    expect(html).toMatch(
      />Payments retry logic is ready for QA<\/a>, Grace Hopper holds it since \w{3} \d{1,2} \w{3}, \d\d:\d\d Sydney time · \d+ \w+ ago/,
    );
    expect(Buffer.byteLength(html, 'utf8')).toBeLessThan(25_000);
  });

  it('posts the Teams version, with the table of what it counted, to her personal chat', () => {
    const card = teamsSummariesTo(katherine)[0]!.activity.attachments?.[0]?.content as { version: string };
    expect(card.version).toBe('1.5');
    // One week of data: the table, no chart (a chart of one bar says no more).
    expect(JSON.stringify(card)).toContain('{"title":"Overdue steps","value":"1 · up from 0 · ▁▁▁▁█"}');
    expect(JSON.stringify(card)).not.toContain('Chart.');
    // The list and the count agree: the handoff it lists as overdue is the overdue step it counts.
    expect(textsOf(card)).toContain('Overdue · ');
  });

  it("flags a priority change from the email: Outlook's invoke, the same bot; the answer replaces the card, and the handoff's card shows it", async () => {
    const answer = await app.post(
      outlookAction(katherine, 'summary.flagPriority', {
        week: '2026-12-07',
        handoffId,
        priority: 'urgent',
        priorityReason: 'The launch moved up a week',
      }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: { version: '1.4', originator: ORIGINATOR },
    });
    expect(textsOf(answer.body.value)).toContain(
      "You flagged “Payments retry logic is ready for QA” as urgent: the team sees it on the handoff's card.",
    );
    const handoff = await stored(handoffId);
    expect(handoff.priority).toBe('urgent');
    expect(handoff.priorityFlag).toMatchObject({
      by: { aadObjectId: katherine.aadObjectId },
      text: 'The launch moved up a week',
      from: 'normal',
      to: 'urgent',
    });
    const updates = connector.sent.filter((s) => s.method === 'PUT' && JSON.stringify(s.activity).includes(handoffId));
    expect(JSON.stringify(updates.at(-1)!.activity)).toContain('Urgent');
  });

  it('refuses a flag from someone who is not a stakeholder, and says why on the card', async () => {
    const answer = await app.post(
      outlookAction(grace, 'summary.flagPriority', { week: '2026-12-07', handoffId, priority: 'normal', priorityReason: 'Not so fast' }),
    );
    expect(answer.status).toBe(200);
    expect((await stored(handoffId)).priority).toBe('urgent');
    expect(textsOf(answer.body.value).some((t) => /stakeholder/i.test(t))).toBe(true);
  });

  it("refreshes an email opened later with each handoff's state now", async () => {
    const answer = await app.post(outlookAction(katherine, 'summary.refresh', { week: '2026-12-07' }));
    expect(answer.body.value).toMatchObject({ version: '1.4', originator: ORIGINATOR });
    expect(JSON.stringify(answer.body.value)).toContain('Payments retry logic is ready for QA');
  });

  it('shows "summary" privately: asked in a group chat, the card goes to the personal chat', async () => {
    const before = teamsSummariesTo(katherine).length;
    await app.post(inTenant(message(connector.url, katherine, '<at>Baton</at> summary')));
    expect(teamsSummariesTo(katherine)).toHaveLength(before + 1);
    const reply = connector.sent.filter((s) => s.method === 'POST' && s.conversationId === '19:baton-group@thread.v2').at(-1)!
      .activity.text;
    expect(reply).toBe('Katherine Johnson, I sent your summary to your personal chat with me, where only you can see it.');
    await app.post(inTenant(message(connector.url, margaret, '<at>Baton</at> summary')));
    const toMargaret = connector.sent.filter((s) => s.method === 'POST' && s.conversationId === '19:baton-group@thread.v2').at(-1)!
      .activity.text;
    expect(toMargaret).toBe(
      'Margaret Hamilton, your summary is yours alone to see: add Baton in your personal chat (Apps, then Baton, then Open) and type "summary" there.',
    );
  });

  it('answers "summary stop" and "summary start" in one line, not with the card again', async () => {
    const reply = async (text: string) => {
      const before = connector.sent.length;
      await app.post(inTenant(message(connector.url, katherine, `<at>Baton</at> ${text}`)));
      return connector.sent.slice(before).filter((s) => s.method === 'POST');
    };
    const stopped = await reply('summary stop');
    expect(stopped.map((s) => [s.activity.text, s.activity.attachments?.length ?? 0])).toEqual([
      ['Your weekly summary is stopped. Type "summary start" to have it again.', 0],
    ]);
    expect(await stores().preferences.get(TENANT, katherine.aadObjectId, BACKGROUND)).toEqual({ stopped: true, optedIn: false });
    const started = await reply('summary start');
    expect(started.map((s) => [s.activity.text, s.activity.attachments?.length ?? 0])).toEqual([
      ['Your weekly summary is on: every Monday at 08:00 your time, by email and in Teams.', 0],
    ]);
    expect(await stores().preferences.get(TENANT, katherine.aadObjectId, BACKGROUND)).toEqual({ stopped: false, optedIn: true });
  });

  it('names a team by what Teams calls it now: the channel a handoff was posted in, then the renames Teams reports', async () => {
    const channel = {
      conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT, id: '19:handoffs@thread.tacv2;messageid=1764' },
      channelData: {
        tenant: { id: TENANT },
        team: { id: '19:payments-team@thread.tacv2', name: 'Contoso Payments' },
        channel: { id: '19:handoffs@thread.tacv2', name: 'Handoffs' },
      },
    };
    const formId = crypto.randomUUID();
    const form = paymentsForm(formId, {
      summary: 'Refund export for finance',
      receiver: grace.aadObjectId,
      owner: alan.aadObjectId,
      stakeholders: katherine.aadObjectId,
    });
    expect(
      (await app.post(inTenant(cardAction(connector.url, ada, 'handoff.create', form, { replyToId: `msg-${formId}`, ...channel })))).status,
    ).toBe(200);
    expect((await app.handoff(handoffIdForForm(TENANT, formId)))?.conversation).toMatchObject({
      kind: 'channel',
      team: { name: 'Contoso Payments' },
    });
    const teamLines = async () => {
      await app.post(
        inTenant(
          message(connector.url, katherine, 'summary', {
            conversation: { id: `a:personal-${katherine.name}`, conversationType: 'personal', tenantId: TENANT },
          }),
        ),
      );
      return textsOf(teamsSummariesTo(katherine).at(-1)!.activity.attachments?.[0]?.content).filter((t) => /: \d+ active/.test(t));
    };
    expect(await teamLines()).toEqual([
      expect.stringMatching(/^Chat with Ada Lovelace, Alan Turing and Grace Hopper: 1 active/),
      expect.stringMatching(/^Contoso Payments › Handoffs: 1 active/),
    ]);
    // What Teams sends on a rename (conversationUpdate, channelData.eventType): the new name with the id.
    const renamed = (eventType: string, data: Record<string, unknown>) =>
      app.post({
        ...message(connector.url, alan, ''),
        type: 'conversationUpdate',
        text: undefined,
        conversation: channel.conversation,
        channelData: { tenant: { id: TENANT }, eventType, ...data },
      });
    expect(
      (
        await renamed('channelRenamed', {
          team: { id: '19:payments-team@thread.tacv2' },
          channel: { id: '19:handoffs@thread.tacv2', name: 'Reviews' },
        })
      ).status,
    ).toBe(200);
    expect((await renamed('teamRenamed', { team: { id: '19:payments-team@thread.tacv2', name: 'Payments' } })).status).toBe(200);
    expect(await teamLines()).toEqual([
      expect.stringMatching(/^Chat with Ada Lovelace, Alan Turing and Grace Hopper: 1 active/),
      expect.stringMatching(/^Payments › Reviews: 1 active/),
    ]);
  });

  it('names a channel by the names a message in it carried, when the card action that posted the handoff carried only ids', async () => {
    const team = { id: '19:design-team@thread.tacv2', name: 'Contoso Design' };
    const designChannel = { id: '19:design-reviews@thread.tacv2', name: 'Reviews' };
    const conversation = { isGroup: true, conversationType: 'channel', tenantId: TENANT, id: `${designChannel.id};messageid=1765` };
    // "@Baton new" in the channel: Teams' message says the team's and the channel's names.
    await app.post(
      inTenant(message(connector.url, ada, 'new', { conversation, channelData: { tenant: { id: TENANT }, team, channel: designChannel } })),
    );
    // The form's Post: an invoke that names only the ids.
    const formId = crypto.randomUUID();
    const form = paymentsForm(formId, {
      summary: 'Design tokens for checkout',
      receiver: grace.aadObjectId,
      owner: alan.aadObjectId,
      stakeholders: hedy.aadObjectId,
    });
    const channelData = { tenant: { id: TENANT }, team: { id: team.id }, channel: { id: designChannel.id } };
    const posted = await app.post(
      inTenant(cardAction(connector.url, ada, 'handoff.create', form, { replyToId: `msg-${formId}`, conversation, channelData })),
    );
    expect(posted.body).toMatchObject({ statusCode: 200 });
    expect((await app.handoff(handoffIdForForm(TENANT, formId)))?.conversation).toMatchObject({ kind: 'channel', team: { id: team.id } });
    await app.post(
      inTenant(
        message(connector.url, hedy, 'summary', {
          conversation: { id: `a:personal-${hedy.name}`, conversationType: 'personal', tenantId: TENANT },
        }),
      ),
    );
    const lines = textsOf(teamsSummariesTo(hedy).at(-1)!.activity.attachments?.[0]?.content).filter((t) => /: \d+ active/.test(t));
    expect(lines).toContainEqual(expect.stringMatching(/^Contoso Design › Reviews: 1 active/));
  });

  it('moves a message that keeps failing to the poison queue after maxDequeueCount tries', async () => {
    const baton = app.baton();
    await baton.app.summaryQueue.send({ not: 'a summary message' });
    const poison = await openQueue(inject('storageConnectionString'), `${app.prefix}-summaries-poison`);
    const messages = await until(
      'the poison queue',
      async () => {
        const peeked = await poison.peekMessages({ numberOfMessages: 5 });
        return peeked.peekedMessageItems.length > 0 ? peeked.peekedMessageItems : undefined;
      },
      30_000,
    );
    expect(JSON.parse(Buffer.from(messages[0]!.messageText, 'base64').toString('utf8'))).toEqual({ not: 'a summary message' });
  });
});

describe('once per person and week, whatever fails', () => {
  const week = '2026-12-14';
  const forKatherine: SummaryMessage = {
    tenantId: TENANT,
    aadObjectId: katherine.aadObjectId,
    name: katherine.name,
    timeZone: 'Australia/Sydney',
    week,
  };

  it('takes over the claim of a sender that died before sending, and sends once', async () => {
    const baton = app.baton();
    // A sender claimed the week and died: its lease has run out.
    const dead = await baton.app.stores.sendRecords.claim(
      week,
      TENANT,
      katherine.aadObjectId,
      new Date(clock.now() - 1000).toISOString(),
      undefined,
      BACKGROUND,
    );
    expect(dead).toBeDefined();
    expect(await sendSummary(baton.app, forKatherine)).toEqual({ outcome: 'sent', channels: ['email', 'teams'] });
    expect(await sendSummary(baton.app, forKatherine)).toEqual({ outcome: 'already' });
    expect(emailsTo(katherine, week)).toHaveLength(1);
  });

  it('waits while another sender holds the claim, putting the message back for when its lease ends', async () => {
    const baton = app.baton();
    const held = '2026-12-21';
    await baton.app.stores.sendRecords.claim(
      held,
      TENANT,
      katherine.aadObjectId,
      new Date(clock.now() + 60_000).toISOString(),
      undefined,
      BACKGROUND,
    );
    const outcome = await sendSummary(baton.app, { ...forKatherine, week: held });
    // Back on the queue for 10 s, not for the whole lease: the other sender is usually done by then.
    expect(outcome).toEqual({ outcome: 'deferred', reason: 'another instance holds it', delaySeconds: 10 });
    expect(emailsTo(katherine, held)).toHaveLength(0);
  });

  it('does not send again an email whose send was interrupted after it went: it finds it by its key first', async () => {
    const baton = app.baton();
    const interrupted = '2026-12-28';
    const message = { ...forKatherine, week: interrupted };
    // The email went, then the process died before the record said so.
    await baton.app.mailer.sendMail({
      to: ['katherine@contoso.example'],
      subject: 'Your week in handoffs',
      html: '<p>sent before the crash</p>',
      key: summaryMailKey(message),
    });
    const claimed = await baton.app.stores.sendRecords.claim(
      interrupted,
      TENANT,
      katherine.aadObjectId,
      new Date(clock.now() - 1000).toISOString(),
      undefined,
      BACKGROUND,
    );
    await baton.app.stores.sendRecords.update(
      interrupted,
      TENANT,
      katherine.aadObjectId,
      claimed!,
      { done: [`email?:${baton.app.mailer.defaultSender}`] },
      BACKGROUND,
    );
    expect(await sendSummary(baton.app, message)).toEqual({ outcome: 'sent', channels: ['email', 'teams'] });
    expect(emailsTo(katherine, interrupted)).toHaveLength(1);
  });
});

describe("each mailbox's limit a minute, held across instances", () => {
  it('lets exactly the limit through in any minute from two instances at once, and more once the first sends are a minute old', async () => {
    const connection = inject('tablesConnectionString');
    const [one, two] = [TableMailboxBudget.open(connection, app.prefix), TableMailboxBudget.open(connection, app.prefix)];
    const t = Date.parse('2026-12-07T08:00:30.000Z');
    const tries = Array.from({ length: 45 }, (_, i) =>
      (i % 2 === 0 ? one : two).take('baton@contoso.example', t + i * 100, 30, BACKGROUND),
    );
    const answers = await Promise.all(tries);
    // Never more than the limit; under this much contention a few are told to wait a second instead of taking a place.
    const granted = answers.filter((wait) => wait === 0).length;
    expect(granted).toBeLessThanOrEqual(30);
    expect(answers.every((wait) => wait >= 0)).toBe(true);
    // Whoever was told to wait gets a place once there is one, until the minute is full.
    for (let i = granted; i < 30; i += 1) expect(await one.take('baton@contoso.example', t + 5_000 + i, 30, BACKGROUND)).toBe(0);
    const oldest = Math.min(...answers.flatMap((wait, i) => (wait === 0 ? [t + i * 100] : [])), t + 5_000);
    // A sliding window, not calendar minutes: 35 s later the first sends still count, the oldest for 25 s more.
    expect(await one.take('baton@contoso.example', t + 35_000, 30, BACKGROUND)).toBe(oldest + 60_000 - (t + 35_000));
    expect(await two.take('baton@contoso.example', t + 65_000, 30, BACKGROUND)).toBe(0);
    // Another mailbox has a budget of its own.
    expect(await two.take('baton2@contoso.example', t + 35_000, 30, BACKGROUND)).toBe(0);
  });

  it('spreads what it enqueues over the minutes the mailboxes need, so messages arrive at the rate they may be sent', async () => {
    const queued: (number | undefined)[] = [];
    const config = loadConfig({
      TABLES_CONNECTION_STRING: inject('tablesConnectionString'),
      BATON_TABLE_PREFIX: `${app.prefix}s`,
      BATON_MAILBOX_PER_MINUTE: '2',
      MAIL_SENDER: 'a@contoso.example, b@contoso.example',
    });
    const directory = LocalDirectory.fromFiles();
    const spread = await createBaton(config, {
      clock: { now: () => Date.parse('2026-12-07T08:30:00.000Z'), sleep: async () => undefined },
      graph: { directory, tenantId: directory.tenantId, mailer: new LocalMailbox(mailboxDir) },
      summaryQueue: { send: async (_message, delaySeconds) => void queued.push(delaySeconds) },
    });
    for (let i = 0; i < 9; i += 1)
      await spread.app.stores.subscribers.subscribe(
        { tenantId: TENANT, aadObjectId: `p-${i}`, name: `Person ${i}`, timeZone: 'UTC' },
        BACKGROUND,
      );
    expect(await enqueueDueSummaries(spread.app)).toEqual({ zones: 1, zonesDue: 1, enqueued: 9 });
    // Two mailboxes, two a minute each: four a minute, one every 15 seconds.
    expect(queued.map((d) => d ?? 0).sort((a, b) => a - b)).toEqual([0, 15, 30, 45, 60, 75, 90, 105, 120]);
    // The run after it finds the zone done.
    expect(await enqueueDueSummaries(spread.app)).toEqual({ zones: 1, zonesDue: 0, enqueued: 0 });
  });

  it('puts a summary back on the queue until the next minute when every mailbox sent its limit, then sends it', async () => {
    let now = Date.parse('2026-12-07T08:00:10.000Z');
    const manual: Clock = { now: () => now, sleep: async () => undefined };
    const queued: { message: unknown; delaySeconds: number | undefined }[] = [];
    const config = loadConfig({
      TABLES_CONNECTION_STRING: inject('tablesConnectionString'),
      BATON_TABLE_PREFIX: app.prefix,
      BATON_MAILBOX_PER_MINUTE: '1',
      MAIL_SENDER: 'summary@contoso.example',
    });
    const directory = LocalDirectory.fromFiles();
    const limited = await createBaton(config, {
      clock: manual,
      graph: {
        directory,
        tenantId: directory.tenantId,
        mailer: new LocalMailbox(mailboxDir, 'summary@contoso.example', { clock: manual }),
      },
      summaryQueue: { send: async (message, delaySeconds) => void queued.push({ message, delaySeconds }) },
    });
    const week = '2027-01-04';
    const toKatherine: SummaryMessage = {
      tenantId: TENANT,
      aadObjectId: katherine.aadObjectId,
      name: katherine.name,
      timeZone: 'Australia/Sydney',
      week,
    };
    const toMargaret: SummaryMessage = {
      ...toKatherine,
      aadObjectId: margaret.aadObjectId,
      name: margaret.name,
      timeZone: 'America/Los_Angeles',
    };
    expect(await sendSummary(limited.app, toKatherine)).toMatchObject({ outcome: 'sent' });
    expect(await sendSummary(limited.app, toMargaret)).toMatchObject({
      outcome: 'deferred',
      reason: 'every sending mailbox sent its limit this minute',
    });
    now += 30_000;
    // Half a minute later it is still too soon.
    expect(await sendSummary(limited.app, toMargaret)).toMatchObject({ outcome: 'deferred', delaySeconds: expect.any(Number) });
    expect(queued).toHaveLength(2);
    expect(queued[0]!.message).toEqual(toMargaret);
    // Hidden until Katherine's send (08:00:10) is a minute old, plus a second or two of jitter.
    expect(queued[0]!.delaySeconds).toBeGreaterThanOrEqual(60);
    expect(queued[0]!.delaySeconds).toBeLessThan(63);
    now += 30_000;
    // Margaret never installed Baton: email only.
    expect(await sendSummary(limited.app, toMargaret)).toEqual({ outcome: 'sent', channels: ['email'] });
    expect(emailsTo(margaret, week)).toHaveLength(1);
    expect(emailsTo(katherine, week)).toHaveLength(1);
  });
});

describe("the trend's weeks", () => {
  it('are the summary weeks for a summary week, and seven-day windows with no gap for the summary command', () => {
    const settings = { settings: { summary: loadConfig({}).summary, due: loadConfig({}).due, publicBaseUrl: '', tenantId: '' } };
    const monday = { start: '2026-11-30T08:00:00.000Z', end: '2026-12-07T08:00:00.000Z' };
    expect(trendOf(settings, monday, 'UTC').map((w) => w.end)).toEqual([
      '2026-11-09T08:00:00.000Z',
      '2026-11-16T08:00:00.000Z',
      '2026-11-23T08:00:00.000Z',
      '2026-11-30T08:00:00.000Z',
      monday.end,
    ]);
    // Sunday evening: the seven days up to now, and the four seven-day windows before them, end to end.
    const rolling = { start: '2026-11-29T21:00:00.000Z', end: '2026-12-06T21:00:00.000Z' };
    const weeks = trendOf(settings, rolling, 'UTC');
    expect(weeks.at(-1)).toEqual(rolling);
    expect(weeks[0]!.start).toBe('2026-11-01T21:00:00.000Z');
    for (let i = 1; i < weeks.length; i += 1) expect(weeks[i]!.start).toBe(weeks[i - 1]!.end);
  });
});

describe("Outlook's activities (docs/outlook-fields.md)", () => {
  /**
   * An Outlook invoke as the documented samples show it (type, name, value),
   * with what Azure Bot Service adds to every activity (id, channelId,
   * serviceUrl, from, recipient), and nothing else: no conversation and no
   * tenant (OfficeDev/office-js#3478).
   */
  const bare = (from: Record<string, unknown>, verb: string, data: Record<string, unknown>) => ({
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `outlook-${crypto.randomUUID()}`,
    channelId: 'outlook',
    serviceUrl: connector.url,
    from,
    recipient: { id: 'baton', name: 'Baton' },
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  });

  it("takes an action naming no tenant and no conversation as the deployment's tenant, and its person from from.aadObjectId or a GUID from.id", async () => {
    const stop = await app.post(bare({ id: 'outlook-user', aadObjectId: margaret.aadObjectId, name: margaret.name }, 'summary.stop', {}));
    expect(stop.status).toBe(200);
    expect(stop.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(await stores().preferences.get(TENANT, margaret.aadObjectId, BACKGROUND)).toMatchObject({ stopped: true });
    const start = await app.post(bare({ id: margaret.aadObjectId }, 'summary.start', {}));
    expect(start.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(await stores().preferences.get(TENANT, margaret.aadObjectId, BACKGROUND)).toMatchObject({ stopped: false });
  });

  it('never takes a tenant or a person from the card data, and does not stretch the fallback to Teams', async () => {
    const data = { tenantId: FIXTURE_TENANT, aadObjectId: katherine.aadObjectId, from: { aadObjectId: katherine.aadObjectId } };
    await app.post(bare({ id: 'outlook-user', aadObjectId: margaret.aadObjectId }, 'summary.stop', data));
    // Margaret's summary is started again whatever happens here: the tests after this one read her preference.
    try {
      expect(await stores().preferences.get(TENANT, margaret.aadObjectId, BACKGROUND)).toMatchObject({ stopped: true });
      expect(await stores().preferences.get(FIXTURE_TENANT, katherine.aadObjectId, BACKGROUND)).toMatchObject({ stopped: false });
      expect(await stores().preferences.get(TENANT, katherine.aadObjectId, BACKGROUND)).toMatchObject({ stopped: false });
      // A Teams invoke that names no tenant still names no signed-in user of an organisation.
      const teams = await app.post({
        ...bare({ id: '29:1katherine', aadObjectId: katherine.aadObjectId }, 'summary.stop', {}),
        channelId: 'msteams',
      });
      expect(teams.status).toBe(400);
      const teamsWithConversation = await app.post({
        ...bare({ id: '29:1katherine', aadObjectId: katherine.aadObjectId }, 'summary.stop', {}),
        channelId: 'msteams',
        conversation: { id: 'a:personal-katherine' },
      });
      expect(teamsWithConversation.body).toMatchObject({ statusCode: 403, value: { code: 'Forbidden' } });
      expect(await stores().preferences.get(TENANT, katherine.aadObjectId, BACKGROUND)).toMatchObject({ stopped: false });
    } finally {
      await app.post(bare({ id: margaret.aadObjectId }, 'summary.start', {}));
    }
  });
});

describe('stopping and starting', () => {
  it('stops the summary from the email, skips the next week, and starts it again', async () => {
    const stop = await app.post(outlookAction(margaret, 'summary.stop', { week: '2026-12-07' }));
    expect(textsOf(stop.body.value)).toContain(
      'Your weekly summary is stopped. Start it again from this card, or type "summary start" in my chat.',
    );
    expect(JSON.stringify(stop.body.value)).toContain('"verb":"summary.start"');
    expect(await stores().preferences.get(TENANT, margaret.aadObjectId, BACKGROUND)).toEqual({ stopped: true, optedIn: false });

    moveTo(mondayEight('2026-12-07', 'America/Los_Angeles'));
    await app.host.fire('weeklySummary');
    expect(await finished('2026-12-07', margaret)).toMatchObject({ state: 'skipped', reason: 'stopped by the person' });
    expect(emailsTo(margaret, '2026-12-07')).toHaveLength(0);

    const start = await app.post(outlookAction(margaret, 'summary.start', { week: '2026-12-07' }));
    // Margaret never added Baton in Teams: it says email, and how to get it in Teams too, never that it will reach her there.
    expect(textsOf(start.body.value).find((t) => t.startsWith('Your weekly summary is on'))).toBe(
      'Your weekly summary is on: every Monday at 08:00 your time, by email (in Teams too once you add Baton in your personal chat).',
    );
    expect(await stores().preferences.get(TENANT, margaret.aadObjectId, BACKGROUND)).toEqual({ stopped: false, optedIn: true });
  });

  it('says "by email and in Teams" to someone who has Baton in Teams', async () => {
    const start = await app.post(outlookAction(katherine, 'summary.start', { week: '2026-12-07' }));
    expect(textsOf(start.body.value).find((t) => t.startsWith('Your weekly summary is on'))).toBe(
      'Your weekly summary is on: every Monday at 08:00 your time, by email and in Teams.',
    );
  });
});
