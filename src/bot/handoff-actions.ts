/**
 * The handoff's card verbs: create from the form, accept, request changes, refresh.
 */
import { type AdaptiveCardInvokeResponse, CardFactory } from 'botbuilder';
import { z } from 'zod';
import { handoffCard, handoffFormCard } from '../cards/handoff-cards';
import type { AdaptiveCard } from '../cards/render';
import { type Handoff, postHandoff } from '../domain/handoff';
import { handoffFormInput, parseHandoffForm } from '../domain/handoff-form';
import { review, type ReviewAction } from '../domain/review';
import { ConflictError } from '../errors';
import { handoffIdForForm } from '../store/keys';
import { type ActionContext, type CardAction, cardAction, cardResponse, errorResponse, VERBS } from './card-actions';
import { conversationMembers } from './members';
import { localDate } from './turn';

/** How often an action re-reads and retries after losing an ETag race. */
const MAX_ATTEMPTS = 3;

const NOT_FOUND = 'This handoff does not exist in your organisation, or it was removed.';

/**
 * Replaces the card in the conversation with the shared view, so everyone sees
 * the new state; each role's own view comes through the card's refresh.
 */
async function showToEveryone(context: ActionContext, handoff: Handoff): Promise<void> {
  const messageId = handoff.conversation.messageId;
  // Outlook has no conversation to update: the invoke response is the whole answer there.
  if (!messageId || context.turn.activity.channelId !== 'msteams') return;
  try {
    await context.turn.updateActivity({
      id: messageId,
      type: 'message',
      attachments: [CardFactory.adaptiveCard(handoffCard(handoff, undefined))],
    });
  } catch (error) {
    // The record is already saved and the actor sees the new card; others catch up on refresh.
    context.services.log(`Could not update the card of handoff ${handoff.id} for everyone: ${(error as Error).message}`);
  }
}

const createHandoff = cardAction(handoffFormInput, async (context, input) => {
  const { actor, turn, services, activityId } = context;
  const members = await conversationMembers(turn);
  const now = services.now();
  const parsed = parseHandoffForm(input, { members, sender: actor.person, today: localDate(turn, now) });
  if (!parsed.ok) {
    const count = Object.keys(parsed.errors).length;
    return cardResponse(
      handoffFormCard({
        formId: input.formId,
        members,
        values: input,
        errors: parsed.errors,
        message: `Nothing was posted: ${count === 1 ? 'one field needs' : `${count} fields need`} a change.`,
      }),
    );
  }
  const id = handoffIdForForm(actor.tenantId, input.formId);
  const { handoff, event } = postHandoff({
    id,
    tenantId: actor.tenantId,
    fields: parsed.value.fields,
    sender: actor.person,
    receiver: parsed.value.receiver,
    owner: parsed.value.owner,
    conversation: {
      id: turn.activity.conversation.id,
      serviceUrl: turn.activity.serviceUrl,
      messageId: turn.activity.replyToId,
    },
    at: now.toISOString(),
  });
  try {
    await services.store.insert(handoff, event, activityId);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    // The same form again: a retried invoke or a second click. Show what the first one created.
    const existing = await services.store.read(id);
    if (!existing || existing.handoff.sender.aadObjectId !== actor.person.aadObjectId) {
      return errorResponse(403, 'Forbidden', 'This form was already used by someone else.');
    }
    return cardResponse(handoffCard(existing.handoff, actor.person));
  }
  await showToEveryone(context, handoff);
  return cardResponse(handoffCard(handoff, actor.person));
});

const handoffRef = z.object({ handoffId: z.string().regex(/^[0-9a-f]{20}$/, 'not a handoff id') });

async function loadForActor(context: ActionContext, handoffId: string) {
  const stored = await context.services.store.read(handoffId, context.activityId);
  // A handoff of another tenant is reported exactly like a missing one.
  return stored && stored.handoff.tenantId === context.actor.tenantId ? stored : undefined;
}

function decide(action: ReviewAction): CardAction {
  return cardAction(handoffRef.extend({ comment: z.string().max(20_000).optional().default('') }), async (context, data) => {
    const { actor, services, activityId } = context;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      const stored = await loadForActor(context, data.handoffId);
      if (!stored) return errorResponse(404, 'NotFound', NOT_FOUND);
      if (stored.replayed) return cardResponse(handoffCard(stored.handoff, actor.person));
      const result = review(stored.handoff, action, actor.person, services.now().toISOString(), data.comment);
      if (!result.ok) return cardResponse(handoffCard(stored.handoff, actor.person, result.refusal.message));
      try {
        await services.store.save(result.handoff, stored.etag, result.event, activityId);
      } catch (error) {
        if (error instanceof ConflictError) continue;
        throw error;
      }
      await showToEveryone(context, result.handoff);
      return cardResponse(handoffCard(result.handoff, actor.person));
    }
    const latest = await loadForActor(context, data.handoffId);
    if (!latest) return errorResponse(404, 'NotFound', NOT_FOUND);
    return cardResponse(handoffCard(latest.handoff, actor.person, 'Others changed this handoff at the same moment; this is its current state.'));
  });
}

const refreshHandoff = cardAction(handoffRef, async (context, data): Promise<AdaptiveCardInvokeResponse> => {
  const stored = await context.services.store.read(data.handoffId);
  if (!stored || stored.handoff.tenantId !== context.actor.tenantId) return errorResponse(404, 'NotFound', NOT_FOUND);
  return cardResponse(handoffCard(stored.handoff, context.actor.person));
});

/** Every verb Baton answers, and its handler. */
export const handoffActions: Readonly<Record<string, CardAction>> = {
  [VERBS.createHandoff]: createHandoff,
  [VERBS.accept]: decide('accept'),
  [VERBS.requestChanges]: decide('requestChanges'),
  [VERBS.refresh]: refreshHandoff,
};

/** The form card for a new handoff, listing the conversation's members. */
export async function newHandoffForm(context: ActionContext['turn'], formId: string): Promise<AdaptiveCard> {
  return handoffFormCard({ formId, members: await conversationMembers(context) });
}
