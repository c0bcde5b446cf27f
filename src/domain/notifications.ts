/**
 * Who is told what, 1:1, when a handoff changes. Pure: the application layer
 * turns each notice into an outbox row, delivered after the change commits.
 */
import type { Handoff, HandoffEvent, Person } from './handoff';

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
        return handoff.lastNudge?.reached ? { to: [handoff.lastNudge.to], headline: `${by}, the owner, nudged you: this handoff waits for you.`, quote: '' } : undefined;
      case 'cancelled':
        return { to: [handoff.receiver, handoff.owner], headline: `${by} cancelled the handoff.`, quote: event.comment };
      case 'priorityFlagged':
        return { to: [handoff.owner, handoff.receiver], headline: `${by} flagged the priority as ${handoff.priority}.`, quote: event.comment };
      default:
        return undefined;
    }
  })();
  if (!plan) return [];
  return once(plan.to, event.actor).map((to) => ({ to, headline: plan.headline, quote: plan.quote, about: event.type }));
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
