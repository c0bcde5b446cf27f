/**
 * The whole handoff process through the real endpoint: every role's view,
 * the Resolve loop (question, answer, change request, resubmit), acceptance
 * with criteria, closing, proactive 1:1 messages, `mine`, quality hints and
 * lateness. Replies are captured at the local connector.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BACKGROUND } from '../../src/app/ports';
import { formatDay } from '../../src/domain/time-format';
import { handoffIdForForm } from '../../src/app/handoffs';
import { cardAction, FIXTURE_DAY, message, people, TENANT } from '../support/activities';
import { findInputs, textsOf } from '../support/cards';
import { type Connector, type Member, startConnector } from '../support/connector';
import { startTestApp, type TestApp } from '../support/stack';

const katherine: Member = { id: '29:1katherine-johnson', name: 'Katherine Johnson', aadObjectId: '00000000-0000-0000-0000-0000000000d4' };
const stranger: Member = { id: '29:1edsger-dijkstra', name: 'Edsger Dijkstra', aadObjectId: '00000000-0000-0000-0000-0000000000e5' };

let app: TestApp;
let connector: Connector;

beforeAll(async () => {
  connector = await startConnector([people.ada, people.grace, people.alan, katherine, stranger]);
  app = await startTestApp({ at: FIXTURE_DAY });
  // Ada and Alan installed Baton in their personal chats; Grace never did.
  for (const person of [people.ada, people.alan]) {
    await app.post({
      ...message(connector.url, person, ''),
      type: 'installationUpdate',
      action: 'add',
      conversation: { id: `a:personal-${person.name}`, conversationType: 'personal', tenantId: TENANT },
    });
  }
});
afterAll(async () => {
  await app?.close();
  await connector?.close();
});

const form = (formId: string, overrides: Record<string, unknown> = {}) => ({
  formId,
  summary: 'Payments retry logic is ready for QA',
  whatIsReady: 'Retry worker merged behind the payments-retry flag.',
  acceptanceCriteria:
    'All retry tests pass in CI\nA failed payment is retried 3 times within 10 minutes\nThe runbook has a section on the retry flag',
  links: 'https://github.com/contoso/payments/pull/42',
  effort: '4h',
  workState: 'ready',
  receiver: people.grace.aadObjectId,
  owner: people.alan.aadObjectId,
  stakeholders: katherine.aadObjectId,
  ...overrides,
});

async function create(overrides: Record<string, unknown> = {}, from: Member = people.ada) {
  const formId = crypto.randomUUID();
  const response = await app.post(
    cardAction(connector.url, from, 'handoff.create', form(formId, overrides), { replyToId: `msg-${formId}` }),
  );
  return { id: handoffIdForForm(TENANT, formId), formId, response };
}

const act = (who: Member, verb: string, data: Record<string, unknown>) => app.post(cardAction(connector.url, who, verb, data));
const verbsOf = (card: unknown) => [...JSON.stringify(card).matchAll(/"verb":"handoff\.(\w+)"/g)].map((m) => m[1]);
/** 1:1 messages Baton sent since `from`, as [conversation, headline]. */
const personalMessages = (from: number) =>
  connector.sent
    .slice(from)
    .filter((s) => s.conversationId.startsWith('a:personal-'))
    .map((s) => [s.conversationId.replace('a:personal-', ''), textsOf(s.activity.attachments?.[0]?.content)[0]]);

describe('each role sees its own card', () => {
  it('gives receiver, sender, owner, stakeholder and a stranger exactly their actions', async () => {
    const { id } = await create();
    const view = async (who: Member) => verbsOf((await act(who, 'handoff.refresh', { handoffId: id })).body.value);
    expect(await view(people.grace)).toEqual(['refresh', 'accept', 'requestChanges', 'ask', 'history', 'refresh']);
    // Edit and nudge are buttons on the card; work state (two buttons for the two states the work is not in, one with the blocker), reassign and cancel wait behind ShowCards.
    expect(await view(people.ada)).toEqual(['refresh', 'edit', 'setWorkState', 'setWorkState', 'cancel', 'history', 'refresh']);
    expect(await view(people.alan)).toEqual(['refresh', 'nudge', 'reassign', 'history', 'refresh']);
    expect(await view(katherine)).toEqual(['refresh', 'flagPriority', 'history', 'refresh']);
    expect(await view(stranger)).toEqual(['refresh', 'history', 'refresh']);
  });

  it('shows a handoff to someone without a role only in its own chat', async () => {
    const { id } = await create();
    const inItsChat = await act(stranger, 'handoff.history', { handoffId: id, show: true });
    expect(textsOf(inItsChat.body.value)).toContain('posted the handoff');
    const elsewhere = { conversation: { id: '19:another-chat@thread.v2', conversationType: 'groupChat', tenantId: TENANT } };
    for (const verb of ['handoff.refresh', 'handoff.history']) {
      const response = await app.post(cardAction(connector.url, stranger, verb, { handoffId: id }, elsewhere));
      expect(response.body).toMatchObject({ statusCode: 404, type: 'application/vnd.microsoft.error' });
    }
    // Its people may read it from anywhere (a card inserted from search, a 1:1 message).
    const asReceiver = await app.post(cardAction(connector.url, people.grace, 'handoff.refresh', { handoffId: id }, elsewhere));
    expect(textsOf(asReceiver.body.value)).toContain('Payments retry logic is ready for QA');
  });

  it('lists every role in refresh.userIds so Teams refreshes each view', async () => {
    const { response } = await create();
    expect(response.body.value.refresh.userIds).toEqual([people.grace.id, people.ada.id, people.alan.id, katherine.id]);
  });

  it('refuses an action forged by someone without the role and changes nothing', async () => {
    const { id } = await create();
    const forged = await act(stranger, 'handoff.flagPriority', { handoffId: id, priority: 'urgent', priorityReason: 'I say so' });
    expect(textsOf(forged.body.value)).toContain('Only stakeholders can do that on this handoff.');
    const closeEarly = await act(people.alan, 'handoff.close', { handoffId: id });
    expect(textsOf(closeEarly.body.value)).toContain("This handoff is waiting for Grace Hopper's review.");
    expect(await app.countRows(id)).toMatchObject({ events: 1 });
  });
});

describe('the Resolve loop, to acceptance and close', () => {
  it('asks, answers, requests changes, resubmits with what changed, accepts with criteria and closes', async () => {
    const { id } = await create();
    let mark = connector.sent.length;

    const asked = await act(people.grace, 'handoff.ask', { handoffId: id, comment: 'Which flag name?' });
    expect(textsOf(asked.body.value)).toContain('Which flag name?');
    expect(personalMessages(mark)).toEqual([
      ['Ada Lovelace', 'Grace Hopper asked you a question about your handoff: answer it to give the review back.'],
    ]);
    expect(verbsOf((await act(people.ada, 'handoff.refresh', { handoffId: id })).body.value)).toContain('answer');

    mark = connector.sent.length;
    const logged = vi.spyOn(console, 'warn');
    const answered = await act(people.ada, 'handoff.answer', { handoffId: id, answer: 'payments-retry' });
    expect(textsOf(answered.body.value)).toContain('payments-retry');
    // Grace never installed Baton: her message cannot be delivered; it is kept as dead with the reason, and logged.
    expect(personalMessages(mark)).toEqual([]);
    expect(logged.mock.calls.map((c) => String(c[0]))).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^\\[warn\\] Outbox row cannot be delivered \\(handoffId=${id}, row=outbox_000003_002, kind=message, attempts=1, error=Grace Hopper has not installed Baton`,
        ),
      ),
    );
    logged.mockRestore();
    expect(
      (await app.stores.outbox.rows(id, BACKGROUND, { all: true })).filter((r) => r.effect.kind === 'message').map((r) => [r.key, r.state]),
    ).toContainEqual(['outbox_000003_002', 'dead']);

    mark = connector.sent.length;
    await act(people.grace, 'handoff.requestChanges', { handoffId: id, comment: 'Add the timeout test.' });
    expect(personalMessages(mark)).toEqual([['Ada Lovelace', 'Grace Hopper asked you for changes to your handoff: edit and resubmit it.']]);

    const edit = await act(people.ada, 'handoff.edit', { handoffId: id });
    expect(textsOf(edit.body.value)[0]).toBe('Edit handoff (becomes version 2)');
    // The change request sits on top of the edit form.
    expect(textsOf(edit.body.value)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Grace Hopper asked for changes \(.+\): $/), 'Add the timeout test.']),
    );
    const editValues = Object.fromEntries(findInputs(edit.body.value).map((i) => [i.id, i.value]));
    expect(editValues.summary).toBe('Payments retry logic is ready for QA');
    expect(Object.keys(editValues)).not.toContain('receiver');

    const unchanged = await act(people.ada, 'handoff.resubmit', { handoffId: id, formId: 'x', ...editValues });
    expect(textsOf(unchanged.body.value)).toContain('Nothing changed: edit a field before you resubmit.');

    const resubmitted = await act(people.ada, 'handoff.resubmit', {
      handoffId: id,
      formId: 'x',
      ...editValues,
      acceptanceCriteria: `${editValues.acceptanceCriteria}\nA timeout test covers the 10 minute window`,
    });
    // Ada's view of version 2: what it answers, and what changed.
    expect(textsOf(resubmitted.body.value)).toEqual(
      expect.arrayContaining([
        "Version 2 answers Grace Hopper's change request: ",
        'Add the timeout test. Changed: added one acceptance criterion.',
      ]),
    );
    expect(await app.handoff(id)).toMatchObject({ version: 2, status: 'inReview', acceptanceCriteria: { length: 4 } });
    // The receiver checks version 2 against what she asked.
    const v2ForGrace = await act(people.grace, 'handoff.refresh', { handoffId: id });
    expect(textsOf(v2ForGrace.body.value)).toEqual(
      expect.arrayContaining(['Version 2 answers your change request: ', 'Add the timeout test. Changed: added one acceptance criterion.']),
    );

    const missingNote = await act(people.grace, 'handoff.accept', {
      handoffId: id,
      criterion0: 'true',
      criterion1: 'true',
      criterion2: 'false',
      criterion3: 'true',
    });
    expect(textsOf(missingNote.body.value)).toContain('One acceptance criterion is not checked: add a note saying why you accept anyway.');
    // The ticks she set are still set.
    expect(
      findInputs(missingNote.body.value)
        .filter((i) => i.type === 'Input.Toggle')
        .map((i) => i.value),
    ).toEqual(['true', 'true', 'false', 'true']);

    mark = connector.sent.length;
    const accepted = await act(people.grace, 'handoff.accept', {
      handoffId: id,
      criterion0: 'true',
      criterion1: 'true',
      criterion2: 'false',
      criterion3: 'true',
      comment: 'Runbook comes next sprint.',
    });
    const acceptedTexts = textsOf(accepted.body.value);
    expect(acceptedTexts).toContain('☐ The runbook has a section on the retry flag');
    expect(acceptedTexts).toContain('☑ All retry tests pass in CI');
    expect(personalMessages(mark).sort()).toEqual([
      ['Ada Lovelace', 'Grace Hopper accepted your handoff.'],
      ['Alan Turing', 'Grace Hopper accepted the handoff you own: close it once its work is done.'],
    ]);

    const closed = await act(people.alan, 'handoff.close', { handoffId: id });
    expect(textsOf(closed.body.value)).toContain('Closed');
    const history = await app.history(id);
    expect(history.map((e) => e.type)).toEqual([
      'posted',
      'questionAsked',
      'answered',
      'changesRequested',
      'resubmitted',
      'accepted',
      'closed',
    ]);
    // What the weekly metrics read: one clarification, one change request, accepted at version 2.
    expect(history.filter((e) => e.type === 'accepted').map((e) => e.version)).toEqual([2]);
  });

  it("writes the history's times for each viewer's client to show in its own zone", async () => {
    const { id } = await create();
    const history = (localTimezone: string, extra: Record<string, unknown> = {}) =>
      app.post(cardAction(connector.url, people.grace, 'handoff.history', { handoffId: id, show: true }, { localTimezone, ...extra }));
    const posted = (await app.history(id))[0]!.at;
    // One card for every zone, even one Intl does not know: the client turns DATE and TIME into its viewer's zone and language.
    for (const answer of [await history('Europe/Berlin'), await history('UTC'), await history('Mars/Olympus', { entities: [] })]) {
      // Written out: the instant with seconds and no fraction, as the renderers' DATE/TIME need it.
      const at = posted.replace(/\.\d{3}Z$/, 'Z');
      expect(textsOf(answer.body.value)).toContain(`{{DATE(${at}, SHORT)}} {{TIME(${at})}}`);
      expect(textsOf(answer.body.value)).toContain('posted the handoff');
    }
  });
});

describe('owner and stakeholders', () => {
  it('lets the owner reassign (telling the new receiver) and nudge the ball holder', async () => {
    const { id } = await create({ receiver: katherine.aadObjectId, owner: people.alan.aadObjectId, stakeholders: '' });
    let mark = connector.sent.length;
    const reassigned = await act(people.alan, 'handoff.reassign', { handoffId: id, newReceiver: people.grace.aadObjectId });
    expect(textsOf(reassigned.body.value)).toContain('<at>Grace Hopper</at>, this handoff is for you to review.');
    expect(personalMessages(mark)).toEqual([]); // Grace has no personal chat
    const mine = await app.stores.people.handoffsOf(TENANT, people.grace.aadObjectId, 1000, BACKGROUND);
    expect(mine.map((r) => r.handoffId)).toContain(id);

    await act(people.grace, 'handoff.ask', { handoffId: id, comment: 'Where is the PR?' });
    mark = connector.sent.length;
    const nudged = await act(people.alan, 'handoff.nudge', { handoffId: id });
    expect(personalMessages(mark)).toEqual([
      ['Ada Lovelace', 'Alan Turing, the owner, nudged you: your answer to the question waits on you.'],
    ]);
    // The card says what happened, and that the next nudge waits an hour.
    expect(textsOf(nudged.body.value)).toContain('Nudged Ada Lovelace');
    expect(JSON.stringify(nudged.body.value)).toMatch(
      /"title":"Nudge again after [^"]+","verb":"handoff\.nudge","data":\{[^}]*\},"isEnabled":false/,
    );
    const again = await act(people.alan, 'handoff.nudge', { handoffId: id });
    expect(textsOf(again.body.value)).toContain('Ada Lovelace was nudged less than a minute ago; you can nudge again an hour after that.');
    expect(personalMessages(mark)).toHaveLength(1);
  });

  it("says on the owner's card when the person nudged never installed Baton, and tells nobody", async () => {
    const { id } = await create();
    const mark = connector.sent.length;
    const nudged = await act(people.alan, 'handoff.nudge', { handoffId: id });
    expect(textsOf(nudged.body.value)).toEqual(
      expect.arrayContaining(['Not told of the nudge: ', 'Grace Hopper has not installed Baton.']),
    );
    expect(personalMessages(mark)).toEqual([]);
    expect((await app.history(id)).at(-1)).toMatchObject({
      type: 'nudged',
      detail: 'Grace Hopper, who has not installed Baton and was not told',
    });
  });

  it("reads the chat's member list once per reassign, though both the check and the owner's card need it", async () => {
    const { id } = await create();
    const before = connector.memberReads;
    await act(people.alan, 'handoff.reassign', { handoffId: id, newReceiver: people.ada.aadObjectId });
    expect(connector.memberReads - before).toBe(1);
  });

  it('lets a stakeholder flag a priority change with a reason', async () => {
    const { id } = await create();
    const noReason = await act(katherine, 'handoff.flagPriority', { handoffId: id, priority: 'urgent', priorityReason: ' ' });
    expect(textsOf(noReason.body.value)).toContain('Say why the priority changes: a reason is required.');
    const mark = connector.sent.length;
    const flagged = await act(katherine, 'handoff.flagPriority', { handoffId: id, priority: 'urgent', priorityReason: 'Black Friday' });
    expect(textsOf(flagged.body.value)).toEqual(
      expect.arrayContaining(['In review · Urgent', 'Priority flagged urgent by you: ', 'Black Friday']),
    );
    expect((await app.history(id)).at(-1)).toMatchObject({ type: 'priorityFlagged', comment: 'Black Friday', detail: 'normal -> urgent' });
    // The owner is told (the receiver, Grace, never installed Baton).
    expect(personalMessages(mark)).toEqual([['Alan Turing', 'Katherine Johnson flagged the priority as urgent.']]);
  });

  it('lets the sender block the work and cancel', async () => {
    const { id } = await create();
    const noBlocker = await act(people.ada, 'handoff.setWorkState', { handoffId: id, workState: 'blocked', blocker: '' });
    expect(textsOf(noBlocker.body.value)).toContain('Name what blocks this work.');
    await act(people.ada, 'handoff.setWorkState', { handoffId: id, workState: 'blocked', blocker: 'Staging is down' });
    expect((await app.history(id)).at(-1)).toMatchObject({
      type: 'workStateChanged',
      workState: 'blocked',
      detail: 'Blocked: Staging is down',
    });
    const noReason = await act(people.ada, 'handoff.cancel', { handoffId: id, reason: ' ' });
    expect(textsOf(noReason.body.value)).toContain('Say why you cancel: the receiver and the owner are told.');
    const mark = connector.sent.length;
    const cancelled = await act(people.ada, 'handoff.cancel', { handoffId: id, reason: 'The gateway is being replaced.' });
    expect(textsOf(cancelled.body.value)).toEqual(
      expect.arrayContaining(['Cancelled', 'Cancelled by you.', 'Why it was cancelled: ', 'The gateway is being replaced.']),
    );
    expect(personalMessages(mark)).toEqual([['Alan Turing', 'Ada Lovelace cancelled the handoff.']]);
    const late = await act(people.grace, 'handoff.accept', { handoffId: id, criterion0: 'true', criterion1: 'true', criterion2: 'true' });
    expect(textsOf(late.body.value).some((t) => t.startsWith('This handoff was cancelled by Ada Lovelace'))).toBe(true);
  });
});

describe('the form warns, and knows late handoffs', () => {
  it('warns about vague criteria, no links and no effort without blocking, and posts on "Post anyway"', async () => {
    const formId = crypto.randomUUID();
    const vague = form(formId, { acceptanceCriteria: 'Works', links: '', effort: '' });
    const warned = await app.post(cardAction(connector.url, people.ada, 'handoff.create', vague));
    const texts = textsOf(warned.body.value);
    expect(texts).toContain('• "Works" is not measurable (a single word): say what the receiver will check.');
    expect(texts).toContain('• No links: add the PR, ticket or document the receiver will need.');
    expect(verbsOf(warned.body.value)).toEqual(['create', 'create']);
    expect(await app.stores.handoffs.read(handoffIdForForm(TENANT, formId), BACKGROUND)).toBeUndefined();
    await app.post(cardAction(connector.url, people.ada, 'handoff.create', { ...vague, confirmed: true }));
    expect((await app.stores.handoffs.read(handoffIdForForm(TENANT, formId), BACKGROUND))?.handoff.acceptanceCriteria).toEqual(['Works']);
  });

  it('warns before posting a handoff that will be late, then marks it late on the card and in its history', async () => {
    // The day after the fixtures' own (their localTimestamp is the form's today).
    const tomorrow = new Date(Date.parse(FIXTURE_DAY) + 24 * 3600 * 1000).toISOString().slice(0, 10);
    const { id, response: warned } = await create({ effort: '3w', neededBy: tomorrow });
    const hint = textsOf(warned.body.value).find((t) => t.startsWith('• It will be late: '));
    expect(hint).toMatch(
      new RegExp(
        `^• It will be late: Grace Hopper has (no working time|[\\w ]+) before the end of ${formatDay(tomorrow, new Date(FIXTURE_DAY))}, and it needs 15 working days\\. Move the date, or say so to them\\.$`,
      ),
    );
    expect(await app.handoff(id))?.toBeUndefined();
    const { id: lateId, response } = await create({ effort: '3w', neededBy: tomorrow, confirmed: true });
    expect(textsOf(response.body.value)).toEqual(
      expect.arrayContaining(['Posted late: ', `less than 15 working days before ${formatDay(tomorrow, new Date(FIXTURE_DAY))}.`]),
    );
    expect((await app.history(lateId))[0]?.detail).toBe('posted inside the minimum lead time');
    const { response: onTime } = await create({ effort: '30m', neededBy: '2099-01-01' });
    expect(textsOf(onTime.body.value).some((t) => t.startsWith('Posted late'))).toBe(false);
  });
});

describe('mine', () => {
  it('lists my open handoffs grouped by what waits on me', async () => {
    const toReview = await create({ receiver: people.ada.aadObjectId, summary: 'Ada reviews this one' }, people.alan);
    const toAnswer = await create({ summary: 'Grace asks about this one' });
    await act(people.grace, 'handoff.ask', { handoffId: toAnswer.id, comment: 'Why?' });
    const mark = connector.sent.length;
    await app.post(
      message(connector.url, people.ada, 'mine', {
        conversation: { id: 'a:personal-Ada Lovelace', conversationType: 'personal', tenantId: TENANT },
      }),
    );
    const card = connector.sent.slice(mark).find((s) => s.activity.attachments)?.activity.attachments?.[0]?.content;
    const texts = textsOf(card);
    expect(texts[0]).toBe('Your open handoffs');
    /** A group's items, as [summary, who waits on whom · when it is due] (each item here has a step due). */
    const group = (title: string) => {
      const start = texts.findIndex((t) => t.startsWith(`${title} (`));
      const end = texts.findIndex((t, i) => i > start && /^[A-Z][a-z ]+ \(\d+\)$/.test(t));
      const items = texts.slice(start + 1, end === -1 ? undefined : end);
      return Array.from({ length: items.length / 3 }, (_, i) => [items[3 * i], `${items[3 * i + 1]} · ${items[3 * i + 2]}`]);
    };
    // Each says when its step is due (the client writes the instant in its viewer's zone), in the working time of whoever holds the ball: Ada's own is "your".
    const due = (whose: string) =>
      `due \\{\\{DATE\\([^)]+\\)\\}\\} \\{\\{TIME\\([^)]+\\)\\}\\} \\(in [0-9a-z ]+ of ${whose} working time\\)$`;
    expect(group('To review')).toContainEqual([
      'Ada reviews this one',
      expect.stringMatching(new RegExp(`^From Alan Turing · just now · ${due('your')}`)),
    ]);
    expect(group('To answer')).toContainEqual([
      'Grace asks about this one',
      expect.stringMatching(new RegExp(`^Grace Hopper asked you a question · just now · ${due('your')}`)),
    ]);
    expect(group('Waiting on others')).toContainEqual([
      'Payments retry logic is ready for QA',
      expect.stringMatching(new RegExp(`^Waiting on Grace Hopper to review · just now · ${due("Grace's")}`)),
    ]);
    expect(toReview.id).not.toBe(toAnswer.id);
  });
});
