/**
 * Who is told what, 1:1, when a handoff changes. Pure: the application layer
 * turns each notice into an outbox row, delivered after the change commits.
 */
import type { StepClock } from './handoff';
import { BATON, type Handoff, type HandoffEvent, type Person } from './handoff';
import { formatDay, formatWhen } from './time-format';
import { zoneForText } from './working-hours';

export interface Notice {
  to: Person;
  headline: string;
  /** What the actor wrote, quoted under the headline; '' for none. */
  quote: string;
  /** The event it is about, for logs. */
  about: string;
}

/** The people an event concerns and what they read; never the person who acted, each person once. */
export function noticesFor(handoff: Handoff, event: HandoffEvent): Notice[] {
  const by = event.actor.name;
  const plan = ((): { to: Person[]; headline: string; quote: string } | undefined => {
    switch (event.type) {
      case 'questionAsked':
        return { to: [handoff.sender], headline: `${by} asked a question about your handoff.`, quote: event.comment };
      case 'changesRequested':
        return { to: [handoff.sender], headline: `${by} requested changes to your handoff.`, quote: event.comment };
      case 'accepted':
        return { to: [handoff.sender, handoff.owner], headline: `${by} accepted the handoff.`, quote: event.comment };
      case 'answered':
        return { to: [handoff.receiver], headline: `${by} answered your question.`, quote: event.comment };
      case 'resubmitted':
        return { to: [handoff.receiver], headline: `${by} resubmitted the handoff (${event.detail}).`, quote: '' };
      case 'reassigned':
        return { to: [handoff.receiver], headline: `${by} handed this handoff to you.`, quote: '' };
      case 'nudged':
        // Someone who never installed Baton cannot be written to: the owner's card says so instead.
        return handoff.lastNudge?.reached
          ? { to: [handoff.lastNudge.to], headline: `${by}, the owner, nudged you: this handoff waits for you.`, quote: '' }
          : undefined;
      case 'overdue':
      case 'escalated':
      case 'neededByPassed':
        return overdueNotice(handoff, event);
      case 'closed':
        // The owner closes by hand and needs no message; Baton's own close tells them.
        return event.actor.aadObjectId === BATON.aadObjectId
          ? {
              to: [handoff.owner],
              headline: `Baton closed this handoff: ${handoff.ending?.text ?? 'it was accepted and not closed.'}`,
              quote: '',
            }
          : undefined;
      case 'cancelled':
        return { to: [handoff.receiver, handoff.owner], headline: `${by} cancelled the handoff.`, quote: event.comment };
      case 'priorityFlagged':
        return {
          to: [handoff.owner, handoff.receiver],
          headline: `${by} flagged the priority as ${handoff.priority}.`,
          quote: event.comment,
        };
      default:
        return undefined;
    }
  })();
  if (!plan) return [];
  return once(plan.to, event.actor).map((to) => ({ to, headline: plan.headline, quote: plan.quote, about: event.type }));
}

const STEP_TEXT: Record<StepClock['step'], string> = {
  review: 'review',
  answer: 'answer to the question',
  fix: 'changes asked for',
  close: 'close',
};

/**
 * What the overdue check tells, and whom: the holder when their step is due
 * (the owner instead when Baton cannot reach them), the owner a goal later,
 * the owner when the needed-by date passed. Times in the reader's zone.
 */
function overdueNotice(handoff: Handoff, event: HandoffEvent): { to: Person[]; headline: string; quote: string } | undefined {
  const clock = handoff.clock;
  const ownerZone = clock ? zoneForText(clock.ownerHours) : undefined;
  const at = new Date(event.at);
  const unreached =
    handoff.lastNudge?.by.aadObjectId === BATON.aadObjectId && !handoff.lastNudge.reached ? handoff.lastNudge.to : undefined;
  const cannotTell = unreached ? ` Baton could not tell ${unreached.name}: they have not installed Baton.` : '';
  if (event.type === 'neededByPassed') {
    const waits = clock ? ` It waits on ${clock.holder.name} (${STEP_TEXT[clock.step]}).` : '';
    return {
      to: [handoff.owner],
      headline: `This handoff was needed by ${formatDay(handoff.neededBy ?? '', at)} and is not accepted yet.${waits}`,
      quote: '',
    };
  }
  if (!clock) return undefined;
  const what = `${clock.holder.name}'s ${STEP_TEXT[clock.step]}`;
  if (event.type === 'escalated') {
    return {
      to: [handoff.owner],
      headline: `${what} is overdue: it was due ${formatWhen(clock.dueAt, ownerZone, at)}, and ${clock.holder.name} still holds the handoff.${cannotTell}`,
      quote: '',
    };
  }
  if (unreached) {
    // Nobody to nudge: the owner hears of it now rather than a whole goal later.
    return clock.holder.aadObjectId === handoff.owner.aadObjectId
      ? undefined
      : { to: [handoff.owner], headline: `${what} is overdue since ${formatWhen(clock.dueAt, ownerZone, at)}.${cannotTell}`, quote: '' };
  }
  const yours =
    clock.step === 'review'
      ? 'Your review of this handoff'
      : clock.step === 'close'
        ? 'Closing this accepted handoff'
        : clock.step === 'answer'
          ? 'Your answer to the question on this handoff'
          : 'The changes asked for on your handoff';
  return { to: [clock.holder], headline: `${yours} was due ${formatWhen(clock.dueAt, zoneForText(clock.holderHours), at)}.`, quote: '' };
}

/**
 * A new handoff tags its receiver in the conversation; people on it who are
 * not members there (picked from the directory) would never see it, so they
 * are told 1:1.
 */
export function noticesOfPosting(handoff: Handoff, members: readonly Person[]): Notice[] {
  const inChat = new Set(members.map((m) => m.aadObjectId));
  const by = handoff.sender.name;
  const roles: [Person, string][] = [
    [handoff.receiver, `${by} handed you a handoff.`],
    [handoff.owner, `${by} made you the owner of a handoff.`],
    ...handoff.stakeholders.map((p): [Person, string] => [p, `${by} added you as a stakeholder on a handoff.`]),
  ];
  const told = new Set<string>([handoff.sender.aadObjectId]);
  const notices: Notice[] = [];
  for (const [person, headline] of roles) {
    if (told.has(person.aadObjectId) || inChat.has(person.aadObjectId)) continue;
    told.add(person.aadObjectId);
    notices.push({ to: person, headline, quote: '', about: 'posted' });
  }
  return notices;
}

/** Each person once, in order, without the actor. */
function once(people: readonly Person[], actor: Person): Person[] {
  const seen = new Set<string>([actor.aadObjectId]);
  return people.filter((p) => {
    if (seen.has(p.aadObjectId)) return false;
    seen.add(p.aadObjectId);
    return true;
  });
}
