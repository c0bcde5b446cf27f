/**
 * Team templates (issue 26): `templates`, `template new`, Edit, Duplicate,
 * Delete, the template's card with the loop from questions back to it, and
 * the template's part of `new` (choosing one, starting from one, checking
 * its checklist before a handoff is posted). A template change is read,
 * decided and saved against the conversation's shelf ETag; losing a race to
 * another writer reads and decides again.
 */
import * as z from 'zod';
import { handoffFormCard } from '../cards/handoff-cards';
import type { AdaptiveCard } from '../cards/render';
import { type FormTemplate, templateCard, templateFormCard, templateListCard } from '../cards/template-cards';
import { TEMPLATE_VERBS } from '../cards/verbs';
import type { TemplateStamp } from '../domain/handoff';
import { type HandoffFormInput, handoffFormInput } from '../domain/handoff-form';
import type { HandoffHistory } from '../domain/metrics';
import { loopWindow, templateLoop } from '../domain/template-metrics';
import {
  type ConversationKind,
  copyName,
  createRefusal,
  createTemplate,
  deletedVersion,
  editRefusal,
  formValuesFromTemplate,
  matchTemplate,
  nextVersion,
  parseTemplateForm,
  stampOf,
  type Template,
  type TemplateChoice,
  templateChoiceInput,
  type TemplateFormInput,
  templateFormInput,
  templateFormValues,
  tickedOf,
  uncheckedItems,
  withItemAdded,
} from '../domain/templates';
import { formatWhenIn } from '../domain/time-format';
import { ConflictError, retryOnConflict, UnreadableRecordError } from '../errors';
import { type CardAction, cardAction } from './actions';
import { mapLimit } from './pool';
import type { Answer, AnswerError, App, Caller } from './ports';

/** How many of a conversation's newest handoffs the template card reads for its four weeks. */
const LOOP_HANDOFFS = 100;
const READS_AT_ONCE = 16;

const GONE: AnswerError = { status: 404, code: 'NotFound', message: 'This template does not exist in this conversation.' };
const CONTENDED = "Others changed this conversation's templates at the same moment: nothing was saved. Please try again.";

/** The conversation whose templates these are: a channel thread's reply id is not part of it. */
export function templateHome(caller: Pick<Caller, 'conversation'>): string {
  return caller.conversation.id.replace(/;messageid=\d+$/, '');
}

const kindOf = (caller: Caller): ConversationKind => caller.conversation.kind ?? (caller.conversation.personal ? 'personal' : 'groupChat');

/** Why the caller may not change a template, or undefined: its author, a team owner in a channel, anyone in a group chat. */
async function mayEdit(caller: Caller, template: Template): Promise<string | undefined> {
  const kind = kindOf(caller);
  const teamOwner = kind === 'channel' && caller.teamOwner ? await caller.teamOwner().catch(() => false) : false;
  return editRefusal(template, caller.actor.person, { kind, teamOwner });
}

const now = (app: App) => new Date(app.clock.now());
const shelfOf = (app: App, caller: Caller) => app.stores.templates.shelf(caller.actor.tenantId, templateHome(caller), caller.budget);
const readTemplate = (app: App, caller: Caller, id: string) =>
  app.stores.templates.read(caller.actor.tenantId, templateHome(caller), id, caller.budget);
const members = (caller: Caller) => caller.members().catch(() => []);

// ---- The list, and the card that makes or edits one

/** The `templates` command's card. */
export async function listTemplates(app: App, caller: Caller, notice?: string): Promise<AdaptiveCard> {
  const { templates } = await shelfOf(app, caller);
  return templateListCard({ templates, notice, timeZone: caller.timeZone, now: now(app) });
}

/** `template new`: the card to make one, unless the conversation has as many as it may keep. */
export async function newTemplateForm(app: App, caller: Caller): Promise<AdaptiveCard> {
  const { templates } = await shelfOf(app, caller);
  const full = createRefusal(templates.length);
  if (full) return templateListCard({ templates, notice: full, timeZone: caller.timeZone, now: now(app) });
  return templateFormCard({ members: await members(caller) });
}

/** Edit: the template's values, for someone who may change it. */
export async function editTemplateForm(app: App, caller: Caller, templateId: string): Promise<Answer> {
  const template = await readTemplate(app, caller, templateId);
  if (!template || template.deleted) return { card: await listTemplates(app, caller, gone(template)) };
  const refusal = await mayEdit(caller, template);
  if (refusal) return { card: await showTemplateCard(app, caller, template, refusal), refusal };
  return {
    card: templateFormCard({
      members: await members(caller),
      values: templateFormValues(template),
      editing: { templateId: template.id, version: template.version, name: template.name },
    }),
  };
}

/** Duplicate: a new template's card with the values of this one, under a name no template has. Anyone may duplicate. */
export async function duplicateTemplateForm(app: App, caller: Caller, templateId: string): Promise<Answer> {
  const { templates } = await shelfOf(app, caller);
  const template = templates.find((t) => t.id === templateId);
  if (!template) return { card: await listTemplates(app, caller, gone(await readTemplate(app, caller, templateId))) };
  const full = createRefusal(templates.length);
  if (full) return { card: templateListCard({ templates, notice: full, timeZone: caller.timeZone, now: now(app) }), refusal: full };
  return {
    card: templateFormCard({
      members: await members(caller),
      values: { ...templateFormValues(template), name: copyName(template.name, templates) },
    }),
  };
}

const gone = (template: Template | undefined) =>
  template?.deleted ? `“${template.name}” was deleted by ${template.changedBy.name}.` : 'That template is not in this conversation.';

/**
 * Saves the template card: a new template (`version` 0) or the next version
 * of one. Someone else's change since the card was opened is not overwritten
 * silently: the card comes back with theirs named, to save again or cancel.
 */
export async function saveTemplate(
  app: App,
  caller: Caller,
  input: TemplateFormInput & { templateId: string; version: number },
): Promise<Answer> {
  const chatMembers = await members(caller);
  const by = caller.actor.person;
  const editingOf = (t: Template | undefined) => (t ? { templateId: t.id, version: t.version, name: t.name } : undefined);
  return retryOnConflict<Answer>(
    async () => {
      const shelf = await shelfOf(app, caller);
      const current = input.templateId ? await readTemplate(app, caller, input.templateId) : undefined;
      if (input.templateId && (!current || current.deleted)) return { card: await listTemplates(app, caller, gone(current)) };
      const form = (message: string, errors = {}) => ({
        card: templateFormCard({ members: chatMembers, values: input, errors, message, editing: editingOf(current) }),
        refusal: message,
      });
      if (current) {
        const refusal = await mayEdit(caller, current);
        if (refusal) return form(refusal);
        if (current.version !== input.version)
          // The card now edits their version: saving again replaces it knowingly.
          return form(
            current.changedBy.aadObjectId === caller.actor.person.aadObjectId
              ? `You changed “${current.name}” elsewhere (${current.change}, ${formatWhenIn(current.changedAt, caller.timeZone, now(app))}) after you opened this card: nothing was saved. Save again to replace that version with this one, or Cancel.`
              : `${current.changedBy.name} changed “${current.name}” (${current.change}, ${formatWhenIn(current.changedAt, caller.timeZone, now(app))}) after you opened it: nothing was saved. Save again to replace their version with yours, or Cancel.`,
          );
      } else {
        const full = createRefusal(shelf.templates.length);
        if (full) return form(full);
      }
      const parsed = parseTemplateForm(input, { members: chatMembers, others: shelf.templates.filter((t) => t.id !== current?.id) });
      if (!parsed.ok) {
        const count = Object.keys(parsed.errors).length;
        return form(`Nothing was saved: ${count === 1 ? 'one field needs' : `${count} fields need`} a change.`, parsed.errors);
      }
      const at = now(app).toISOString();
      const template = current
        ? nextVersion(current, parsed.fields, by, at)
        : createTemplate({
            id: crypto.randomUUID(),
            tenantId: caller.actor.tenantId,
            conversationId: templateHome(caller),
            fields: parsed.fields,
            by,
            at,
          });
      await app.stores.templates.save(template, shelf.etag, caller.budget);
      return { card: await showTemplateCard(app, caller, template, `Saved: version ${template.version}.`) };
    },
    { exhausted: () => ({ card: templateFormCard({ members: chatMembers, values: input, message: CONTENDED }), refusal: CONTENDED }) },
  );
}

/** Delete: a last version, kept; the template leaves the choice, and handoffs posted from it keep their stamp. */
export async function deleteTemplate(app: App, caller: Caller, templateId: string, version: number): Promise<Answer> {
  return retryOnConflict<Answer>(
    async () => {
      const shelf = await shelfOf(app, caller);
      const current = await readTemplate(app, caller, templateId);
      if (!current || current.deleted) return { card: await listTemplates(app, caller, gone(current)) };
      const refusal = await mayEdit(caller, current);
      if (refusal) return { card: templateListCard({ templates: shelf.templates, notice: refusal, now: now(app) }), refusal };
      if (current.version !== version) {
        const notice = `${current.changedBy.name} changed “${current.name}” after you opened this list: nothing was deleted. Look at it first.`;
        return { card: await showTemplateCard(app, caller, current, notice), refusal: notice };
      }
      await app.stores.templates.save(deletedVersion(current, caller.actor.person, now(app).toISOString()), shelf.etag, caller.budget);
      return { card: await listTemplates(app, caller, `Deleted “${current.name}”. Handoffs posted from it keep it as it was.`) };
    },
    { exhausted: async () => ({ card: await listTemplates(app, caller, CONTENDED), refusal: CONTENDED }) },
  );
}

// ---- The template's card: the loop

/** The conversation's handoffs posted in the last four weeks, with their histories. */
async function teamHistories(app: App, caller: Caller, conversationId: string, since: string): Promise<HandoffHistory[]> {
  const rows = (await app.stores.people.handoffsInConversation(caller.actor.tenantId, conversationId, LOOP_HANDOFFS, caller.budget)).filter(
    (r) => r.createdAt >= since,
  );
  const read = await mapLimit(rows, READS_AT_ONCE, async (row): Promise<HandoffHistory | undefined> => {
    try {
      return await app.stores.handoffs.readWithHistory(row.handoffId, caller.budget);
    } catch (error) {
      if (!(error instanceof UnreadableRecordError)) throw error;
      app.log.error('Skipped a handoff that cannot be read', { handoffId: row.handoffId, error: error.message });
      return undefined;
    }
  });
  return read.filter((h): h is HandoffHistory => h !== undefined && h.handoff.tenantId === caller.actor.tenantId);
}

async function showTemplateCard(app: App, caller: Caller, template: Template, notice?: string): Promise<AdaptiveCard> {
  const window = loopWindow(now(app));
  const inItsChat = templateHome(caller) === template.conversationId;
  const team = await teamHistories(app, caller, template.conversationId, window.start);
  return templateCard({
    template,
    loop: templateLoop(team, template.id, window),
    showQuestions: inItsChat,
    canEdit: inItsChat && (await mayEdit(caller, template)) === undefined,
    notice,
    timeZone: caller.timeZone,
    now: now(app),
  });
}

/**
 * Open: the template's card. From its own conversation with the questions
 * asked; from elsewhere (the weekly summary's link) only the counts, since
 * the questions belong to handoffs the reader may not be on.
 */
export async function showTemplate(app: App, caller: Caller, templateId: string, conversationId?: string): Promise<Answer> {
  const home = conversationId || templateHome(caller);
  const template = await app.stores.templates.read(caller.actor.tenantId, home, templateId, caller.budget);
  if (!template) return { error: GONE };
  return { card: await showTemplateCard(app, caller, template, template.deleted ? gone(template) : undefined) };
}

/** Add to checklist / Add to criteria: the question as asked, read from the handoff's history (never from the card). */
export async function addQuestion(
  app: App,
  caller: Caller,
  input: { templateId: string; handoffId: string; seq: number; to: 'checklist' | 'acceptanceCriteria' },
): Promise<Answer> {
  const found = await app.stores.handoffs.readWithHistory(input.handoffId, caller.budget);
  const question = found?.events.find((e) => e.seq === input.seq && e.type === 'questionAsked');
  if (!found || !question || found.handoff.tenantId !== caller.actor.tenantId || found.handoff.template?.id !== input.templateId)
    return { error: { status: 404, code: 'NotFound', message: 'That question is not on a handoff of this template.' } };
  return retryOnConflict<Answer>(
    async () => {
      const shelf = await shelfOf(app, caller);
      const current = await readTemplate(app, caller, input.templateId);
      if (!current || current.deleted) return { card: await listTemplates(app, caller, gone(current)) };
      const refusal = await mayEdit(caller, current);
      if (refusal) return { card: await showTemplateCard(app, caller, current, refusal), refusal };
      const added = withItemAdded(current, input.to, question.comment);
      if (!added.ok) return { card: await showTemplateCard(app, caller, current, added.message), refusal: added.message };
      const where = input.to === 'checklist' ? 'checklist' : 'acceptance criteria';
      const next = nextVersion(current, added.fields, caller.actor.person, now(app).toISOString(), `added “${added.item}” to the ${where}`);
      await app.stores.templates.save(next, shelf.etag, caller.budget);
      return { card: await showTemplateCard(app, caller, next, `Added “${added.item}” to the ${where}: version ${next.version}.`) };
    },
    {
      exhausted: async () => {
        const current = await readTemplate(app, caller, input.templateId);
        return current ? { card: await showTemplateCard(app, caller, current, CONTENDED), refusal: CONTENDED } : { error: GONE };
      },
    },
  );
}

// ---- Starting a handoff from a template

/**
 * The conversation's templates, for the form's choice (`new`, the messaging
 * extension's dialog); none when the shelf cannot be read (the form still works).
 */
export async function templateChoices(app: App, caller: Caller): Promise<Template[]> {
  if (caller.conversation.personal && caller.channel !== 'msteams') return [];
  try {
    return (await shelfOf(app, caller)).templates;
  } catch (error) {
    if (error instanceof ConflictError) throw error;
    app.log.warn('Could not read the templates for the form', { conversation: caller.conversation.id, error: (error as Error).message });
    return [];
  }
}

const formTemplateOf = (t: Template | TemplateStamp, ticked: boolean[] = [], errors?: ReadonlyMap<number, string>): FormTemplate => ({
  id: t.id,
  name: t.name,
  version: t.version,
  checklist: t.checklist,
  ticked,
  errors,
});

/**
 * The form for a new handoff (`new`): with the conversation's templates to choose from, and, for
 * `new <words>`, started from the template they name.
 */
export async function newFormWithTemplates(app: App, caller: Caller, formId: string, words = ''): Promise<AdaptiveCard> {
  // Without the members (Teams could not list them) the pickers still search the organisation.
  const listed = caller.members().catch((error: unknown) => {
    app.log.warn("Could not list the conversation's members for the form", {
      conversation: caller.conversation.id,
      error: (error as Error).message,
    });
    return [];
  });
  const [templates, people] = await Promise.all([templateChoices(app, caller), listed]);
  const base = { formId, members: people, templates };
  if (words.trim() === '') return handoffFormCard(base);
  const match = matchTemplate(templates, words);
  if (!Array.isArray(match)) return handoffFormCard({ ...base, values: formValuesFromTemplate(match), template: formTemplateOf(match) });
  const shown = words.trim().slice(0, 60);
  const message =
    templates.length === 0
      ? `This conversation has no templates yet, so "${shown}" names none: here is the empty form ("template new" makes one).`
      : match.length > 1
        ? `Several templates match "${shown}" (${match.map((t) => t.name).join(', ')}): choose one above.`
        : `No template here is named "${shown}": choose one above, or none.`;
  return handoffFormCard({ ...base, message });
}

/** Use this template: the form again, filled from the template chosen where the sender left a field empty. */
export async function applyTemplate(app: App, caller: Caller, input: HandoffFormInput & Partial<TemplateChoice>): Promise<Answer> {
  const [templates, people] = await Promise.all([templateChoices(app, caller), members(caller)]);
  const chosen = templates.find((t) => t.id === input.templateChoice);
  const { templateChoice: _c, templateId: _t, templateVersion: _v, ...typed } = input;
  if (!chosen) return { card: handoffFormCard({ formId: input.formId, members: people, templates, values: typed }) };
  const filled = formValuesFromTemplate(chosen);
  const values = Object.fromEntries(
    Object.entries({ ...typed }).map(([k, v]) => [k, typeof v === 'string' && v.trim() === '' && filled[k] ? filled[k] : v]),
  ) as Partial<HandoffFormInput>;
  for (const [k, v] of Object.entries(filled)) if (!(k in values) && v) (values as Record<string, string>)[k] = v;
  if ((input.priority ?? 'normal') === 'normal' && filled.priority) values.priority = filled.priority;
  return { card: handoffFormCard({ formId: input.formId, members: people, templates, values, template: formTemplateOf(chosen) }) };
}

/** What a posted form's template asks: the template version the form showed, its checklist and the ticks sent. */
export interface FormTemplateCheck {
  /** The template as the form showed it, with the sender's ticks and a message at each unticked item. */
  form: FormTemplate;
  /** What the handoff keeps when it is posted. */
  stamp: TemplateStamp;
  minLeadMinutes: number | undefined;
}

/**
 * The template a submitted form was filled from, checked: every checklist
 * item must be ticked. Undefined for a form without one (or with one that is
 * not this conversation's). The version the form showed is the one kept.
 */
export async function checkFormTemplate(
  app: App,
  caller: Caller,
  input: Partial<TemplateChoice>,
): Promise<{ check: FormTemplateCheck | undefined; errors: number }> {
  const id = input.templateId ?? '';
  if (id === '') return { check: undefined, errors: 0 };
  const versions = await app.stores.templates.versions(caller.actor.tenantId, templateHome(caller), id, caller.budget);
  const shown = versions.find((v) => String(v.version) === input.templateVersion) ?? versions.filter((v) => !v.deleted).at(-1);
  if (!shown) return { check: undefined, errors: 0 };
  const ticked = tickedOf(input, shown.checklist.length);
  const errors = uncheckedItems(shown.checklist, ticked);
  return {
    check: { form: formTemplateOf(shown, ticked, errors), stamp: stampOf(shown), minLeadMinutes: shown.minLeadMinutes },
    errors: errors.size,
  };
}

/**
 * The template a form not yet posted was filled from, as the form showed it,
 * with the ticks it sent and no messages: the messaging extension's preview
 * "Edit" shows it again. Undefined without one.
 */
export async function shownTemplate(app: App, caller: Caller, input: Partial<TemplateChoice>): Promise<FormTemplate | undefined> {
  const { check } = await checkFormTemplate(app, caller, input);
  if (!check) return undefined;
  const { errors: _unticked, ...form } = check.form;
  return form;
}

/** A posted handoff's template again, for its edit form: the checklist asked again, nothing ticked. */
export function resubmitTemplate(stamp: TemplateStamp | undefined, input?: Partial<TemplateChoice>): FormTemplateCheck | undefined {
  if (!stamp) return undefined;
  const ticked = input ? tickedOf(input, stamp.checklist.length) : [];
  const errors = input ? uncheckedItems(stamp.checklist, ticked) : undefined;
  return { form: formTemplateOf(stamp, ticked, errors), stamp, minLeadMinutes: undefined };
}

// ---- The verbs.

/**
 * What each team-template verb means (issue 26): its data, read from the
 * card, and the use case it runs (src/app/templates.ts).
 */
const templateRef = z.object({ templateId: z.string().min(1).max(100) });
/** A card sends numbers as text. */
const version = z.union([z.number(), z.string().regex(/^\d{1,9}$/)]).transform(Number);

/** Every template verb, and what it does. */
export const templateActions: Readonly<Record<string, CardAction>> = {
  [TEMPLATE_VERBS.apply]: cardAction(handoffFormInput.extend(templateChoiceInput.shape), (app, caller, input) =>
    applyTemplate(app, caller, input),
  ),
  [TEMPLATE_VERBS.list]: cardAction(z.object({}), async (app, caller) => ({ card: await listTemplates(app, caller) })),
  [TEMPLATE_VERBS.create]: cardAction(z.object({}), async (app, caller) => ({ card: await newTemplateForm(app, caller) })),
  [TEMPLATE_VERBS.show]: cardAction(templateRef.extend({ conversationId: z.string().max(500).optional() }), (app, caller, data) =>
    showTemplate(app, caller, data.templateId, data.conversationId),
  ),
  [TEMPLATE_VERBS.edit]: cardAction(templateRef, (app, caller, data) => editTemplateForm(app, caller, data.templateId)),
  [TEMPLATE_VERBS.duplicate]: cardAction(templateRef, (app, caller, data) => duplicateTemplateForm(app, caller, data.templateId)),
  [TEMPLATE_VERBS.delete]: cardAction(templateRef.extend({ version }), (app, caller, data) =>
    deleteTemplate(app, caller, data.templateId, data.version),
  ),
  [TEMPLATE_VERBS.save]: cardAction(
    templateFormInput.extend({ templateId: z.string().max(100).optional().default(''), version }),
    (app, caller, data) => saveTemplate(app, caller, data),
  ),
  [TEMPLATE_VERBS.addQuestion]: cardAction(
    templateRef.extend({
      handoffId: z.string().regex(/^[0-9a-f]{20}$/, 'not a handoff id'),
      seq: version,
      to: z.enum(['checklist', 'acceptanceCriteria']),
    }),
    (app, caller, data) => addQuestion(app, caller, data),
  ),
};
