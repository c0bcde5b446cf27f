/**
 * "What waits on me" (the `mine` command): a person's handoffs grouped by the
 * step that needs them.
 */
import { describe, expect, it } from 'vitest';
import { type Handoff, postHandoff, type Status, STATUSES } from '../../src/domain/handoff';
import { digestGroups, groupMyWork, WAIT_GROUP_TITLES, WAIT_GROUPS, type WaitGroup, waitGroup, waitLine } from '../../src/domain/my-work';
import { searchLine } from '../../src/domain/search';
import { cardInstant } from '../../src/cards/card-time';
import { formatWhen } from '../../src/domain/time-format';
import { listingOf } from '../../src/domain/handoff';
import { ada, alan, barbara, eve, grace } from '../support/builders';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours';
import { DEFAULT_DUE_POLICY, nextDueState } from '../../src/domain/due';

function handoff(
  id: string,
  status: Status,
  updatedAt: string,
  people: Partial<Pick<Handoff, 'sender' | 'receiver' | 'owner' | 'stakeholders'>> = {},
): Handoff {
  const { handoff: posted } = postHandoff({
    id,
    tenantId: 'tenant-1',
    fields: {
      summary: `Handoff ${id}`,
      whatIsReady: 'Merged.',
      acceptanceCriteria: ['Tests pass'],
      assumptions: '',
      links: [],
      effortMinutes: undefined,
      workState: 'ready',
      blocker: '',
      neededBy: undefined,
      priority: 'normal',
    },
    sender: ada,
    receiver: grace,
    owner: alan,
    stakeholders: [barbara],
    ...people,
    conversation: { id: '19:chat', serviceUrl: 'https://smba.example/' },
    at: '2026-05-01T09:00:00.000Z',
    late: false,
  });
  return { ...posted, status, updatedAt };
}

const ROLES = { sender: ada, receiver: grace, owner: alan, stakeholder: barbara, stranger: eve } as const;
type RoleName = keyof typeof ROLES;

/**
 * The group each role finds a handoff in, per status. A stakeholder only
 * follows a handoff (through the weekly summary): it is not theirs in `mine`.
 */
const EXPECTED: Record<Status, Record<RoleName, WaitGroup | undefined>> = {
  inReview: { sender: 'waitingOnOthers', receiver: 'toReview', owner: 'waitingOnOthers', stakeholder: undefined, stranger: undefined },
  questionAsked: { sender: 'toAnswer', receiver: 'waitingOnOthers', owner: 'waitingOnOthers', stakeholder: undefined, stranger: undefined },
  changesRequested: { sender: 'toFix', receiver: 'waitingOnOthers', owner: 'waitingOnOthers', stakeholder: undefined, stranger: undefined },
  accepted: { sender: 'waitingOnOthers', receiver: 'waitingOnOthers', owner: 'toClose', stakeholder: undefined, stranger: undefined },
  closed: { sender: undefined, receiver: undefined, owner: undefined, stakeholder: undefined, stranger: undefined },
  cancelled: { sender: undefined, receiver: undefined, owner: undefined, stakeholder: undefined, stranger: undefined },
};

/** Every group, empty. */
const NOTHING = { blocked: [], toReview: [], toAnswer: [], toFix: [], toClose: [], waitingOnAway: [], waitingOnOthers: [] };

describe('waitGroup', () => {
  const cases = STATUSES.flatMap((status) => (Object.keys(ROLES) as RoleName[]).map((role) => [status, role] as const));

  it.each(cases)('%s, %s', (status, role) => {
    expect(waitGroup(handoff('h', status, '2026-05-02T00:00:00.000Z'), ROLES[role].aadObjectId)).toBe(EXPECTED[status][role]);
  });

  it('puts a person with several roles in the group of the role the step needs', () => {
    const senderOwner = { sender: ada, owner: ada };
    expect(waitGroup(handoff('h', 'accepted', 'x', senderOwner), ada.aadObjectId)).toBe('toClose');
    expect(waitGroup(handoff('h', 'questionAsked', 'x', senderOwner), ada.aadObjectId)).toBe('toAnswer');
    expect(waitGroup(handoff('h', 'inReview', 'x', senderOwner), ada.aadObjectId)).toBe('waitingOnOthers');
    const senderReceiver = { sender: ada, receiver: ada };
    expect(waitGroup(handoff('h', 'inReview', 'x', senderReceiver), ada.aadObjectId)).toBe('toReview');
    expect(waitGroup(handoff('h', 'changesRequested', 'x', senderReceiver), ada.aadObjectId)).toBe('toFix');
    const receiverStakeholder = { stakeholders: [barbara, grace] };
    expect(waitGroup(handoff('h', 'inReview', 'x', receiverStakeholder), grace.aadObjectId)).toBe('toReview');
    expect(waitGroup(handoff('h', 'closed', 'x', receiverStakeholder), grace.aadObjectId)).toBeUndefined();
  });
});

/** An instant no handoff of these tests is due at. */
const NOON = new Date('2026-05-04T12:00:00.000Z');

describe('groupMyWork', () => {
  it('has every group, in order, with its title', () => {
    expect(WAIT_GROUPS).toEqual(['blocked', 'toReview', 'toAnswer', 'toFix', 'toClose', 'waitingOnAway', 'waitingOnOthers']);
    expect(WAIT_GROUP_TITLES).toEqual({
      blocked: 'Blocked',
      toReview: 'To review',
      toAnswer: 'To answer',
      toFix: 'To fix and resubmit',
      toClose: 'To close',
      waitingOnAway: 'Waiting on someone away',
      waitingOnOthers: 'Waiting on others',
    });
    expect(groupMyWork([], ada.aadObjectId, NOON)).toEqual(NOTHING);
  });

  it("groups a receiver's handoffs, the longest waiting first, leaving out final ones and others' handoffs", () => {
    const old = handoff('old', 'inReview', '2026-05-02T08:00:00.000Z');
    const newest = handoff('newest', 'inReview', '2026-05-04T08:00:00.000Z');
    const middle = handoff('middle', 'inReview', '2026-05-03T08:00:00.000Z');
    const asked = handoff('asked', 'questionAsked', '2026-05-03T09:00:00.000Z');
    const accepted = handoff('accepted', 'accepted', '2026-05-05T09:00:00.000Z');
    const closed = handoff('closed', 'closed', '2026-05-06T09:00:00.000Z');
    const cancelled = handoff('cancelled', 'cancelled', '2026-05-06T10:00:00.000Z');
    const notMine = handoff('notMine', 'inReview', '2026-05-07T10:00:00.000Z', {
      receiver: alan,
      sender: barbara,
      owner: barbara,
      stakeholders: [],
    });
    const all = [old, closed, newest, asked, notMine, middle, cancelled, accepted];
    const groups = groupMyWork(all, grace.aadObjectId, NOON);
    expect(Object.fromEntries(Object.entries(groups).map(([g, hs]) => [g, hs.map((h) => h.id)]))).toEqual({
      blocked: [],
      toReview: ['old', 'middle', 'newest'],
      toAnswer: [],
      toFix: [],
      toClose: [],
      waitingOnAway: [],
      waitingOnOthers: ['asked', 'accepted'],
    });
    // The input is left as it was.
    expect(all.map((h) => h.id)).toEqual(['old', 'closed', 'newest', 'asked', 'notMine', 'middle', 'cancelled', 'accepted']);
  });

  it("groups a sender-owner's handoffs by the step that needs them", () => {
    const people = { sender: ada, owner: ada };
    const list = [
      handoff('a1', 'questionAsked', '2026-05-01T10:00:00.000Z', people),
      handoff('a2', 'questionAsked', '2026-05-02T10:00:00.000Z', people),
      handoff('f1', 'changesRequested', '2026-05-03T10:00:00.000Z', people),
      handoff('c1', 'accepted', '2026-05-01T11:00:00.000Z', people),
      handoff('w1', 'inReview', '2026-05-04T10:00:00.000Z', people),
      handoff('x1', 'closed', '2026-05-05T10:00:00.000Z', people),
    ];
    const groups = groupMyWork(list, ada.aadObjectId, NOON);
    expect(Object.fromEntries(Object.entries(groups).map(([g, hs]) => [g, hs.map((h) => h.id)]))).toEqual({
      blocked: [],
      toReview: [],
      toAnswer: ['a1', 'a2'],
      toFix: ['f1'],
      toClose: ['c1'],
      waitingOnAway: [],
      waitingOnOthers: ['w1'],
    });
  });

  it('lists what waits on someone away under a heading of its own, never as overdue or escalated, and says until when', () => {
    // Grace (UTC office hours) is away from Monday 4 May 09:00 to Thursday 7 May 09:00; her review was due Monday 10:00.
    const posted = {
      ...handoff('away1', 'inReview', '2026-05-01T10:00:00.000Z'),
      createdAt: '2026-05-01T10:00:00.000Z',
      neededBy: '2026-05-04',
    };
    const away = { start: '2026-05-04T09:00:00.000Z', end: '2026-05-07T09:00:00.000Z' };
    const hours = new Map([
      [grace.aadObjectId, { ...DEFAULT_WORKING_HOURS, away: [away] }],
      [alan.aadObjectId, DEFAULT_WORKING_HOURS],
    ]);
    const event = {
      handoffId: 'away1',
      seq: 1,
      type: 'posted' as const,
      actor: ada,
      at: posted.createdAt,
      comment: '',
      detail: '',
      version: 1,
      workState: 'ready' as const,
    };
    const waiting = { ...posted, ...nextDueState(undefined, posted, event, hours, DEFAULT_DUE_POLICY) };
    const now = new Date('2026-05-05T12:00:00.000Z');
    expect(groupMyWork([waiting], ada.aadObjectId, now).waitingOnAway.map((h) => h.id)).toEqual(['away1']);
    expect(groupMyWork([waiting], alan.aadObjectId, now).waitingOnAway.map((h) => h.id)).toEqual(['away1']);
    // Her own list still says it is hers to review.
    expect(groupMyWork([waiting], grace.aadObjectId, now).toReview.map((h) => h.id)).toEqual(['away1']);
    expect(waitLine(waiting, 'waitingOnAway', now, (iso) => formatWhen(iso, 'Europe/London', now))).toEqual({
      detail: 'Waiting on Grace Hopper to review · 4 days ago',
      due: "away until Thu 7 May · due Thu 7 May, 11:00 (1 h of Grace's working time left)",
    });
    // Its needed-by date passed while she is away: the owner's digest does not list it as escalated.
    expect(digestGroups([waiting], alan.aadObjectId, now, cardInstant)).toEqual([]);
    expect(searchLine(listingOf(waiting), 'Europe/London', now)).toBe(
      'Waiting on someone away (in review) · waiting on Grace Hopper · away until Thu 7 May · due Thu 7 May, 11:00 London time · needed by Mon 4 May (passed) · Ada Lovelace → Grace Hopper',
    );
  });

  it('says who waits on whom, and since when', () => {
    const now = new Date('2026-05-04T12:00:00.000Z');
    const people = { sender: ada, owner: alan };
    expect(waitLine(handoff('r', 'inReview', '2026-05-02T12:00:00.000Z', people), 'toReview', now, cardInstant)).toEqual({
      detail: 'From Ada Lovelace · 2 days ago',
      due: '',
    });
    const asked = {
      ...handoff('a', 'questionAsked', '2026-05-04T09:00:00.000Z', people),
      question: { by: grace, at: '2026-05-04T09:00:00.000Z', text: 'Q' },
    };
    expect(waitLine(asked, 'toAnswer', now, cardInstant).detail).toBe('Grace Hopper asked you a question · 3 hours ago');
    const changes = {
      ...handoff('c', 'changesRequested', '2026-05-03T12:00:00.000Z', people),
      decision: { status: 'changesRequested' as const, by: grace, at: 'x', text: 'More', checked: [] },
    };
    expect(waitLine(changes, 'toFix', now, cardInstant).detail).toBe('Grace Hopper asked for changes · 1 day ago');
    expect(waitLine(handoff('w', 'questionAsked', '2026-05-04T11:00:00.000Z', people), 'waitingOnOthers', now, cardInstant).detail).toBe(
      'Waiting on Ada Lovelace to answer a question · 1 hour ago',
    );
    expect(waitLine(handoff('v', 'inReview', '2026-05-04T11:59:50.000Z', { ...people }), 'waitingOnOthers', now, cardInstant).detail).toBe(
      'Waiting on Grace Hopper to review · just now',
    );
  });

  it('gives a stranger nothing', () => {
    const list = STATUSES.map((status, i) => handoff(`h${i}`, status, `2026-05-0${i + 1}T10:00:00.000Z`));
    expect(groupMyWork(list, eve.aadObjectId, NOON)).toEqual(NOTHING);
  });
});

describe('blocked, closed and waiting, the same in `mine`, search and the digest', () => {
  const now = new Date('2026-05-04T12:00:00.000Z');
  const blocked = (status: Status = 'inReview'): Handoff => ({
    ...handoff('b', status, '2026-05-04T11:59:00.000Z'),
    workState: 'blocked',
    blocker: 'Waiting for finance to grant read access',
    priority: 'urgent',
    // The sender got the ball when it was blocked, on Saturday; a later change (a flag, a nudge) moved updatedAt only.
    clock: {
      step: 'unblock',
      startedBy: 2,
      holder: ada,
      holderHours: DEFAULT_WORKING_HOURS,
      ownerHours: DEFAULT_WORKING_HOURS,
      runStartedAt: '2026-05-02T12:00:00.000Z',
      usedMinutes: 0,
      goalMinutes: 960,
      dueAt: '2026-05-05T17:00:00.000Z',
      level: 0,
    },
  });

  it('lists blocked work under its own heading for everyone on it, first, since the holder got the ball', () => {
    expect(WAIT_GROUPS[0]).toBe('blocked');
    expect(WAIT_GROUP_TITLES.blocked).toBe('Blocked');
    for (const person of [ada, grace, alan]) expect(waitGroup(blocked(), person.aadObjectId)).toBe('blocked');
    // With when unblocking is due, in the reader's words: the owner reads Ada's name, Ada reads "you".
    // The due time apart, for a card's TextBlock: the client writes DATE and TIME in its viewer's zone.
    expect(waitLine(blocked(), 'blocked', now, cardInstant, alan.aadObjectId)).toEqual({
      detail: 'Blocked: Waiting for finance to grant read access · Ada Lovelace is on it · 2 days ago',
      due: `due ${cardInstant('2026-05-05T17:00:00.000Z')} (in 1 working day and 5 h of Ada's time)`,
    });
    expect(waitLine(blocked(), 'blocked', now, cardInstant, ada.aadObjectId)).toEqual({
      detail: 'Blocked: Waiting for finance to grant read access · you are on it · 2 days ago',
      due: `due ${cardInstant('2026-05-05T17:00:00.000Z')} (in 1 working day and 5 h of your time)`,
    });
  });

  it('shows blocked in search, never a due time; final handoffs without their priority or needed-by date', () => {
    expect(searchLine(listingOf(blocked()), undefined, now)).toBe(
      'Blocked: Waiting for finance to grant read access · Ada Lovelace is on it · Urgent · Ada Lovelace → Grace Hopper',
    );
    const cancelled = { ...blocked('cancelled'), neededBy: '2026-05-01', clock: undefined };
    expect(searchLine(listingOf(cancelled), undefined, now)).toBe('Cancelled · Ada Lovelace → Grace Hopper');
    const late = { ...handoff('n', 'inReview', '2026-05-04T09:00:00.000Z'), neededBy: '2026-05-03', priority: 'high' as const };
    expect(searchLine(listingOf(late), undefined, now)).toBe(
      'In review · needed by Sun 3 May (passed) · High · Ada Lovelace → Grace Hopper',
    );
  });

  it('gives a digest what waits on the reader and what was escalated to them as owner, and nothing else', () => {
    const escalated = {
      ...handoff('e', 'inReview', '2026-05-04T09:00:00.000Z'),
      clock: { ...blocked().clock!, step: 'review' as const, holder: grace, level: 2 as const, dueAt: '2026-05-03T09:00:00.000Z' },
    };
    const toReview = handoff('r', 'inReview', '2026-05-04T09:00:00.000Z');
    const titles = (person: typeof ada) =>
      digestGroups([blocked(), escalated, toReview].map(listingOf), person.aadObjectId, now, cardInstant).map((g) => [
        g.title,
        g.handoffs.map((h) => h.handoff.id),
      ]);
    expect(titles(ada)).toEqual([['To unblock', ['b']]]);
    expect(titles(grace)).toEqual([['To review', ['e', 'r']]]);
    expect(titles(alan)).toEqual([['Escalated to you', ['e']]]);
    expect(titles(barbara)).toEqual([]);
  });
});
