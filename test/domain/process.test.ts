/**
 * The handoff process (issue 3): who may do what in which status, what each
 * action changes, and what it writes in the history. A table of every
 * role x status x action, exact outcomes per action, and a model-based
 * property over random sequences of actions.
 */
import { describe, expect, it } from 'vitest';
import { ada, alan, barbara, eve, FIELDS, grace, hedy } from '../support/builders';
import fc from 'fast-check';
import {
  BATON,
  ballHolder,
  type Handoff,
  type HandoffFields,
  type Person,
  PRIORITIES,
  type Priority,
  type Role,
  rolesOf,
  STATUS,
  type Status,
  statusesWhere,
  STATUSES,
  postHandoff,
  type WorkState,
} from '../../src/domain/handoff';
import {
  ACTION_TYPES,
  type ActionType,
  allowedActions,
  apply,
  check,
  type Command,
  describeChanges,
  describeStatus,
  MAX_COMMENT_LENGTH,
  type Outcome,
  RULES,
} from '../../src/domain/process';

// ---------------------------------------------------------------------------
// People and a posted handoff

// Ada sends, Grace receives, Alan owns, Barbara follows; Eve is in the chat with no role; Hedy is a member to reassign to.

const T0 = '2026-05-04T09:00:00.000Z';
const T1 = '2026-05-04T10:30:00.000Z';
const T2 = '2026-05-04T11:45:00.000Z';
const T3 = '2026-05-05T08:05:00.000Z';

interface People {
  sender: Person;
  receiver: Person;
  owner: Person;
  stakeholders: Person[];
}

const PEOPLE: People = { sender: ada, receiver: grace, owner: alan, stakeholders: [barbara] };

function posted(fields: Partial<HandoffFields> = {}, people: People = PEOPLE): Handoff {
  return postHandoff({
    id: 'tenant-1~h1',
    tenantId: 'tenant-1',
    fields: { ...FIELDS, ...fields },
    ...people,
    conversation: { id: '19:chat', serviceUrl: 'https://smba.example/', messageId: 'm1' },
    at: T0,
    late: false,
  }).handoff;
}

/** Applies an action that must succeed. */
function ok(handoff: Handoff, command: Command, actor: Person, at: string) {
  const outcome = apply(handoff, command, actor, at);
  if (!outcome.ok) throw new Error(`${command.type} by ${actor.name} refused: ${outcome.refusal.message}`);
  return outcome;
}

const ALL_CHECKED: Command = { type: 'accept', checked: [true, true, true], note: '' };

/** A handoff in each status, reached through the process itself. */
function inStatus(status: Status, people: People = PEOPLE, fields: Partial<HandoffFields> = {}): Handoff {
  const start = posted(fields, people);
  const { sender, receiver, owner } = people;
  switch (status) {
    case 'inReview':
      return start;
    case 'questionAsked':
      return ok(start, { type: 'ask', question: 'Which gateway?' }, receiver, T1).handoff;
    case 'changesRequested':
      return ok(start, { type: 'requestChanges', comment: 'Add the rollback steps.' }, receiver, T1).handoff;
    case 'accepted':
      return ok(start, ALL_CHECKED, receiver, T1).handoff;
    case 'closed':
      return ok(ok(start, ALL_CHECKED, receiver, T1).handoff, { type: 'close', note: 'Shipped.' }, owner, T2).handoff;
    case 'cancelled':
      return ok(start, { type: 'cancel', reason: 'Plans changed.' }, sender, T1).handoff;
  }
}

const VALID_RESUBMIT_FIELDS: HandoffFields = { ...FIELDS, summary: 'Payments retry logic, with rollback, is ready for QA' };

/** For each action, command data that is valid on a {@link posted} handoff in any status. */
const VALID: Record<ActionType, Command> = {
  accept: ALL_CHECKED,
  requestChanges: { type: 'requestChanges', comment: 'Add the rollback steps.' },
  ask: { type: 'ask', question: 'Which gateway?' },
  answer: { type: 'answer', answer: 'The sandbox one.' },
  resubmit: { type: 'resubmit', fields: VALID_RESUBMIT_FIELDS },
  setWorkState: { type: 'setWorkState', workState: 'blocked', blocker: 'Staging database is down' },
  cancel: { type: 'cancel', reason: 'Plans changed.' },
  reassign: { type: 'reassign', receiver: hedy },
  nudge: { type: 'nudge', reached: true },
  close: { type: 'close', note: 'Shipped.' },
  flagPriority: { type: 'flagPriority', priority: 'urgent', reason: 'The launch moved up.' },
};

const ACTORS: Record<Role | 'stranger', Person> = { sender: ada, receiver: grace, owner: alan, stakeholder: barbara, stranger: eve };
type ActorName = keyof typeof ACTORS;

// ---------------------------------------------------------------------------

describe('RULES', () => {
  it('is exactly the table of the issue: one role and its statuses per action', () => {
    const open = ['inReview', 'questionAsked', 'changesRequested'];
    const notFinal = [...open, 'accepted'];
    // The work state is the sender's to report while the handoff is open; once accepted, the work is the receiver's.
    expect(RULES).toEqual({
      accept: { role: 'receiver', statuses: ['inReview'] },
      requestChanges: { role: 'receiver', statuses: ['inReview'] },
      ask: { role: 'receiver', statuses: ['inReview'] },
      answer: { role: 'sender', statuses: ['questionAsked'] },
      resubmit: { role: 'sender', statuses: open },
      setWorkState: { role: 'sender', statuses: open },
      cancel: { role: 'sender', statuses: open },
      reassign: { role: 'owner', statuses: open },
      nudge: { role: 'owner', statuses: open },
      close: { role: 'owner', statuses: ['accepted'] },
      flagPriority: { role: 'stakeholder', statuses: notFinal },
    });
    expect(ACTION_TYPES).toEqual([
      'accept',
      'requestChanges',
      'ask',
      'answer',
      'resubmit',
      'setWorkState',
      'cancel',
      'reassign',
      'nudge',
      'close',
      'flagPriority',
    ]);
  });

  it('never allows anything on a final handoff', () => {
    for (const status of statusesWhere((s) => s.final)) {
      for (const action of ACTION_TYPES) expect(RULES[action].statuses, `${action} in ${status}`).not.toContain(status);
    }
    expect(statusesWhere((s) => s.final).sort()).toEqual(['cancelled', 'closed']);
  });
});

/**
 * What each of the five people may do in each status, written out by hand from
 * the README ("Each role on the card") and the status comments in
 * src/domain/handoff.ts, in the order the card shows the actions. Not read
 * from RULES: this is what RULES, check, apply and allowedActions must agree with.
 */
const ALLOWED: Record<Status, Record<ActorName, ActionType[]>> = {
  inReview: {
    sender: ['resubmit', 'setWorkState', 'cancel'],
    receiver: ['accept', 'requestChanges', 'ask'],
    owner: ['reassign', 'nudge'],
    stakeholder: ['flagPriority'],
    stranger: [],
  },
  questionAsked: {
    sender: ['answer', 'resubmit', 'setWorkState', 'cancel'],
    receiver: [],
    owner: ['reassign', 'nudge'],
    stakeholder: ['flagPriority'],
    stranger: [],
  },
  changesRequested: {
    sender: ['resubmit', 'setWorkState', 'cancel'],
    receiver: [],
    owner: ['reassign', 'nudge'],
    stakeholder: ['flagPriority'],
    stranger: [],
  },
  accepted: { sender: [], receiver: [], owner: ['close'], stakeholder: ['flagPriority'], stranger: [] },
  closed: { sender: [], receiver: [], owner: [], stakeholder: [], stranger: [] },
  cancelled: { sender: [], receiver: [], owner: [], stakeholder: [], stranger: [] },
};

/** Whose each action is, by hand from the README: someone else asking is refused as forbidden, the right person too early or late as wrongState. */
const ROLE_OF: Record<ActionType, Role> = {
  accept: 'receiver',
  requestChanges: 'receiver',
  ask: 'receiver',
  answer: 'sender',
  resubmit: 'sender',
  setWorkState: 'sender',
  cancel: 'sender',
  reassign: 'owner',
  nudge: 'owner',
  close: 'owner',
  flagPriority: 'stakeholder',
};

/** The forbidden refusal for an action of each role, on a handoff of {@link PEOPLE}. */
const FORBIDDEN: Record<Role, string> = {
  sender: 'Only the sender, Ada Lovelace, can do that on this handoff.',
  receiver: 'Only the receiver, Grace Hopper, can do that on this handoff.',
  owner: 'Only the owner, Alan Turing, can do that on this handoff.',
  stakeholder: 'Only stakeholders can do that on this handoff.',
};

/** Where a handoff reached by {@link inStatus} stands, in the words of a wrongState refusal. */
const STATUS_LINE: Record<Status, string> = {
  inReview: "This handoff is waiting for Grace Hopper's review.",
  questionAsked: "Grace Hopper asked a question on Mon 4 May, 10:30 UTC; it waits for Ada Lovelace's answer.",
  changesRequested: 'This handoff was already sent back with a change request by Grace Hopper on Mon 4 May, 10:30 UTC.',
  accepted: 'This handoff was already accepted by Grace Hopper on Mon 4 May, 10:30 UTC.',
  closed: 'This handoff was closed by Alan Turing on Mon 4 May, 11:45 UTC.',
  cancelled: 'This handoff was cancelled by Ada Lovelace on Mon 4 May, 10:30 UTC.',
};

/** The same line as its reader reads it: "you" for whoever decided or must answer. */
function statusLineFor(status: Status, reader: Person): string {
  const mine: [string, string][] = [
    [`by ${reader.name}`, 'by you'],
    [`${reader.name} asked`, 'You asked'],
    [`${reader.name}'s answer`, 'your answer'],
  ];
  return mine.reduce((line, [from, to]) => line.replace(from, to), STATUS_LINE[status]);
}

describe('check and apply: every role x status x action', () => {
  const cases = (Object.keys(ACTORS) as ActorName[]).flatMap((role) =>
    STATUSES.flatMap((status) => ACTION_TYPES.map((action) => [role, status, action] as const)),
  );

  it.each(cases)('%s in %s: %s', (role, status, action) => {
    const handoff = inStatus(status);
    const actor = ACTORS[role];
    expect(handoff.status).toBe(status);
    const allowed = ALLOWED[status][role].includes(action);

    const checked = check(handoff, actor.aadObjectId, action);
    const outcome = apply(handoff, VALID[action], actor, T3);
    expect(allowedActions(handoff, actor.aadObjectId).has(action)).toBe(allowed);

    if (allowed) {
      expect(checked).toEqual({ ok: true });
      expect(outcome.ok).toBe(true);
      if (outcome.ok) {
        expect(outcome.event.seq).toBe(handoff.eventCount + 1);
        expect(outcome.handoff.eventCount).toBe(handoff.eventCount + 1);
        expect(outcome.event.actor).toEqual(actor);
        expect(outcome.handoff.updatedAt).toBe(T3);
      }
      return;
    }
    // Someone without the action's role is told whose it is; its holder, where the handoff stands.
    const refusal =
      role === ROLE_OF[action]
        ? { code: 'wrongState', message: statusLineFor(status, actor) }
        : { code: 'forbidden', message: FORBIDDEN[ROLE_OF[action]] };
    expect(checked).toEqual({ ok: false, refusal });
    expect(outcome).toEqual({ ok: false, refusal });
  });

  it('allows exactly these actions per role and status', () => {
    const table = Object.fromEntries(
      STATUSES.map((status) => [
        status,
        Object.fromEntries(
          (Object.keys(ACTORS) as ActorName[]).map((role) => [role, [...allowedActions(inStatus(status), ACTORS[role].aadObjectId)]]),
        ),
      ]),
    );
    expect(table).toEqual(ALLOWED);
  });

  it('names the role holder in a forbidden refusal for stakeholders', () => {
    expect(check(posted(), eve.aadObjectId, 'flagPriority')).toEqual({
      ok: false,
      refusal: { code: 'forbidden', message: FORBIDDEN.stakeholder },
    });
  });

  it('refuses with forbidden before looking at the status', () => {
    const closed = inStatus('closed');
    expect(check(closed, eve.aadObjectId, 'accept')).toMatchObject({ ok: false, refusal: { code: 'forbidden' } });
    expect(check(closed, grace.aadObjectId, 'accept')).toEqual({
      ok: false,
      refusal: { code: 'wrongState', message: 'This handoff was closed by Alan Turing on Mon 4 May, 11:45 UTC.' },
    });
    // Read by the one who closed it, in their zone when their client said it.
    expect(check(closed, alan.aadObjectId, 'close', undefined, 'America/New_York')).toEqual({
      ok: false,
      refusal: { code: 'wrongState', message: 'This handoff was closed by you on Mon 4 May, 07:45 New York time.' },
    });
  });

  it('changes nothing in the handoff it was given', () => {
    for (const status of STATUSES) {
      const handoff = inStatus(status);
      const copy = structuredClone(handoff);
      for (const role of Object.keys(ACTORS) as ActorName[]) {
        for (const action of ACTION_TYPES) apply(handoff, VALID[action], ACTORS[role], T3);
      }
      expect(handoff).toEqual(copy);
    }
  });
});

describe('describeStatus', () => {
  it.each(Object.entries(STATUS_LINE) as [Status, string][])('%s', (status, expected) => {
    expect(describeStatus(inStatus(status))).toBe(expected);
  });

  it('falls back to the role and the last update when the remark is missing', () => {
    const bare = { ...posted(), updatedAt: '2026-05-06T07:08:09.000Z' };
    expect(describeStatus({ ...bare, status: 'accepted' })).toBe(
      'This handoff was already accepted by the receiver on Wed 6 May, 07:08 UTC.',
    );
    expect(describeStatus({ ...bare, status: 'changesRequested' })).toBe(
      'This handoff was already sent back with a change request by the receiver on Wed 6 May, 07:08 UTC.',
    );
    expect(describeStatus({ ...bare, status: 'questionAsked' })).toBe(
      "The receiver asked a question on Wed 6 May, 07:08 UTC; it waits for Ada Lovelace's answer.",
    );
    expect(describeStatus({ ...bare, status: 'closed' })).toBe('This handoff was closed by the owner on Wed 6 May, 07:08 UTC.');
    expect(describeStatus({ ...bare, status: 'cancelled' })).toBe('This handoff was cancelled by the sender on Wed 6 May, 07:08 UTC.');
  });
});

// ---------------------------------------------------------------------------
// Each action, exactly

const invalid = (message: string): Outcome => ({ ok: false, refusal: { code: 'invalid', message } });
/** The form's words for text over its limit: the limit, and the length it has, as the form says it. */
const TOO_LONG = (length: number) => `Keep it to 500 characters at most (it has ${length}).`;

describe('accept', () => {
  it('with every criterion checked: accepted, with the decision and the version accepted in its event', () => {
    const before = posted();
    const { handoff, event } = ok(before, { type: 'accept', checked: [true, true, true], note: '  ' }, grace, T1);
    expect(handoff).toEqual({
      ...before,
      status: 'accepted',
      updatedAt: T1,
      eventCount: 2,
      decision: { status: 'accepted', by: grace, at: T1, text: '', checked: [true, true, true] },
    });
    expect(event).toEqual({
      handoffId: before.id,
      seq: 2,
      type: 'accepted',
      actor: grace,
      at: T1,
      comment: '',
      detail: '3 of 3 criteria checked',
      version: 1,
      workState: 'ready',
    });
  });

  it('asks for a note when one criterion is unchecked', () => {
    expect(apply(posted(), { type: 'accept', checked: [true, false, true], note: ' ' }, grace, T1)).toEqual(
      invalid('One acceptance criterion is not checked: add a note saying why you accept anyway.'),
    );
  });

  it('asks for a note when several criteria are unchecked (missing entries count as unchecked)', () => {
    expect(apply(posted(), { type: 'accept', checked: [true], note: '' }, grace, T1)).toEqual(
      invalid('2 acceptance criteria are not checked: add a note saying why you accept anyway.'),
    );
    expect(apply(posted(), { type: 'accept', checked: [], note: '' }, grace, T1)).toEqual(
      invalid('3 acceptance criteria are not checked: add a note saying why you accept anyway.'),
    );
  });

  it('with a note, accepts with criteria unchecked and records which were checked', () => {
    const before = posted();
    const { handoff, event } = ok(
      before,
      { type: 'accept', checked: [true, false, true], note: '  The dashboard comes next sprint.  ' },
      grace,
      T1,
    );
    expect(handoff.status).toBe('accepted');
    expect(handoff.decision).toEqual({
      status: 'accepted',
      by: grace,
      at: T1,
      text: 'The dashboard comes next sprint.',
      checked: [true, false, true],
    });
    expect(event).toEqual({
      handoffId: before.id,
      seq: 2,
      type: 'accepted',
      actor: grace,
      at: T1,
      comment: 'The dashboard comes next sprint.',
      detail: '2 of 3 criteria checked',
      version: 1,
      workState: 'ready',
    });
  });

  it('ignores extra entries in checked beyond the criteria', () => {
    const { handoff } = ok(posted(), { type: 'accept', checked: [true, true, true, false, false], note: '' }, grace, T1);
    expect(handoff.decision?.checked).toEqual([true, true, true]);
  });

  it('records the version accepted', () => {
    const v2 = ok(posted(), { type: 'resubmit', fields: { ...FIELDS, summary: 'Retry logic is ready' } }, ada, T1).handoff;
    const { handoff, event } = ok(v2, ALL_CHECKED, grace, T2);
    expect(event).toMatchObject({ type: 'accepted', at: T2, version: 2 });
    expect(handoff.decision?.at).toBe(T2);
  });

  it('refuses a note over 500 characters and accepts one of 500', () => {
    expect(MAX_COMMENT_LENGTH).toBe(500);
    expect(apply(posted(), { type: 'accept', checked: [false, false, false], note: 'n'.repeat(501) }, grace, T1)).toEqual(
      invalid(TOO_LONG(501)),
    );
    expect(ok(posted(), { type: 'accept', checked: [false, false, false], note: 'n'.repeat(500) }, grace, T1).handoff.decision?.text).toBe(
      'n'.repeat(500),
    );
  });
});

describe('requestChanges', () => {
  it('refuses a blank comment', () => {
    expect(apply(posted(), { type: 'requestChanges', comment: ' \n\t ' }, grace, T1)).toEqual(
      invalid('Say what needs to change: a comment is required.'),
    );
  });

  it('refuses a comment over 500 characters', () => {
    expect(apply(posted(), { type: 'requestChanges', comment: `  ${'c'.repeat(612)}  ` }, grace, T1)).toEqual(invalid(TOO_LONG(612)));
  });

  it('sends it back with the decision, recorded as a changesRequested event', () => {
    const before = posted();
    const { handoff, event } = ok(before, { type: 'requestChanges', comment: '  Add the rollback steps.  ' }, grace, T1);
    expect(handoff).toEqual({
      ...before,
      status: 'changesRequested',
      updatedAt: T1,
      eventCount: 2,
      decision: { status: 'changesRequested', by: grace, at: T1, text: 'Add the rollback steps.', checked: [] },
      // Kept after the resubmit it asks for, so the receiver can check the new version against it.
      changeRequest: { by: grace, at: T1, text: 'Add the rollback steps.', version: 1 },
    });
    expect(event).toEqual({
      handoffId: before.id,
      seq: 2,
      type: 'changesRequested',
      actor: grace,
      at: T1,
      comment: 'Add the rollback steps.',
      detail: '',
      version: 1,
      workState: 'ready',
    });
  });

  it('records each change request as an event of the version it was made on', () => {
    const first = ok(posted(), VALID.requestChanges, grace, T1);
    const again = ok(ok(first.handoff, VALID.resubmit, ada, T2).handoff, VALID.requestChanges, grace, T3);
    expect([first.event, again.event].map((e) => [e.type, e.version])).toEqual([
      ['changesRequested', 1],
      ['changesRequested', 2],
    ]);
    expect(again.handoff.eventCount).toBe(4);
  });
});

describe('ask and answer', () => {
  it('refuses a blank question and a blank answer', () => {
    expect(apply(posted(), { type: 'ask', question: '   ' }, grace, T1)).toEqual(invalid('Write your question.'));
    expect(apply(inStatus('questionAsked'), { type: 'answer', answer: '' }, ada, T2)).toEqual(invalid('Write your answer.'));
  });

  it('ask sets the question and waits on the sender; the questionAsked event is the clarification', () => {
    const before = posted();
    const { handoff, event } = ok(before, { type: 'ask', question: ' Which gateway? ' }, grace, T1);
    expect(handoff).toEqual({
      ...before,
      status: 'questionAsked',
      updatedAt: T1,
      eventCount: 2,
      question: { by: grace, at: T1, text: 'Which gateway?' },
    });
    expect(event).toEqual({
      handoffId: before.id,
      seq: 2,
      type: 'questionAsked',
      actor: grace,
      at: T1,
      comment: 'Which gateway?',
      detail: '',
      version: 1,
      workState: 'ready',
    });
  });

  it('answer sets the answer and puts it back in review, keeping the question', () => {
    const asked = inStatus('questionAsked');
    const { handoff, event } = ok(asked, { type: 'answer', answer: ' The sandbox one. ' }, ada, T2);
    expect(handoff).toEqual({
      ...asked,
      status: 'inReview',
      updatedAt: T2,
      eventCount: 3,
      answer: { by: ada, at: T2, text: 'The sandbox one.' },
    });
    expect(handoff.question).toEqual({ by: grace, at: T1, text: 'Which gateway?' });
    expect(event).toEqual({
      handoffId: asked.id,
      seq: 3,
      type: 'answered',
      actor: ada,
      at: T2,
      comment: 'The sandbox one.',
      detail: '',
      version: 1,
      workState: 'ready',
    });
  });

  it('records every question asked as its own event', () => {
    const answered = ok(inStatus('questionAsked'), VALID.answer, ada, T2).handoff;
    const asked = ok(answered, { type: 'ask', question: 'And the timeout?' }, grace, T3);
    const second = asked.handoff;
    expect(asked.event).toMatchObject({ type: 'questionAsked', seq: 4, comment: 'And the timeout?' });
    expect(second.question).toEqual({ by: grace, at: T3, text: 'And the timeout?' });
    expect(second.answer).toEqual({ by: ada, at: T2, text: 'The sandbox one.' });
  });
});

describe('resubmit', () => {
  it('refuses when nothing changed', () => {
    expect(apply(inStatus('changesRequested'), { type: 'resubmit', fields: { ...FIELDS } }, ada, T2)).toEqual(
      invalid('Nothing changed: edit a field before you resubmit.'),
    );
  });

  it('makes version 2 with the changes listed, clears the decision and goes back to review', () => {
    const before = inStatus('changesRequested');
    const fields: HandoffFields = {
      ...FIELDS,
      summary: 'Payments retry logic, with rollback, is ready',
      links: [...FIELDS.links, 'https://contoso.example/rollback'],
    };
    const { handoff, event } = ok(before, { type: 'resubmit', fields }, ada, T2);
    expect(handoff).toEqual({
      ...before,
      ...fields,
      version: 2,
      changes: ['changed the summary', 'added one link'],
      status: 'inReview',
      decision: undefined,
      updatedAt: T2,
      eventCount: 3,
    });
    expect(handoff.changes).toEqual(describeChanges(before, fields));
    expect(event).toEqual({
      handoffId: before.id,
      seq: 3,
      type: 'resubmitted',
      actor: ada,
      at: T2,
      comment: '',
      detail: 'v2: changed the summary, added one link',
      version: 2,
      workState: 'ready',
    });
  });

  it('works from review and from an open question too', () => {
    expect(ok(posted(), VALID.resubmit, ada, T1).handoff).toMatchObject({
      version: 2,
      status: 'inReview',
      changes: ['changed the summary'],
    });
    expect(ok(inStatus('questionAsked'), VALID.resubmit, ada, T2).handoff).toMatchObject({
      version: 2,
      status: 'inReview',
      changes: ['changed the summary'],
    });
  });

  it("records the work state in each version's event, so going Blocked and staying Blocked can be told apart", () => {
    const blocked = ok(posted(), { type: 'resubmit', fields: { ...FIELDS, workState: 'blocked', blocker: 'Staging DB' } }, ada, T1);
    expect(blocked.event).toMatchObject({ version: 2, workState: 'blocked' });
    expect(blocked.handoff.changes).toEqual(['work state Ready → Blocked']);
    expect(blocked.event.detail).toBe('v2: work state Ready → Blocked');
    const stillBlocked = ok(
      blocked.handoff,
      { type: 'resubmit', fields: { ...FIELDS, workState: 'blocked', blocker: 'Gateway keys' } },
      ada,
      T2,
    );
    expect(stillBlocked.event).toMatchObject({ version: 3, workState: 'blocked' });
    expect(stillBlocked.handoff.version).toBe(3);
    expect(stillBlocked.event.detail).toBe('v3: changed the blocker');
  });

  it('replaces the changes of the previous version', () => {
    const v2 = ok(posted(), VALID.resubmit, ada, T1).handoff;
    const v3 = ok(v2, { type: 'resubmit', fields: { ...VALID_RESUBMIT_FIELDS, priority: 'high' } }, ada, T2).handoff;
    expect(v3.changes).toEqual(['priority normal → high']);
    expect(v3.version).toBe(3);
    expect(v3.eventCount).toBe(3);
  });
});

describe('setWorkState', () => {
  it('refuses Blocked without a blocker', () => {
    expect(apply(posted(), { type: 'setWorkState', workState: 'blocked', blocker: '  ' }, ada, T1)).toEqual(
      invalid('Name what blocks this work.'),
    );
  });

  it("refuses a blocker over 200 characters, the form's cap", () => {
    expect(apply(posted(), { type: 'setWorkState', workState: 'blocked', blocker: 'b'.repeat(201) }, ada, T1)).toEqual(
      invalid('Keep the blocker to 200 characters at most (it has 201).'),
    );
    expect(ok(posted(), { type: 'setWorkState', workState: 'blocked', blocker: 'b'.repeat(200) }, ada, T1).handoff.blocker).toBe(
      'b'.repeat(200),
    );
  });

  it('refuses the state the work is already in', () => {
    expect(apply(posted(), { type: 'setWorkState', workState: 'ready', blocker: 'ignored' }, ada, T1)).toEqual(
      invalid('The work is already Ready.'),
    );
    const progress = posted({ workState: 'inProgress' });
    expect(apply(progress, { type: 'setWorkState', workState: 'inProgress', blocker: '' }, ada, T1)).toEqual(
      invalid('The work is already In progress.'),
    );
    const blocked = posted({ workState: 'blocked', blocker: 'Staging DB' });
    expect(apply(blocked, { type: 'setWorkState', workState: 'blocked', blocker: ' Staging DB ' }, ada, T1)).toEqual(
      invalid('The work is already Blocked.'),
    );
  });

  it('ready -> blocked records the blocker, and the event says the work is now Blocked', () => {
    const before = posted();
    const { handoff, event } = ok(before, { type: 'setWorkState', workState: 'blocked', blocker: ' Staging DB ' }, ada, T1);
    expect(handoff).toEqual({
      ...before,
      workState: 'blocked',
      blocker: 'Staging DB',
      updatedAt: T1,
      eventCount: 2,
    });
    expect(event).toEqual({
      handoffId: before.id,
      seq: 2,
      type: 'workStateChanged',
      actor: ada,
      at: T1,
      comment: '',
      detail: 'Blocked: Staging DB',
      version: 1,
      workState: 'blocked',
    });
  });

  it('blocked -> blocked with a new blocker changes the blocker; the work stays Blocked', () => {
    const before = posted({ workState: 'blocked', blocker: 'Staging DB' });
    const { handoff, event } = ok(before, { type: 'setWorkState', workState: 'blocked', blocker: 'Gateway keys' }, ada, T1);
    expect(handoff.blocker).toBe('Gateway keys');
    expect(event.workState).toBe('blocked');
    expect(event.detail).toBe('Blocked: Gateway keys');
  });

  it('blocked -> in progress -> blocked: each event holds the state it left, and the blocker is cleared in between', () => {
    const blocked = posted({ workState: 'blocked', blocker: 'Staging DB' });
    const progress = ok(blocked, { type: 'setWorkState', workState: 'inProgress', blocker: 'still typed' }, ada, T1);
    expect(progress.handoff).toMatchObject({ workState: 'inProgress', blocker: '' });
    expect(progress.event).toMatchObject({ detail: 'In progress', workState: 'inProgress' });
    const again = ok(progress.handoff, { type: 'setWorkState', workState: 'blocked', blocker: 'Gateway keys' }, ada, T2);
    expect(again.event.workState).toBe('blocked');
    const ready = ok(again.handoff, { type: 'setWorkState', workState: 'ready', blocker: '' }, ada, T3);
    expect(ready.event.detail).toBe('Ready');
  });

  it("is refused once accepted: the work is the receiver's now", () => {
    const accepted = inStatus('accepted');
    expect(apply(accepted, { type: 'setWorkState', workState: 'inProgress', blocker: '' }, ada, T2)).toEqual({
      ok: false,
      refusal: { code: 'wrongState', message: STATUS_LINE.accepted },
    });
  });
});

describe('cancel', () => {
  it('ends the handoff with the reason', () => {
    const before = posted();
    const { handoff, event } = ok(before, { type: 'cancel', reason: '  Plans changed. ' }, ada, T1);
    expect(handoff).toEqual({
      ...before,
      status: 'cancelled',
      updatedAt: T1,
      eventCount: 2,
      ending: { by: ada, at: T1, text: 'Plans changed.' },
    });
    expect(event).toEqual({
      handoffId: before.id,
      seq: 2,
      type: 'cancelled',
      actor: ada,
      at: T1,
      comment: 'Plans changed.',
      detail: '',
      version: 1,
      workState: 'ready',
    });
    expect(STATUS[handoff.status].final).toBe(true);
  });

  it('needs a reason, since the receiver and the owner are told, of at most 500 characters', () => {
    expect(apply(posted(), { type: 'cancel', reason: ' ' }, ada, T1)).toEqual(
      invalid('Say why you cancel: the receiver and the owner are told.'),
    );
    expect(apply(posted(), { type: 'cancel', reason: 'r'.repeat(501) }, ada, T1)).toEqual(invalid(TOO_LONG(501)));
  });
});

describe('reassign', () => {
  it('refuses the current receiver', () => {
    expect(apply(posted(), { type: 'reassign', receiver: grace }, alan, T1)).toEqual(invalid('Grace Hopper is already the receiver.'));
  });

  it('refuses the sender: nobody reviews their own handoff, as on the form', () => {
    expect(apply(posted(), { type: 'reassign', receiver: ada }, alan, T1)).toEqual(
      invalid('Ada Lovelace sent this handoff and cannot review it: choose someone else.'),
    );
  });

  it('hands it to the new receiver, back in review', () => {
    const before = inStatus('changesRequested');
    const { handoff, event } = ok(before, { type: 'reassign', receiver: hedy }, alan, T2);
    expect(handoff).toEqual({
      ...before,
      receiver: hedy,
      status: 'inReview',
      decision: undefined,
      updatedAt: T2,
      eventCount: 3,
      reassigned: { from: grace, to: hedy, at: T2 },
    });
    expect(event).toEqual({
      handoffId: before.id,
      seq: 3,
      type: 'reassigned',
      actor: alan,
      at: T2,
      comment: '',
      detail: 'from Grace Hopper to Hedy Lamarr',
      version: 1,
      workState: 'ready',
    });
    // The roles follow: the new receiver may review, the old one may not.
    expect(check(handoff, hedy.aadObjectId, 'accept')).toEqual({ ok: true });
    // The receiver who was reassigned away is told so, with when, not that only Hedy may.
    expect(check(handoff, grace.aadObjectId, 'accept')).toEqual({
      ok: false,
      refusal: { code: 'forbidden', message: 'This handoff was reassigned to Hedy Lamarr on Mon 4 May, 11:45 UTC.' },
    });
    expect(check(handoff, eve.aadObjectId, 'accept')).toEqual({
      ok: false,
      refusal: { code: 'forbidden', message: 'Only the receiver, Hedy Lamarr, can do that on this handoff.' },
    });
  });
});

describe('blocked means blocked', () => {
  const blocked = () => ok(posted(), { type: 'setWorkState', workState: 'blocked', blocker: 'Finance access' }, ada, T1).handoff;
  const refusal = {
    ok: false,
    refusal: {
      code: 'wrongState',
      message:
        'The work is blocked (Finance access): Ada Lovelace marks it ready or in progress before it can be accepted or sent back. You can still ask a question.',
    },
  };

  it('refuses an Accept or a change request while the work is blocked, and still lets the receiver ask', () => {
    expect(check(blocked(), grace.aadObjectId, 'accept')).toEqual(refusal);
    expect(check(blocked(), grace.aadObjectId, 'requestChanges')).toEqual(refusal);
    expect(check(blocked(), grace.aadObjectId, 'ask')).toEqual({ ok: true });
    expect(apply(blocked(), { type: 'accept', checked: [true, true, true], note: '' }, grace, T2)).toEqual(refusal);
    expect([...allowedActions(blocked(), grace.aadObjectId)]).toEqual(['ask']);
  });

  it('lets the review go on once the work is ready again', () => {
    const ready = ok(blocked(), { type: 'setWorkState', workState: 'ready', blocker: '' }, ada, T2).handoff;
    expect(check(ready, grace.aadObjectId, 'accept')).toEqual({ ok: true });
  });
});

describe('nudge', () => {
  it.each<[Status, Person]>([
    ['inReview', grace],
    ['questionAsked', ada],
    ['changesRequested', ada],
  ])('in %s names the ball holder and records the nudge', (status, holder) => {
    const before = inStatus(status);
    const { handoff, event } = ok(before, { type: 'nudge', reached: true }, alan, T3);
    expect(handoff).toEqual({
      ...before,
      updatedAt: T3,
      eventCount: before.eventCount + 1,
      lastNudge: { at: T3, by: alan, to: holder, reached: true },
    });
    expect(event).toEqual({
      handoffId: before.id,
      seq: before.eventCount + 1,
      type: 'nudged',
      actor: alan,
      at: T3,
      comment: '',
      detail: holder.name,
      version: 1,
      workState: 'ready',
    });
  });

  it('says in the history when the person could not be told', () => {
    const { handoff, event } = ok(posted(), { type: 'nudge', reached: false }, alan, T3);
    expect(handoff.lastNudge).toEqual({ at: T3, by: alan, to: grace, reached: false });
    expect(event.detail).toBe('Grace Hopper, who has not installed Baton and was not told');
  });

  it('refuses a second nudge of the same person within the hour, saying how long ago the last was', () => {
    const nudged = ok(posted(), { type: 'nudge', reached: true }, alan, '2026-05-04T10:00:00.000Z').handoff;
    expect(apply(nudged, { type: 'nudge', reached: true }, alan, '2026-05-04T10:12:00.000Z')).toEqual(
      invalid('Grace Hopper was nudged 12 minutes ago; you can nudge again an hour after that.'),
    );
    expect(ok(nudged, { type: 'nudge', reached: true }, alan, '2026-05-04T11:00:00.000Z').handoff.lastNudge?.at).toBe(
      '2026-05-04T11:00:00.000Z',
    );
    // Someone else holding the ball may be nudged at once.
    const asked = ok(nudged, { type: 'ask', question: 'Which flag?' }, grace, '2026-05-04T10:05:00.000Z').handoff;
    expect(ok(asked, { type: 'nudge', reached: true }, alan, '2026-05-04T10:06:00.000Z').handoff.lastNudge?.to).toEqual(ada);
  });

  it("lets the owner nudge at once after Baton's own reminder: only a person's nudge starts the hour", () => {
    const reminded = { ...posted(), lastNudge: { at: '2026-05-04T10:00:00.000Z', by: BATON, to: grace, reached: false } };
    expect(check(reminded, alan.aadObjectId, 'nudge', '2026-05-04T10:01:00.000Z')).toEqual({ ok: true });
  });

  it('never lets an owner who holds the ball nudge themselves', () => {
    const ownSender = inStatus('questionAsked', { sender: ada, receiver: grace, owner: ada, stakeholders: [] });
    expect(check(ownSender, ada.aadObjectId, 'nudge')).toEqual({
      ok: false,
      refusal: { code: 'invalid', message: 'The next step is yours: there is nobody to nudge.' },
    });
    expect(allowedActions(ownSender, ada.aadObjectId).has('nudge')).toBe(false);
  });
});

describe('close', () => {
  it('closes an accepted handoff with the note', () => {
    const before = inStatus('accepted');
    const { handoff, event } = ok(before, { type: 'close', note: ' Shipped. ' }, alan, T2);
    expect(handoff).toEqual({ ...before, status: 'closed', updatedAt: T2, eventCount: 3, ending: { by: alan, at: T2, text: 'Shipped.' } });
    expect(event).toEqual({
      handoffId: before.id,
      seq: 3,
      type: 'closed',
      actor: alan,
      at: T2,
      comment: 'Shipped.',
      detail: '',
      version: 1,
      workState: 'ready',
    });
  });

  it.each(['inReview', 'questionAsked', 'changesRequested', 'closed', 'cancelled'] as const)('is refused in %s', (status) => {
    const handoff = inStatus(status);
    expect(apply(handoff, { type: 'close', note: '' }, alan, T3)).toEqual({
      ok: false,
      refusal: { code: 'wrongState', message: statusLineFor(status, alan) },
    });
  });
});

describe('flagPriority', () => {
  it('requires a reason', () => {
    expect(apply(posted(), { type: 'flagPriority', priority: 'urgent', reason: ' ' }, barbara, T1)).toEqual(
      invalid('Say why the priority changes: a reason is required.'),
    );
  });

  it('refuses the current priority', () => {
    expect(apply(posted(), { type: 'flagPriority', priority: 'normal', reason: 'Still normal' }, barbara, T1)).toEqual(
      invalid('The priority is already normal.'),
    );
  });

  it('changes the priority and says from what to what', () => {
    const before = posted();
    const { handoff, event } = ok(before, { type: 'flagPriority', priority: 'urgent', reason: ' The launch moved up. ' }, barbara, T1);
    expect(handoff).toEqual({
      ...before,
      priority: 'urgent',
      updatedAt: T1,
      eventCount: 2,
      priorityFlag: { by: barbara, at: T1, text: 'The launch moved up.', from: 'normal', to: 'urgent' },
    });
    expect(event).toEqual({
      handoffId: before.id,
      seq: 2,
      type: 'priorityFlagged',
      actor: barbara,
      at: T1,
      comment: 'The launch moved up.',
      detail: 'normal -> urgent',
      version: 1,
      workState: 'ready',
    });
  });

  it('works on an accepted handoff', () => {
    const { event } = ok(inStatus('accepted'), { type: 'flagPriority', priority: 'high', reason: 'Audit' }, barbara, T2);
    expect(event.detail).toBe('normal -> high');
  });
});

describe('describeChanges', () => {
  const change = (after: Partial<HandoffFields>, before: Partial<HandoffFields> = {}) =>
    describeChanges({ ...FIELDS, ...before }, { ...FIELDS, ...after });

  it('says nothing when nothing changed', () => {
    expect(change({})).toEqual([]);
    expect(change({ links: [...FIELDS.links], acceptanceCriteria: [...FIELDS.acceptanceCriteria] })).toEqual([]);
  });

  it.each<[string, Partial<HandoffFields>, Partial<HandoffFields>, string[]]>([
    ['summary', { summary: 'Other' }, {}, ['changed the summary']],
    ['what is ready', { whatIsReady: 'More' }, {}, ['changed what is ready']],
    [
      'a criterion added',
      { acceptanceCriteria: [...FIELDS.acceptanceCriteria, 'Runbook updated'] },
      {},
      ['added one acceptance criterion'],
    ],
    [
      'two criteria added',
      { acceptanceCriteria: [...FIELDS.acceptanceCriteria, 'Runbook updated', 'Alert fires'] },
      {},
      ['added two acceptance criteria'],
    ],
    ['a criterion removed', { acceptanceCriteria: FIELDS.acceptanceCriteria.slice(1) }, {}, ['removed one acceptance criterion']],
    [
      'a criterion reworded',
      { acceptanceCriteria: ['All retry tests pass', ...FIELDS.acceptanceCriteria.slice(1)] },
      {},
      ['added one acceptance criterion', 'removed one acceptance criterion'],
    ],
    ['criteria reordered', { acceptanceCriteria: [...FIELDS.acceptanceCriteria].reverse() }, {}, ['reordered the acceptance criteria']],
    ['assumptions removed', { assumptions: '' }, {}, ['removed the assumptions']],
    ['assumptions changed', { assumptions: 'Sandbox gateway only.' }, {}, ['changed the assumptions']],
    [
      'links removed',
      { links: [] },
      {},
      [`removed ${['no', 'one', 'two'][FIELDS.links.length]} link${FIELDS.links.length === 1 ? '' : 's'}`],
    ],
    [
      'links reordered',
      { links: ['https://b.example', 'https://a.example'] },
      { links: ['https://a.example', 'https://b.example'] },
      ['reordered the links'],
    ],
    ['twelve links added', { links: Array.from({ length: 12 }, (_, i) => `https://x.example/${i}`) }, { links: [] }, ['added 12 links']],
    ['effort changed', { effortMinutes: 600 }, { effortMinutes: 240 }, ['effort 4 h → 1 working day and 2 h']],
    [
      'effort of a week and some',
      { effortMinutes: 2400 + 480 * 2 + 60 * 3 + 15 },
      { effortMinutes: 240 },
      ['effort 4 h → 7 working days and 3 h 15 min'],
    ],
    ['effort removed', { effortMinutes: undefined }, { effortMinutes: 240 }, ['removed the effort']],
    ['effort added', { effortMinutes: 30 }, { effortMinutes: undefined }, ['set the effort to 30 min']],
    ['work state', { workState: 'inProgress' }, { workState: 'ready' }, ['work state Ready → In progress']],
    ['blocker only', { workState: 'blocked', blocker: 'B' }, { workState: 'blocked', blocker: 'A' }, ['changed the blocker']],
    ['needed by changed', { neededBy: '2026-06-02' }, { neededBy: '2026-06-01' }, ['needed-by date 2026-06-01 → 2026-06-02']],
    ['needed by removed', { neededBy: undefined }, { neededBy: '2026-06-01' }, ['removed the needed-by date']],
    ['needed by set', { neededBy: '2026-06-01' }, { neededBy: undefined }, ['set the needed-by date to 2026-06-01']],
    ['priority', { priority: 'high' }, { priority: 'normal' }, ['priority normal → high']],
  ])('%s', (_name, after, before, expected) => {
    expect(change(after, before)).toEqual(expected);
  });

  it('lists every field in form order', () => {
    const after: HandoffFields = {
      summary: 'S',
      whatIsReady: 'W',
      acceptanceCriteria: ['New one'],
      assumptions: 'A',
      links: ['https://x.example'],
      effortMinutes: 60,
      workState: 'blocked',
      blocker: 'Staging',
      neededBy: '2026-07-01',
      priority: 'urgent',
    };
    expect(
      describeChanges({ ...FIELDS, effortMinutes: 240, neededBy: '2026-06-01', workState: 'ready', priority: 'normal' }, after),
    ).toEqual([
      'changed the summary',
      'changed what is ready',
      'added one acceptance criterion',
      `removed ${['no', 'one', 'two', 'three'][FIELDS.acceptanceCriteria.length]} acceptance criteri${FIELDS.acceptanceCriteria.length === 1 ? 'on' : 'a'}`,
      'changed the assumptions',
      'added one link',
      `removed ${['no', 'one', 'two'][FIELDS.links.length]} link${FIELDS.links.length === 1 ? '' : 's'}`,
      'effort 4 h → 1 h',
      'work state Ready → Blocked',
      'needed-by date 2026-06-01 → 2026-07-01',
      'priority normal → urgent',
    ]);
  });
});

describe('one person in several roles', () => {
  it("a sender who is also the owner may do both roles' actions", () => {
    const people: People = { sender: ada, receiver: grace, owner: ada, stakeholders: [barbara] };
    expect([...allowedActions(inStatus('inReview', people), ada.aadObjectId)]).toEqual([
      'resubmit',
      'setWorkState',
      'cancel',
      'reassign',
      'nudge',
    ]);
    // The ball is hers: she answers, and has nobody to nudge.
    expect([...allowedActions(inStatus('questionAsked', people), ada.aadObjectId)]).toEqual([
      'answer',
      'resubmit',
      'setWorkState',
      'cancel',
      'reassign',
    ]);
    expect([...allowedActions(inStatus('accepted', people), ada.aadObjectId)]).toEqual(['close']);
    const closed = ok(inStatus('accepted', people), { type: 'close', note: '' }, ada, T2);
    expect(closed.handoff.ending?.by).toEqual(ada);
  });

  it('a receiver who is also a stakeholder may review and flag the priority', () => {
    const people: People = { sender: ada, receiver: grace, owner: alan, stakeholders: [barbara, grace] };
    expect([...allowedActions(inStatus('inReview', people), grace.aadObjectId)]).toEqual([
      'accept',
      'requestChanges',
      'ask',
      'flagPriority',
    ]);
    expect([...allowedActions(inStatus('accepted', people), grace.aadObjectId)]).toEqual(['flagPriority']);
    expect(ok(posted({}, people), VALID.flagPriority, grace, T1).handoff.priority).toBe('urgent');
  });

  it('rolesOf lists every role a person holds', () => {
    const handoff = posted({}, { sender: ada, receiver: ada, owner: ada, stakeholders: [ada] });
    expect([...rolesOf(handoff, ada.aadObjectId)].sort()).toEqual(['owner', 'receiver', 'sender', 'stakeholder']);
    expect([...rolesOf(handoff, eve.aadObjectId)]).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Model-based property

type ActorRole = Role | 'stranger';

interface Step {
  action: ActionType;
  actor: ActorRole | 'rightful';
  text: string;
  checked: boolean[];
  workState: WorkState;
  priority: Priority;
  reassignTo: Person;
  /** For resubmit: which field to change, or none to resubmit unchanged. */
  edit: 'none' | 'summary' | 'criteria' | 'blocked' | 'ready';
}

/** Texts that are valid, blank, or padded, so both outcomes are explored. */
const anyText = fc.oneof(
  fc.constantFrom('', ' ', '\n\t ', 'Why?', '  Looks fine  ', 'Add the rollback steps.'),
  fc.string({ maxLength: 12 }),
);

const ACTOR_ROLES: readonly ActorRole[] = ['sender', 'receiver', 'owner', 'stakeholder', 'stranger'];

const stepArbitrary: fc.Arbitrary<Step> = fc.record({
  // Cancel and close end a sequence, so they come up less often than the rest.
  action: fc.oneof(
    { arbitrary: fc.constantFrom(...ACTION_TYPES.filter((a) => a !== 'cancel' && a !== 'close')), weight: 12 },
    { arbitrary: fc.constantFrom<ActionType>('cancel', 'close'), weight: 1 },
  ),
  // Half the time the action's own role acts, so sequences get far; otherwise anyone.
  actor: fc.oneof(fc.constant<ActorRole | 'rightful'>('rightful'), fc.constantFrom<ActorRole | 'rightful'>(...ACTOR_ROLES)),
  text: anyText,
  checked: fc.array(fc.boolean(), { maxLength: 4 }),
  workState: fc.constantFrom<WorkState>('ready', 'inProgress', 'blocked'),
  priority: fc.constantFrom<Priority>(...PRIORITIES),
  reassignTo: fc.constantFrom(hedy, grace, ada, barbara),
  edit: fc.constantFrom('none', 'summary', 'criteria', 'blocked', 'ready'),
});

function commandOf(step: Step, handoff: Handoff): Command {
  switch (step.action) {
    case 'accept':
      return { type: 'accept', checked: step.checked, note: step.text };
    case 'requestChanges':
      return { type: 'requestChanges', comment: step.text };
    case 'ask':
      return { type: 'ask', question: step.text };
    case 'answer':
      return { type: 'answer', answer: step.text };
    case 'resubmit': {
      const { summary, whatIsReady, acceptanceCriteria, assumptions, links, effortMinutes, workState, blocker, neededBy, priority } =
        handoff;
      const fields: HandoffFields = {
        summary,
        whatIsReady,
        acceptanceCriteria,
        assumptions,
        links,
        effortMinutes,
        workState,
        blocker,
        neededBy,
        priority,
      };
      if (step.edit === 'summary') fields.summary = `${summary}!`;
      if (step.edit === 'criteria') fields.acceptanceCriteria = [...acceptanceCriteria, `Check ${acceptanceCriteria.length}`];
      if (step.edit === 'blocked') Object.assign(fields, { workState: 'blocked', blocker: 'Staging DB' });
      if (step.edit === 'ready') Object.assign(fields, { workState: 'ready', blocker: '' });
      return { type: 'resubmit', fields };
    }
    case 'setWorkState':
      return { type: 'setWorkState', workState: step.workState, blocker: step.text };
    case 'cancel':
      return { type: 'cancel', reason: step.text };
    case 'reassign':
      return { type: 'reassign', receiver: step.reassignTo };
    case 'nudge':
      return { type: 'nudge', reached: true };
    case 'close':
      return { type: 'close', note: step.text };
    case 'flagPriority':
      return { type: 'flagPriority', priority: step.priority, reason: step.text };
  }
}

/** The person acting in a role now (the receiver changes on reassign). */
function actorFor(step: Step, handoff: Handoff): Person {
  const role = step.actor === 'rightful' ? ROLE_OF[step.action] : step.actor;
  if (role === 'stranger') return eve;
  if (role === 'stakeholder') return barbara;
  return handoff[role];
}

/** What the model says about one step: whether it succeeds and the status after. */
function expectedStep(before: Handoff, step: Step, command: Command, actor: Person, at: string): { ok: boolean; status: Status } {
  const blank = (s: string) => s.trim() === '';
  // Allowed to one of the roles the actor holds now (after a reassign, the stakeholder may also be the receiver), by the hand-written table.
  const roles = [...rolesOf(before, actor.aadObjectId)];
  if (!roles.some((role) => ALLOWED[before.status][role].includes(command.type))) return { ok: false, status: before.status };
  // Blocked work is not reviewed: no Accept and no change request until it is unblocked.
  const blocked = before.workState === 'blocked' && STATUS[before.status].open;
  if (blocked && (command.type === 'accept' || command.type === 'requestChanges')) return { ok: false, status: before.status };
  switch (command.type) {
    case 'accept': {
      const allChecked = before.acceptanceCriteria.every((_, i) => command.checked[i] === true);
      return allChecked || !blank(command.note) ? { ok: true, status: 'accepted' } : { ok: false, status: before.status };
    }
    case 'requestChanges':
      return blank(command.comment) ? { ok: false, status: before.status } : { ok: true, status: 'changesRequested' };
    case 'ask':
      return blank(command.question) ? { ok: false, status: before.status } : { ok: true, status: 'questionAsked' };
    case 'answer':
      return blank(command.answer) ? { ok: false, status: before.status } : { ok: true, status: 'inReview' };
    case 'resubmit': {
      const unchanged =
        step.edit === 'none' ||
        (step.edit === 'blocked' && before.workState === 'blocked' && before.blocker === 'Staging DB') ||
        (step.edit === 'ready' && before.workState === 'ready');
      return unchanged ? { ok: false, status: before.status } : { ok: true, status: 'inReview' };
    }
    case 'setWorkState': {
      const blocker = command.workState === 'blocked' ? command.blocker.trim() : '';
      if (command.workState === 'blocked' && blocker === '') return { ok: false, status: before.status };
      if (command.workState === before.workState && blocker === before.blocker) return { ok: false, status: before.status };
      return { ok: true, status: before.status };
    }
    case 'cancel':
      return blank(command.reason) ? { ok: false, status: before.status } : { ok: true, status: 'cancelled' };
    case 'reassign':
      // Not the receiver already, and never the sender.
      return [before.receiver.aadObjectId, before.sender.aadObjectId].includes(command.receiver.aadObjectId)
        ? { ok: false, status: before.status }
        : { ok: true, status: 'inReview' };
    case 'nudge': {
      // Not oneself, and not the same person again within the hour.
      const holder = ballHolder(before)!;
      const last = before.lastNudge;
      const tooSoon =
        last !== undefined && last.to.aadObjectId === holder.aadObjectId && Date.parse(at) - Date.parse(last.at) < 60 * 60_000;
      return holder.aadObjectId === actor.aadObjectId || tooSoon
        ? { ok: false, status: before.status }
        : { ok: true, status: before.status };
    }
    case 'close':
      return { ok: true, status: 'closed' };
    case 'flagPriority':
      return blank(command.reason) || command.priority === before.priority
        ? { ok: false, status: before.status }
        : { ok: true, status: before.status };
  }
}

describe('the process under random sequences of actions', () => {
  it('keeps every invariant after every step, and follows the model', () => {
    let okSteps = 0;
    const reached = new Set<Status>();
    const succeeded = new Set<ActionType>();
    let totalSteps = 0;
    let longest = 0;
    fc.assert(
      fc.property(fc.array(stepArbitrary, { maxLength: 30, size: 'max' }), fc.boolean(), (steps, startBlocked) => {
        let handoff = posted(startBlocked ? { workState: 'blocked', blocker: 'Staging DB' } : {});
        let oks = 0;
        let everAccepted = false;
        let minute = 0;
        for (const step of steps) {
          const before = handoff;
          const command = commandOf(step, before);
          const actor = actorFor(step, before);
          minute += 1;
          const at = new Date(Date.parse(T0) + minute * 60_000).toISOString();
          const outcome = apply(before, command, actor, at);
          const model = expectedStep(before, step, command, actor, at);
          expect(outcome.ok, `${command.type} by ${step.actor} in ${before.status}`).toBe(model.ok);

          if (outcome.ok) {
            oks += 1;
            succeeded.add(command.type);
            const next = outcome.handoff;
            // Only someone holding the action's role, in one of its statuses, succeeds.
            expect(rolesOf(before, actor.aadObjectId).has(ROLE_OF[command.type])).toBe(true);
            expect(ALLOWED[before.status][ROLE_OF[command.type]]).toContain(command.type);
            expect(STATUS[before.status].final).toBe(false);
            // One event per success, numbered by the new count.
            expect(next.eventCount).toBe(before.eventCount + 1);
            expect(outcome.event.seq).toBe(next.eventCount);
            expect(outcome.event.handoffId).toBe(before.id);
            expect(outcome.event.actor).toEqual(actor);
            expect(outcome.event.at).toBe(at);
            expect(next.updatedAt).toBe(at);
            // Version only grows, by one, on resubmit.
            expect(next.version).toBe(before.version + (command.type === 'resubmit' ? 1 : 0));
            // Each event says the version and work state it leaves, which is what the metrics read.
            expect(outcome.event.version).toBe(next.version);
            expect(outcome.event.workState).toBe(next.workState);
            if (command.type === 'accept') everAccepted = true;
            handoff = next;
          } else {
            expect(['forbidden', 'wrongState', 'invalid']).toContain(outcome.refusal.code);
            expect(outcome.refusal.message).not.toBe('');
          }

          // After every step.
          expect(handoff.status).toBe(model.status);
          reached.add(handoff.status);
          expect(STATUSES).toContain(handoff.status);
          if (STATUS[before.status].final) expect(handoff).toBe(before);
          expect(handoff.eventCount).toBe(1 + oks);
          expect(handoff.version).toBeGreaterThanOrEqual(before.version);
          if (handoff.status === 'accepted' || handoff.status === 'changesRequested') {
            expect(handoff.decision).toBeDefined();
            expect(handoff.decision?.status).toBe(handoff.status);
          }
          // A handoff is only ever accepted through an accept.
          if (handoff.status === 'accepted') expect(everAccepted).toBe(true);
          if (handoff.status === 'questionAsked') expect(handoff.question).toBeDefined();
          if (STATUS[handoff.status].final) expect(handoff.ending).toBeDefined();
        }
        okSteps += oks;
        totalSteps += steps.length;
        longest = Math.max(longest, handoff.eventCount);
      }),
      { numRuns: 1000 },
    );
    // The generator really explores the process.
    expect(totalSteps).toBeGreaterThan(10_000);
    expect(okSteps).toBeGreaterThan(2000);
    expect(longest).toBeGreaterThanOrEqual(8);
    expect([...reached].sort()).toEqual([...STATUSES].sort());
    expect([...succeeded].sort()).toEqual([...ACTION_TYPES].sort());
  });
});
