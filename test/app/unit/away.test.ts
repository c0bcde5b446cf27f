/**
 * Time away (issue 25) on the in-memory stores: the away check sees Grace's
 * automatic replies, moves her review's due time, tells its owner once inside
 * his working hours with Reassign (her successor filled in) and Keep waiting;
 * a review handed to her successor when she asked; one message on her return;
 * the overdue check never nudges someone away; the form says who is away.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type AwayReport, awayActions, awayCheck, awayPrivately } from '../../../src/app/away';
import { createHandoff, handoffActions, handoffIdForForm } from '../../../src/app/handoffs';
import { overdueCheck } from '../../../src/app/overdue';
import { type Answer, BACKGROUND, type Caller } from '../../../src/app/ports';
import type { AdaptiveCard } from '../../../src/cards/render';
import { VERBS } from '../../../src/cards/verbs';
import type { AutomaticReplies } from '../../../src/domain/away';
import type { Person } from '../../../src/domain/handoff';
import { DEFAULT_WORKING_HOURS, type WorkingHours } from '../../../src/domain/working-hours';
import { findInputs, nodesOfType, textsOf } from '../../support/cards';
import { ada, alan, barbara, grace, hedy } from '../../support/builders';
import { callerFor, type MemoryApp, memoryApp } from '../../support/memory-app';

const MEMBERS = [ada, grace, alan, barbara, hedy];
const b = BACKGROUND;
const week = (timeZone: string): WorkingHours => ({ ...DEFAULT_WORKING_HOURS, timeZone });
/** Grace works in Kolkata, Alan (the owner) in New York, everyone else 09:00-17:00 UTC. */
const HOURS = new Map([
  [grace.aadObjectId, week('Asia/Kolkata')],
  [alan.aadObjectId, week('America/New_York')],
]);
/** Away from Friday 11 December 12:00 to Wednesday 16 December 09:00, Kolkata time, as her automatic replies say. */
const FRIDAY_TO_WEDNESDAY: AutomaticReplies = { status: 'scheduled', start: '2026-12-11T06:30:00.000Z', end: '2026-12-16T03:30:00.000Z' };

let m: MemoryApp;
let replies: Map<string, AutomaticReplies>;

beforeEach(async () => {
  replies = new Map();
  await startWith([ada, grace, alan, hedy]);
});

/** A fresh app on Thursday 10 December 2026, 15:00 in Kolkata, where these people installed Baton. */
async function startWith(installed: readonly Person[]): Promise<void> {
  m = memoryApp({ at: '2026-12-10T09:30:00.000Z', hours: HOURS, replies });
  for (const p of installed)
    await m.stores.chats.save(
      {
        tenantId: 't1',
        aadObjectId: p.aadObjectId,
        userId: p.userId,
        conversationId: `a:${p.name}`,
        serviceUrl: 'https://smba.example/',
        botId: '28:b',
      },
      b,
    );
}

function form(formId: string, overrides: Record<string, unknown> = {}) {
  return {
    formId,
    summary: 'Payments retry logic is ready for QA',
    whatIsReady: 'Retry worker merged behind the payments-retry flag.',
    acceptanceCriteria: 'All retry tests pass in CI',
    assumptions: '',
    links: 'https://github.com/contoso/payments/pull/42',
    effort: '',
    workState: 'ready',
    blocker: '',
    neededBy: '',
    receiver: grace.aadObjectId,
    owner: alan.aadObjectId,
    stakeholders: '',
    priority: 'normal',
    confirmed: true,
    ...overrides,
  };
}

/** Ada hands Grace the payments review (Alan owns it): due Friday 15:00 in Kolkata. */
async function post(formId: string = crypto.randomUUID()): Promise<string> {
  const created = await createHandoff(
    m.app,
    callerFor(ada, { members: MEMBERS, replyToId: `form-${formId}` }),
    form(formId),
    'replaceForm',
  );
  expect(created.outcome).toBe('created');
  await m.app.deliveries.idle();
  return handoffIdForForm('t1', formId);
}

async function verb(
  who: Person,
  name: string,
  data: Record<string, unknown>,
  caller: Caller = callerFor(who, { members: MEMBERS }),
): Promise<Answer> {
  const action = awayActions[name] ?? handoffActions[name]!;
  const answer = await action.run(m.app, caller, action.data.parse(data));
  await m.app.deliveries.idle();
  return answer;
}
const cardOf = (answer: Answer) => {
  if (!('card' in answer)) throw new Error(`expected a card, got ${JSON.stringify(answer)}`);
  return answer.card;
};

async function check(): Promise<AwayReport> {
  const report = await awayCheck(m.app);
  await m.app.deliveries.idle();
  return report;
}
const stored = async (id: string) => (await m.stores.handoffs.read(id, b))!.handoff;
const history = async (id: string) => (await m.stores.handoffs.history(id, b)).map((e) => [e.type, e.actor.name, e.detail]);
/** The 1:1 cards a person got, in order. */
const cardsTo = (p: Person): AdaptiveCard[] =>
  m.sent.filter((s) => s.method === 'post' && s.to.conversationId === `a:${p.name}`).map((s) => s.card);
const headlines = (p: Person) => cardsTo(p).map((c) => textsOf(c)[0]);
/** An Action.Execute's data in a card, by verb. */
const actionData = (card: unknown, verbName: string) =>
  nodesOfType(card, 'Action.Execute')
    .filter((a) => a.verb === verbName)
    .map((a) => a.data as Record<string, unknown>);
const inputs = findInputs;

describe('Grace goes away by her automatic replies', () => {
  it('moves her review past the absence, never nudges her, and tells Alan once inside his hours with Reassign to her successor', async () => {
    const id = await post();
    expect((await stored(id)).clock?.dueAt).toBe('2026-12-11T09:30:00.000Z');
    // Grace names Hedy as her successor (owners choose).
    cardOf(await verb(grace, VERBS.awaySave, { awayFrom: '', awayUntil: '', successor: hedy.aadObjectId, handOver: 'false' }));

    // She turns her replies on; the check after 12:00 in Kolkata sees it.
    replies.set(grace.aadObjectId, FRIDAY_TO_WEDNESDAY);
    m.at('2026-12-11T06:45:00.000Z');
    expect(await check()).toMatchObject({ changed: 1, moved: 1, announced: 1, sent: 0 });
    const moved = await stored(id);
    // Thursday 2h and Friday 09:00-12:00 used: the 3h left run from Wednesday 09:00.
    expect(moved.clock?.dueAt).toBe('2026-12-16T06:30:00.000Z');
    expect((await history(id)).at(-1)).toEqual([
      'away',
      'Baton',
      "Grace Hopper is away until Wed 16 Dec; Grace Hopper's review is due Wed 16 Dec, 12:00 Kolkata time",
    ]);
    // 01:45 in New York: Alan's message waits for his working hours.
    expect(headlines(alan)).toEqual([]);

    // The old due time passes: nobody is nudged.
    m.at('2026-12-11T09:31:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ overdue: 0, escalate: 0 });
    await m.app.deliveries.idle();

    m.at('2026-12-11T14:00:00.000Z'); // 09:00 in New York
    expect(await check()).toMatchObject({ sent: 1 });
    expect(headlines(alan)).toEqual(['Grace Hopper is away until Wed 16 Dec: a handoff you own waits on Grace.']);
    const message = cardsTo(alan)[0]!;
    expect(textsOf(message)).toEqual(
      expect.arrayContaining([
        'Grace named Hedy Lamarr to take over while away: Reassign hands a review to Hedy.',
        'Review · due Wed 16 Dec, 01:30 New York time',
      ]),
    );
    // Reassign to Hedy in one click, or to anyone with the picker; and Keep waiting.
    expect(actionData(message, VERBS.awayReassign)).toEqual([
      expect.objectContaining({ to: hedy.aadObjectId }),
      expect.objectContaining({ input: 'newReceiver_0' }),
    ]);
    expect(inputs(message)).toEqual([expect.objectContaining({ id: 'newReceiver_0', isRequired: true })]);
    expect(actionData(message, VERBS.awayKeepWaiting)).toHaveLength(1);
    // Once: the next checks send nothing more.
    m.at('2026-12-11T14:15:00.000Z');
    await check();
    m.at('2026-12-14T14:15:00.000Z');
    await check();
    expect(headlines(alan)).toHaveLength(1);
    expect(headlines(grace)).toEqual([]);

    // He first chooses to keep waiting, then changes his mind.
    const [keep] = actionData(message, VERBS.awayKeepWaiting);
    expect(textsOf(cardOf(await verb(alan, VERBS.awayKeepWaiting, keep!)))).toContain('You keep waiting for Grace.');
    // Alan reassigns from the message: the usual reassignment, in the history, and Hedy's usual 1:1.
    const [toHedy] = actionData(message, VERBS.awayReassign);
    const answered = cardOf(await verb(alan, VERBS.awayReassign, toHedy!));
    expect(textsOf(answered)).toContain('Handed to Hedy Lamarr by you.');
    // What became of it says it all: the earlier answer no longer stands beside it.
    expect(textsOf(answered)).not.toContain('You keep waiting for Grace.');
    expect(await stored(id)).toMatchObject({ receiver: { name: 'Hedy Lamarr' }, reassigned: { whileAway: true } });
    expect((await history(id)).at(-1)).toEqual(['reassigned', 'Alan Turing', 'to Hedy Lamarr while Grace Hopper is away']);
    expect(headlines(hedy)).toEqual(['Alan Turing handed this handoff to you to review while Grace Hopper is away.']);

    // Back on Wednesday: one message with what was handed on.
    m.at('2026-12-16T03:45:00.000Z');
    expect(await check()).toMatchObject({ returned: 1, sent: 1 });
    expect(headlines(grace)).toEqual(['Welcome back, Grace. While you were away, one handoff was handed on:']);
    expect(textsOf(cardsTo(grace)[0])).toContain('To Hedy Lamarr, by Alan Turing.');
    await check();
    expect(headlines(grace)).toHaveLength(1);
  });

  it('draws the card again when her absence ends by its own date, once, so it stops saying she is away', async () => {
    const id = await post();
    replies.set(grace.aadObjectId, FRIDAY_TO_WEDNESDAY);
    m.at('2026-12-11T14:00:00.000Z');
    await check();
    expect((await history(id)).at(-1)).toEqual(['away', 'Baton', expect.stringMatching(/^Grace Hopper is away until /)]);
    // Wednesday 09:05 in Kolkata: her replies say nothing new, the absence is simply over.
    m.at('2026-12-16T03:35:00.000Z');
    expect(await check()).toMatchObject({ returned: 1 });
    expect((await history(id)).at(-1)).toEqual(['back', 'Baton', expect.stringMatching(/^Grace Hopper is back; .+ 12:00 Kolkata time$/)]);
    const events = (await history(id)).length;
    await check();
    expect(await history(id)).toHaveLength(events);
  });

  it('says on the card that the owner was not told she is away, while she is, when he never installed Baton', async () => {
    await startWith([ada, grace, hedy]);
    const id = await post();
    replies.set(grace.aadObjectId, FRIDAY_TO_WEDNESDAY);
    m.at('2026-12-11T14:00:00.000Z');
    await check();
    expect(cardsTo(alan)).toEqual([]);
    expect((await stored(id)).awayUntold).toMatchObject({ owner: { name: 'Alan Turing' }, away: { name: 'Grace Hopper' } });
    const shared = m.sent.filter((s) => s.method === 'update').at(-1)!.card;
    expect(textsOf(shared)).toEqual(
      expect.arrayContaining(['Not told that Grace Hopper is away: ', 'Alan Turing has not installed Baton.']),
    );
    // Back: the line is gone with the absence.
    m.at('2026-12-16T03:35:00.000Z');
    await check();
    expect(textsOf(m.sent.filter((s) => s.method === 'update').at(-1)!.card)).not.toContain('Not told that Grace Hopper is away: ');
  });

  it("refuses the owner's nudge while she is away, and offers none on his card", async () => {
    const id = await post();
    replies.set(grace.aadObjectId, FRIDAY_TO_WEDNESDAY);
    m.at('2026-12-11T14:00:00.000Z');
    await check();
    const answer = await verb(alan, VERBS.nudge, { handoffId: id });
    expect(JSON.stringify(answer)).toContain(
      'Grace Hopper is away, so Baton nudges nobody until they are back: reassign the review, or keep waiting.',
    );
    expect((await stored(id)).lastNudge).toBeUndefined();
    expect(actionData(cardOf(answer), VERBS.nudge)).toEqual([]);
  });

  it('keeps waiting when Alan says so: the message says it, and she is nudged only after her return, inside her hours', async () => {
    const id = await post();
    replies.set(grace.aadObjectId, FRIDAY_TO_WEDNESDAY);
    m.at('2026-12-11T14:00:00.000Z');
    await check();
    const message = cardsTo(alan)[0]!;
    // No successor named: Reassign opens the picker.
    expect(actionData(message, VERBS.awayReassign)).toEqual([expect.objectContaining({ input: 'newReceiver_0' })]);
    const [keep] = actionData(message, VERBS.awayKeepWaiting);
    // Only the message's reader can answer it.
    expect(await verb(ada, VERBS.awayKeepWaiting, keep!)).toMatchObject({ error: { status: 404 } });
    const kept = cardOf(await verb(alan, VERBS.awayKeepWaiting, keep!));
    expect(textsOf(kept)).toContain('You keep waiting for Grace.');
    expect(actionData(kept, VERBS.awayKeepWaiting)).toEqual([]);

    // Her review falls due on Wednesday at noon, Kolkata time: the nudge goes then, not before.
    m.at('2026-12-16T06:29:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ overdue: 0 });
    m.at('2026-12-16T06:31:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ overdue: 1 });
    await m.app.deliveries.idle();
    expect(headlines(grace)).toEqual(['Your review of this handoff was due Wed 16 Dec, 12:00 Kolkata time.']);
    expect((await stored(id)).lastNudge?.to.name).toBe('Grace Hopper');
  });

  it('hands her reviews to her successor at once when she asked, as a reassignment by her, and tells the owner what became of them', async () => {
    const id = await post();
    cardOf(await verb(grace, VERBS.awaySave, { awayFrom: '', awayUntil: '', successor: hedy.aadObjectId, handOver: 'true' }));
    replies.set(grace.aadObjectId, FRIDAY_TO_WEDNESDAY);
    m.at('2026-12-11T14:00:00.000Z');
    expect(await check()).toMatchObject({ announced: 1, handedOver: 1, sent: 1 });
    expect(await stored(id)).toMatchObject({ receiver: { name: 'Hedy Lamarr' }, status: 'inReview' });
    expect((await history(id)).at(-1)).toEqual(['reassigned', 'Grace Hopper', 'to Hedy Lamarr while Grace Hopper is away']);
    expect(headlines(hedy)).toEqual(['Grace Hopper is away and handed this handoff to you to review.']);
    // Hedy's review starts now, in her own working time: due Monday 13:00 UTC (Friday 14:00-17:00, Monday 09:00-14:00).
    expect((await stored(id)).clock).toMatchObject({ holder: { name: 'Hedy Lamarr' }, dueAt: '2026-12-14T14:00:00.000Z' });
    expect(headlines(alan)).toEqual(['Grace Hopper is away until Wed 16 Dec: nothing you own waits on Grace any more.']);
    expect(textsOf(cardsTo(alan)[0])).toContain('Handed to Hedy Lamarr, as Grace asked.');
    expect(actionData(cardsTo(alan)[0], VERBS.awayReassign)).toEqual([]);

    m.at('2026-12-16T03:45:00.000Z');
    await check();
    expect(textsOf(cardsTo(grace)[0])).toContain('To Hedy Lamarr, as you asked.');
  });

  it('never hands a review to its own sender, nor offers them', async () => {
    const id = await post();
    cardOf(await verb(grace, VERBS.awaySave, { awayFrom: '', awayUntil: '', successor: ada.aadObjectId, handOver: 'true' }));
    replies.set(grace.aadObjectId, FRIDAY_TO_WEDNESDAY);
    m.at('2026-12-11T14:00:00.000Z');
    expect(await check()).toMatchObject({ announced: 1, handedOver: 0, sent: 1 });
    expect((await stored(id)).receiver.name).toBe('Grace Hopper');
    expect(actionData(cardsTo(alan)[0], VERBS.awayReassign).map((d) => d.to)).toEqual([undefined]);
  });
});

describe('away with no return date (automatic replies always on)', () => {
  it('stops the clock, tells the owner, and counts the rest from when the replies go off', async () => {
    const id = await post();
    replies.set(grace.aadObjectId, { status: 'alwaysEnabled' });
    m.at('2026-12-11T06:30:00.000Z'); // Friday 12:00 in Kolkata
    await check();
    const waiting = await stored(id);
    expect(waiting.clock?.dueAt).toBeUndefined();
    expect(waiting.wakeAt).toBeUndefined();
    expect((await history(id)).at(-1)?.[2]).toBe(
      "Grace Hopper is away with no return date set; Grace Hopper's review waits for the return",
    );

    m.at('2026-12-11T14:00:00.000Z');
    await check();
    expect(headlines(alan)).toEqual(['Grace Hopper is away with no return date set: a handoff you own waits on Grace.']);
    expect(textsOf(cardsTo(alan)[0])).toContain('Review · due once they are back');

    // A week later she turns them off, on Friday 18 December at 12:00 in Kolkata: 3h left, due 15:00.
    m.at('2026-12-18T06:30:00.000Z');
    replies.set(grace.aadObjectId, { status: 'disabled' });
    expect(await check()).toMatchObject({ returned: 1, moved: 1 });
    expect((await stored(id)).clock?.dueAt).toBe('2026-12-18T09:30:00.000Z');
    expect((await history(id)).at(-1)?.slice(0, 2)).toEqual(['back', 'Baton']);
    // Nothing was handed on: no message on her return.
    expect(headlines(grace)).toEqual([]);
  });
});

describe('the owner away', () => {
  it('moves the escalation past his absence, and sends it the moment he is back at work', async () => {
    const id = await post();
    // Alan is away Monday 14 and Tuesday 15 December, New York days.
    cardOf(await verb(alan, VERBS.awaySave, { awayFrom: '2026-12-14', awayUntil: '2026-12-16', successor: '', handOver: 'false' }));
    // Grace's review: due Friday 15:00 IST, nudged then; its escalation, a goal later (Monday 15:00 IST), waits for Alan's return.
    m.at('2026-12-11T09:31:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ overdue: 1 });
    await m.app.deliveries.idle();
    expect((await stored(id)).wakeAt).toBe('2026-12-16T14:00:00.000Z');
    m.at('2026-12-14T14:00:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ escalate: 0 });
    expect(headlines(alan)).toEqual([]);
    m.at('2026-12-16T14:00:00.000Z'); // Wednesday 09:00 in New York
    expect(await overdueCheck(m.app)).toMatchObject({ escalate: 1 });
    await m.app.deliveries.idle();
    expect(headlines(alan)).toEqual([
      expect.stringMatching(/^Grace Hopper's review was due Fri 11 Dec, 04:30 New York time and is now escalated to you\.$/),
    ]);
  });
});

describe('a reminder already written', () => {
  it('waits while its reader turns out to be away, and goes once they are back, inside their hours', async () => {
    await post();
    // The check runs late on Friday, after Grace's day in Kolkata: her nudge waits for Monday 09:00 there.
    m.at('2026-12-11T12:00:00.000Z');
    expect(await overdueCheck(m.app)).toMatchObject({ overdue: 1 });
    await m.app.deliveries.idle();
    // Over the weekend she tells Baton she is away Monday and Tuesday.
    m.at('2026-12-12T10:00:00.000Z');
    cardOf(await verb(grace, VERBS.awaySave, { awayFrom: '2026-12-14', awayUntil: '2026-12-16', successor: '', handOver: 'false' }));
    m.at('2026-12-14T03:30:00.000Z');
    await m.app.deliveries.sweep();
    m.at('2026-12-15T08:00:00.000Z');
    await m.app.deliveries.sweep();
    expect(headlines(grace)).toEqual([]);
    m.at('2026-12-16T03:30:00.000Z'); // Wednesday 09:00 in Kolkata
    await m.app.deliveries.sweep();
    expect(headlines(grace)).toEqual(['Your review of this handoff was due Fri 11 Dec, 15:00 Kolkata time.']);
  });
});

describe("the away card: a person's own absence and successor", () => {
  it('saves an absence told to Baton and a successor, refuses to name themselves, and I am back ends it', async () => {
    const mine = callerFor(grace, { members: MEMBERS });
    const refused = cardOf(
      await verb(grace, VERBS.awaySave, { awayFrom: '', awayUntil: '', successor: grace.aadObjectId, handOver: 'false' }, mine),
    );
    expect(textsOf(refused)).toContain('Nothing was saved: Name someone else: you cannot take over your own reviews while you are away.');
    const saved = cardOf(
      await verb(
        grace,
        VERBS.awaySave,
        { awayFrom: '2026-12-14', awayUntil: '2026-12-16', successor: alan.aadObjectId, handOver: 'true' },
        mine,
      ),
    );
    expect(textsOf(saved)).toEqual(
      expect.arrayContaining([
        'You told Baton you are away from Mon 14 Dec until Wed 16 Dec. Alan Turing takes over your reviews while you are away, at once.',
      ]),
    );
    expect(await m.stores.away.get('t1', grace.aadObjectId, b)).toMatchObject({
      declared: { start: '2026-12-13T18:30:00.000Z', end: '2026-12-15T18:30:00.000Z' },
      successor: { name: 'Alan Turing' },
      handOver: true,
    });
    // Her hours now leave Monday and Tuesday out.
    const hours = await m.app.workingHours('t1', grace, b);
    expect(hours.away).toEqual([{ start: '2026-12-13T18:30:00.000Z', end: '2026-12-15T18:30:00.000Z' }]);
    const back = cardOf(await verb(grace, VERBS.awayBack, {}, mine));
    expect(textsOf(back)).toContain('Welcome back.');
    expect((await m.stores.away.get('t1', grace.aadObjectId, b))?.declared).toBeUndefined();
  });

  it('opens with no dates for someone not away, so naming only a successor declares no absence', async () => {
    const opened = await awayPrivately(m.app, {
      ...callerFor(grace, { members: MEMBERS }),
      conversation: { id: 'a:grace', serviceUrl: 'https://smba.example/', personal: true },
    });
    if (!('card' in opened)) throw new Error('expected the card in her personal chat');
    expect(textsOf(opened.card)[1]).toBe('You are not away.');
    expect(inputs(opened.card).map((i) => [i.id, i.value])).toEqual([
      ['awayFrom', ''],
      ['awayUntil', ''],
      ['successor', ''],
      ['handOver', 'false'],
    ]);
    cardOf(await verb(grace, VERBS.awaySave, { awayFrom: '', awayUntil: '', successor: hedy.aadObjectId, handOver: 'false' }));
    expect((await m.stores.away.get('t1', grace.aadObjectId, b))?.declared).toBeUndefined();
    expect((await m.app.workingHours('t1', grace, b)).away).toBeUndefined();
  });

  it('shows what her automatic replies say, and keeps no absence of its own for the same dates', async () => {
    replies.set(grace.aadObjectId, FRIDAY_TO_WEDNESDAY);
    const card = cardOf(
      await verb(grace, VERBS.awaySave, { awayFrom: '2026-12-11', awayUntil: '2026-12-16', successor: '', handOver: 'false' }),
    );
    expect(textsOf(card)[1]).toBe('Your automatic replies say you are away from Fri 11 Dec until Wed 16 Dec.');
    expect(
      inputs(card)
        .slice(0, 2)
        .map((i) => i.value),
    ).toEqual(['2026-12-11', '2026-12-16']);
    expect((await m.stores.away.get('t1', grace.aadObjectId, b))?.declared).toBeUndefined();
  });
});

describe('the form, when the receiver is away', () => {
  it('says so before posting, with the day she is back and when the review would be due, and offers her successor in one click', async () => {
    cardOf(await verb(grace, VERBS.awaySave, { awayFrom: '', awayUntil: '', successor: hedy.aadObjectId, handOver: 'false' }));
    replies.set(grace.aadObjectId, FRIDAY_TO_WEDNESDAY);
    m.at('2026-12-11T08:00:00.000Z');
    const caller = callerFor(ada, { members: MEMBERS, replyToId: 'form-away' });
    const formId = crypto.randomUUID();
    const shown = await createHandoff(m.app, caller, form(formId, { confirmed: false }), 'replaceForm');
    if (shown.outcome !== 'form') throw new Error(`expected the form, got ${shown.outcome}`);
    expect(textsOf(shown.card)).toEqual(
      expect.arrayContaining([
        'Before you post: someone on it is away.',
        '• Grace Hopper is away until Wed 16 Dec; the review would be due Wed 16 Dec, 11:30 UTC.',
      ]),
    );
    const [useHedy] = actionData(shown.card, VERBS.createHandoff).filter((d) => d.useReceiver);
    expect(useHedy).toMatchObject({ formId, confirmed: true, useReceiver: hedy.aadObjectId, useOwner: '' });
    // "Post anyway" is there too: it never blocks.
    expect(actionData(shown.card, VERBS.createHandoff).filter((d) => d.confirmed && !d.useReceiver)).toHaveLength(1);

    const created = await createHandoff(
      m.app,
      caller,
      { ...form(formId, { confirmed: false }), ...useHedy, confirmed: true } as never,
      'replaceForm',
    );
    expect(created.outcome).toBe('created');
    expect((await stored(handoffIdForForm('t1', formId))).receiver.name).toBe('Hedy Lamarr');
  });
});
