/**
 * Team templates (issue 26): a conversation's own starting points for a
 * handoff, with pre-filled fields, default people, a review goal, a minimum
 * lead time and a mandatory checklist the sender ticks before Baton posts.
 * Pure: the rules, the limits, who may change a template, and what each
 * version changed; src/store/templates.ts keeps them, src/app/templates.ts
 * runs the commands.
 */
import * as z from 'zod';
import { formatEffort, parseEffort } from './effort';
import type { Person, Priority, TemplateStamp } from './handoff';
import { PRIORITIES } from './handoff';
import {
  ASSUMPTIONS_MAX,
  CRITERIA_MAX,
  CRITERION_MAX,
  criteriaProblem,
  linksOf,
  READY_MAX,
  splitLines,
  stakeholdersOf,
} from './handoff-form';

/** A conversation keeps at most this many templates (deleted ones do not count). */
export const TEMPLATES_MAX = 20;
/** The mandatory checklist: at most 15 items of 160 characters, so the form and the card stay inside Teams' message size. */
export const CHECKLIST_MAX = 15;
export const CHECK_ITEM_MAX = 160;
export const TEMPLATE_NAME_MAX = 60;
export const TEMPLATE_DESCRIPTION_MAX = 200;

/** What a template pre-fills and asks: the form's fields, its people, and its own rules. */
export interface TemplateFields {
  name: string;
  description: string;
  whatIsReady: string;
  acceptanceCriteria: string[];
  assumptions: string;
  links: string[];
  effortMinutes: number | undefined;
  priority: Priority;
  receiver: Person | undefined;
  owner: Person | undefined;
  stakeholders: Person[];
  /** The receiver's review goal in working minutes, instead of the priority's default. */
  reviewGoalMinutes: number | undefined;
  /** The least working time of the receiver's between posting and the needed-by day; less is posted late. */
  minLeadMinutes: number | undefined;
  /** Items the sender must tick before Baton posts the handoff. */
  checklist: string[];
}

/** One version of a template, as kept: every change is a new version, with who made it and when. */
export interface Template extends TemplateFields {
  id: string;
  tenantId: string;
  /** The conversation whose template it is. */
  conversationId: string;
  version: number;
  author: Person;
  createdAt: string;
  /** Who made this version, when, and what it changed ("created", "changed the checklist", "deleted"). */
  changedBy: Person;
  changedAt: string;
  change: string;
  deleted: boolean;
}

export function stampOf(template: Template): TemplateStamp {
  return {
    id: template.id,
    name: template.name,
    version: template.version,
    checklist: [...template.checklist],
    ...(template.reviewGoalMinutes === undefined ? {} : { reviewGoalMinutes: template.reviewGoalMinutes }),
  };
}

const text = z.string().max(20_000).optional().default('');

/** The template card's inputs, as Adaptive Cards send them. */
export const templateFormInput = z.object({
  name: text,
  description: text,
  whatIsReady: text,
  acceptanceCriteria: text,
  assumptions: text,
  links: text,
  effort: text,
  priority: text,
  receiver: text,
  owner: text,
  stakeholders: text,
  reviewGoal: text,
  minLead: text,
  checklist: text,
});
export type TemplateFormInput = z.infer<typeof templateFormInput>;
export type TemplateFormField = keyof TemplateFormInput;
export type TemplateErrors = Partial<Record<TemplateFormField, string>>;

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Checks a template card against the rules: the same caps as the form on
 * every field, the checklist's, a name no other template of the conversation
 * has, and people who are members of the conversation.
 * @param others the conversation's other live templates
 */
export function parseTemplateForm(
  input: TemplateFormInput,
  context: { members: readonly Person[]; others: readonly Pick<Template, 'name'>[] },
): { ok: true; fields: TemplateFields } | { ok: false; errors: TemplateErrors } {
  const errors: TemplateErrors = {};
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (name === '') errors.name = 'Give the template a name, like "Release to QA".';
  else if (name.length > TEMPLATE_NAME_MAX) errors.name = `Keep the name to ${TEMPLATE_NAME_MAX} characters (it has ${name.length}).`;
  else if (context.others.some((t) => sameName(t.name, name))) errors.name = `This conversation already has a template named "${name}".`;

  const description = input.description.trim();
  if (description.length > TEMPLATE_DESCRIPTION_MAX)
    errors.description = `Keep the description to ${TEMPLATE_DESCRIPTION_MAX} characters (it has ${description.length}).`;

  const whatIsReady = input.whatIsReady.trim();
  if (whatIsReady.length > READY_MAX) errors.whatIsReady = `Keep this to ${READY_MAX} characters (it has ${whatIsReady.length}).`;

  const acceptanceCriteria = splitLines(input.acceptanceCriteria);
  const criteriaError = criteriaProblem(acceptanceCriteria);
  if (criteriaError) errors.acceptanceCriteria = criteriaError;

  const assumptions = input.assumptions.trim();
  if (assumptions.length > ASSUMPTIONS_MAX)
    errors.assumptions = `Keep this to ${ASSUMPTIONS_MAX} characters (it has ${assumptions.length}).`;

  const { links, error: linksError } = linksOf(input.links);
  if (linksError) errors.links = linksError;

  const duration = (field: 'effort' | 'reviewGoal' | 'minLead', what: string) => {
    const typedText = input[field].trim();
    if (typedText === '') return undefined;
    const minutes = parseEffort(typedText);
    if (minutes === undefined || minutes === 0) errors[field] = `${what} not understood: use a number and a unit, like 4h, 2d or 1w.`;
    return minutes;
  };
  const effortMinutes = duration('effort', 'Effort');
  const reviewGoalMinutes = duration('reviewGoal', 'Review goal');
  const minLeadMinutes = duration('minLead', 'Lead time');

  const priority = input.priority.trim() || 'normal';
  if (!(PRIORITIES as readonly string[]).includes(priority)) errors.priority = 'Choose normal, high or urgent.';

  // Pickers differ: Teams sends the Entra object id, some clients (the Agents Playground) the member's Teams id (29:...).
  const byId = (id: string) => context.members.find((m) => m.aadObjectId === id || m.userId === id);
  const pick = (field: 'receiver' | 'owner') => {
    const id = input[field].trim();
    if (id === '') return undefined;
    const found = byId(id);
    if (!found) errors[field] = `The ${field} must be a member of this conversation.`;
    return found;
  };
  const receiver = pick('receiver');
  const owner = pick('owner');
  const { stakeholders, error: stakeholdersError } = stakeholdersOf(input.stakeholders, byId);
  if (stakeholdersError) errors.stakeholders = stakeholdersError;

  const checklist = splitLines(input.checklist);
  const checklistError = checklistProblem(checklist);
  if (checklistError) errors.checklist = checklistError;

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    fields: {
      name,
      description,
      whatIsReady,
      acceptanceCriteria,
      assumptions,
      links,
      effortMinutes,
      priority: priority as Priority,
      receiver,
      owner,
      // One person named by both of their ids (a picker's and Teams') is one stakeholder.
      stakeholders: stakeholders.filter(
        (p, i, all): p is Person => p !== undefined && all.findIndex((q) => q?.aadObjectId === p.aadObjectId) === i,
      ),
      reviewGoalMinutes,
      minLeadMinutes,
      checklist,
    },
  };
}

/** Why a checklist breaks the limits, or undefined. */
function checklistProblem(checklist: readonly string[]): string | undefined {
  const long = checklist.findIndex((item) => item.length > CHECK_ITEM_MAX);
  if (checklist.length > CHECKLIST_MAX) return `Keep to ${CHECKLIST_MAX} checklist items (there are ${checklist.length}).`;
  if (long >= 0) return `Keep each checklist item to ${CHECK_ITEM_MAX} characters (item ${long + 1} has ${checklist[long]!.length}).`;
  return undefined;
}

/** The template card's values for a template (to edit or duplicate it). */
export function templateFormValues(t: TemplateFields): TemplateFormInput {
  const duration = (minutes: number | undefined) => (minutes === undefined ? '' : formatEffort(minutes));
  return {
    name: t.name,
    description: t.description,
    whatIsReady: t.whatIsReady,
    acceptanceCriteria: t.acceptanceCriteria.join('\n'),
    assumptions: t.assumptions,
    links: t.links.join('\n'),
    effort: duration(t.effortMinutes),
    priority: t.priority,
    receiver: t.receiver?.aadObjectId ?? '',
    owner: t.owner?.aadObjectId ?? '',
    stakeholders: t.stakeholders.map((p) => p.aadObjectId).join(','),
    reviewGoal: duration(t.reviewGoalMinutes),
    minLead: duration(t.minLeadMinutes),
    checklist: t.checklist.join('\n'),
  };
}

/** A duplicate's name: "Release to QA (copy)", "(copy 2)", ... one no other template has, within the cap. */
export function copyName(name: string, taken: readonly Pick<Template, 'name'>[]): string {
  for (let n = 1; ; n += 1) {
    const suffix = n === 1 ? ' (copy)' : ` (copy ${n})`;
    const candidate = `${name.slice(0, TEMPLATE_NAME_MAX - suffix.length)}${suffix}`;
    if (!taken.some((t) => sameName(t.name, candidate))) return candidate;
  }
}

// ---- Who may change a template

/** Where the templates live: a channel's team has owners; in a group chat every member is equal; a personal chat is one person's. */
export type ConversationKind = 'personal' | 'groupChat' | 'channel';

/**
 * Whether a person may edit or delete a template: its author always; in a
 * channel, an owner of the team (the roster's `userRole`); in a group chat,
 * any member.
 * @returns undefined when allowed, else why not
 */
export function editRefusal(
  template: Pick<Template, 'author' | 'name'>,
  who: Person,
  where: { kind: ConversationKind; teamOwner: boolean },
): string | undefined {
  if (template.author.aadObjectId === who.aadObjectId) return undefined;
  if (where.kind === 'groupChat') return undefined;
  if (where.kind === 'channel' && where.teamOwner) return undefined;
  return where.kind === 'channel'
    ? `Only ${template.author.name}, who made "${template.name}", or an owner of the team can change it.`
    : `Only ${template.author.name}, who made "${template.name}", can change it.`;
}

/** Why a conversation cannot take one more template, or undefined. */
export function createRefusal(live: number): string | undefined {
  return live >= TEMPLATES_MAX
    ? `This conversation has ${TEMPLATES_MAX} templates, the most it can keep: delete one it no longer uses first.`
    : undefined;
}

// ---- Versions

/** A new template, version 1. */
export function createTemplate(input: {
  id: string;
  tenantId: string;
  conversationId: string;
  fields: TemplateFields;
  by: Person;
  at: string;
  change?: string;
}): Template {
  return {
    ...input.fields,
    id: input.id,
    tenantId: input.tenantId,
    conversationId: input.conversationId,
    version: 1,
    author: input.by,
    createdAt: input.at,
    changedBy: input.by,
    changedAt: input.at,
    change: input.change ?? 'created',
    deleted: false,
  };
}

const FIELD_WORDS: Readonly<Record<keyof TemplateFields, string>> = {
  name: 'the name',
  description: 'the description',
  whatIsReady: 'what is ready',
  acceptanceCriteria: 'the acceptance criteria',
  assumptions: 'the assumptions',
  links: 'the links',
  effortMinutes: 'the effort',
  priority: 'the priority',
  receiver: 'the receiver',
  owner: 'the owner',
  stakeholders: 'the stakeholders',
  reviewGoalMinutes: 'the review goal',
  minLeadMinutes: 'the lead time',
  checklist: 'the checklist',
};

/** What changed between two versions, in words: "changed the name and the checklist". */
export function describeChange(before: TemplateFields, after: TemplateFields): string {
  const changed = (Object.keys(FIELD_WORDS) as (keyof TemplateFields)[]).filter(
    (key) => JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null),
  );
  if (changed.length === 0) return 'saved it unchanged';
  const words = changed.map((key) => FIELD_WORDS[key]);
  return `changed ${words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`}`;
}

/** The next version of a template. */
export function nextVersion(current: Template, fields: TemplateFields, by: Person, at: string, change?: string): Template {
  return {
    ...current,
    ...fields,
    version: current.version + 1,
    changedBy: by,
    changedAt: at,
    change: change ?? describeChange(current, fields),
  };
}

/** The template deleted: a last version, kept with who and when; the handoffs posted from it keep their stamp. */
export function deletedVersion(current: Template, by: Person, at: string): Template {
  return { ...current, version: current.version + 1, changedBy: by, changedAt: at, change: 'deleted', deleted: true };
}

/**
 * A question asked on a handoff, added to the template's checklist or criteria
 * (the loop's **Add to checklist**, **Add to criteria**): cut to the item's cap
 * at a word, refused when the list is full or holds it already.
 */
export function withItemAdded(
  current: TemplateFields,
  where: 'checklist' | 'acceptanceCriteria',
  question: string,
): { ok: true; fields: TemplateFields; item: string } | { ok: false; message: string } {
  const cap = where === 'checklist' ? CHECK_ITEM_MAX : CRITERION_MAX;
  const most = where === 'checklist' ? CHECKLIST_MAX : CRITERIA_MAX;
  const single = question.replace(/\s+/g, ' ').trim();
  const item = single.length <= cap ? single : `${single.slice(0, cap - 1).replace(/\s+\S*$/, '')}…`;
  const list = current[where];
  const label = where === 'checklist' ? 'checklist' : 'acceptance criteria';
  if (item === '') return { ok: false, message: 'There is no question to add.' };
  if (list.some((existing) => existing.toLowerCase() === item.toLowerCase())) return { ok: false, message: `The ${label} already has it.` };
  if (list.length >= most) return { ok: false, message: `The ${label} is full (${most} items): edit the template to make room.` };
  return { ok: true, item, fields: { ...current, [where]: [...list, item] } };
}

// ---- Choosing a template

/**
 * The template `words` name (`new release`): the one whose name is the words,
 * else the only one whose name starts with them, else the only one that
 * contains them.
 * @returns the template, or the candidates when several match (none: empty)
 */
export function matchTemplate<T extends Pick<Template, 'name'>>(templates: readonly T[], words: string): T | T[] {
  const wanted = words.trim().toLowerCase().replace(/\s+/g, ' ');
  const names = templates.map((t) => ({ t, name: t.name.toLowerCase() }));
  const exact = names.filter((n) => n.name === wanted);
  if (exact.length === 1) return exact[0]!.t;
  for (const test of [(n: string) => n.startsWith(wanted), (n: string) => n.includes(wanted)]) {
    const found = names.filter((n) => test(n.name));
    if (found.length === 1) return found[0]!.t;
    if (found.length > 1) return found.map((n) => n.t);
  }
  return [];
}

/** The checklist items left unticked, each with its message (the form shows it at the item). */
export function uncheckedItems(checklist: readonly string[], ticked: readonly boolean[]): Map<number, string> {
  const errors = new Map<number, string>();
  checklist.forEach((_, i) => {
    if (!ticked[i]) errors.set(i, 'Tick this once it is done: this template asks for it before posting.');
  });
  return errors;
}

/** What the handoff form sends of its template: the one in use and its version, the one picked, and a tick per checklist item. */
export const templateChoiceInput = z.object({
  templateId: z.string().max(100).optional(),
  templateVersion: z.string().max(12).optional(),
  templateChoice: z.string().max(100).optional(),
  ...Object.fromEntries(
    Array.from({ length: CHECKLIST_MAX }, (_, i) => [
      `check${i}`,
      z
        .union([z.boolean(), z.string().max(10)])
        .optional()
        .transform((v) => v === true || v === 'true'),
    ]),
  ),
});
export type TemplateChoice = { templateId?: string; templateVersion?: string; templateChoice?: string } & Record<string, unknown>;

/** The ticks a form sent, one per checklist item. */
export function tickedOf(choice: Partial<TemplateChoice>, items: number): boolean[] {
  return Array.from({ length: items }, (_, i) => choice[`check${i}`] === true || choice[`check${i}`] === 'true');
}

/** The handoff form's values a template pre-fills (the sender's own typing is kept where the template has nothing). */
export function formValuesFromTemplate(t: TemplateFields): Record<string, string> {
  const values = templateFormValues(t);
  return {
    whatIsReady: values.whatIsReady,
    acceptanceCriteria: values.acceptanceCriteria,
    assumptions: values.assumptions,
    links: values.links,
    effort: values.effort,
    priority: t.priority === 'normal' ? '' : t.priority,
    receiver: values.receiver,
    owner: values.owner,
    stakeholders: values.stakeholders,
  };
}

/** The lead-time hint of a template (its minimum lead time is more than the receiver has before the needed-by day). */
export function leadTimeHint(
  template: Pick<TemplateFields, 'name' | 'minLeadMinutes'>,
  receiver: string,
  availableMinutes: number,
): string {
  const left = availableMinutes === 0 ? 'no working time' : `${formatEffort(availableMinutes)} of working time`;
  return `“${template.name}” asks for at least ${formatEffort(template.minLeadMinutes ?? 0)} of lead time: ${receiver} has ${left} before the needed-by date. Move the date, or say so to them.`;
}
