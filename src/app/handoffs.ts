/**
 * The handoff use cases: the form, creating a handoff, every change to one,
 * and showing it. Teams, Outlook, the messaging extension and the timers all
 * come through here; each gets a card back (or an error to show), never a
 * TurnContext.
 *
 * Every change goes one path: read with ETag (and mark the handoff for the
 * outbox) -> the domain decides -> one transaction with the change, its event,
 * the activity marker and its outbox rows -> deliver the rows after the commit.
 */
import { formValuesOf, handoffCard, handoffFormCard, type ViewOptions } from '../cards/handoff-cards';
import type { AdaptiveCard } from '../cards/render';
import { ballHolder, type Handoff, type HandoffEvent, type HandoffFields, participants, type Person, postHandoff } from '../domain/handoff';
import { hoursNeeded, nextDueState } from '../domain/due';
import { type HandoffFormInput, parseHandoffForm, type ParsedForm } from '../domain/handoff-form';
import { isLate, workingMinutesUntilDay } from '../domain/lead-time';
import { type Notice, noticesFor, noticesOfPosting } from '../domain/notifications';
import { apply, check, type Command, type Refusal } from '../domain/process';
import { type Lateness, qualityHints } from '../domain/quality';
import { maySee } from '../domain/search';
import { formatWhen } from '../domain/time-format';
import { localTimesDiffer } from '../domain/working-hours';
import { ConflictError } from '../errors';
import type { Effect } from '../store/outbox-rows';
import { handoffIdForForm } from '../store/keys';
import type { StoredHandoff } from '../store/handoff-store';
import type { Outbox } from './outbox';
import { resolveFormPeople } from './people';
import { type Caller, MembersUnavailableError, type Messenger, type Services } from './ports';

/** The use cases' dependencies: the shared services and the outbox. */
export interface App extends Services {
  outbox: Outbox;
  /** For answers that go straight to a person (a private `mine`), not caused by a change. */
  messenger: Messenger;
}

export interface AnswerError {
  status: 400 | 403 | 404 | 503;
  code: string;
  message: string;
}

/** What a use case shows the person: a card, or an error Teams displays in place of one. */
/** What a use case answers: a card (with why, when the change was refused), or an error. */
export type Answer = { card: AdaptiveCard; refusal?: string } | { error: AnswerError };

/**
 * How long an answer waits for everyone's card to be updated first. Teams
 * shows the actor the answer's card; an update of the shared card landing
 * after it would cover the actor's view until it refreshes. A slow connector
 * does not hold the answer up longer: the update then goes out after it.
 */
const CARD_FIRST_MS = 1500;

function cardUpdateOrTimeout(cardOut: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([cardOut, new Promise<void>((resolve) => (timer = setTimeout(resolve, CARD_FIRST_MS)))]).finally(() => clearTimeout(timer));
}

/** How often a change re-reads and retries after losing an ETag race. */
const MAX_ATTEMPTS = 3;

export const NOT_FOUND: AnswerError = { status: 404, code: 'NotFound', message: 'This handoff does not exist in your organisation, or it was removed.' };
const FORM_TAKEN: AnswerError = { status: 403, code: 'Forbidden', message: 'This form was already used by someone else.' };
const MEMBERS_UNAVAILABLE = "Nothing was posted: Teams did not list this conversation's members just now, so Baton cannot check the people on the form. Please try again in a minute.";

/** "Grace Hopper's local time: 09:05 Tue in America/New_York" when the receiver's clock differs from the viewer's. */
async function receiverLocalTime(app: App, caller: Caller, handoff: Handoff): Promise<string> {
  const { receiver } = handoff;
  if (!caller.timeZone || receiver.aadObjectId === caller.actor.person.aadObjectId) return '';
  const { timeZone } = await app.workingHours(handoff.tenantId, receiver);
  const now = new Date(app.clock.now());
  try {
    return localTimesDiffer(now, caller.timeZone, timeZone) ? `${receiver.name}'s local time: ${formatWhen(now, timeZone, now)} (${timeZone})` : '';
  } catch {
    return ''; // a time zone name the runtime does not know: say nothing rather than something wrong
  }
}

/** The card a viewer sees, with what their role needs (members for the owner's reassign list). */
export async function viewFor(app: App, caller: Caller, handoff: Handoff, options: ViewOptions = {}): Promise<AdaptiveCard> {
  const viewer = caller.actor.person;
  const needsMembers = check(handoff, viewer.aadObjectId, 'reassign').ok && options.members === undefined;
  const members = needsMembers ? await caller.members().catch(() => []) : options.members;
  const receiverTime = await receiverLocalTime(app, caller, handoff);
  return handoffCard(handoff, viewer, { timeZone: caller.timeZone, receiverTime, now: new Date(app.clock.now()), ...options, members });
}

async function loadForActor(app: App, caller: Caller, handoffId: string): Promise<StoredHandoff | undefined> {
  const stored = await app.store.read(handoffId);
  // A handoff of another tenant is reported exactly like a missing one.
  return stored && stored.handoff.tenantId === caller.actor.tenantId ? stored : undefined;
}

/** The receiver's working minutes from now to the end of the needed-by day, when fewer than the effort: the handoff is late. */
async function lateness(app: App, tenantId: string, receiver: Person, fields: HandoffFields): Promise<Lateness | undefined> {
  const { effortMinutes, neededBy } = fields;
  if (effortMinutes === undefined || neededBy === undefined) return undefined;
  const hours = await app.workingHours(tenantId, receiver);
  const now = new Date(app.clock.now());
  const available = workingMinutesUntilDay(hours, now, neededBy);
  return isLate(effortMinutes, neededBy, () => available) ? { receiver: receiver.name, availableMinutes: available, now } : undefined;
}

/** What a change makes of the current handoff: a domain command, a refusal to explain on the card, or a card to show instead (a form with errors). */
export type Decision = Command | Refusal | { card: AdaptiveCard };
export type Build = (handoff: Handoff) => Decision | Promise<Decision>;

function message(notice: Notice): Effect {
  return { kind: 'message', to: notice.to, headline: notice.headline, quote: notice.quote, about: notice.about };
}

/** The due index's row of a change whose next wake-up moved. */
function dueEffect(before: Handoff | undefined, after: Handoff): Effect[] {
  return after.wakeAt === before?.wakeAt ? [] : [{ kind: 'due', previous: before?.wakeAt ?? '' }];
}

/**
 * The person index's row of a change: every change moves what search filters
 * on (status, due time), so each one rewrites the listings; a change of people
 * also removes the rows of those it took off and records new followers.
 */
function indexEffect(before: Handoff, after: Handoff): Effect {
  const still = new Set(participants(after).map((p) => p.aadObjectId));
  const former = participants(before).filter((p) => !still.has(p.aadObjectId)).map((p) => p.aadObjectId);
  const followersChanged = after.stakeholders.map((p) => p.aadObjectId).join() !== before.stakeholders.map((p) => p.aadObjectId).join();
  return { kind: 'index', ...(former.length > 0 ? { former } : {}), followers: followersChanged };
}

/** The outbox rows of a change: everyone's card, the person index, the 1:1 messages, the due index. */
export function effectsOfChange(before: Handoff, after: Handoff, event: HandoffEvent): Effect[] {
  return [{ kind: 'card' }, indexEffect(before, after), ...noticesFor(after, event).map(message), ...dueEffect(before, after)];
}

/** The handoff with the due state a change leaves (src/domain/due.ts), reading the working hours a new step needs. */
async function withDueState(app: App, before: Handoff | undefined, after: Handoff, event: HandoffEvent): Promise<Handoff> {
  const people = hoursNeeded(before, after);
  const hours = new Map(await Promise.all(people.map(async (p) => [p.aadObjectId, await app.workingHours(after.tenantId, p)] as const)));
  return { ...after, ...nextDueState(before, after, event, hours, app.due) };
}

/**
 * Runs one change: read with ETag, let the domain decide, write the change with
 * its event and outbox rows, then deliver them. Losing an ETag race re-reads
 * and decides again. A replayed activity changes nothing and re-attempts its
 * own undelivered rows. It is found where it shows: the change it asks for
 * was made, so it is refused (no change is allowed twice in a row; a nudge
 * waits an hour), and only a refusal asks whether the activity's marker row
 * exists, so the usual path reads one row. A replay whose read came before
 * the first commit conflicts, re-reads and is refused then. Either way the
 * marker, written in the change's transaction, never lets it apply twice.
 */
export async function changeHandoff(app: App, caller: Caller, handoffId: string, build: Build, refused: ViewOptions = {}): Promise<Answer> {
  const { actor, activityId } = caller;
  const replayed = async (handoff: Handoff): Promise<Answer | undefined> => {
    if (!(await app.store.applied(handoffId, activityId))) return undefined;
    app.outbox.retryPending(handoffId);
    return { card: await viewFor(app, caller, handoff) };
  };
  const refusal = async (handoff: Handoff, message: string): Promise<Answer> =>
    (await replayed(handoff)) ?? { card: await viewFor(app, caller, handoff, { ...refused, notice: message }), refusal: message };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    // The outbox mark is written before the transaction, so a crash after the commit still leaves it for the sweep.
    const [stored, markEtag] = await Promise.all([loadForActor(app, caller, handoffId), app.outbox.mark(handoffId)]);
    if (!stored) return { error: NOT_FOUND };
    const decision = await build(stored.handoff);
    if ('card' in decision) return { card: decision.card };
    // A refusal shows the card as it was, with why, and what the person had typed still in place.
    if ('code' in decision) return refusal(stored.handoff, decision.message);
    const outcome = apply(stored.handoff, decision, actor.person, new Date(app.clock.now()).toISOString());
    if (!outcome.ok) return refusal(stored.handoff, outcome.refusal.message);
    const next = await withDueState(app, stored.handoff, outcome.handoff, outcome.event);
    let rows;
    const saving = app.store.save(next, stored.etag, outcome.event, activityId, effectsOfChange(stored.handoff, next, outcome.event), app.outbox.leaseForNewRows());
    // The actor's card is drawn while the transaction is in flight (thrown away if it loses a race).
    const drawn = viewFor(app, caller, next);
    try {
      rows = await saving;
    } catch (error) {
      drawn.catch(() => undefined);
      if (error instanceof ConflictError) continue;
      throw error;
    }
    const [card] = await Promise.all([drawn, cardUpdateOrTimeout(app.outbox.deliverFresh(handoffId, rows, markEtag, next))]);
    return { card };
  }
  const latest = await loadForActor(app, caller, handoffId);
  if (!latest) return { error: NOT_FOUND };
  return { card: await viewFor(app, caller, latest.handoff, { notice: 'Others changed this handoff at the same moment; this is its current state.' }) };
}

/**
 * A change that is just a domain command built from the card's data.
 * @param refused what a refused attempt shows again (a receiver's ticks and note)
 */
export function applyCommand(app: App, caller: Caller, handoffId: string, command: Command | ((handoff: Handoff) => Command), refused: ViewOptions = {}): Promise<Answer> {
  return changeHandoff(app, caller, handoffId, (handoff) => (typeof command === 'function' ? command(handoff) : command), refused);
}

/**
 * Resolves the people on a form, then checks it against the rules; on errors or
 * unconfirmed quality hints returns the form card to show instead.
 */
async function checkForm(
  app: App,
  tenantId: string,
  input: HandoffFormInput,
  members: readonly Person[],
  sender: Person,
  today: string,
  editing?: { handoffId: string; version: number; banner?: { title: string; text: string } },
): Promise<{ ok: true; value: ParsedForm; late: boolean } | { ok: false; card: AdaptiveCard }> {
  const people = editing ? { people: [...members], input, errors: {} } : await resolveFormPeople(input, members, app.directoryFor(tenantId));
  const parsed = parseHandoffForm(people.input, { members: people.people, sender, today });
  const errors = { ...(parsed.ok ? {} : parsed.errors), ...people.errors };
  if (!parsed.ok || Object.keys(errors).length > 0) {
    const count = Object.keys(errors).length;
    const message = `Nothing was ${editing ? 'resubmitted' : 'posted'}: ${count === 1 ? 'one field needs' : `${count} fields need`} a change.`;
    // Resolved people are shown by id, so the pickers show them chosen; unresolved ones stay as typed.
    return { ok: false, card: handoffFormCard({ formId: input.formId, members, values: people.input, errors, message, editing }) };
  }
  const late = await lateness(app, tenantId, parsed.value.receiver, parsed.value.fields);
  const hints = qualityHints(parsed.value.fields, late);
  if (hints.length > 0 && !input.confirmed) {
    return { ok: false, card: handoffFormCard({ formId: input.formId, members, values: people.input, hints, editing }) };
  }
  return { ...parsed, late: late !== undefined };
}

export type Draft = { ok: false; card: AdaptiveCard } | { ok: true; handoff: Handoff; event: HandoffEvent; members: Person[] };

/**
 * A new handoff from a submitted form, not stored yet: the chat form and the
 * messaging extension build it the same way. Its id comes from the form, so a
 * resubmitted form names the same handoff.
 * @param messageId the message that will show the card, when already known (the chat form's own message)
 */
export async function draftHandoff(app: App, caller: Caller, input: HandoffFormInput, messageId?: string): Promise<Draft> {
  let members: Person[];
  try {
    members = await caller.members();
  } catch (error) {
    if (!(error instanceof MembersUnavailableError)) throw error;
    return { ok: false, card: handoffFormCard({ formId: input.formId, members: [], values: input, message: MEMBERS_UNAVAILABLE }) };
  }
  const { actor } = caller;
  const form = await checkForm(app, actor.tenantId, input, members, actor.person, caller.today);
  if (!form.ok) return form;
  const { fields, receiver, owner, stakeholders } = form.value;
  const built = postHandoff({
    id: handoffIdForForm(actor.tenantId, input.formId),
    tenantId: actor.tenantId,
    fields,
    sender: actor.person,
    receiver,
    owner,
    stakeholders,
    conversation: { id: caller.conversation.id, serviceUrl: caller.conversation.serviceUrl, tenantId: actor.tenantId, ...(messageId ? { messageId } : {}) },
    at: new Date(app.clock.now()).toISOString(),
    late: form.late,
  });
  return { ok: true, members, event: built.event, handoff: await withDueState(app, undefined, built.handoff, built.event) };
}

export type Created =
  | { outcome: 'form'; card: AdaptiveCard }
  /** `unreached`: people outside the conversation whom Baton cannot tell either (no personal chat with Baton). */
  | { outcome: 'created' | 'existing'; handoff: Handoff; members: Person[]; unreached?: Person[] }
  | { outcome: 'forbidden'; error: AnswerError };

/**
 * Stores a new handoff with its outbox rows: its person-index rows, its card
 * (replacing the form's own message, or posted as a new one) and 1:1 messages
 * for people outside the conversation. The same form again (a retried invoke,
 * a second click) finds the first handoff and writes nothing.
 * @param where 'replaceForm': the chat form's message becomes the card; 'post': the card is posted (messaging extension)
 */
export async function createHandoff(app: App, caller: Caller, input: HandoffFormInput, where: 'replaceForm' | 'post'): Promise<Created> {
  const id = handoffIdForForm(caller.actor.tenantId, input.formId);
  const messageId = where === 'replaceForm' ? caller.replyToId : undefined;
  const [draft, markEtag] = await Promise.all([draftHandoff(app, caller, input, messageId), app.outbox.mark(id)]);
  if (!draft.ok) return { outcome: 'form', card: draft.card };
  const { handoff, event, members } = draft;
  const told = noticesOfPosting(handoff, members);
  const effects: Effect[] = [
    ...(where === 'post' ? [{ kind: 'post' } as const] : messageId ? [{ kind: 'card' } as const] : []),
    { kind: 'index' },
    ...told.map(message),
    ...dueEffect(undefined, handoff),
  ];
  try {
    const rows = await app.store.insert(handoff, event, caller.activityId, effects, app.outbox.leaseForNewRows());
    const [unreached] = await Promise.all([unreachable(app, handoff.tenantId, told.map((n) => n.to)), cardUpdateOrTimeout(app.outbox.deliverFresh(id, rows, markEtag))]);
    return { outcome: 'created', handoff, members, unreached };
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const existing = await app.store.read(id);
    if (!existing || existing.handoff.sender.aadObjectId !== caller.actor.person.aadObjectId) return { outcome: 'forbidden', error: FORM_TAKEN };
    app.outbox.retryPending(id);
    return { outcome: 'existing', handoff: existing.handoff, members };
  }
}

/** Of the people to be told 1:1, those who never installed Baton: nobody can tell them. */
async function unreachable(app: App, tenantId: string, people: readonly Person[]): Promise<Person[]> {
  const found = await Promise.all(people.map((p) => app.conversations.find(tenantId, p.aadObjectId)));
  return people.filter((_, i) => found[i] === undefined);
}

/** What the sender reads when someone on the handoff will hear of it from nobody. */
function unreachedNotice(people: readonly Person[]): string | undefined {
  if (people.length === 0) return undefined;
  const names = people.map((p) => p.name);
  const who = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${who} ${people.length === 1 ? 'is' : 'are'} not in this chat and ${people.length === 1 ? 'has' : 'have'} not installed Baton, so nobody told them: post the handoff in a chat they are in, or ask them to install Baton.`;
}

/** The chat form's submit: the handoff's card for the sender (everyone else's comes through the outbox), or the form again. */
export async function submitForm(app: App, caller: Caller, input: HandoffFormInput): Promise<Answer> {
  const created = await createHandoff(app, caller, input, 'replaceForm');
  if (created.outcome === 'form') return { card: created.card };
  if (created.outcome === 'forbidden') return { error: created.error };
  return { card: await viewFor(app, caller, created.handoff, { members: created.members, notice: unreachedNotice(created.unreached ?? []) }) };
}

/** The form for a new handoff, listing the conversation's members (none when Teams cannot list them: the pickers still search the organisation). */
export async function newHandoffForm(app: App, caller: Caller, formId: string): Promise<AdaptiveCard> {
  const members = await caller.members().catch((error: unknown) => {
    app.log.warn('Could not list the conversation\'s members for the form', { conversation: caller.conversation.id, error: (error as Error).message });
    return [];
  });
  return handoffFormCard({ formId, members });
}

/** The sender's "Edit and resubmit": the form with the handoff's values. */
export async function editForm(app: App, caller: Caller, handoffId: string): Promise<Answer> {
  const stored = await loadForActor(app, caller, handoffId);
  if (!stored) return { error: NOT_FOUND };
  const { handoff } = stored;
  const allowed = check(handoff, caller.actor.person.aadObjectId, 'resubmit');
  if (!allowed.ok) return { card: await viewFor(app, caller, handoff, { notice: allowed.refusal.message }) };
  return { card: handoffFormCard({ formId: crypto.randomUUID(), members: [], values: formValuesOf(handoff), editing: editingOf(app, caller, handoff) }) };
}

/** What the edit form says on top: the change request the next version answers. */
function editingOf(app: App, caller: Caller, handoff: Handoff) {
  const request = handoff.changeRequest;
  const banner =
    request && request.version === handoff.version
      ? { title: `${request.by.name} asked for changes (${formatWhen(request.at, caller.timeZone, new Date(app.clock.now()))}): `, text: request.text }
      : undefined;
  return { handoffId: handoff.id, version: handoff.version, banner };
}

/** A new version from the edit form; people do not change on resubmit (the owner reassigns). */
export function resubmitHandoff(app: App, caller: Caller, handoffId: string, input: HandoffFormInput): Promise<Answer> {
  return changeHandoff(app, caller, handoffId, async (handoff): Promise<Decision> => {
    const people = [handoff.receiver, handoff.owner, handoff.sender];
    const checked = await checkForm(
      app,
      handoff.tenantId,
      { ...input, receiver: handoff.receiver.aadObjectId, owner: handoff.owner.aadObjectId, stakeholders: '' },
      people,
      handoff.sender,
      caller.today,
      editingOf(app, caller, handoff),
    );
    return checked.ok ? { type: 'resubmit', fields: checked.value.fields } : { card: checked.card };
  });
}

/** The owner's reassign: a chat member from the list, or anyone the people picker found in the organisation. */
export function reassignHandoff(app: App, caller: Caller, handoffId: string, chosen: string): Promise<Answer> {
  return changeHandoff(app, caller, handoffId, async (handoff): Promise<Decision> => {
    const value = chosen.trim();
    if (value === '') return { code: 'invalid', message: 'Choose who receives the handoff instead.' };
    const members = await caller.members().catch(() => []);
    const resolved = await resolveFormPeople(
      { formId: 'reassign', summary: '', whatIsReady: '', acceptanceCriteria: '', assumptions: '', links: '', effort: '', workState: '', blocker: '', neededBy: '', receiver: value, owner: '', stakeholders: '', priority: '', confirmed: false },
      members,
      app.directoryFor(handoff.tenantId),
    );
    if (resolved.errors.receiver) return { code: 'invalid', message: resolved.errors.receiver };
    const receiver = resolved.people.find((p) => p.aadObjectId === resolved.input.receiver);
    return receiver ? { type: 'reassign', receiver } : { code: 'invalid', message: 'Choose who receives the handoff instead.' };
  });
}

/** The owner's nudge: the card says whether the person holding the ball could be told (they installed Baton) or not. */
export function nudgeHandoff(app: App, caller: Caller, handoffId: string): Promise<Answer> {
  return changeHandoff(app, caller, handoffId, async (handoff): Promise<Decision> => {
    const holder = ballHolder(handoff);
    const reached = holder ? (await app.conversations.find(handoff.tenantId, holder.aadObjectId)) !== undefined : false;
    return { type: 'nudge', reached };
  });
}

/**
 * A handoff for reading (refresh, history): its people may see it anywhere,
 * anyone else only in the conversation that shows its card.
 */
async function loadForReader(app: App, caller: Caller, handoffId: string): Promise<StoredHandoff | undefined> {
  const stored = await loadForActor(app, caller, handoffId);
  if (!stored) return undefined;
  const inItsChat = caller.conversation.id === stored.handoff.conversation.id;
  return inItsChat || maySee(stored.handoff, caller.actor.tenantId, caller.actor.person.aadObjectId) ? stored : undefined;
}

/** The viewer's card (Refresh, and Teams' automatic refresh), with the history when asked. */
export async function viewHandoff(app: App, caller: Caller, handoffId: string, options: { history?: boolean } = {}): Promise<Answer> {
  const stored = await loadForReader(app, caller, handoffId);
  if (!stored) return { error: NOT_FOUND };
  const history = options.history ? await app.store.history(handoffId) : undefined;
  return { card: await viewFor(app, caller, stored.handoff, { history }) };
}
