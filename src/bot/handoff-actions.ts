/**
 * The handoff card's verbs. Each verb parses its own data, builds a domain
 * command, and goes through one path: read with ETag -> domain decides ->
 * transaction -> the card for everyone, the viewer's card, notifications.
 */
import { type AdaptiveCardInvokeResponse, CardFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { formValuesOf, handoffCard, handoffFormCard, type ViewOptions } from '../cards/handoff-cards';
import type { AdaptiveCard } from '../cards/render';
import { type Handoff, type HandoffEvent, type Person, PRIORITIES, postHandoff, WORK_STATES } from '../domain/handoff';
import { type HandoffFormInput, handoffFormInput, parseHandoffForm, type ParsedForm } from '../domain/handoff-form';
import { isLate } from '../domain/lead-time';
import { apply, type Command, check, type Refusal } from '../domain/process';
import { qualityHints } from '../domain/quality';
import { maySee } from '../domain/search';
import { formatLocalTime, localTimesDiffer } from '../domain/working-hours';
import { ConflictError } from '../errors';
import { handoffIdForForm } from '../store/keys';
import type { StoredHandoff } from '../store/handoff-store';
import { type ActionContext, type CardAction, cardAction, cardResponse, errorResponse, type Services, VERBS } from './card-actions';
import { conversationMembers } from './members';
import { notifyAbout, notifyPosted } from './notify';
import { resolveFormPeople, workingHoursOf } from './people';
import { type Actor, localDate, timeZoneOf } from './turn';

/** How often an action re-reads and retries after losing an ETag race. */
const MAX_ATTEMPTS = 3;

const NOT_FOUND = 'This handoff does not exist in your organisation, or it was removed.';

/** "Grace Hopper's local time: 09:05 Tue in America/New_York" when the receiver's clock differs from the viewer's. */
async function receiverLocalTime(context: ActionContext, handoff: Handoff, viewerZone: string | undefined): Promise<string> {
  const { receiver } = handoff;
  if (!viewerZone || receiver.aadObjectId === context.actor.person.aadObjectId) return '';
  const { timeZone } = await workingHoursOf(context.services.directoryFor(handoff.tenantId), receiver, context.services.log);
  const now = context.services.now();
  try {
    return localTimesDiffer(now, viewerZone, timeZone) ? `${receiver.name}'s local time: ${formatLocalTime(now, timeZone)}` : '';
  } catch {
    return ''; // a time zone name the runtime does not know: say nothing rather than something wrong
  }
}

/** The card a viewer sees, with what their role needs (members for the owner's reassign list). */
async function viewFor(context: ActionContext, handoff: Handoff, options: ViewOptions = {}): Promise<AdaptiveCard> {
  const viewer = context.actor.person;
  const needsMembers = check(handoff, viewer.aadObjectId, 'reassign').ok && options.members === undefined;
  const members = needsMembers ? await conversationMembers(context.turn).catch(() => []) : options.members;
  const timeZone = timeZoneOf(context.turn);
  const receiverTime = await receiverLocalTime(context, handoff, timeZone);
  return handoffCard(handoff, viewer, { timeZone, receiverTime, ...options, members });
}

/**
 * Replaces the card in the conversation with the shared view, so everyone sees
 * the new state; each role's own view comes through the card's refresh.
 */
async function showToEveryone(context: ActionContext, handoff: Handoff): Promise<void> {
  const messageId = handoff.conversation.messageId;
  // Outlook has no conversation to update: the invoke response is the whole answer there.
  if (!messageId || context.turn.activity.channelId !== 'msteams') return;
  try {
    await context.turn.updateActivity({ id: messageId, type: 'message', attachments: [CardFactory.adaptiveCard(handoffCard(handoff, undefined))] });
  } catch (error) {
    // The record is already saved and the actor sees the new card; others catch up on refresh.
    context.services.log(`Could not update the card of handoff ${handoff.id} for everyone: ${(error as Error).message}`);
  }
}

async function loadForActor(context: ActionContext, handoffId: string): Promise<StoredHandoff | undefined> {
  const stored = await context.services.store.read(handoffId, context.activityId);
  // A handoff of another tenant is reported exactly like a missing one.
  return stored && stored.handoff.tenantId === context.actor.tenantId ? stored : undefined;
}

/** The receiver's working minutes from now to the end of the needed-by day decide whether a handoff is late. */
export async function lateness(services: Services, tenantId: string, receiver: Person, effortMinutes: number | undefined, neededBy: string | undefined): Promise<boolean> {
  if (effortMinutes === undefined || neededBy === undefined) return false;
  const available = await services.workingMinutesUntil(tenantId, receiver, services.now(), neededBy);
  return isLate(effortMinutes, neededBy, () => available);
}

/** What a verb makes of the current handoff: a command for the domain, a refusal, or a card to show instead (a form with errors). */
type Decision = Command | Refusal | { card: AdaptiveCard };
type Build = (handoff: Handoff) => Decision | Promise<Decision>;

/**
 * Runs one change: read with ETag, let the domain decide, write the change with
 * its event, then update the conversation and tell the people concerned.
 * Losing an ETag race re-reads and decides again.
 */
async function change(context: ActionContext, handoffId: string, build: Build): Promise<AdaptiveCardInvokeResponse> {
  const { actor, services, activityId } = context;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const stored = await loadForActor(context, handoffId);
    if (!stored) return errorResponse(404, 'NotFound', NOT_FOUND);
    if (stored.replayed) return cardResponse(await viewFor(context, stored.handoff));
    const command = await build(stored.handoff);
    if ('card' in command) return cardResponse(command.card);
    if ('code' in command) return cardResponse(await viewFor(context, stored.handoff, { notice: command.message }));
    const outcome = apply(stored.handoff, command, actor.person, services.now().toISOString());
    if (!outcome.ok) return cardResponse(await viewFor(context, stored.handoff, { notice: outcome.refusal.message }));
    try {
      if (command.type === 'resubmit' || command.type === 'reassign') await services.people.add(outcome.handoff);
      await services.store.save(outcome.handoff, stored.etag, outcome.event, activityId);
    } catch (error) {
      if (error instanceof ConflictError) continue;
      throw error;
    }
    await showToEveryone(context, outcome.handoff);
    await notifyAbout(context, outcome.handoff, outcome.event);
    return cardResponse(await viewFor(context, outcome.handoff));
  }
  const latest = await loadForActor(context, handoffId);
  if (!latest) return errorResponse(404, 'NotFound', NOT_FOUND);
  return cardResponse(await viewFor(context, latest.handoff, { notice: 'Others changed this handoff at the same moment; this is its current state.' }));
}

const handoffRef = z.object({ handoffId: z.string().regex(/^[0-9a-f]{20}$/, 'not a handoff id') });
const text = z.string().max(20_000).optional().default('');

/**
 * Resolves the people on a form, then checks it against the rules; on errors or
 * unconfirmed quality hints returns the form card to show instead.
 */
export async function checkForm(
  services: Services,
  tenantId: string,
  input: HandoffFormInput,
  members: readonly Person[],
  sender: Person,
  today: string,
  editing?: { handoffId: string; version: number },
): Promise<{ ok: true; value: ParsedForm } | { ok: false; card: AdaptiveCard }> {
  const people = editing ? { people: [...members], input, errors: {} } : await resolveFormPeople(input, members, services.directoryFor(tenantId));
  const parsed = parseHandoffForm(people.input, { members: people.people, sender, today });
  const errors = { ...(parsed.ok ? {} : parsed.errors), ...people.errors };
  if (!parsed.ok || Object.keys(errors).length > 0) {
    const count = Object.keys(errors).length;
    const message = `Nothing was ${editing ? 'resubmitted' : 'posted'}: ${count === 1 ? 'one field needs' : `${count} fields need`} a change.`;
    // Resolved people are shown by id, so the pickers show them chosen; unresolved ones stay as typed.
    return { ok: false, card: handoffFormCard({ formId: input.formId, members, values: people.input, errors, message, editing }) };
  }
  const hints = qualityHints(parsed.value.fields);
  if (hints.length > 0 && !input.confirmed) {
    return { ok: false, card: handoffFormCard({ formId: input.formId, members, values: people.input, hints, editing }) };
  }
  return parsed;
}

/**
 * A new handoff from a submitted form, not stored yet: the chat form and the
 * messaging extension build it the same way. Its id comes from the form, so a
 * resubmitted form names the same handoff.
 * @param card the message that will show the card when already known, or the claim of the attempt that will post it
 */
export async function handoffFromForm(turn: TurnContext, services: Services, actor: Actor, input: HandoffFormInput, card: { messageId?: string; postingClaim?: string } = {}) {
  // The connector lists members only where the bot is (a messaging extension may be used elsewhere); people then come from the directory.
  const members = await conversationMembers(turn).catch(() => []);
  const now = services.now();
  const form = await checkForm(services, actor.tenantId, input, members, actor.person, localDate(turn, now));
  if (!form.ok) return { ok: false as const, card: form.card };
  const { fields, receiver, owner, stakeholders } = form.value;
  const built = postHandoff({
    id: handoffIdForForm(actor.tenantId, input.formId),
    tenantId: actor.tenantId,
    fields,
    sender: actor.person,
    receiver,
    owner,
    stakeholders,
    conversation: { id: turn.activity.conversation.id, serviceUrl: turn.activity.serviceUrl, ...card },
    at: now.toISOString(),
    late: await lateness(services, actor.tenantId, receiver, fields.effortMinutes, fields.neededBy),
  });
  return { ok: true as const, members, ...built };
}

/**
 * Stores a new handoff (the person index first: a crash between the two leaves
 * an extra index row, which readers skip, never a missing one). The same form
 * again (a retried invoke, a second click) finds the first one instead.
 * @returns 'stored', the handoff already stored from this form by the same sender, or 'forbidden'
 */
export async function storeNewHandoff(services: Services, actor: Actor, handoff: Handoff, event: HandoffEvent, activityId: string): Promise<'stored' | 'forbidden' | { existing: Handoff }> {
  try {
    await services.people.add(handoff);
    await services.store.insert(handoff, event, activityId);
    return 'stored';
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const existing = await services.store.read(handoff.id);
    if (!existing || existing.handoff.sender.aadObjectId !== actor.person.aadObjectId) return 'forbidden';
    return { existing: existing.handoff };
  }
}

const FORM_TAKEN = 'This form was already used by someone else.';

const createHandoff = cardAction(handoffFormInput, async (context, input) => {
  const { actor, turn, services, activityId } = context;
  // The form's own message becomes the handoff's card.
  const draft = await handoffFromForm(turn, services, actor, input, turn.activity.replyToId ? { messageId: turn.activity.replyToId } : {});
  if (!draft.ok) return cardResponse(draft.card);
  const { handoff, event, members } = draft;
  const stored = await storeNewHandoff(services, actor, handoff, event, activityId);
  if (stored === 'forbidden') return errorResponse(403, 'Forbidden', FORM_TAKEN);
  if (stored !== 'stored') return cardResponse(await viewFor(context, stored.existing, { members }));
  await showToEveryone(context, handoff);
  await notifyPosted(services, handoff, members);
  return cardResponse(await viewFor(context, handoff, { members }));
});

const editHandoff = cardAction(handoffRef, async (context, data) => {
  const stored = await loadForActor(context, data.handoffId);
  if (!stored) return errorResponse(404, 'NotFound', NOT_FOUND);
  const allowed = check(stored.handoff, context.actor.person.aadObjectId, 'resubmit');
  if (!allowed.ok) return cardResponse(await viewFor(context, stored.handoff, { notice: allowed.refusal.message }));
  const { handoff } = stored;
  return cardResponse(
    handoffFormCard({ formId: crypto.randomUUID(), members: [], values: formValuesOf(handoff), editing: { handoffId: handoff.id, version: handoff.version } }),
  );
});

const resubmitHandoff = cardAction(handoffFormInput.extend(handoffRef.shape), (context, input) =>
  change(context, input.handoffId, async (handoff): Promise<Decision> => {
    // People do not change on resubmit (the owner reassigns): check the fields against the current ones.
    const people = [handoff.receiver, handoff.owner, handoff.sender];
    const checked = await checkForm(
      context.services,
      handoff.tenantId,
      { ...input, receiver: handoff.receiver.aadObjectId, owner: handoff.owner.aadObjectId, stakeholders: '' },
      people,
      handoff.sender,
      localDate(context.turn, context.services.now()),
      { handoffId: handoff.id, version: handoff.version },
    );
    return checked.ok ? { type: 'resubmit', fields: checked.value.fields } : { card: checked.card };
  }),
);

const acceptData = handoffRef.extend({ comment: text }).catchall(z.unknown());

const acceptHandoff = cardAction(acceptData, (context, data) =>
  change(context, data.handoffId, (handoff) => ({
    type: 'accept',
    // Input.Toggle sends "true"/"false" per criterion, keyed criterion0, criterion1, ...
    checked: handoff.acceptanceCriteria.map((_, i) => data[`criterion${i}`] === 'true' || data[`criterion${i}`] === true),
    note: data.comment,
  })),
);

const withComment = handoffRef.extend({ comment: text });

const requestChanges = cardAction(withComment, (context, data) => change(context, data.handoffId, () => ({ type: 'requestChanges', comment: data.comment })));

const askQuestion = cardAction(withComment, (context, data) => change(context, data.handoffId, () => ({ type: 'ask', question: data.comment })));

const answerQuestion = cardAction(handoffRef.extend({ answer: text }), (context, data) =>
  change(context, data.handoffId, () => ({ type: 'answer', answer: data.answer })),
);

const setWorkState = cardAction(handoffRef.extend({ workState: z.enum(WORK_STATES), blocker: text }), (context, data) =>
  change(context, data.handoffId, () => ({ type: 'setWorkState', workState: data.workState, blocker: data.blocker })),
);

const cancelHandoff = cardAction(withComment, (context, data) => change(context, data.handoffId, () => ({ type: 'cancel', reason: data.comment })));

const reassignHandoff = cardAction(handoffRef.extend({ newReceiver: text }), (context, data) =>
  change(context, data.handoffId, async (handoff) => {
    const chosen = data.newReceiver.trim();
    if (chosen === '') return { code: 'invalid', message: 'Choose who receives the handoff instead.' };
    // A chat member from the list, or anyone the people picker found in the organisation.
    const members = await conversationMembers(context.turn).catch(() => []);
    const resolved = await resolveFormPeople(
      { ...handoffFormInput.parse({ formId: 'reassign' }), receiver: chosen },
      members,
      context.services.directoryFor(handoff.tenantId),
    );
    if (resolved.errors.receiver) return { code: 'invalid', message: resolved.errors.receiver };
    const receiver = resolved.people.find((p) => p.aadObjectId === resolved.input.receiver);
    return receiver ? { type: 'reassign', receiver } : { code: 'invalid', message: 'Choose who receives the handoff instead.' };
  }),
);

const nudgeHandoff = cardAction(handoffRef, (context, data) => change(context, data.handoffId, () => ({ type: 'nudge' })));

const closeHandoff = cardAction(withComment, (context, data) => change(context, data.handoffId, () => ({ type: 'close', note: data.comment })));

const flagPriority = cardAction(handoffRef.extend({ priority: z.enum(PRIORITIES), priorityReason: text }), (context, data) =>
  change(context, data.handoffId, () => ({ type: 'flagPriority', priority: data.priority, reason: data.priorityReason })),
);

/**
 * A handoff for reading (refresh, history): its people may see it anywhere,
 * anyone else only in the conversation that shows its card.
 */
async function loadForReader(context: ActionContext, handoffId: string): Promise<StoredHandoff | undefined> {
  const stored = await loadForActor(context, handoffId);
  if (!stored) return undefined;
  const { handoff } = stored;
  const inItsChat = context.turn.activity.conversation?.id === handoff.conversation.id;
  return inItsChat || maySee(handoff, context.actor.tenantId, context.actor.person.aadObjectId) ? stored : undefined;
}

const showHistory = cardAction(handoffRef.extend({ show: z.union([z.boolean(), z.enum(['true', 'false'])]).optional() }), async (context, data) => {
  const stored = await loadForReader(context, data.handoffId);
  if (!stored) return errorResponse(404, 'NotFound', NOT_FOUND);
  const show = data.show === undefined || data.show === true || data.show === 'true';
  const history: HandoffEvent[] | undefined = show ? await context.services.store.history(data.handoffId) : undefined;
  return cardResponse(await viewFor(context, stored.handoff, { history }));
});

const refreshHandoff = cardAction(handoffRef, async (context, data): Promise<AdaptiveCardInvokeResponse> => {
  const stored = await loadForReader(context, data.handoffId);
  if (!stored) return errorResponse(404, 'NotFound', NOT_FOUND);
  return cardResponse(await viewFor(context, stored.handoff));
});

/** Every verb Baton answers, and its handler. */
export const handoffActions: Readonly<Record<string, CardAction>> = {
  [VERBS.createHandoff]: createHandoff,
  [VERBS.edit]: editHandoff,
  [VERBS.resubmit]: resubmitHandoff,
  [VERBS.accept]: acceptHandoff,
  [VERBS.requestChanges]: requestChanges,
  [VERBS.ask]: askQuestion,
  [VERBS.answer]: answerQuestion,
  [VERBS.setWorkState]: setWorkState,
  [VERBS.cancel]: cancelHandoff,
  [VERBS.reassign]: reassignHandoff,
  [VERBS.nudge]: nudgeHandoff,
  [VERBS.close]: closeHandoff,
  [VERBS.flagPriority]: flagPriority,
  [VERBS.history]: showHistory,
  [VERBS.refresh]: refreshHandoff,
};

/** The form card for a new handoff, listing the conversation's members. */
export async function newHandoffForm(context: ActionContext['turn'], formId: string): Promise<AdaptiveCard> {
  return handoffFormCard({ formId, members: await conversationMembers(context) });
}
