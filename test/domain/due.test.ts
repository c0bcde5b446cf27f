/**
 * Due times (issue 10), with exact instants: each step's goal in the working
 * time of whoever holds the ball, across a weekend, a daylight-saving change
 * and time zones; the review clock pausing and resuming; what the overdue
 * check does, once each; who is told what.
 */
import { describe, expect, it } from 'vitest';
import {
  applyDue,
  DEFAULT_DUE_POLICY,
  dueActivityId,
  dueClause,
  dueNow,
  dueView,
  escalateAt,
  isOverdue,
  MAX_CYCLES,
  nextDueState,
  pendingActions,
  settleDue,
  waitingSince,
} from '../../src/domain/due';
import {
  BATON,
  type Handoff,
  type HandoffEvent,
  type HandoffFields,
  type Person,
  postHandoff,
  type Priority,
} from '../../src/domain/handoff';
import { remindersFor } from '../../src/domain/notifications';
import { apply, type Command } from '../../src/domain/process';
import { formatWhen } from '../../src/domain/time-format';
import { DEFAULT_WORKING_HOURS, type WorkingHours } from '../../src/domain/working-hours';
import { ada, alan, barbara, grace, hedy, FIELDS as SHARED_FIELDS } from '../support/builders';

// Ada sends, Grace receives, Alan owns, Barbara follows; Hedy is a second receiver.

const UTC = DEFAULT_WORKING_HOURS;
const NEW_YORK: WorkingHours = {
  days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
  start: '09:00',
  end: '17:00',
  timeZone: 'America/New_York',
};
const KOLKATA: WorkingHours = { ...NEW_YORK, timeZone: 'Asia/Kolkata' };

const FIELDS: HandoffFields = {
  ...SHARED_FIELDS,
  acceptanceCriteria: ['All retry tests pass in CI'],
  assumptions: '',
  links: [],
  neededBy: undefined,
};

type Hours = Partial<Record<'ada' | 'grace' | 'alan' | 'hedy', WorkingHours>>;
const mapOf = (hours: Hours) =>
  new Map(Object.entries({ ada: UTC, grace: UTC, alan: UTC, hedy: UTC, ...hours }).map(([k, v]) => [`aad-${k}`, v]));

/** A handoff posted at `at`, with its due state as the app stores it. */
function posted(at: string, options: { priority?: Priority; hours?: Hours; neededBy?: string; owner?: Person } = {}): Handoff {
  const { handoff, event } = postHandoff({
    id: 'h1',
    tenantId: 't1',
    fields: { ...FIELDS, priority: options.priority ?? 'normal', neededBy: options.neededBy },
    sender: ada,
    receiver: grace,
    owner: options.owner ?? alan,
    stakeholders: [barbara],
    conversation: { id: '19:chat', serviceUrl: 'https://smba.example/' },
    at,
    late: false,
  });
  return { ...handoff, ...nextDueState(undefined, handoff, event, mapOf(options.hours ?? {}), DEFAULT_DUE_POLICY) };
}

/** A person's action at `at`, then the due state it leaves. */
function act(before: Handoff, command: Command, actor: Person, at: string, hours: Hours = {}): Handoff {
  const outcome = apply(before, command, actor, at);
  if (!outcome.ok) throw new Error(outcome.refusal.message);
  return { ...outcome.handoff, ...nextDueState(before, outcome.handoff, outcome.event, mapOf(hours), DEFAULT_DUE_POLICY) };
}

/** What the overdue check does at `at`; the outcome's handoff and event. */
function check(before: Handoff, at: string, reached = true): { handoff: Handoff; event: HandoffEvent } {
  const action = dueNow(before, new Date(at));
  if (!action) throw new Error(`nothing due at ${at}`);
  const outcome = applyDue(before, action, at, { holder: reached, owner: true });
  if (!outcome.ok) throw new Error(outcome.refusal.message);
  return outcome;
}

describe("when a step is due: its goal in the holder's working time", () => {
  it.each<[string, { at: string; priority?: Priority; hours?: Hours }, { dueAt: string; nudgeAt: string; escalateAt: string }]>([
    // Mon-Fri 09:00-17:00 UTC; normal: 8h of review.
    [
      'normal, posted Friday afternoon: 2h on Friday, 6h on Monday',
      { at: '2026-12-04T15:00:00.000Z' },
      { dueAt: '2026-12-07T15:00:00.000Z', nudgeAt: '2026-12-07T15:00:00.000Z', escalateAt: '2026-12-08T15:00:00.000Z' },
    ],
    [
      'urgent (2h), posted at 16:30 on Friday: due Monday 10:30',
      { at: '2026-12-04T16:30:00.000Z', priority: 'urgent' },
      { dueAt: '2026-12-07T10:30:00.000Z', nudgeAt: '2026-12-07T10:30:00.000Z', escalateAt: '2026-12-07T12:30:00.000Z' },
    ],
    [
      'high (4h), posted on Saturday: counts from Monday 09:00',
      { at: '2026-12-05T10:00:00.000Z', priority: 'high' },
      { dueAt: '2026-12-07T13:00:00.000Z', nudgeAt: '2026-12-07T13:00:00.000Z', escalateAt: '2026-12-08T09:00:00.000Z' },
    ],
    // Due at the very end of a day: nudged at the start of the next working day, never at night.
    [
      'urgent, due at 17:00: nudged the next morning',
      { at: '2026-12-02T15:00:00.000Z', priority: 'urgent' },
      { dueAt: '2026-12-02T17:00:00.000Z', nudgeAt: '2026-12-03T09:00:00.000Z', escalateAt: '2026-12-03T11:00:00.000Z' },
    ],
    // New York leaves daylight saving on Sunday 1 November 2026: Friday is UTC-4, Monday UTC-5.
    [
      'normal, in New York across the end of daylight saving',
      { at: '2026-10-30T19:00:00.000Z', hours: { grace: NEW_YORK, alan: NEW_YORK } },
      { dueAt: '2026-11-02T20:00:00.000Z', nudgeAt: '2026-11-02T20:00:00.000Z', escalateAt: '2026-11-03T20:00:00.000Z' },
    ],
    // The receiver in Kolkata (UTC+5:30), the sender and owner in UTC: her hours count, the owner is told inside his.
    [
      'normal, a receiver in Kolkata: 1h 30m today, 6h 30m tomorrow in her day',
      { at: '2026-12-02T10:00:00.000Z', hours: { grace: KOLKATA } },
      { dueAt: '2026-12-03T10:00:00.000Z', nudgeAt: '2026-12-03T10:00:00.000Z', escalateAt: '2026-12-04T10:00:00.000Z' },
    ],
    // Her escalation lands at 18:30 IST... which is 13:00 UTC, inside the owner's day.
    [
      'urgent, a receiver in Kolkata; the owner told inside his UTC day',
      { at: '2026-12-02T10:00:00.000Z', priority: 'urgent', hours: { grace: KOLKATA } },
      { dueAt: '2026-12-03T04:00:00.000Z', nudgeAt: '2026-12-03T04:00:00.000Z', escalateAt: '2026-12-03T09:00:00.000Z' },
    ],
  ])('%s', (_name, given, expected) => {
    const handoff = posted(given.at, given);
    const clock = handoff.clock!;
    expect([clock.step, clock.holder, clock.goalMinutes, clock.level]).toEqual([
      'review',
      grace,
      DEFAULT_DUE_POLICY.review[given.priority ?? 'normal'],
      0,
    ]);
    expect(clock.dueAt).toBe(expected.dueAt);
    expect(pendingActions(handoff)).toEqual([{ kind: 'overdue', at: expected.nudgeAt }]);
    expect(handoff.wakeAt).toBe(expected.nudgeAt);
    const nudged = check(handoff, expected.nudgeAt).handoff;
    expect(new Date(escalateAt(nudged.clock!)!).toISOString()).toBe(expected.escalateAt);
    expect(nudged.wakeAt).toBe(expected.escalateAt);
  });

  it('nudges nobody a minute before the due time, and the holder the minute it passes', () => {
    const handoff = posted('2026-12-07T10:00:00.000Z'); // Monday 10:00: 7h today, 1h tomorrow
    expect(dueNow(handoff, new Date('2026-12-08T09:59:00.000Z'))).toBeUndefined();
    expect(dueNow(handoff, new Date('2026-12-08T10:00:00.000Z'))).toEqual({ kind: 'overdue', at: '2026-12-08T10:00:00.000Z' });
  });
});

describe('the review clock pauses while the sender holds the ball', () => {
  it('resumes on the answer with what is left, and keeps each run as a cycle', () => {
    const start = posted('2026-12-07T10:00:00.000Z'); // Monday, due Tuesday 10:00
    const asked = act(start, { type: 'ask', question: 'Which flag?' }, grace, '2026-12-07T12:00:00.000Z');
    // The sender's answer is its own step: 8h of Ada's time, from 12:00 Monday.
    expect(asked.clock).toMatchObject({ step: 'answer', holder: ada, dueAt: '2026-12-08T12:00:00.000Z', level: 0 });
    expect(asked.review).toMatchObject({
      usedMinutes: 120,
      cycles: [{ startedAt: '2026-12-07T10:00:00.000Z', pausedAt: '2026-12-07T12:00:00.000Z', elapsedMinutes: 120, breached: false }],
    });
    // A day later the answer comes: the review resumes with its 6h left, not 8h.
    const answered = act(asked, { type: 'answer', answer: 'payments-retry' }, ada, '2026-12-08T10:00:00.000Z');
    expect(answered.clock).toMatchObject({
      step: 'review',
      holder: grace,
      startedBy: 1,
      usedMinutes: 120,
      runStartedAt: '2026-12-08T10:00:00.000Z',
      dueAt: '2026-12-08T16:00:00.000Z',
    });
    expect(answered.review!.cycles).toEqual([
      { startedAt: '2026-12-07T10:00:00.000Z', pausedAt: '2026-12-07T12:00:00.000Z', elapsedMinutes: 120, breached: false },
      { startedAt: '2026-12-08T10:00:00.000Z', elapsedMinutes: 0, breached: false },
    ]);
  });

  it('resumes on the resubmit after a change request, and marks the cycle that used the goal up', () => {
    const start = posted('2026-12-07T09:00:00.000Z', { priority: 'urgent' }); // 2h
    const changes = act(start, { type: 'requestChanges', comment: 'Add the rollback steps.' }, grace, '2026-12-07T12:00:00.000Z');
    expect(changes.clock).toMatchObject({ step: 'fix', holder: ada, goalMinutes: 120, dueAt: '2026-12-07T14:00:00.000Z' });
    expect(changes.review!.cycles[0]).toEqual({
      startedAt: '2026-12-07T09:00:00.000Z',
      pausedAt: '2026-12-07T12:00:00.000Z',
      elapsedMinutes: 180,
      breached: true,
    });
    const resubmitted = act(
      changes,
      {
        type: 'resubmit',
        fields: { ...FIELDS, priority: 'urgent', acceptanceCriteria: ['All retry tests pass in CI', 'Rollback steps are in the runbook'] },
      },
      ada,
      '2026-12-09T09:00:00.000Z',
    );
    // Nothing of the goal is left: due the moment it resumes.
    expect(resubmitted.clock).toMatchObject({ step: 'review', usedMinutes: 180, dueAt: '2026-12-09T09:00:00.000Z' });
  });

  it('never nudges twice for one review: the level reached before a pause carries over', () => {
    const start = posted('2026-12-07T09:00:00.000Z', { priority: 'urgent' });
    const nudged = check(start, '2026-12-07T11:00:00.000Z').handoff;
    expect(nudged.clock!.level).toBe(1);
    const asked = act(nudged, { type: 'ask', question: 'Which flag?' }, grace, '2026-12-07T11:30:00.000Z');
    const answered = act(asked, { type: 'answer', answer: 'payments-retry' }, ada, '2026-12-07T12:00:00.000Z');
    expect(answered.clock!.level).toBe(1);
    expect(pendingActions(answered).map((a) => a.kind)).toEqual(['escalate']);
  });

  it('starts a new review for a new receiver', () => {
    const start = posted('2026-12-07T09:00:00.000Z');
    const reassigned = act(start, { type: 'reassign', receiver: hedy }, alan, '2026-12-07T13:00:00.000Z');
    expect(reassigned.clock).toMatchObject({
      step: 'review',
      holder: hedy,
      startedBy: 2,
      usedMinutes: 0,
      level: 0,
      dueAt: '2026-12-08T13:00:00.000Z',
    });
    expect(reassigned.review).toMatchObject({
      receiverId: hedy.aadObjectId,
      usedMinutes: 0,
      cycles: [{ startedAt: '2026-12-07T13:00:00.000Z' }],
    });
  });

  it('moves the due time when a stakeholder flags the priority', () => {
    const start = posted('2026-12-07T09:00:00.000Z');
    const urgent = act(
      start,
      { type: 'flagPriority', priority: 'urgent', reason: 'Release tomorrow' },
      barbara,
      '2026-12-07T10:00:00.000Z',
    );
    expect(urgent.clock).toMatchObject({ goalMinutes: 120, dueAt: '2026-12-07T11:00:00.000Z' });
  });

  it('keeps a due time that has already passed when the priority changes after it', () => {
    const start = posted('2026-12-07T09:00:00.000Z');
    const urgent = act(
      start,
      { type: 'flagPriority', priority: 'urgent', reason: 'Release tomorrow' },
      barbara,
      '2026-12-07T10:00:00.000Z',
    );
    // Due 11:00 and passed; lowered to high at 12:00: still due 11:00, not a day later.
    const high = act(urgent, { type: 'flagPriority', priority: 'high', reason: 'Release moved' }, barbara, '2026-12-07T12:00:00.000Z');
    expect(high.clock).toMatchObject({ goalMinutes: 120, dueAt: '2026-12-07T11:00:00.000Z' });
  });

  it('folds old cycles so a handoff that ping-pongs all year stays one small row', () => {
    let handoff = posted('2026-12-07T09:00:00.000Z');
    for (let i = 0; i < MAX_CYCLES + 5; i += 1) {
      const at = new Date(Date.parse('2026-12-07T09:00:00.000Z') + (i + 1) * 3 * 60_000);
      handoff = act(handoff, { type: 'ask', question: `Question ${i}` }, grace, at.toISOString());
      handoff = act(handoff, { type: 'answer', answer: `Answer ${i}` }, ada, new Date(at.getTime() + 60_000).toISOString());
    }
    expect(handoff.review!.cycles).toHaveLength(MAX_CYCLES);
    expect(handoff.review!.cycles.reduce((sum, c) => sum + c.elapsedMinutes, 0)).toBe(handoff.review!.usedMinutes);
  });
});

describe('what the overdue check does, once each', () => {
  it('nudges, escalates a goal later, and then has nothing more to do for the review', () => {
    const start = posted('2026-12-07T10:00:00.000Z');
    const first = check(start, '2026-12-08T10:00:00.000Z');
    expect(first.event).toMatchObject({
      type: 'overdue',
      actor: BATON,
      seq: 2,
      detail: "Grace Hopper's review was due Tue 8 Dec, 10:00 UTC",
    });
    expect(first.handoff.lastNudge).toEqual({ at: '2026-12-08T10:00:00.000Z', by: BATON, to: grace, reached: true });
    // The same action again (a second timer, an instance that lost the race) is refused.
    expect(
      applyDue(first.handoff, { kind: 'overdue', at: '2026-12-08T10:00:00.000Z' }, '2026-12-08T10:05:00.000Z', {
        holder: true,
        owner: true,
      }).ok,
    ).toBe(false);
    expect(dueNow(first.handoff, new Date('2026-12-09T09:59:00.000Z'))).toBeUndefined();
    const second = check(first.handoff, '2026-12-09T10:00:00.000Z');
    expect(second.event).toMatchObject({
      type: 'escalated',
      actor: BATON,
      detail: "Grace Hopper's review, due Tue 8 Dec, 10:00 UTC, held 2 working days",
    });
    expect(second.handoff.clock!.level).toBe(2);
    expect(second.handoff.wakeAt).toBeUndefined();
    expect(dueNow(second.handoff, new Date('2027-01-01T00:00:00.000Z'))).toBeUndefined();
  });

  it("names each action's marker by its step, so a new step may be nudged again", () => {
    const start = posted('2026-12-07T10:00:00.000Z');
    const action = dueNow(start, new Date('2026-12-08T10:00:00.000Z'))!;
    expect(dueActivityId(start, action)).toBe('due:h1:review:1:overdue');
    const reassigned = act(start, { type: 'reassign', receiver: hedy }, alan, '2026-12-08T10:30:00.000Z');
    expect(dueActivityId(reassigned, dueNow(reassigned, new Date('2026-12-10T00:00:00.000Z'))!)).toBe('due:h1:review:2:overdue');
  });

  it('tells nobody above an owner who holds the ball themselves', () => {
    const own = posted('2026-12-07T10:00:00.000Z', { owner: grace });
    const nudged = check(own, '2026-12-08T10:00:00.000Z').handoff;
    expect(pendingActions(nudged)).toEqual([]);
  });

  it("tells the owner once when the needed-by date ends unaccepted, in the receiver's zone", () => {
    const start = posted('2026-12-07T09:00:00.000Z', { neededBy: '2026-12-09', hours: { grace: KOLKATA } });
    // The end of 9 December in Kolkata is 18:30 UTC.
    expect(start.neededByAt).toBe('2026-12-09T18:30:00.000Z');
    // 14:30 in Kolkata on Monday: 2h 30m that day, 5h 30m on Tuesday, so due (and nudged) at 14:30 IST, 09:00 UTC.
    const nudged = check(check(start, '2026-12-08T09:00:00.000Z').handoff, '2026-12-09T09:00:00.000Z').handoff;
    expect(dueNow(nudged, new Date('2026-12-09T18:29:00.000Z'))).toBeUndefined();
    const told = check(nudged, '2026-12-09T18:30:00.000Z');
    expect(told.event).toMatchObject({ type: 'neededByPassed', detail: 'Wed 9 Dec' });
    expect(told.handoff.neededByTold).toBe(true);
    expect(pendingActions(told.handoff)).toEqual([]);
    expect(isOverdue(told.handoff, new Date('2026-12-09T18:31:00.000Z'))).toBe(true);
  });

  it('asks the owner to close within a working day, then closes an accepted handoff after 3 quiet working days', () => {
    const start = posted('2026-12-07T09:00:00.000Z');
    const accepted = act(start, { type: 'accept', checked: [true], note: '' }, grace, '2026-12-07T10:00:00.000Z');
    expect(accepted.clock).toMatchObject({
      step: 'close',
      holder: alan,
      dueAt: '2026-12-08T10:00:00.000Z',
      autoCloseAt: '2026-12-10T10:00:00.000Z',
    });
    expect(accepted.review!.cycles).toEqual([
      { startedAt: '2026-12-07T09:00:00.000Z', pausedAt: '2026-12-07T10:00:00.000Z', elapsedMinutes: 60, breached: false },
    ]);
    const reminded = check(accepted, '2026-12-08T10:00:00.000Z');
    expect(reminded.event.type).toBe('overdue');
    // The owner's own close has nobody to escalate to.
    expect(pendingActions(reminded.handoff).map((a) => a.kind)).toEqual(['autoClose']);
    const closed = check(reminded.handoff, '2026-12-10T10:00:00.000Z');
    expect(closed.event).toMatchObject({ type: 'closed', actor: BATON, detail: 'automatically' });
    expect(closed.handoff).toMatchObject({ status: 'closed', clock: undefined, wakeAt: undefined });
    expect(closed.handoff.ending).toEqual({
      by: BATON,
      at: '2026-12-10T10:00:00.000Z',
      text: 'Accepted Mon 7 Dec, 10:00 UTC and not closed within 3 working days.',
    });
  });

  it('does everything a late check owes, earliest first', () => {
    const start = posted('2026-12-07T10:00:00.000Z', { neededBy: '2026-12-07' });
    const late = '2026-12-10T12:00:00.000Z';
    expect(dueNow(start, new Date(late))).toEqual({ kind: 'neededBy', at: '2026-12-08T00:00:00.000Z' });
    const one = check(start, late).handoff;
    expect(dueNow(one, new Date(late))).toEqual({ kind: 'overdue', at: '2026-12-08T10:00:00.000Z' });
    const two = check(one, late).handoff;
    expect(dueNow(two, new Date(late))).toEqual({ kind: 'escalate', at: '2026-12-09T10:00:00.000Z' });
    expect(dueNow(check(two, late).handoff, new Date(late))).toBeUndefined();
  });
});

describe('who is told: one message per person and check, in their words, with what they must do', () => {
  const start = posted('2026-12-07T10:00:00.000Z', { neededBy: '2026-12-11' });
  /** What the check does at `at`, all of it, and the reminders it sends. */
  const settle = (before: Handoff, at: string, reached = true) => settleDue(before, new Date(at), { holder: reached, owner: true })!;
  const told = (outcome: { handoff: Handoff; events: HandoffEvent[] }) =>
    remindersFor(outcome.handoff, outcome.events).map((n) => [n.to.name, n.headline, n.buttons]);

  it('the holder when their step is due, or the owner when Baton cannot reach them', () => {
    expect(told(settle(start, '2026-12-08T10:00:00.000Z'))).toEqual([
      ['Grace Hopper', 'Your review of this handoff was due Tue 8 Dec, 10:00 UTC.', ['open']],
    ]);
    expect(told(settle(start, '2026-12-08T10:00:00.000Z', false))).toEqual([
      [
        'Alan Turing',
        "Grace Hopper's review was due Tue 8 Dec, 10:00 UTC and is overdue. Baton could not tell Grace Hopper: they have not installed Baton.",
        // A nudge would not reach her either: the owner is offered Reassign.
        ['reassign'],
      ],
    ]);
  });

  it('the owner a goal later, as escalated to him, with Nudge and Reassign; the needed-by date as its own message on its own day', () => {
    const nudged = settle(start, '2026-12-08T10:00:00.000Z').handoff;
    expect(told(settle(nudged, '2026-12-09T10:00:00.000Z'))).toEqual([
      ['Alan Turing', "Grace Hopper's review was due Tue 8 Dec, 10:00 UTC and is now escalated to you.", ['nudge', 'reassign']],
    ]);
    const escalated = settle(nudged, '2026-12-09T10:00:00.000Z').handoff;
    expect(told(settle(escalated, '2026-12-12T00:00:00.000Z'))).toEqual([
      [
        'Alan Turing',
        "The handoff's needed-by date, Fri 11 Dec, has passed and it is not accepted yet. It waits on Grace Hopper.",
        ['nudge'],
      ],
    ]);
  });

  it('a check that ran late folds the nudge, the escalation and the needed-by date into one message each', () => {
    const due = posted('2026-12-07T10:00:00.000Z', { neededBy: '2026-12-08' });
    const late = settle(due, '2026-12-10T12:00:00.000Z');
    expect(late.events.map((e) => e.type)).toEqual(['overdue', 'neededByPassed', 'escalated']);
    expect(told(late)).toEqual([
      ['Grace Hopper', 'Your review of this handoff was due Tue 8 Dec, 10:00 UTC.', ['open']],
      [
        'Alan Turing',
        "Grace Hopper's review was due Tue 8 Dec, 10:00 UTC and is now escalated to you; the handoff's needed-by date, Tue 8 Dec, has passed and it is not accepted yet. It waits on Grace Hopper.",
        ['nudge', 'reassign'],
      ],
    ]);
  });

  it("the sender when the answer is due, in the sender's time zone", () => {
    // Asked at 05:00 in New York: Ada's 8h run from 09:00 to 17:00 there, so she is nudged at 09:00 the next day.
    const asked = act(start, { type: 'ask', question: 'Which flag?' }, grace, '2026-12-07T10:00:00.000Z', { ada: NEW_YORK });
    expect(asked.clock!.dueAt).toBe('2026-12-07T22:00:00.000Z');
    expect(told(settle(asked, '2026-12-08T14:00:00.000Z'))).toEqual([
      ['Ada Lovelace', 'Your answer to the question on this handoff was due Mon 7 Dec, 17:00 New York time.', ['open']],
    ]);
  });

  it('the owner, with a Close button, when closing is due; and once, without repeating itself, when Baton closed it', () => {
    const accepted = act(start, { type: 'accept', checked: [true], note: '' }, grace, '2026-12-07T11:00:00.000Z');
    expect(told(settle(accepted, '2026-12-08T11:00:00.000Z'))).toEqual([
      ['Alan Turing', 'Closing this accepted handoff was due Tue 8 Dec, 11:00 UTC: close it once its work is done.', ['close']],
    ]);
    const closed = settle(settle(accepted, '2026-12-08T11:00:00.000Z').handoff, '2026-12-10T11:00:00.000Z');
    expect(told(closed)).toEqual([
      ['Alan Turing', 'Baton closed this handoff you own: it was accepted Mon 7 Dec, 11:00 UTC and not closed within 3 working days.', []],
    ]);
  });
});

describe('an escalation to an owner who never installed Baton', () => {
  it('is recorded as not told, in the history and on the clock, so the card can say so', () => {
    const start = posted('2026-12-07T10:00:00.000Z');
    const late = settleDue(start, new Date('2026-12-09T10:00:00.000Z'), { holder: true, owner: false })!;
    expect(late.events.map((e) => e.type)).toEqual(['overdue', 'escalated']);
    expect(late.events[1]!.detail).toBe(
      "Grace Hopper's review, due Tue 8 Dec, 10:00 UTC, held 2 working days; Alan Turing has not installed Baton and was not told",
    );
    expect(late.handoff.clock).toMatchObject({ level: 2, ownerReached: false });
    const told = settleDue(start, new Date('2026-12-09T10:00:00.000Z'), { holder: true, owner: true })!;
    expect(told.handoff.clock).toMatchObject({ level: 2, ownerReached: true });
  });
});

describe('blocked means blocked: the review waits, the sender unblocks, the owner watches', () => {
  const block: Command = { type: 'setWorkState', workState: 'blocked', blocker: 'Waiting for finance to grant read access' };
  const start = posted('2026-12-07T10:00:00.000Z'); // Monday; Grace's review due Tue 10:00 (8h)
  const blocked = act(start, block, ada, '2026-12-07T12:00:00.000Z'); // 2h of the review used

  it("stops the receiver's clock and gives the sender an unblocking goal by priority", () => {
    expect(blocked.clock).toMatchObject({ step: 'unblock', holder: ada, goalMinutes: DEFAULT_DUE_POLICY.unblock.normal, level: 0 });
    // 16 working hours from Monday 12:00: Wednesday 12:00.
    expect(blocked.clock!.dueAt).toBe('2026-12-09T12:00:00.000Z');
    expect(blocked.review).toMatchObject({ usedMinutes: 120 });
    // Days past the review's due time, nothing says the receiver is late.
    expect(isOverdue(blocked, new Date('2026-12-08T16:00:00.000Z'))).toBe(false);
    expect(dueNow(blocked, new Date('2026-12-08T16:00:00.000Z'))).toBeUndefined();
    expect(DEFAULT_DUE_POLICY.unblock).toEqual({ urgent: 240, high: 480, normal: 960 });
  });

  it('nudges the sender, then tells the owner, on the unblocking goal; never the receiver', () => {
    const nudged = settleDue(blocked, new Date('2026-12-09T12:00:00.000Z'), { holder: true, owner: true })!;
    expect(nudged.events.map((e) => [e.type, e.detail])).toEqual([['overdue', "Ada Lovelace's unblocking was due Wed 9 Dec, 12:00 UTC"]]);
    expect(remindersFor(nudged.handoff, nudged.events).map((n) => [n.to.name, n.headline])).toEqual([
      [
        'Ada Lovelace',
        'Your handoff is still blocked (Waiting for finance to grant read access): unblocking it was due Wed 9 Dec, 12:00 UTC. Mark it ready or in progress once it moves.',
      ],
    ]);
    const escalated = settleDue(nudged.handoff, new Date('2026-12-11T12:00:00.000Z'), { holder: true, owner: true })!;
    expect(remindersFor(escalated.handoff, escalated.events).map((n) => [n.to.name, n.headline, n.buttons])).toEqual([
      [
        'Alan Turing',
        'Unblocking the handoff (Ada Lovelace) was due Wed 9 Dec, 12:00 UTC and is now escalated to you.',
        ['nudge', 'reassign'],
      ],
    ]);
  });

  it('resumes the review with the time it had left once the work moves again', () => {
    // Unblocked on Thursday 15:00: 6h of Grace's review were left, so it is due Friday 13:00.
    const ready = act(blocked, { type: 'setWorkState', workState: 'ready', blocker: '' }, ada, '2026-12-10T15:00:00.000Z');
    expect(ready.clock).toMatchObject({ step: 'review', holder: grace, usedMinutes: 120, runStartedAt: '2026-12-10T15:00:00.000Z' });
    expect(ready.clock!.dueAt).toBe('2026-12-11T13:00:00.000Z');
  });

  it('counts the blocked spell as a blocking incident with its duration in the history', () => {
    const outcome = apply(blocked, { type: 'setWorkState', workState: 'inProgress', blocker: '' }, ada, '2026-12-10T15:00:00.000Z');
    if (!outcome.ok) throw new Error(outcome.refusal.message);
    expect(outcome.event.detail).toBe('In progress, after 3 days blocked');
  });
});

describe('waiting since: since the current holder got the ball, the same on every screen', () => {
  const flag: Command = { type: 'flagPriority', priority: 'urgent', reason: 'Launch moved up' };
  // Each row: what happened, in order (Monday 7 Dec), and since when the holder then waits.
  it.each<[string, [Command, Person, string][], string | undefined]>([
    ['posted, nothing since', [], '2026-12-07T09:00:00.000Z'],
    ['a stakeholder flags the priority: the ball has not moved', [[flag, barbara, '2026-12-07T11:00:00.000Z']], '2026-12-07T09:00:00.000Z'],
    ['the owner nudges: neither', [[{ type: 'nudge', reached: true }, alan, '2026-12-07T11:00:00.000Z']], '2026-12-07T09:00:00.000Z'],
    [
      'the receiver asks: the sender has it since then',
      [[{ type: 'ask', question: 'Which flag?' }, grace, '2026-12-07T12:00:00.000Z']],
      '2026-12-07T12:00:00.000Z',
    ],
    [
      'the sender answers: the review resumes then',
      [
        [{ type: 'ask', question: 'Which flag?' }, grace, '2026-12-07T12:00:00.000Z'],
        [{ type: 'answer', answer: 'payments-retry' }, ada, '2026-12-07T13:00:00.000Z'],
      ],
      '2026-12-07T13:00:00.000Z',
    ],
    [
      'the sender marks it blocked, then a stakeholder flags it',
      [
        [{ type: 'setWorkState', workState: 'blocked', blocker: 'Finance access' }, ada, '2026-12-07T14:00:00.000Z'],
        [flag, barbara, '2026-12-07T15:00:00.000Z'],
      ],
      '2026-12-07T14:00:00.000Z',
    ],
    [
      'the sender says it is in progress rather than ready: the receiver still holds it',
      [[{ type: 'setWorkState', workState: 'inProgress', blocker: '' }, ada, '2026-12-07T14:00:00.000Z']],
      '2026-12-07T09:00:00.000Z',
    ],
    [
      'accepted: the owner has it to close',
      [[{ type: 'accept', checked: [true], note: '' }, grace, '2026-12-07T16:00:00.000Z']],
      '2026-12-07T16:00:00.000Z',
    ],
    [
      'closed: nobody waits',
      [
        [{ type: 'accept', checked: [true], note: '' }, grace, '2026-12-07T16:00:00.000Z'],
        [{ type: 'close', note: '' }, alan, '2026-12-07T16:30:00.000Z'],
      ],
      undefined,
    ],
  ])('%s', (_name, steps, since) => {
    let handoff = posted('2026-12-07T09:00:00.000Z');
    for (const [command, actor, at] of steps) handoff = act(handoff, command, actor, at);
    expect(waitingSince(handoff)).toBe(since);
  });
});

describe('how the due state reads', () => {
  const start = posted('2026-12-07T10:00:00.000Z');
  const when = (iso: string) => formatWhen(iso, 'Etc/UTC', new Date(iso));

  it("due, with the working time left in a viewer's own view", () => {
    const view = dueView(start, new Date('2026-12-07T13:50:00.000Z'))!;
    expect(view).toMatchObject({ state: 'due', leftMinutes: 250 });
    expect(dueClause(view, when, true)).toBe("due Tue 8 Dec, 10:00 (in 4 h 10 min of Grace's working time)");
    expect(dueClause(view, when, false)).toBe('due Tue 8 Dec, 10:00');
  });

  it("overdue by working time, named as such; overdue since, outside the holder's hours; escalated to the owner", () => {
    expect(dueClause(dueView(start, new Date('2026-12-08T12:00:00.000Z'))!, when, true)).toBe(
      "overdue by 2 h of Grace's working time (due Tue 8 Dec, 10:00)",
    );
    // A message that stays in the chat says only what stays true.
    expect(dueClause(dueView(start, new Date('2026-12-08T12:00:00.000Z'))!, when, false)).toBe('overdue since Tue 8 Dec, 10:00');
    const dueAtFive = posted('2026-12-07T09:00:00.000Z');
    expect(dueClause(dueView(dueAtFive, new Date('2026-12-07T23:00:00.000Z'))!, when, true)).toBe('overdue since Mon 7 Dec, 17:00');
    const escalated = check(check(start, '2026-12-08T10:00:00.000Z').handoff, '2026-12-09T10:00:00.000Z').handoff;
    expect(dueClause(dueView(escalated, new Date('2026-12-10T10:00:00.000Z'))!, when, true)).toBe(
      "overdue by 2 working days of Grace's time, escalated to Alan Turing (owner)",
    );
    expect(dueClause(dueView(escalated, new Date('2026-12-10T10:00:00.000Z'))!, when, false)).toBe(
      'overdue since Tue 8 Dec, 10:00, escalated to Alan Turing (owner)',
    );
  });

  it('says nothing once the handoff is final, and a handoff from before due times has none', () => {
    const cancelled = act(start, { type: 'cancel', reason: 'Not needed' }, ada, '2026-12-07T10:00:00.000Z');
    expect(dueView(cancelled, new Date('2026-12-09T00:00:00.000Z'))).toBeUndefined();
    expect(isOverdue(cancelled, new Date('2026-12-09T00:00:00.000Z'))).toBe(false);
    expect(dueView({ ...start, clock: undefined }, new Date('2026-12-09T00:00:00.000Z'))).toBeUndefined();
  });
});
