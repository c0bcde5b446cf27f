/**
 * Proactive 1:1 messages: who is told what after a change (issue #3).
 * A person Baton cannot reach (they never installed it) is skipped with a
 * logged reason; a failed send never undoes the change.
 */
import { notificationCard } from '../cards/notification-card';
import type { Handoff, HandoffEvent, Person } from '../domain/handoff';
import type { ActionContext } from './card-actions';

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
    case 'nudged': {
      const holder = handoff.status === 'inReview' ? handoff.receiver : handoff.sender;
      return { to: [holder], headline: `${by}, the owner, nudged you: this handoff waits for you.`, quote: '' };
    }
    default:
      return undefined;
  }
}

/** Tells the people concerned by an event, once each, never the person who acted. */
export async function notifyAbout(context: ActionContext, handoff: Handoff, event: HandoffEvent): Promise<void> {
  const plan = recipients(handoff, event);
  if (!plan) return;
  const { services } = context;
  const seen = new Set<string>([event.actor.aadObjectId]);
  for (const person of plan.to) {
    if (seen.has(person.aadObjectId)) continue;
    seen.add(person.aadObjectId);
    const chat = await services.conversations.find(handoff.tenantId, person.aadObjectId);
    if (!chat) {
      services.log(`Not telling ${person.name} about handoff ${handoff.id} (${event.type}): they have not installed Baton, so there is no personal chat to write to.`);
      continue;
    }
    try {
      await services.sendToPerson(chat, notificationCard(handoff, plan.headline, plan.quote));
    } catch (error) {
      services.log(`Could not tell ${person.name} about handoff ${handoff.id} (${event.type}): ${(error as Error).message}`);
    }
  }
}
