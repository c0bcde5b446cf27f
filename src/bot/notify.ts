/**
 * Proactive 1:1 messages: who is told what after a change (issue #3).
 * A person Baton cannot reach (they never installed it) is skipped with a
 * logged reason; a failed send never undoes the change.
 */
import { notificationCard } from '../cards/notification-card';
import { ballHolder, type Handoff, type HandoffEvent, type Person } from '../domain/handoff';
import type { AdaptiveCard } from '../cards/render';
import type { ActionContext, Services } from './card-actions';

/** Who hears about an event, and the headline they read. */
function recipients(handoff: Handoff, event: HandoffEvent): { to: Person[]; headline: string; quote: string } | undefined {
  const by = event.actor.name;
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
      return { to: [ballHolder(handoff)].filter((p) => p !== undefined), headline: `${by}, the owner, nudged you: this handoff waits for you.`, quote: '' };
    default:
      return undefined;
  }
}

/**
 * Writes to one person's personal chat. Never throws: the change is saved, and
 * a message that cannot go out is logged with its reason.
 */
async function tell(services: Services, handoff: Handoff, person: Person, what: string, card: AdaptiveCard): Promise<void> {
  try {
    const chat = await services.conversations.find(handoff.tenantId, person.aadObjectId);
    if (!chat) {
      services.log(`Not telling ${person.name} about handoff ${handoff.id} (${what}): they have not installed Baton, so there is no personal chat to write to.`);
      return;
    }
    await services.sendToPerson(chat, card);
  } catch (error) {
    services.log(`Could not tell ${person.name} about handoff ${handoff.id} (${what}): ${(error as Error).message}`);
  }
}

/** Tells the people concerned by an event, once each, never the person who acted. */
export async function notifyAbout(context: ActionContext, handoff: Handoff, event: HandoffEvent): Promise<void> {
  const plan = recipients(handoff, event);
  if (!plan) return;
  const seen = new Set<string>([event.actor.aadObjectId]);
  for (const person of plan.to) {
    if (seen.has(person.aadObjectId)) continue;
    seen.add(person.aadObjectId);
    await tell(context.services, handoff, person, event.type, notificationCard(handoff, plan.headline, plan.quote));
  }
}

/**
 * A new handoff tags its receiver in the conversation; people on it who are
 * not in that conversation (picked from the directory) would never see it, so
 * they are told 1:1.
 */
export async function notifyPosted(services: Services, handoff: Handoff, members: readonly Person[]): Promise<void> {
  const inChat = new Set(members.map((m) => m.aadObjectId));
  const by = handoff.sender.name;
  const roles: [Person, string][] = [
    [handoff.receiver, `${by} handed you a handoff.`],
    [handoff.owner, `${by} made you the owner of a handoff.`],
    ...handoff.stakeholders.map((p): [Person, string] => [p, `${by} added you as a stakeholder on a handoff.`]),
  ];
  const told = new Set<string>([handoff.sender.aadObjectId]);
  for (const [person, headline] of roles) {
    if (told.has(person.aadObjectId) || inChat.has(person.aadObjectId)) continue;
    told.add(person.aadObjectId);
    await tell(services, handoff, person, 'posted', notificationCard(handoff, headline));
  }
}
