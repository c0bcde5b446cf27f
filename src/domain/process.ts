/**
 * The handoff process as a state machine: which role may do what in which
 * status, and what each action changes. Pure: every accepted action returns
 * the next handoff and exactly one history event; a refused one says why.
 */
import {
  BATON,
  ballHolder,
  isBlocked,
  statusesWhere,
  type Handoff,
  type HandoffEvent,
  type HandoffFields,
  type Person,
  type Priority,
  type Role,
  rolesOf,
  type Status,
  type WorkState,
  WORK_STATE_LABELS,
} from './handoff';
import { absenceAt } from './away';
import { BLOCKER_MAX } from './handoff-form';
import { formatDuration, formatWhenIn, formatWorkingTime } from './time-format';

/**
 * Questions, answers, change requests, notes and reasons: enough for a few
 * paragraphs, and small enough that the card with its remarks stays inside
 * Teams' message size (see cards/README and the card budget test).
 */
export const MAX_COMMENT_LENGTH = 500;

/** The owner may nudge the person holding the ball once in this long. */
export const NUDGE_INTERVAL_MS = 60 * 60_000;

export type Command =
  | { type: 'accept'; checked: boolean[]; note: string }
  | { type: 'requestChanges'; comment: string }
  | { type: 'ask'; question: string }
  | { type: 'answer'; answer: string }
  | { type: 'resubmit'; fields: HandoffFields }
  | { type: 'setWorkState'; workState: WorkState; blocker: string }
  | { type: 'cancel'; reason: string }
  | { type: 'reassign'; receiver: Person }
  /** `reached`: whether Baton can write to the person nudged (they installed it). */
  | { type: 'nudge'; reached: boolean }
  | { type: 'close'; note: string }
  | { type: 'flagPriority'; priority: Priority; reason: string };

export type ActionType = Command['type'];

const NOT_FINAL: readonly Status[] = statusesWhere((s) => !s.final);
const IN_PROGRESS: readonly Status[] = statusesWhere((s) => s.open);

/** Who may do what, and when. The one table the cards and the checks both read. */
export const RULES: Readonly<Record<ActionType, { role: Role; statuses: readonly Status[] }>> = {
  accept: { role: 'receiver', statuses: ['inReview'] },
  requestChanges: { role: 'receiver', statuses: ['inReview'] },
  ask: { role: 'receiver', statuses: ['inReview'] },
  answer: { role: 'sender', statuses: ['questionAsked'] },
  resubmit: { role: 'sender', statuses: IN_PROGRESS },
  // Once accepted, the work is the receiver's: its state is no longer the sender's to report.
  setWorkState: { role: 'sender', statuses: IN_PROGRESS },
  cancel: { role: 'sender', statuses: IN_PROGRESS },
  reassign: { role: 'owner', statuses: IN_PROGRESS },
  nudge: { role: 'owner', statuses: IN_PROGRESS },
  close: { role: 'owner', statuses: ['accepted'] },
  flagPriority: { role: 'stakeholder', statuses: NOT_FINAL },
};

export const ACTION_TYPES = Object.keys(RULES) as ActionType[];

export type Refusal = { code: 'forbidden' | 'wrongState' | 'invalid'; message: string };

export type Outcome = { ok: true; handoff: Handoff; event: HandoffEvent } | { ok: false; refusal: Refusal };

const ROLE_NAMES: Record<Role, string> = {
  sender: 'the sender',
  receiver: 'the receiver',
  owner: 'the owner',
  stakeholder: 'a stakeholder',
};

/**
 * Who reads a refusal: "you" for themselves, and times in their zone, named
 * in words ("Sun 27 Dec, 16:05 New York time"; UTC when the client did not
 * say its zone).
 */
export interface Reader {
  aadObjectId: string;
  timeZone?: string;
}

/** One line saying where a handoff stands, for someone whose action came too late. */
export function describeStatus(handoff: Handoff, reader?: Reader): string {
  const { decision, ending, question } = handoff;
  const when = (at: string) => formatWhenIn(at, reader?.timeZone, new Date(at));
  const by = (person: Person | undefined, role: string) =>
    !person ? role : person.aadObjectId === reader?.aadObjectId ? 'you' : person.name;
  switch (handoff.status) {
    case 'accepted':
      return `This handoff was already accepted by ${by(decision?.by, 'the receiver')} on ${when(decision?.at ?? handoff.updatedAt)}.`;
    case 'changesRequested':
      return `This handoff was already sent back with a change request by ${by(decision?.by, 'the receiver')} on ${when(decision?.at ?? handoff.updatedAt)}.`;
    case 'questionAsked': {
      const asker = by(question?.by, 'the receiver');
      const answerer = handoff.sender.aadObjectId === reader?.aadObjectId ? 'your' : `${handoff.sender.name}'s`;
      return `${asker.charAt(0).toUpperCase()}${asker.slice(1)} asked a question on ${when(question?.at ?? handoff.updatedAt)}; it waits for ${answerer} answer.`;
    }
    case 'closed':
      return `This handoff was closed by ${by(ending?.by, 'the owner')} on ${when(ending?.at ?? handoff.updatedAt)}.`;
    case 'cancelled':
      return `This handoff was cancelled by ${by(ending?.by, 'the sender')} on ${when(ending?.at ?? handoff.updatedAt)}.`;
    default:
      return `This handoff is waiting for ${handoff.receiver.name}'s review.`;
  }
}

/** Minutes as people say them: "12 minutes", "1 hour 5 minutes". */
function minutesText(ms: number): string {
  if (ms < 60_000) return 'less than a minute';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `${hours} hour${hours === 1 ? '' : 's'}${rest ? ` ${rest} minute${rest === 1 ? '' : 's'}` : ''}`;
}

/**
 * Whether a person may take an action now; the reason when not.
 * @param at the instant of the action; rules that depend on time (a second nudge too soon) need it
 */
export function check(
  handoff: Handoff,
  aadObjectId: string,
  action: ActionType,
  at?: string,
  timeZone?: string,
): { ok: true } | { ok: false; refusal: Refusal } {
  const rule = RULES[action];
  const when = (instant: string) => formatWhenIn(instant, timeZone, new Date(instant));
  if (!rolesOf(handoff, aadObjectId).has(rule.role)) {
    // Who was the receiver and was reassigned away is told so, not that only the new receiver can act.
    const moved = handoff.reassigned;
    if (rule.role === 'receiver' && moved?.from.aadObjectId === aadObjectId)
      return {
        ok: false,
        refusal: { code: 'forbidden', message: `This handoff was reassigned to ${moved.to.name} on ${when(moved.at)}.` },
      };
    const holder = rule.role === 'stakeholder' ? 'stakeholders' : `${ROLE_NAMES[rule.role]}, ${handoff[rule.role].name},`;
    return { ok: false, refusal: { code: 'forbidden', message: `Only ${holder} can do that on this handoff.` } };
  }
  if (!rule.statuses.includes(handoff.status)) {
    return { ok: false, refusal: { code: 'wrongState', message: describeStatus(handoff, { aadObjectId, timeZone }) } };
  }
  // Blocked means blocked: nobody reviews work that waits on another party; the sender unblocks it first.
  if ((action === 'accept' || action === 'requestChanges') && isBlocked(handoff)) {
    return {
      ok: false,
      refusal: {
        code: 'wrongState',
        message: `The work is blocked (${handoff.blocker}): ${handoff.sender.name} marks it ready or in progress before it can be accepted or sent back. You can still ask a question.`,
      },
    };
  }
  if (action === 'nudge') {
    const holder = ballHolder(handoff);
    // An owner who holds the ball (also the sender, say) has nobody to nudge.
    if (holder?.aadObjectId === aadObjectId)
      return { ok: false, refusal: { code: 'invalid', message: 'The next step is yours: there is nobody to nudge.' } };
    // Nobody is nudged while away (Baton's reminders wait for the return too): the owner can reassign a review instead.
    if (at && holder && holderAway(handoff, at))
      return {
        ok: false,
        refusal: {
          code: 'invalid',
          message: `${holder.name} is away, so Baton nudges nobody until they are back${handoff.clock?.step === 'review' ? ': reassign the review, or keep waiting' : ''}.`,
        },
      };
    const last = handoff.lastNudge;
    // Baton's own reminder does not count: the owner may always add theirs.
    if (
      at &&
      last &&
      last.by.aadObjectId !== BATON.aadObjectId &&
      last.to.aadObjectId === holder?.aadObjectId &&
      Date.parse(at) - Date.parse(last.at) < NUDGE_INTERVAL_MS
    ) {
      return {
        ok: false,
        refusal: {
          code: 'invalid',
          message: `${last.to.name} was nudged ${minutesText(Date.parse(at) - Date.parse(last.at))} ago; you can nudge again an hour after that.`,
        },
      };
    }
  }
  return { ok: true };
}

/**
 * When the owner may nudge again, while a nudge of the current holder is too
 * recent (the card shows "Nudge again after ..." instead of dropping the button);
 * undefined when they may nudge now, or could not anyway.
 */
export function nudgeAgainAt(handoff: Handoff, aadObjectId: string, at: string): string | undefined {
  if (check(handoff, aadObjectId, 'nudge', at).ok || !check(handoff, aadObjectId, 'nudge').ok) return undefined;
  if (!handoff.lastNudge || holderAway(handoff, at)) return undefined;
  return new Date(Date.parse(handoff.lastNudge!.at) + NUDGE_INTERVAL_MS).toISOString();
}

/**
 * The actions a person may take now, in the order the card shows them.
 * @param at the instant, for time-bound rules (a second nudge within the hour)
 */
export function allowedActions(handoff: Handoff, aadObjectId: string, at?: string): Set<ActionType> {
  return new Set(ACTION_TYPES.filter((action) => check(handoff, aadObjectId, action, at).ok));
}

/** The form's words for text over its limit: how long it may be, and how long it is. */
function tooLong(text: string): string {
  return `Keep it to ${MAX_COMMENT_LENGTH} characters at most (it has ${text.length}).`;
}

function invalid(message: string): Outcome {
  return { ok: false, refusal: { code: 'invalid', message } };
}

function required(text: string, what: string): string | Outcome {
  const trimmed = text.trim();
  if (trimmed === '') return invalid(what);
  if (trimmed.length > MAX_COMMENT_LENGTH) return invalid(tooLong(trimmed));
  return trimmed;
}

const COUNT_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** "added one acceptance criterion", "removed 12 links". */
function counted(verb: string, count: number, singular: string, plural: string): string {
  return `${verb} ${COUNT_WORDS[count] ?? String(count)} ${count === 1 ? singular : plural}`;
}

/** Added and removed items of a list, in words; "reordered" when only the order changed. */
function listChanges(before: readonly string[], after: readonly string[], singular: string, plural: string): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const added = after.filter((c) => !before.includes(c)).length;
  const removed = before.filter((c) => !after.includes(c)).length;
  if (added === 0 && removed === 0) return [`reordered the ${plural}`];
  return [
    ...(added ? [counted('added', added, singular, plural)] : []),
    ...(removed ? [counted('removed', removed, singular, plural)] : []),
  ];
}

/** What changed between two versions of the fields, in words for the card ("changed the summary", "added one acceptance criterion"). */
export function describeChanges(before: HandoffFields, after: HandoffFields): string[] {
  const changes: string[] = [];
  const effort = (minutes: number | undefined) => (minutes === undefined ? undefined : formatWorkingTime(minutes));
  if (before.summary !== after.summary) changes.push('changed the summary');
  if (before.whatIsReady !== after.whatIsReady) changes.push('changed what is ready');
  changes.push(...listChanges(before.acceptanceCriteria, after.acceptanceCriteria, 'acceptance criterion', 'acceptance criteria'));
  if (before.assumptions !== after.assumptions)
    changes.push(
      after.assumptions === '' ? 'removed the assumptions' : before.assumptions === '' ? 'added assumptions' : 'changed the assumptions',
    );
  changes.push(...listChanges(before.links, after.links, 'link', 'links'));
  // "set the effort to 2h", "removed the effort", "effort 1h → 2h": never "none → 2h".
  const changed = (what: string, from: string | undefined, to: string | undefined) =>
    from === undefined ? `set the ${what} to ${to}` : to === undefined ? `removed the ${what}` : `${what} ${from} → ${to}`;
  if (before.effortMinutes !== after.effortMinutes)
    changes.push(changed('effort', effort(before.effortMinutes), effort(after.effortMinutes)));
  if (before.workState !== after.workState)
    changes.push(`work state ${WORK_STATE_LABELS[before.workState]} → ${WORK_STATE_LABELS[after.workState]}`);
  else if (before.blocker !== after.blocker) changes.push('changed the blocker');
  if (before.neededBy !== after.neededBy) changes.push(changed('needed-by date', before.neededBy, after.neededBy));
  if (before.priority !== after.priority) changes.push(`priority ${before.priority} → ${after.priority}`);
  return changes;
}

/**
 * Applies one action by one person at one instant.
 * @returns the next handoff and its event, or why nothing changes
 */
export function apply(handoff: Handoff, command: Command, actor: Person, at: string, timeZone?: string): Outcome {
  const allowed = check(handoff, actor.aadObjectId, command.type, at, timeZone);
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
        return invalid(
          `${unchecked === 1 ? 'One acceptance criterion is' : `${unchecked} acceptance criteria are`} not checked: add a note saying why you accept anyway.`,
        );
      }
      if (note.length > MAX_COMMENT_LENGTH) return invalid(tooLong(note));
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
        changeRequest: { by: actor, at, text: comment, version: handoff.version },
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
      if (blocker.length > BLOCKER_MAX) return invalid(`Keep the blocker to ${BLOCKER_MAX} characters at most (it has ${blocker.length}).`);
      if (command.workState === handoff.workState && blocker === handoff.blocker)
        return invalid(`The work is already ${WORK_STATE_LABELS[command.workState]}.`);
      const next: Handoff = {
        ...base,
        workState: command.workState,
        blocker,
      };
      // The blocked time is the blocking incident's duration: from when the unblocking started to now.
      const blockedFor =
        isBlocked(handoff) && handoff.clock?.step === 'unblock' ? Date.parse(at) - Date.parse(handoff.clock.runStartedAt) : undefined;
      const detail =
        command.workState === 'blocked'
          ? `Blocked: ${blocker}`
          : `${WORK_STATE_LABELS[command.workState]}${blockedFor === undefined ? '' : `, after ${formatDuration(blockedFor)} blocked`}`;
      return outcome(next, 'workStateChanged', '', detail);
    }
    case 'cancel': {
      const reason = required(command.reason, 'Say why you cancel: the receiver and the owner are told.');
      if (typeof reason !== 'string') return reason;
      return outcome({ ...base, status: 'cancelled', ending: { by: actor, at, text: reason } }, 'cancelled', reason);
    }
    case 'reassign': {
      if (command.receiver.aadObjectId === handoff.receiver.aadObjectId)
        return invalid(`${command.receiver.name} is already the receiver.`);
      // The same rule as the form's: nobody reviews their own handoff.
      if (command.receiver.aadObjectId === handoff.sender.aadObjectId)
        return invalid(`${command.receiver.name} sent this handoff and cannot review it: choose someone else.`);
      // Reassigned away from someone who is away: the history says so.
      if (receiverAway(handoff, at)) return handedOn(handoff, base, command.receiver, actor, at);
      const next: Handoff = {
        ...base,
        receiver: command.receiver,
        status: 'inReview',
        decision: undefined,
        reassigned: { from: handoff.receiver, to: command.receiver, at },
      };
      return outcome(next, 'reassigned', '', `from ${handoff.receiver.name} to ${command.receiver.name}`);
    }
    case 'nudge': {
      // Nudging is allowed only while the handoff is open, when someone always holds the ball.
      const holder = ballHolder(handoff)!;
      const next: Handoff = { ...base, lastNudge: { at, by: actor, to: holder, reached: command.reached } };
      return outcome(next, 'nudged', '', command.reached ? holder.name : `${holder.name}, who has not installed Baton and was not told`);
    }
    case 'close': {
      const note = command.note.trim();
      if (note.length > MAX_COMMENT_LENGTH) return invalid(tooLong(note));
      return outcome({ ...base, status: 'closed', ending: { by: actor, at, text: note } }, 'closed', note);
    }
    case 'flagPriority': {
      const reason = required(command.reason, 'Say why the priority changes: a reason is required.');
      if (typeof reason !== 'string') return reason;
      if (command.priority === handoff.priority) return invalid(`The priority is already ${command.priority}.`);
      const flag = { by: actor, at, text: reason, from: handoff.priority, to: command.priority };
      return outcome(
        { ...base, priority: command.priority, priorityFlag: flag },
        'priorityFlagged',
        reason,
        `${handoff.priority} -> ${command.priority}`,
      );
    }
  }
}

/** Whether whoever holds the ball is away at `at`. */
function holderAway(handoff: Handoff, at: string): boolean {
  const clock = handoff.clock;
  return (
    clock !== undefined &&
    clock.holder.aadObjectId === ballHolder(handoff)?.aadObjectId &&
    absenceAt(clock.holderHours, new Date(at)) !== undefined
  );
}

/** Whether the review waits on a receiver who is away at `at`. */
function receiverAway(handoff: Handoff, at: string): boolean {
  const clock = handoff.clock;
  return (
    clock?.step === 'review' &&
    clock.holder.aadObjectId === handoff.receiver.aadObjectId &&
    absenceAt(clock.holderHours, new Date(at)) !== undefined
  );
}

/** The reassignment of a review whose receiver is away: "reassigned to Alan Turing while Grace Hopper is away". */
function handedOn(handoff: Handoff, base: Handoff, to: Person, actor: Person, at: string): Outcome {
  const from = handoff.receiver;
  const next: Handoff = { ...base, receiver: to, status: 'inReview', decision: undefined, reassigned: { from, to, at, whileAway: true } };
  return {
    ok: true,
    handoff: next,
    event: {
      handoffId: handoff.id,
      seq: base.eventCount,
      type: 'reassigned',
      actor,
      at,
      comment: '',
      detail: `to ${to.name} while ${from.name} is away`,
      version: next.version,
      workState: next.workState,
    },
  };
}

/**
 * Hands a review to its receiver's successor while they are away, as they
 * asked Baton to ("hand my reviews to my successor"): a reassignment like any
 * other, by the absent receiver, in the history. Only a review that waits on
 * them now, never to the handoff's sender or to themselves.
 */
export function handOverWhileAway(handoff: Handoff, successor: Person, at: string): Outcome {
  const { receiver, sender } = handoff;
  if (handoff.status !== 'inReview' || isBlocked(handoff) || !receiverAway(handoff, at))
    return { ok: false, refusal: { code: 'wrongState', message: `The review does not wait on ${receiver.name} while they are away.` } };
  if (successor.aadObjectId === receiver.aadObjectId) return invalid(`${successor.name} is already the receiver.`);
  if (successor.aadObjectId === sender.aadObjectId)
    return invalid(`${successor.name} sent this handoff and cannot review it: its owner chooses someone else.`);
  return handedOn(handoff, { ...handoff, updatedAt: at, eventCount: handoff.eventCount + 1 }, successor, receiver, at);
}
