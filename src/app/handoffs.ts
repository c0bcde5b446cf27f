/**
 * The handoff use cases: the form, creating a handoff, changing one, and
 * showing it. Teams, Outlook, the messaging extension and the timers all come
 * through here; each gets a card back (or an error to show), never a
 * TurnContext. Every change is committed by src/app/unit-of-work.ts.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { type FormAway, formValuesOf, handoffCard, handoffFormCard, type ViewOptions } from '../cards/handoff-cards';
import type { AdaptiveCard } from '../cards/render';
import { VERBS } from '../cards/verbs';
import {
  ballHolder,
  type Handoff,
  type HandoffEvent,
  type HandoffFields,
  type Person,
  PRIORITIES,
  postHandoff,
  WORK_STATES,
} from '../domain/handoff';
import { CRITERIA_MAX, type HandoffFormInput, handoffFormInput, parseHandoffForm, type ParsedForm } from '../domain/handoff-form';
import { isLate, workingMinutesUntilDay } from '../domain/lead-time';
import { noticesOfPosting } from '../domain/notifications';
import { apply, check, type Command, type Refusal } from '../domain/process';
import { type Lateness, qualityHints } from '../domain/quality';
import { maySee } from '../domain/search';
import { absencesDuring, awayText, localDay } from '../domain/away';
import { formatDay, formatWhenIn } from '../domain/time-format';
import { addWorkingMinutes, localTimesDiffer } from '../domain/working-hours';
import { leadTimeHint, type TemplateChoice, templateChoiceInput } from '../domain/templates';
import { type CardAction, cardAction, handoffRef, text } from './actions';
import { resolveFormPeople } from './form-people';
import { applyTemplate, checkFormTemplate, type FormTemplateCheck, resubmitTemplate, templateChoices } from './templates';
import { type Answer, type AnswerError, type App, type Budget, type Caller, MembersUnavailableError } from './ports';
import { commitChange, type Decision, effectsOfCreation, messageEffect, type Outcome, withDueState } from './unit-of-work';

/**
 * The id of the handoff a form creates. Derived from the tenant and the form,
 * so a retried or double-clicked submission of the same form names the same
 * handoff and cannot create a second one.
 */
export function handoffIdForForm(tenantId: string, formId: string): string {
  return createHash('sha256').update(`${tenantId}\n${formId}`).digest('hex').slice(0, 20);
}

export const NOT_FOUND: AnswerError = {
  status: 404,
  code: 'NotFound',
  message: 'This handoff does not exist in your organisation, or it was removed.',
};
const FORM_TAKEN: AnswerError = { status: 403, code: 'Forbidden', message: 'This form was already used by someone else.' };
const MEMBERS_UNAVAILABLE =
  "Nothing was posted: Teams did not list this conversation's members just now, so Baton cannot check the people on the form. Please try again in a minute.";
const CONTENDED = 'Others changed this handoff at the same moment; this is its current state.';

/**
 * "Grace Hopper's local time: Tue 8 Dec, 21:41 New York time": the clock of
 * whoever holds the ball, when it differs from the viewer's.
 */
async function holderLocalTime(app: App, caller: Caller, handoff: Handoff): Promise<string> {
  const holder = ballHolder(handoff);
  if (!holder || !caller.timeZone || holder.aadObjectId === caller.actor.person.aadObjectId) return '';
  const { timeZone } = await app.workingHours(handoff.tenantId, holder, caller.budget);
  const now = new Date(app.clock.now());
  try {
    return localTimesDiffer(now, caller.timeZone, timeZone) ? `${holder.name}'s local time: ${formatWhenIn(now, timeZone, now)}` : '';
  } catch {
    return ''; // a time zone name the runtime does not know: say nothing rather than something wrong
  }
}

/** The card a viewer sees, with what their role needs (members for the owner's reassign list). */
export async function viewFor(app: App, caller: Caller, handoff: Handoff, options: ViewOptions = {}): Promise<AdaptiveCard> {
  const viewer = caller.actor.person;
  const needsMembers = check(handoff, viewer.aadObjectId, 'reassign').ok && options.members === undefined;
  const members = needsMembers ? await caller.members().catch(() => []) : options.members;
  const holderTime = await holderLocalTime(app, caller, handoff);
  return handoffCard(handoff, viewer, { timeZone: caller.timeZone, holderTime, now: new Date(app.clock.now()), ...options, members });
}

/** What a change answers the person who asked for it: their card now, or why nothing changed. */
async function answerOf(app: App, caller: Caller, outcome: Outcome, refused: ViewOptions): Promise<Answer> {
  switch (outcome.kind) {
    case 'written':
      return { card: await viewFor(app, caller, outcome.after) };
    case 'refused':
      // A resent activity whose change was made answers with the card, as the first answer did.
      if (outcome.replayed) return { card: await viewFor(app, caller, outcome.handoff) };
      // The card as it was, with why, and what the person had typed still in place.
      return { card: await viewFor(app, caller, outcome.handoff, { ...refused, notice: outcome.message }), refusal: outcome.message };
    case 'shown':
      return { card: outcome.card };
    case 'contended':
      return outcome.latest ? { card: await viewFor(app, caller, outcome.latest, { notice: CONTENDED }) } : { error: NOT_FOUND };
    default:
      return { error: NOT_FOUND };
  }
}

/** What a change asks of a handoff: a domain command, a refusal to explain on the card, or a card to show instead (a form with errors). */
export type Asked = Command | Refusal | { card: AdaptiveCard };

/**
 * One person's change to a handoff: `ask` turns the handoff as it stands
 * into a domain command (read afresh on every try), the domain decides, and
 * the unit of work commits it.
 * @param refused what a refused attempt shows again (a receiver's ticks and note)
 */
export async function changeHandoff(
  app: App,
  caller: Caller,
  handoffId: string,
  ask: (handoff: Handoff) => Asked | Promise<Asked>,
  refused: ViewOptions = {},
): Promise<Answer> {
  const outcome = await commitChange(app, {
    handoffId,
    marker: caller.activityId,
    tenantId: caller.actor.tenantId,
    budget: caller.budget,
    decide: async (current): Promise<Decision> => {
      if (!current) return { skip: true };
      const asked = await ask(current);
      if ('card' in asked) return { show: asked.card };
      if ('code' in asked) return { refuse: asked.message };
      // A refusal is read by the clicker: in their zone when the client said it.
      const applied = apply(current, asked, caller.actor.person, new Date(app.clock.now()).toISOString(), caller.timeZone);
      if (!applied.ok) return { refuse: applied.refusal.message };
      return {
        write: { handoff: await withDueState(app, current, applied.handoff, applied.event, caller.budget), events: [applied.event] },
      };
    },
  });
  return answerOf(app, caller, outcome, refused);
}

/** The receiver's working minutes from now to the end of the needed-by day, when fewer than the effort: the handoff is late. */
async function lateness(
  app: App,
  tenantId: string,
  receiver: Person,
  fields: HandoffFields,
  budget: Budget,
): Promise<Lateness | undefined> {
  const { effortMinutes, neededBy } = fields;
  if (effortMinutes === undefined || neededBy === undefined) return undefined;
  const hours = await app.workingHours(tenantId, receiver, budget);
  const now = new Date(app.clock.now());
  const available = workingMinutesUntilDay(hours, now, neededBy);
  return isLate(effortMinutes, neededBy, () => available) ? { receiver: receiver.name, availableMinutes: available, now } : undefined;
}

/** A team template's minimum lead time, when the receiver has less of their working time before the needed-by day: the hint. */
async function templateLeadTime(app: App, tenantId: string, form: ParsedForm, template: FormTemplateCheck | undefined, budget: Budget) {
  const { neededBy } = form.fields;
  if (!template?.minLeadMinutes || neededBy === undefined) return undefined;
  const available = workingMinutesUntilDay(await app.workingHours(tenantId, form.receiver, budget), new Date(app.clock.now()), neededBy);
  return available < template.minLeadMinutes
    ? leadTimeHint({ name: template.stamp.name, minLeadMinutes: template.minLeadMinutes }, form.receiver.name, available)
    : undefined;
}

/**
 * Who on a new handoff is away while its review would run (the receiver, or
 * the owner who hears of it), each said before posting with the day they are
 * back and when the review would be due, and their successor offered: "Grace
 * Hopper is away until Mon 14 Dec; the review would be due Tue 15 Dec, 12:00."
 */
async function awayOnForm(app: App, tenantId: string, value: ParsedForm, sender: Person, context: FormContext): Promise<FormAway[]> {
  const now = new Date(app.clock.now());
  const when = (instant: Date) => formatWhenIn(instant, context.timeZone, now);
  const { receiver, owner } = value;
  const receiverHours = await app.workingHours(tenantId, receiver, context.budget);
  const due = addWorkingMinutes(receiverHours, now, app.settings.due.review[value.fields.priority]);
  const review = due ? `the review would be due ${when(due)}` : 'the review would wait until they are back';
  const notes: FormAway[] = [];
  const roles: [Person, 'receiver' | 'owner'][] = [[receiver, 'receiver']];
  // The owner hears of a late review; their own absence matters unless they are the sender (who knows) or the receiver.
  if (owner.aadObjectId !== sender.aadObjectId && owner.aadObjectId !== receiver.aadObjectId) roles.push([owner, 'owner']);
  for (const [person, role] of roles) {
    const hours = role === 'receiver' ? receiverHours : await app.workingHours(tenantId, person, context.budget);
    const absence = absencesDuring(hours, now, due)[0];
    if (!absence) continue;
    const started = Date.parse(absence.start) <= now.getTime();
    const span = started
      ? awayText(hours, absence, now)
      : `away from ${formatDay(localDay(new Date(absence.start), hours.timeZone), now)}${awayText(hours, absence, now).replace(/^away/, '')}`;
    const text =
      role === 'receiver'
        ? `${person.name} is ${span}; ${review}.`
        : `${person.name}, the owner, is ${span}, and hears of a late review only once back.`;
    const successor = (await app.stores.away.get(tenantId, person.aadObjectId, context.budget))?.successor;
    const offered = successor && ![sender, receiver, owner].some((p) => p.aadObjectId === successor.aadObjectId) ? successor : undefined;
    notes.push({
      text,
      offer: offered ? (role === 'receiver' ? `Hand it to ${offered.name} instead` : `Make ${offered.name} the owner instead`) : '',
      useReceiver: offered && role === 'receiver' ? offered.aadObjectId : '',
      useOwner: offered && role === 'owner' ? offered.aadObjectId : '',
    });
  }
  return notes;
}

/**
 * The form's "Hand it to <successor> instead": the successor takes the
 * receiver's (or owner's) place. They are known by id from the absent
 * person's record, so they need not be in the chat.
 */
async function withSuccessorChosen(
  app: App,
  tenantId: string,
  input: HandoffFormInput,
  budget: Budget,
): Promise<{ input: HandoffFormInput; known: Person[] }> {
  const known: Person[] = [];
  let chosen = input;
  for (const field of ['receiver', 'owner'] as const) {
    const use = field === 'receiver' ? input.useReceiver : input.useOwner;
    if (!use) continue;
    const successor = (await app.stores.away.get(tenantId, input[field].trim(), budget))?.successor;
    if (successor?.aadObjectId === use) known.push(successor);
    chosen = { ...chosen, [field]: use };
  }
  return { input: chosen, known };
}

/** What checking a form needs of the request besides the form. */
interface FormContext {
  budget: Budget;
  /** The sender's zone, for the times the form says. */
  timeZone: string | undefined;
  /** A new handoff's form shown again offers the conversation's templates again (read only then). */
  templates?: () => Promise<readonly { id: string; name: string }[]>;
}

/**
 * Resolves the people on a form, then checks it against the rules; on errors,
 * unconfirmed quality hints or someone away returns the form card to show instead.
 */
async function checkForm(
  app: App,
  tenantId: string,
  submitted: HandoffFormInput,
  members: readonly Person[],
  sender: Person,
  today: string,
  context: FormContext,
  editing?: { handoffId: string; version: number; banner?: { title: string; text: string } },
  template?: FormTemplateCheck,
): Promise<{ ok: true; value: ParsedForm; late: boolean } | { ok: false; card: AdaptiveCard }> {
  const { budget } = context;
  const { input, known } = editing ? { input: submitted, known: [] } : await withSuccessorChosen(app, tenantId, submitted, budget);
  const people = editing
    ? { people: [...members], input, errors: {} }
    : await resolveFormPeople(input, [...members, ...known], app.directoryFor(tenantId));
  const parsed = parseHandoffForm(people.input, { members: people.people, sender, today });
  const errors = { ...(parsed.ok ? {} : parsed.errors), ...people.errors };
  // A team template's checklist is a hard rule too: each unticked item is refused at the item (issue 26).
  const unticked = template?.form.errors?.size ?? 0;
  const templates = async () => ({ templates: (await context.templates?.()) ?? [] });
  if (!parsed.ok || Object.keys(errors).length > 0 || unticked > 0) {
    // An unticked item is not a field to change: the message names each for what it is.
    const count = Object.keys(errors).length;
    const needs = [
      count === 0 ? '' : `${count === 1 ? 'one field needs' : `${count} fields need`} a change`,
      unticked === 0 ? '' : `${unticked === 1 ? 'one checklist item is' : `${unticked} checklist items are`} not ticked`,
    ].filter(Boolean);
    const message = `Nothing was ${editing ? 'resubmitted' : 'posted'}: ${needs.join(', and ')}.`;
    // Resolved people are shown by id, so the pickers show them chosen; unresolved ones stay as typed.
    return {
      ok: false,
      card: handoffFormCard({
        formId: input.formId,
        members,
        values: people.input,
        errors,
        message,
        editing,
        template: template?.form,
        ...(await templates()),
      }),
    };
  }
  const late = await lateness(app, tenantId, parsed.value.receiver, parsed.value.fields, budget);
  const lead = await templateLeadTime(app, tenantId, parsed.value, template, budget);
  const hints = [...qualityHints(parsed.value.fields, late), ...(lead ? [lead] : [])];
  // Said before posting, never a block: "Post anyway" posts it as it is, and the successor is one click.
  const away = editing || input.confirmed ? [] : await awayOnForm(app, tenantId, parsed.value, sender, context);
  if ((hints.length > 0 || away.length > 0) && !input.confirmed) {
    return {
      ok: false,
      card: handoffFormCard({
        formId: input.formId,
        members,
        values: people.input,
        hints,
        away,
        editing,
        template: template?.form,
        ...(await templates()),
      }),
    };
  }
  return { ...parsed, late: late !== undefined || lead !== undefined };
}

export type Draft = { ok: false; card: AdaptiveCard } | { ok: true; handoff: Handoff; event: HandoffEvent; members: Person[] };

/**
 * A new handoff from a submitted form, not stored yet: the chat form and the
 * messaging extension build it the same way. Its id comes from the form, so a
 * resubmitted form names the same handoff.
 * @param messageId the message that will show the card, when already known (the chat form's own message)
 */
export async function draftHandoff(
  app: App,
  caller: Caller,
  input: HandoffFormInput & Partial<TemplateChoice>,
  messageId?: string,
): Promise<Draft> {
  let members: Person[];
  try {
    members = await caller.members();
  } catch (error) {
    if (!(error instanceof MembersUnavailableError)) throw error;
    return { ok: false, card: handoffFormCard({ formId: input.formId, members: [], values: input, message: MEMBERS_UNAVAILABLE }) };
  }
  const { actor } = caller;
  // A template picked but not applied: the form comes back started from it, nothing posted.
  if (input.templateChoice !== undefined && input.templateChoice !== (input.templateId ?? '')) {
    const applied = await applyTemplate(app, caller, input);
    if ('card' in applied) return { ok: false, card: applied.card };
  }
  const template = (await checkFormTemplate(app, caller, input)).check;
  const form = await checkForm(
    app,
    actor.tenantId,
    input,
    members,
    actor.person,
    caller.today,
    { budget: caller.budget, timeZone: caller.timeZone, templates: () => templateChoices(app, caller) },
    undefined,
    template,
  );
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
    conversation: {
      id: caller.conversation.id,
      serviceUrl: caller.conversation.serviceUrl,
      tenantId: actor.tenantId,
      ...(messageId ? { messageId } : {}),
      // Kept to name the team in the weekly summary; Teams says them only sometimes.
      ...(caller.conversation.kind ? { kind: caller.conversation.kind } : {}),
      ...(caller.conversation.name ? { name: caller.conversation.name } : {}),
      ...(caller.conversation.team ? { team: caller.conversation.team } : {}),
      ...(caller.conversation.channel ? { channel: caller.conversation.channel } : {}),
    },
    at: new Date(app.clock.now()).toISOString(),
    late: form.late,
    ...(template ? { template: template.stamp } : {}),
  });
  return { ok: true, members, event: built.event, handoff: await withDueState(app, undefined, built.handoff, built.event, caller.budget) };
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
export async function createHandoff(
  app: App,
  caller: Caller,
  input: HandoffFormInput & Partial<TemplateChoice>,
  where: 'replaceForm' | 'post',
): Promise<Created> {
  const messageId = where === 'replaceForm' ? caller.replyToId : undefined;
  let drafted: Draft | undefined;
  const outcome = await commitChange(app, {
    handoffId: handoffIdForForm(caller.actor.tenantId, input.formId),
    marker: caller.activityId,
    tenantId: undefined,
    creates: true,
    budget: caller.budget,
    decide: async (current): Promise<Decision> => {
      // The form was used already (a resent submit, a second click): nothing is written.
      if (current) return { skip: true };
      drafted = await draftHandoff(app, caller, input, messageId);
      if (!drafted.ok) return { show: drafted.card };
      const { handoff, event, members } = drafted;
      const told = noticesOfPosting(handoff, members).map((notice) => messageEffect(notice));
      const card = where === 'post' ? 'post' : messageId ? 'card' : 'none';
      return { write: { handoff, events: [event] }, effects: effectsOfCreation(handoff, card, told) };
    },
  });
  if (outcome.kind === 'shown') return { outcome: 'form', card: outcome.card };
  const members = drafted?.ok ? drafted.members : [];
  if (outcome.kind === 'written') {
    const toldPeople = noticesOfPosting(outcome.after, members).map((n) => n.to);
    return { outcome: 'created', handoff: outcome.after, members, unreached: await unreachable(app, caller, toldPeople) };
  }
  const existing = outcome.kind === 'skipped' ? outcome.handoff : undefined;
  if (!existing || existing.tenantId !== caller.actor.tenantId || existing.sender.aadObjectId !== caller.actor.person.aadObjectId)
    return { outcome: 'forbidden', error: FORM_TAKEN };
  app.deliveries.retryPending(existing.id);
  return { outcome: 'existing', handoff: existing, members };
}

/** Of the people to be told 1:1, those who never installed Baton: nobody can tell them. */
async function unreachable(app: App, caller: Caller, people: readonly Person[]): Promise<Person[]> {
  const found = await Promise.all(people.map((p) => app.stores.chats.find(caller.actor.tenantId, p.aadObjectId, caller.budget)));
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
export async function submitForm(app: App, caller: Caller, input: HandoffFormInput & Partial<TemplateChoice>): Promise<Answer> {
  const created = await createHandoff(app, caller, input, 'replaceForm');
  if (created.outcome === 'form') return { card: created.card };
  if (created.outcome === 'forbidden') return { error: created.error };
  return {
    card: await viewFor(app, caller, created.handoff, { members: created.members, notice: unreachedNotice(created.unreached ?? []) }),
  };
}

/** A handoff the caller may act on: another tenant's reads as missing. */
async function loadForActor(app: App, caller: Caller, handoffId: string): Promise<Handoff | undefined> {
  const stored = await app.stores.handoffs.read(handoffId, caller.budget);
  return stored && stored.handoff.tenantId === caller.actor.tenantId ? stored.handoff : undefined;
}

/** The sender's "Edit and resubmit": the form with the handoff's values. */
export async function editForm(app: App, caller: Caller, handoffId: string): Promise<Answer> {
  const handoff = await loadForActor(app, caller, handoffId);
  if (!handoff) return { error: NOT_FOUND };
  const allowed = check(handoff, caller.actor.person.aadObjectId, 'resubmit', undefined, caller.timeZone);
  if (!allowed.ok) return { card: await viewFor(app, caller, handoff, { notice: allowed.refusal.message }) };
  return {
    card: handoffFormCard({
      formId: crypto.randomUUID(),
      members: [],
      values: formValuesOf(handoff),
      editing: editingOf(app, caller, handoff),
      template: resubmitTemplate(handoff.template)?.form,
    }),
  };
}

/** What the edit form says on top: the change request the next version answers. */
function editingOf(app: App, caller: Caller, handoff: Handoff) {
  const request = handoff.changeRequest;
  const banner =
    request && request.version === handoff.version
      ? {
          title: `${request.by.name} asked for changes (${formatWhenIn(request.at, caller.timeZone, new Date(app.clock.now()))}): `,
          text: request.text,
        }
      : undefined;
  return { handoffId: handoff.id, version: handoff.version, banner };
}

/** A new version from the edit form; people do not change on resubmit (the owner reassigns). */
export function resubmitHandoff(
  app: App,
  caller: Caller,
  handoffId: string,
  input: HandoffFormInput & Partial<TemplateChoice>,
): Promise<Answer> {
  return changeHandoff(app, caller, handoffId, async (handoff) => {
    const people = [handoff.receiver, handoff.owner, handoff.sender];
    const form = { ...input, receiver: handoff.receiver.aadObjectId, owner: handoff.owner.aadObjectId, stakeholders: '' };
    const template = resubmitTemplate(handoff.template, input);
    const checked = await checkForm(
      app,
      handoff.tenantId,
      form,
      people,
      handoff.sender,
      caller.today,
      { budget: caller.budget, timeZone: caller.timeZone },
      editingOf(app, caller, handoff),
      template,
    );
    return checked.ok ? { type: 'resubmit', fields: checked.value.fields } : { card: checked.card };
  });
}

const NOBODY_CHOSEN = 'Choose who receives the handoff instead.';

/**
 * The owner's reassign: a chat member from the list, or anyone the people picker found in the organisation.
 * @param options.known people Baton already knows by id besides the chat's members (an absent receiver's successor)
 */
export async function reassignHandoff(
  app: App,
  caller: Caller,
  handoffId: string,
  chosen: string,
  options: { known?: readonly Person[] } = {},
): Promise<Answer> {
  const value = chosen.trim();
  // Nobody chosen: refused before anything is marked or written (the card's picker is required too, so Teams does not send it).
  if (value === '') {
    const handoff = await loadForActor(app, caller, handoffId);
    return handoff ? { card: await viewFor(app, caller, handoff, { notice: NOBODY_CHOSEN }) } : { error: NOT_FOUND };
  }
  return changeHandoff(app, caller, handoffId, async (handoff) => {
    const members = [...(await caller.members().catch(() => [])), ...(options.known ?? [])];
    const empty: HandoffFormInput = {
      formId: 'reassign',
      summary: '',
      whatIsReady: '',
      acceptanceCriteria: '',
      assumptions: '',
      links: '',
      effort: '',
      workState: '',
      blocker: '',
      neededBy: '',
      receiver: value,
      owner: '',
      stakeholders: '',
      priority: '',
      confirmed: false,
    };
    const resolved = await resolveFormPeople(empty, members, app.directoryFor(handoff.tenantId));
    if (resolved.errors.receiver) return { code: 'invalid', message: resolved.errors.receiver };
    const receiver = resolved.people.find((p) => p.aadObjectId === resolved.input.receiver);
    return receiver ? { type: 'reassign', receiver } : { code: 'invalid', message: NOBODY_CHOSEN };
  });
}

/** The owner's nudge: the card says whether the person holding the ball could be told (they installed Baton) or not. */
export function nudgeHandoff(app: App, caller: Caller, handoffId: string): Promise<Answer> {
  return changeHandoff(app, caller, handoffId, async (handoff) => {
    const holder = ballHolder(handoff);
    const reached = holder ? (await app.stores.chats.find(handoff.tenantId, holder.aadObjectId, caller.budget)) !== undefined : false;
    return { type: 'nudge', reached };
  });
}

/** The viewer's card (Refresh, and Teams' automatic refresh), with the history when asked. Its people may see it anywhere, anyone else only in its chat. */
export async function viewHandoff(app: App, caller: Caller, handoffId: string, options: { history?: boolean } = {}): Promise<Answer> {
  const handoff = await loadForActor(app, caller, handoffId);
  const inItsChat = handoff !== undefined && caller.conversation.id === handoff.conversation.id;
  if (!handoff || !(inItsChat || maySee(handoff, caller.actor.tenantId, caller.actor.person.aadObjectId))) return { error: NOT_FOUND };
  const history = options.history ? await app.stores.handoffs.history(handoffId, caller.budget) : undefined;
  return { card: await viewFor(app, caller, handoff, { history }) };
}

// ---- The verbs: what each card button asks of the use cases above.

const withComment = handoffRef.extend({ comment: text });
/** Input.Toggle sends "true"/"false" per criterion, keyed criterion0, criterion1, ...; other inputs of the card come along and are ignored. */
const acceptData = handoffRef.extend({ comment: text }).catchall(z.unknown());
const boolish = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');

/**
 * What each handoff verb means (`Action.Execute`): its data, read from the card, and the change
 * or view it asks for. One entry per verb, for Teams and Outlook alike.
 */
export const handoffActions: Readonly<Record<string, CardAction>> = {
  [VERBS.createHandoff]: cardAction(handoffFormInput.extend(templateChoiceInput.shape), (app, caller, input) =>
    submitForm(app, caller, input),
  ),
  [VERBS.edit]: cardAction(handoffRef, (app, caller, data) => editForm(app, caller, data.handoffId)),
  [VERBS.resubmit]: cardAction(handoffFormInput.extend(handoffRef.shape).extend(templateChoiceInput.shape), (app, caller, input) =>
    resubmitHandoff(app, caller, input.handoffId, input),
  ),
  [VERBS.accept]: cardAction(acceptData, (app, caller, data) => {
    const ticked = (i: number) => data[`criterion${i}`] === 'true' || data[`criterion${i}`] === true;
    // A card has at most CRITERIA_MAX toggles; a refused card shows back what was ticked.
    const checked = Array.from({ length: CRITERIA_MAX }, (_, i) => ticked(i));
    return changeHandoff(
      app,
      caller,
      data.handoffId,
      (handoff) => ({ type: 'accept', checked: handoff.acceptanceCriteria.map((_, i) => ticked(i)), note: data.comment }),
      {
        draft: { checked, comment: data.comment },
      },
    );
  }),
  [VERBS.requestChanges]: cardAction(withComment, (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'requestChanges', comment: data.comment })),
  ),
  [VERBS.ask]: cardAction(withComment, (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'ask', question: data.comment })),
  ),
  [VERBS.answer]: cardAction(handoffRef.extend({ answer: text }), (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'answer', answer: data.answer })),
  ),
  [VERBS.setWorkState]: cardAction(handoffRef.extend({ workState: z.enum(WORK_STATES), blocker: text }), (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'setWorkState', workState: data.workState, blocker: data.blocker })),
  ),
  [VERBS.cancel]: cardAction(handoffRef.extend({ reason: text }), (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'cancel', reason: data.reason })),
  ),
  [VERBS.reassign]: cardAction(handoffRef.extend({ newReceiver: text }), (app, caller, data) =>
    reassignHandoff(app, caller, data.handoffId, data.newReceiver),
  ),
  [VERBS.nudge]: cardAction(handoffRef, (app, caller, data) => nudgeHandoff(app, caller, data.handoffId)),
  [VERBS.close]: cardAction(withComment, (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'close', note: data.comment })),
  ),
  [VERBS.flagPriority]: cardAction(handoffRef.extend({ priority: z.enum(PRIORITIES), priorityReason: text }), (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'flagPriority', priority: data.priority, reason: data.priorityReason })),
  ),
  [VERBS.history]: cardAction(handoffRef.extend({ show: boolish.optional() }), (app, caller, data) =>
    viewHandoff(app, caller, data.handoffId, { history: data.show ?? true }),
  ),
  [VERBS.refresh]: cardAction(handoffRef, (app, caller, data) => viewHandoff(app, caller, data.handoffId)),
};
