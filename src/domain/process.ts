/**
 * The handoff process as a state machine: which role may do what in which
 * status, and what each action changes. Pure: every accepted action returns
 * the next handoff and exactly one history event; a refused one says why.
 */
import {
  ballHolder,
  type Handoff,
  type HandoffEvent,
  type HandoffFields,
  OPEN,
  type Person,
  type Priority,
  type Role,
  rolesOf,
  type Status,
  type WorkState,
  WORK_STATE_LABELS,
} from './handoff';
import { formatEffort } from './effort';

export const MAX_COMMENT_LENGTH = 2000;

export type Command =
  | { type: 'accept'; checked: boolean[]; note: string }
  | { type: 'requestChanges'; comment: string }
  | { type: 'ask'; question: string }
  | { type: 'answer'; answer: string }
  | { type: 'resubmit'; fields: HandoffFields }
  | { type: 'setWorkState'; workState: WorkState; blocker: string }
  | { type: 'cancel'; reason: string }
  | { type: 'reassign'; receiver: Person }
  | { type: 'nudge' }
  | { type: 'close'; note: string }
  | { type: 'flagPriority'; priority: Priority; reason: string };

export type ActionType = Command['type'];

const NOT_FINAL: readonly Status[] = ['inReview', 'questionAsked', 'changesRequested', 'accepted'];
const IN_PROGRESS: readonly Status[] = [...OPEN];

/** Who may do what, and when. The one table the cards and the checks both read. */
export const RULES: Readonly<Record<ActionType, { role: Role; statuses: readonly Status[] }>> = {
  accept: { role: 'receiver', statuses: ['inReview'] },
  requestChanges: { role: 'receiver', statuses: ['inReview'] },
  ask: { role: 'receiver', statuses: ['inReview'] },
  answer: { role: 'sender', statuses: ['questionAsked'] },
  resubmit: { role: 'sender', statuses: IN_PROGRESS },
  setWorkState: { role: 'sender', statuses: NOT_FINAL },
  cancel: { role: 'sender', statuses: IN_PROGRESS },
  reassign: { role: 'owner', statuses: IN_PROGRESS },
  nudge: { role: 'owner', statuses: IN_PROGRESS },
  close: { role: 'owner', statuses: ['accepted'] },
  flagPriority: { role: 'stakeholder', statuses: NOT_FINAL },
};

export const ACTION_TYPES = Object.keys(RULES) as ActionType[];

export type Refusal = { code: 'forbidden' | 'wrongState' | 'invalid'; message: string };

export type Outcome = { ok: true; handoff: Handoff; event: HandoffEvent } | { ok: false; refusal: Refusal };

const ROLE_NAMES: Record<Role, string> = { sender: 'the sender', receiver: 'the receiver', owner: 'the owner', stakeholder: 'a stakeholder' };

function when(at: string): string {
  return `${at.slice(0, 16).replace('T', ' ')} UTC`;
}

/** One line saying where a handoff stands, for someone whose action came too late. */
export function describeStatus(handoff: Handoff): string {
  const { decision, ending, question } = handoff;
  switch (handoff.status) {
    case 'accepted':
      return `This handoff was already accepted by ${decision?.by.name ?? 'the receiver'} on ${when(decision?.at ?? handoff.updatedAt)}.`;
    case 'changesRequested':
      return `This handoff was already sent back with a change request by ${decision?.by.name ?? 'the receiver'} on ${when(decision?.at ?? handoff.updatedAt)}.`;
    case 'questionAsked':
      return `${question?.by.name ?? 'The receiver'} asked a question on ${when(question?.at ?? handoff.updatedAt)}; it waits for ${handoff.sender.name}'s answer.`;
    case 'closed':
      return `This handoff was closed by ${ending?.by.name ?? 'the owner'} on ${when(ending?.at ?? handoff.updatedAt)}.`;
    case 'cancelled':
      return `This handoff was cancelled by ${ending?.by.name ?? 'the sender'} on ${when(ending?.at ?? handoff.updatedAt)}.`;
    default:
      return `This handoff is waiting for ${handoff.receiver.name}'s review.`;
  }
}

/** Whether a person may take an action now; the reason when not. */
export function check(handoff: Handoff, aadObjectId: string, action: ActionType): { ok: true } | { ok: false; refusal: Refusal } {
  const rule = RULES[action];
  if (!rolesOf(handoff, aadObjectId).has(rule.role)) {
    const holder = rule.role === 'stakeholder' ? 'stakeholders' : `${ROLE_NAMES[rule.role]}, ${handoff[rule.role].name},`;
    return { ok: false, refusal: { code: 'forbidden', message: `Only ${holder} can do that on this handoff.` } };
  }
  if (!rule.statuses.includes(handoff.status)) {
    return { ok: false, refusal: { code: 'wrongState', message: describeStatus(handoff) } };
  }
  return { ok: true };
}

/** The actions a person may take now, in the order the card shows them. */
export function allowedActions(handoff: Handoff, aadObjectId: string): Set<ActionType> {
  return new Set(ACTION_TYPES.filter((action) => check(handoff, aadObjectId, action).ok));
}

function invalid(message: string): Outcome {
  return { ok: false, refusal: { code: 'invalid', message } };
}

function required(text: string, what: string): string | Outcome {
  const trimmed = text.trim();
  if (trimmed === '') return invalid(what);
  if (trimmed.length > MAX_COMMENT_LENGTH) return invalid(`Keep it to ${MAX_COMMENT_LENGTH} characters at most.`);
  return trimmed;
}

/** What changed between two versions of the fields, in words for the card. */
export function describeChanges(before: HandoffFields, after: HandoffFields): string[] {
  const changes: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (before.summary !== after.summary) changes.push('summary');
  if (before.whatIsReady !== after.whatIsReady) changes.push('what is ready');
  if (!same(before.acceptanceCriteria, after.acceptanceCriteria)) {
    const added = after.acceptanceCriteria.filter((c) => !before.acceptanceCriteria.includes(c)).length;
    const removed = before.acceptanceCriteria.filter((c) => !after.acceptanceCriteria.includes(c)).length;
    changes.push(added || removed ? `acceptance criteria (+${added} -${removed})` : 'acceptance criteria (order)');
  }
  if (before.assumptions !== after.assumptions) changes.push('assumptions');
  if (!same(before.links, after.links)) changes.push('links');
  if (before.effortMinutes !== after.effortMinutes) {
    changes.push(`effort (${after.effortMinutes === undefined ? 'none' : formatEffort(after.effortMinutes)})`);
  }
  if (before.workState !== after.workState || before.blocker !== after.blocker) changes.push('work state');
  if (before.neededBy !== after.neededBy) changes.push(`needed by (${after.neededBy ?? 'none'})`);
  if (before.priority !== after.priority) changes.push(`priority (${after.priority})`);
  return changes;
}


/**
 * Applies one action by one person at one instant.
 * @returns the next handoff and its event, or why nothing changes
 */
export function apply(handoff: Handoff, command: Command, actor: Person, at: string): Outcome {
  const allowed = check(handoff, actor.aadObjectId, command.type);
  if (!allowed.ok) return allowed;
  const seq = handoff.eventCount + 1;
  const base = { ...handoff, updatedAt: at, eventCount: seq };
  const outcome = (next: Handoff, type: HandoffEvent['type'], comment = '', detail = ''): Outcome => ({
    ok: true,
    handoff: next,
    event: { handoffId: handoff.id, seq, type, actor, at, comment, detail, version: next.version, workState: next.workState },
  });

  switch (command.type) {
    case 'accept': {
      const checked = handoff.acceptanceCriteria.map((_, i) => command.checked[i] === true);
      const unchecked = checked.filter((c) => !c).length;
      const note = command.note.trim();
      if (unchecked > 0 && note === '') {
        return invalid(`${unchecked === 1 ? 'One acceptance criterion is' : `${unchecked} acceptance criteria are`} not checked: add a note saying why you accept anyway.`);
      }
      if (note.length > MAX_COMMENT_LENGTH) return invalid(`Keep it to ${MAX_COMMENT_LENGTH} characters at most.`);
      const next: Handoff = {
        ...base,
        status: 'accepted',
        decision: { status: 'accepted', by: actor, at, text: note, checked },
      };
      return outcome(next, 'accepted', note, `${checked.length - unchecked} of ${checked.length} criteria checked`);
    }
    case 'requestChanges': {
      const comment = required(command.comment, 'Say what needs to change: a comment is required.');
      if (typeof comment !== 'string') return comment;
      const next: Handoff = {
        ...base,
        status: 'changesRequested',
        decision: { status: 'changesRequested', by: actor, at, text: comment, checked: [] },
      };
      return outcome(next, 'changesRequested', comment);
    }
    case 'ask': {
      const question = required(command.question, 'Write your question.');
      if (typeof question !== 'string') return question;
      const next: Handoff = {
        ...base,
        status: 'questionAsked',
        question: { by: actor, at, text: question },
      };
      return outcome(next, 'questionAsked', question);
    }
    case 'answer': {
      const answer = required(command.answer, 'Write your answer.');
      if (typeof answer !== 'string') return answer;
      return outcome({ ...base, status: 'inReview', answer: { by: actor, at, text: answer } }, 'answered', answer);
    }
    case 'resubmit': {
      const changes = describeChanges(handoff, command.fields);
      if (changes.length === 0) return invalid('Nothing changed: edit a field before you resubmit.');
      const next: Handoff = {
        ...base,
        ...command.fields,
        version: handoff.version + 1,
        changes,
        status: 'inReview',
        decision: undefined,
      };
      return outcome(next, 'resubmitted', '', `v${next.version}: ${changes.join(', ')}`);
    }
    case 'setWorkState': {
      const blocker = command.workState === 'blocked' ? command.blocker.trim() : '';
      if (command.workState === 'blocked' && blocker === '') return invalid('Name what blocks this work.');
      if (blocker.length > 500) return invalid('Keep the blocker to 500 characters at most.');
      if (command.workState === handoff.workState && blocker === handoff.blocker) return invalid(`The work is already ${WORK_STATE_LABELS[command.workState]}.`);
      const next: Handoff = {
        ...base,
        workState: command.workState,
        blocker,
      };
      const detail = command.workState === 'blocked' ? `Blocked: ${blocker}` : WORK_STATE_LABELS[command.workState];
      return outcome(next, 'workStateChanged', '', detail);
    }
    case 'cancel': {
      const reason = command.reason.trim().slice(0, MAX_COMMENT_LENGTH);
      return outcome({ ...base, status: 'cancelled', ending: { by: actor, at, text: reason } }, 'cancelled', reason);
    }
    case 'reassign': {
      if (command.receiver.aadObjectId === handoff.receiver.aadObjectId) return invalid(`${command.receiver.name} is already the receiver.`);
      const next: Handoff = { ...base, receiver: command.receiver, status: 'inReview', decision: undefined };
      return outcome(next, 'reassigned', '', `from ${handoff.receiver.name} to ${command.receiver.name}`);
    }
    case 'nudge':
      // Nudging is allowed only while the handoff is open, when someone always holds the ball.
      return outcome(base, 'nudged', '', ballHolder(handoff)?.name ?? '');
    case 'close': {
      const note = command.note.trim().slice(0, MAX_COMMENT_LENGTH);
      return outcome({ ...base, status: 'closed', ending: { by: actor, at, text: note } }, 'closed', note);
    }
    case 'flagPriority': {
      const reason = required(command.reason, 'Say why the priority changes: a reason is required.');
      if (typeof reason !== 'string') return reason;
      if (command.priority === handoff.priority) return invalid(`The priority is already ${command.priority}.`);
      return outcome({ ...base, priority: command.priority }, 'priorityFlagged', reason, `${handoff.priority} -> ${command.priority}`);
    }
  }
}

