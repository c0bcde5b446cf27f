/**
 * The Review step: only the receiver decides, only once, and every decision is
 * exactly one history event.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  type Handoff,
  type HandoffFields,
  type Person,
  postHandoff,
  STATUSES,
  type Status,
} from '../../src/domain/handoff';
import { describeDecision, review, type ReviewAction, type ReviewResult } from '../../src/domain/review';

const ada: Person = { aadObjectId: 'aad-ada', userId: '29:ada', name: 'Ada Lovelace' };
const grace: Person = { aadObjectId: 'aad-grace', userId: '29:grace', name: 'Grace Hopper' };
const alan: Person = { aadObjectId: 'aad-alan', userId: '29:alan', name: 'Alan Turing' };
const linus: Person = { aadObjectId: 'aad-linus', userId: '29:linus', name: 'Linus Torvalds' };

const POSTED_AT = '2026-05-10T08:00:00.000Z';
const DECIDED_AT = '2026-05-10T09:00:00.000Z';
const NOW = '2026-05-11T10:30:00.000Z';

const fields: HandoffFields = {
  summary: 'Payments retry logic is ready for QA',
  whatIsReady: 'Retry worker merged behind the payments-retry flag.',
  acceptanceCriteria: ['All retry tests pass in CI'],
  assumptions: '',
  links: ['https://github.com/org/payments/pull/42'],
  effortMinutes: 240,
  workState: 'ready',
  blocker: '',
  neededBy: '2026-05-20',
};

function posted(people: { sender: Person; receiver: Person; owner: Person } = { sender: ada, receiver: grace, owner: alan }): Handoff {
  return postHandoff({
    id: 'handoff-1',
    tenantId: 'tenant-1',
    fields,
    ...people,
    conversation: { id: 'conv-1', serviceUrl: 'https://smba.example.com/', messageId: 'msg-1' },
    at: POSTED_AT,
  }).handoff;
}

/** A handoff in each status, built directly (not through review) so the table does not depend on the code under test. */
function inStatus(status: Status): Handoff {
  const base = posted();
  if (status === 'inReview') return base;
  return {
    ...base,
    status,
    decision: { status, by: grace, at: DECIDED_AT, comment: status === 'changesRequested' ? 'Add a test' : '' },
    updatedAt: DECIDED_AT,
    eventCount: 2,
  };
}

const ROLES = { sender: ada, receiver: grace, owner: alan, stranger: linus } as const;
type RoleName = keyof typeof ROLES;

const FORBIDDEN = { ok: false, refusal: { code: 'forbidden', message: 'Only Grace Hopper, the receiver, can review this handoff.' } };
const NEEDS_COMMENT = { ok: false, refusal: { code: 'invalid', message: 'Say what needs to change: a comment is required.' } };
const ALREADY_ACCEPTED = {
  ok: false,
  refusal: { code: 'alreadyDecided', message: `This handoff was already accepted by Grace Hopper at ${DECIDED_AT}.` },
};
const ALREADY_SENT_BACK = {
  ok: false,
  refusal: {
    code: 'alreadyDecided',
    message: `This handoff was already sent back with a change request by Grace Hopper at ${DECIDED_AT}.`,
  },
};

function decided(status: 'accepted' | 'changesRequested', comment: string): ReviewResult {
  const before = inStatus('inReview');
  return {
    ok: true,
    handoff: { ...before, status, decision: { status, by: grace, at: NOW, comment }, updatedAt: NOW, eventCount: 2 },
    event: { handoffId: 'handoff-1', seq: 2, type: status, actor: grace, at: NOW, comment },
  };
}

type Row = [RoleName, Status, ReviewAction, string | undefined, unknown];

const rows: Row[] = [];
for (const role of Object.keys(ROLES) as RoleName[]) {
  for (const [action, comment] of [
    ['accept', undefined],
    ['accept', '  Looks good  '],
    ['requestChanges', undefined],
    ['requestChanges', '   '],
    ['requestChanges', '  Add a test for the third retry  '],
  ] as const) {
    rows.push([role, 'accepted', action, comment, ALREADY_ACCEPTED]);
    rows.push([role, 'changesRequested', action, comment, ALREADY_SENT_BACK]);
    if (role !== 'receiver') {
      rows.push([role, 'inReview', action, comment, FORBIDDEN]);
    }
  }
}
rows.push(
  ['receiver', 'inReview', 'accept', undefined, decided('accepted', '')],
  ['receiver', 'inReview', 'accept', '  Looks good  ', decided('accepted', 'Looks good')],
  ['receiver', 'inReview', 'requestChanges', undefined, NEEDS_COMMENT],
  ['receiver', 'inReview', 'requestChanges', '   ', NEEDS_COMMENT],
  ['receiver', 'inReview', 'requestChanges', '  Add a test for the third retry  ', decided('changesRequested', 'Add a test for the third retry')],
);

describe('review: role x status x action', () => {
  it('covers every combination', () => {
    expect(rows.length).toBe(4 * 3 * 5);
  });

  it.each(rows)('%s on %s handoff, %s with comment %j', (role, status, action, comment, expected) => {
    const handoff = inStatus(status);
    const snapshot = structuredClone(handoff);
    const result = comment === undefined ? review(handoff, action, ROLES[role], NOW) : review(handoff, action, ROLES[role], NOW, comment);
    expect(result).toEqual(expected);
    expect(handoff).toEqual(snapshot);
  });
});

describe('review: edge cases', () => {
  it('lets a person who is both sender and receiver review', () => {
    const self = posted({ sender: ada, receiver: ada, owner: alan });
    const result = review(self, 'accept', ada, NOW);
    expect(result).toEqual({
      ok: true,
      handoff: { ...self, status: 'accepted', decision: { status: 'accepted', by: ada, at: NOW, comment: '' }, updatedAt: NOW, eventCount: 2 },
      event: { handoffId: 'handoff-1', seq: 2, type: 'accepted', actor: ada, at: NOW, comment: '' },
    });
  });

  it('lets a person who is both owner and receiver request changes', () => {
    const result = review(posted({ sender: ada, receiver: alan, owner: alan }), 'requestChanges', alan, NOW, 'Fix it');
    expect(result.ok && [result.handoff.status, result.event.actor, result.event.comment]).toEqual(['changesRequested', alan, 'Fix it']);
  });

  it('identifies the actor by aadObjectId, not by name or Teams id', () => {
    const impostor: Person = { aadObjectId: 'aad-someone', userId: grace.userId, name: grace.name };
    expect(review(posted(), 'accept', impostor, NOW)).toEqual(FORBIDDEN);
  });

  it('numbers the event after the existing history', () => {
    const handoff = { ...posted(), eventCount: 7 };
    const result = review(handoff, 'accept', grace, NOW);
    expect(result.ok && [result.event.seq, result.handoff.eventCount]).toEqual([8, 8]);
  });

  it('refuses a comment over 2000 characters and accepts one of exactly 2000 (after trimming)', () => {
    expect(review(posted(), 'requestChanges', grace, NOW, 'c'.repeat(2001))).toEqual({
      ok: false,
      refusal: { code: 'invalid', message: 'Keep the comment to 2000 characters at most.' },
    });
    expect(review(posted(), 'accept', grace, NOW, 'c'.repeat(2001))).toEqual({
      ok: false,
      refusal: { code: 'invalid', message: 'Keep the comment to 2000 characters at most.' },
    });
    const result = review(posted(), 'requestChanges', grace, NOW, `  ${'c'.repeat(2000)}  `);
    expect(result.ok && result.event.comment).toBe('c'.repeat(2000));
  });

  it('checks "already decided" before the actor, so a late stranger learns the outcome', () => {
    expect(review(inStatus('accepted'), 'accept', linus, NOW)).toEqual(ALREADY_ACCEPTED);
  });

  it('describes an undecided handoff as waiting', () => {
    expect(describeDecision(posted())).toBe('This handoff is waiting for review.');
  });
});

describe('review: model-based property', () => {
  const STAFFINGS = {
    distinct: { sender: ada, receiver: grace, owner: alan },
    senderIsReceiver: { sender: ada, receiver: ada, owner: alan },
    ownerIsReceiver: { sender: ada, receiver: alan, owner: alan },
    onePerson: { sender: ada, receiver: ada, owner: ada },
  } as const;
  const step = fc.record({
    action: fc.constantFrom<ReviewAction>('accept', 'requestChanges'),
    actor: fc.constantFrom<'sender' | 'receiver' | 'owner' | 'stranger'>('sender', 'receiver', 'owner', 'stranger'),
    comment: fc.constantFrom('', 'x', '  '),
  });

  it('keeps its invariants along any sequence of review attempts', () => {
    let decisions = 0;
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(STAFFINGS)), fc.array(step, { maxLength: 20 }), (people, steps) => {
        const actors = { ...people, stranger: linus };
        let handoff = posted(people);
        let oks = 0;
        let decidedState: { status: Status; decision: unknown } | undefined;
        steps.forEach((s, i) => {
          const actor = actors[s.actor];
          const result = review(handoff, s.action, actor, `2026-05-11T10:00:${String(i).padStart(2, '0')}.000Z`, s.comment);
          if (result.ok) {
            oks += 1;
            expect(actor.aadObjectId).toBe(people.receiver.aadObjectId);
            expect(result.event.seq).toBe(result.handoff.eventCount);
            expect(result.event.type).toBe(result.handoff.status);
            expect(result.event.actor).toEqual(actor);
            expect(result.event.comment).toBe(s.comment.trim());
            if (s.action === 'requestChanges') expect(s.comment.trim()).not.toBe('');
            handoff = result.handoff;
          }
          expect(STATUSES).toContain(handoff.status);
          expect(handoff.decision !== undefined).toBe(handoff.status !== 'inReview');
          if (handoff.decision) expect(handoff.decision.status).toBe(handoff.status);
          if (decidedState) expect({ status: handoff.status, decision: handoff.decision }).toEqual(decidedState);
          else if (handoff.status !== 'inReview') decidedState = structuredClone({ status: handoff.status, decision: handoff.decision });
          expect(handoff.eventCount).toBe(1 + oks);
        });
        if (decidedState) decisions += 1;
      }),
      { numRuns: 300 },
    );
    expect(decisions).toBeGreaterThan(0);
  });
});
