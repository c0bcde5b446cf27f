/**
 * The card's size budget: the largest handoff the form accepts, with the
 * longest remarks the process accepts, rendered in every view, stays under
 * 40 KB counted as Teams counts a message (UTF-16 code units, two bytes
 * each). Teams refuses a message over about 100 KB (413 MessageSizeTooBig)
 * and recommends 80 KB; older documentation and connectors state 40 KB and
 * 28 KB, so Baton budgets 40 KB.
 */
import { CardFactory, MessageFactory } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import { handoffCard, handoffFormCard } from '../../src/cards/handoff-cards';
import { type Handoff, type HandoffEvent, type Person, postHandoff } from '../../src/domain/handoff';
import {
  ASSUMPTIONS_MAX,
  BLOCKER_MAX,
  CRITERIA_MAX,
  CRITERION_MAX,
  handoffFormInput,
  LINK_MAX,
  LINKS_MAX,
  parseHandoffForm,
  READY_MAX,
  STAKEHOLDERS_MAX,
  SUMMARY_MAX,
} from '../../src/domain/handoff-form';
import { DEFAULT_DUE_POLICY, nextDueState } from '../../src/domain/due';
import { apply, type Command, MAX_COMMENT_LENGTH } from '../../src/domain/process';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours';

const BUDGET_BYTES = 40 * 1024;

/** A message's size as Teams counts it: the activity's JSON in UTF-16. */
const utf16Bytes = (card: object) => JSON.stringify(MessageFactory.attachment(CardFactory.adaptiveCard(card))).length * 2;

/** Text of exactly `length` UTF-16 units: CJK (one unit, three UTF-8 bytes) and emoji (two units each). */
function text(length: number, seed: string): string {
  const unit = `${seed} 語言テスト😀 `;
  // No trailing space (the form trims) and no half of an emoji at the end.
  return unit
    .repeat(Math.ceil(length / unit.length))
    .slice(0, length)
    .replace(/(\s|\uD83D)$/, 'x');
}

/** A Person with the longest display name Baton keeps and a realistic Teams id. */
const person = (i: number): Person => ({
  aadObjectId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  userId: `29:1${'x'.repeat(60)}${i}`,
  name: text(64, `Person${i}`).replace(/\s+$/, 'z'),
});
const [sender, receiver, owner] = [person(1), person(2), person(3)];
const stakeholders = Array.from({ length: STAKEHOLDERS_MAX }, (_, i) => person(10 + i));
const members = Array.from({ length: 60 }, (_, i) => person(100 + i));

/** The largest form: every field at its cap; the form's own rules must accept it. */
function largestHandoff(): { handoff: Handoff; event: HandoffEvent } {
  const input = handoffFormInput.parse({
    formId: 'f',
    summary: text(SUMMARY_MAX, 'Summary').replace(/[.!?]/g, ''),
    whatIsReady: text(READY_MAX, 'Ready'),
    acceptanceCriteria: Array.from({ length: CRITERIA_MAX }, (_, i) =>
      text(CRITERION_MAX, `Criterion${i}`).trim().padEnd(CRITERION_MAX, 'c'),
    ).join('\n'),
    assumptions: text(ASSUMPTIONS_MAX, 'Assumption'),
    links: Array.from({ length: LINKS_MAX }, (_, i) => `https://example.com/${i}/${'p'.repeat(LINK_MAX - 22)}`).join('\n'),
    effort: '12w',
    workState: 'blocked',
    blocker: text(BLOCKER_MAX, 'Blocker'),
    neededBy: '2027-12-31',
    receiver: receiver.aadObjectId,
    owner: owner.aadObjectId,
    stakeholders: stakeholders.map((p) => p.aadObjectId).join(','),
    priority: 'urgent',
  });
  const parsed = parseHandoffForm(input, { members: [sender, receiver, owner, ...stakeholders], sender, today: '2026-12-01' });
  if (!parsed.ok) throw new Error(`The form refused the largest handoff: ${JSON.stringify(parsed.errors)}`);
  const { fields } = parsed.value;
  expect([fields.summary.length, fields.whatIsReady.length, fields.assumptions.length, fields.blocker.length]).toEqual([
    SUMMARY_MAX,
    READY_MAX,
    ASSUMPTIONS_MAX,
    BLOCKER_MAX,
  ]);
  expect(fields.acceptanceCriteria.map((c) => c.length)).toEqual(Array(CRITERIA_MAX).fill(CRITERION_MAX));
  return postHandoff({
    id: 'abcdef0123456789abcd',
    tenantId: 't',
    fields,
    sender,
    receiver,
    owner,
    stakeholders,
    conversation: { id: '19:chat', serviceUrl: 'https://smba.trafficmanager.net/amer/' },
    at: '2026-12-01T09:00:00.000Z',
    late: true,
  });
}

const comment = (seed: string) => text(MAX_COMMENT_LENGTH, seed);

/** Every status, reached with the longest remarks on the way, and a long history. */
function states(): { name: string; handoff: Handoff; history: HandoffEvent[] }[] {
  const first = largestHandoff();
  // Every state with its due times, as the app stores it: the turn line then says when the step is due.
  const hours = new Map([sender, receiver, owner].map((p) => [p.aadObjectId, DEFAULT_WORKING_HOURS]));
  const timed = (before: Handoff | undefined, after: Handoff, event: HandoffEvent): Handoff => ({
    ...after,
    ...nextDueState(before, after, event, hours, DEFAULT_DUE_POLICY),
  });
  let current = timed(undefined, first.handoff, first.event);
  const history = [first.event];
  let minute = 0;
  const run = (command: Command, actor: Person) => {
    minute += 61;
    const outcome = apply(current, command, actor, new Date(Date.parse('2026-12-01T10:00:00Z') + minute * 60_000).toISOString());
    if (!outcome.ok) throw new Error(`${command.type}: ${outcome.refusal.message}`);
    current = timed(current, outcome.handoff, outcome.event);
    history.push(outcome.event);
    return { handoff: current, history: [...history] };
  };
  const snapshots = [{ name: 'inReview', handoff: current, history: [...history] }];
  snapshots.push({ name: 'questionAsked', ...run({ type: 'ask', question: comment('Question') }, receiver) });
  snapshots.push({ name: 'answered', ...run({ type: 'answer', answer: comment('Answer') }, sender) });
  snapshots.push({ name: 'flagged', ...run({ type: 'flagPriority', priority: 'high', reason: comment('Priority') }, stakeholders[0]!) });
  snapshots.push({ name: 'nudged', ...run({ type: 'nudge', reached: false }, owner) });
  // The longest turn line: overdue a long time and escalated to an owner with the longest name.
  snapshots.push({
    name: 'escalated',
    handoff: { ...current, clock: { ...current.clock!, level: 2, dueAt: '2026-01-05T09:00:00.000Z' } },
    history: [...history],
  });
  // Blocked work is not reviewed: the sender unblocks it before the change request.
  run({ type: 'setWorkState', workState: 'ready', blocker: '' }, sender);
  snapshots.push({ name: 'changesRequested', ...run({ type: 'requestChanges', comment: comment('Changes') }, receiver) });
  const fields = {
    ...current,
    acceptanceCriteria: [...current.acceptanceCriteria.slice(1), text(CRITERION_MAX, 'New')],
    links: current.links.slice(1),
    effortMinutes: 600,
    neededBy: '2027-12-30',
    priority: 'urgent' as const,
  };
  snapshots.push({ name: 'resubmitted', ...run({ type: 'resubmit', fields }, sender) });
  snapshots.push({ name: 'accepted', ...run({ type: 'accept', checked: [true, false], note: comment('Note') }, receiver) });
  snapshots.push({ name: 'closed', ...run({ type: 'close', note: comment('Closing') }, owner) });
  return snapshots;
}

describe('the card budget', () => {
  const views: [string, Person | undefined][] = [
    ['everyone', undefined],
    ['sender', sender],
    ['receiver', receiver],
    ['owner', owner],
    ['stakeholder', stakeholders[0]!],
    ['someone else', members[0]!],
  ];
  const cases = states().flatMap((state) =>
    views.flatMap(([viewer, who]) => [false, true].map((withHistory) => ({ state, viewer, who, withHistory }))),
  );

  it.each(cases.map((c) => [`${c.state.name}, ${c.viewer}${c.withHistory ? ', with its history' : ''}`, c] as const))(
    'keeps %s under 40 KB in UTF-16',
    (_name, c) => {
      const card = handoffCard(c.state.handoff, c.who, {
        members,
        history: c.withHistory ? c.state.history : undefined,
        notice: 'Others changed this handoff at the same moment; this is its current state.',
        timeZone: 'Asia/Kolkata',
        receiverTime: `${receiver.name}'s local time: Tue 1 Dec, 14:05 (America/Argentina/Buenos_Aires)`,
        draft: { checked: Array(CRITERIA_MAX).fill(true), comment: comment('Draft') },
        now: new Date('2026-12-02T10:00:00Z'),
      });
      expect(utf16Bytes(card)).toBeLessThan(BUDGET_BYTES);
    },
  );

  it('measures the largest view, so the margin is known', () => {
    const sizes = cases.map((c) =>
      utf16Bytes(
        handoffCard(c.state.handoff, c.who, {
          members,
          history: c.withHistory ? c.state.history : undefined,
          now: new Date('2026-12-02T10:00:00Z'),
        }),
      ),
    );
    const largest = Math.max(...sizes);
    console.log(
      `Largest handoff card: ${largest} bytes in UTF-16 (${(largest / 1024).toFixed(1)} KB) of a ${BUDGET_BYTES / 1024} KB budget`,
    );
    expect(largest).toBeLessThan(BUDGET_BYTES);
  });

  it('keeps the form at its caps under the budget, with every error and hint shown', () => {
    const values = {
      summary: text(SUMMARY_MAX, 'Summary'),
      whatIsReady: text(READY_MAX, 'Ready'),
      acceptanceCriteria: text(CRITERIA_MAX * CRITERION_MAX, 'C'),
      assumptions: text(ASSUMPTIONS_MAX, 'A'),
      links: text(LINKS_MAX * LINK_MAX, 'L'),
      blocker: text(BLOCKER_MAX, 'B'),
    };
    const errors = Object.fromEntries(
      ['summary', 'whatIsReady', 'acceptanceCriteria', 'assumptions', 'links', 'blocker', 'receiver', 'owner', 'stakeholders'].map((f) => [
        f,
        text(160, 'Error'),
      ]),
    );
    const card = handoffFormCard({
      formId: 'f',
      members,
      values,
      errors,
      message: 'Nothing was posted: 9 fields need a change.',
      hints: Array.from({ length: 6 }, (_, i) => text(240, `Hint${i}`)),
    });
    expect(utf16Bytes(card)).toBeLessThan(BUDGET_BYTES);
  });

  it('echoes a pasted novel back cut, so even a far-too-long form stays under the 80 KB Teams recommends', () => {
    const values = {
      summary: text(20_000, 'S'),
      whatIsReady: text(20_000, 'R'),
      acceptanceCriteria: text(20_000, 'C'),
      assumptions: text(20_000, 'A'),
      links: text(20_000, 'L'),
      blocker: text(20_000, 'B'),
    };
    const errors = Object.fromEntries(
      ['summary', 'whatIsReady', 'acceptanceCriteria', 'assumptions', 'links', 'blocker'].map((f) => [f, text(160, 'Error')]),
    );
    const card = handoffFormCard({ formId: 'f', members, values, errors, message: 'Nothing was posted: 6 fields need a change.' });
    expect(utf16Bytes(card)).toBeLessThan(80 * 1024);
  });
});
