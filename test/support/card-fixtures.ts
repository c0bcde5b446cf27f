/**
 * The handoffs the card tests draw: the largest the form accepts, in every
 * status with the longest remarks (the size budget, the height budget), and
 * a typical one (the height budget, the README's screenshots).
 */
import { expect } from 'vitest';
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

/** Text of exactly `length` UTF-16 units: CJK (one unit, three UTF-8 bytes) and emoji (two units each). */
export function text(length: number, seed: string): string {
  const unit = `${seed} 語言テスト😀 `;
  // No trailing space (the form trims) and no half of an emoji at the end.
  return unit
    .repeat(Math.ceil(length / unit.length))
    .slice(0, length)
    .replace(/(\s|\uD83D)$/, 'x');
}

/** A Person with the longest display name Baton keeps and a realistic Teams id. */
export const person = (i: number): Person => ({
  aadObjectId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  userId: `29:1${'x'.repeat(60)}${i}`,
  name: text(64, `Person${i}`).replace(/\s+$/, 'z'),
});
export const [sender, receiver, owner] = [person(1), person(2), person(3)];
export const stakeholders = Array.from({ length: STAKEHOLDERS_MAX }, (_, i) => person(10 + i));
export const members = Array.from({ length: 60 }, (_, i) => person(100 + i));

/** The largest form: every field at its cap; the form's own rules must accept it. */
export function largestHandoff(): { handoff: Handoff; event: HandoffEvent } {
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

export const comment = (seed: string) => text(MAX_COMMENT_LENGTH, seed);

/** Every status, reached with the longest remarks on the way, and a long history. */
export function states(): { name: string; handoff: Handoff; history: HandoffEvent[] }[] {
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

// ---- A typical handoff, for the height budget and the screenshots.

const cast = (id: string, name: string): Person => ({ aadObjectId: `00000000-0000-0000-0000-0000000000${id}`, userId: `29:1${id}`, name });
export const ada = cast('a1', 'Ada Lovelace');
export const grace = cast('b2', 'Grace Hopper');
export const alan = cast('c3', 'Alan Turing');
export const barbara = cast('d4', 'Barbara Liskov');

/** A sentence of about `length` characters, in words. */
function prose(length: number, words: string): string {
  let out = '';
  while (out.length < length) out += `${out ? ' ' : ''}${words}`;
  return `${out.slice(0, length - 1).replace(/\s+\S*$/, '')}.`;
}

/** The typical handoff: an 80-character summary, 250 characters ready, 3 criteria, 2 links. */
export const TYPICAL_FIELDS = {
  summary: 'Payments retry worker is ready for QA on staging, behind the payments-retry flag',
  whatIsReady: prose(250, 'The retry worker is merged and deployed to staging; failed card payments are retried with backoff and logged'),
  acceptanceCriteria: [
    'All retry tests pass in CI',
    'A failed payment is retried 3 times within 10 minutes',
    'The dashboard shows the retry count per payment',
  ],
  assumptions: 'Staging uses the sandbox gateway; production keys are not needed.',
  links: ['https://github.com/contoso/payments/pull/42', 'https://contoso.atlassian.net/browse/PAY-311'],
  effortMinutes: 240,
  workState: 'ready' as const,
  blocker: '',
  neededBy: '2026-12-11',
  priority: 'normal' as const,
};

export interface Journey {
  handoff: Handoff;
  history: HandoffEvent[];
}

/** A handoff from Ada to Grace, owned by Alan, Barbara following, posted at `at`, with its due state; then the steps. */
export function journey(steps: [Command, Person][], options: { late?: boolean; fields?: Partial<typeof TYPICAL_FIELDS> } = {}): Journey {
  const hours = new Map([ada, grace, alan, barbara].map((p) => [p.aadObjectId, DEFAULT_WORKING_HOURS]));
  const posted = postHandoff({
    id: 'abcdef0123456789abcd',
    tenantId: 't',
    fields: { ...TYPICAL_FIELDS, ...options.fields },
    sender: ada,
    receiver: grace,
    owner: alan,
    stakeholders: [barbara],
    conversation: { id: '19:chat', serviceUrl: 'https://smba.trafficmanager.net/amer/', messageId: '1700000000001' },
    at: '2026-12-07T09:00:00.000Z',
    late: options.late ?? false,
  });
  let handoff = { ...posted.handoff, ...nextDueState(undefined, posted.handoff, posted.event, hours, DEFAULT_DUE_POLICY) };
  const history = [posted.event];
  steps.forEach(([command, actor], i) => {
    const at = new Date(Date.parse('2026-12-07T10:00:00.000Z') + i * 47 * 60_000).toISOString();
    const outcome = apply(handoff, command, actor, at);
    if (!outcome.ok) throw new Error(`${command.type}: ${outcome.refusal.message}`);
    handoff = { ...outcome.handoff, ...nextDueState(handoff, outcome.handoff, outcome.event, hours, DEFAULT_DUE_POLICY) };
    history.push(outcome.event);
  });
  return { handoff, history };
}

/** Six events: a question answered, a change request and a new version, a nudge: open, in review again. */
export const TYPICAL_STEPS: [Command, Person][] = [
  [{ type: 'ask', question: 'Which flag turns the retries on in staging?' }, grace],
  [{ type: 'answer', answer: 'payments-retry, on for the QA tenant only.' }, ada],
  [{ type: 'requestChanges', comment: 'Please add the dashboard link to the handoff.' }, grace],
  [{ type: 'resubmit', fields: { ...TYPICAL_FIELDS, links: [...TYPICAL_FIELDS.links, 'https://grafana.contoso.net/d/retries'] } }, ada],
  [{ type: 'nudge', reached: true }, alan],
];
