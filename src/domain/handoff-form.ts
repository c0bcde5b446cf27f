/**
 * The handoff form: what comes back from the card's inputs, and the hard rules
 * that block a submission (PRODUCT.md, "Prepare"). Every wrong field gets its
 * own message, so the form can show each one next to its input.
 */
import * as z from 'zod';
import { parseEffort } from './effort';
import { type HandoffFields, type Person, PRIORITIES, type Priority, WORK_STATES, type WorkState } from './handoff';

/*
 * The caps of each field, stated on the form. They keep the largest handoff,
 * in every view, inside Teams' message size (budget: 40 KB counted as Teams
 * counts, in UTF-16; the card budget test renders every view at these caps).
 */
export const SUMMARY_MAX = 200;
export const READY_MAX = 1000;
export const ASSUMPTIONS_MAX = 800;
export const CRITERIA_MAX = 10;
export const CRITERION_MAX = 160;
export const LINKS_MAX = 6;
export const LINK_MAX = 250;
export const BLOCKER_MAX = 200;
/** With sender, receiver and owner this stays well under Teams' 60 refresh users. */
export const STAKEHOLDERS_MAX = 10;

const text = z.string().max(20_000).optional().default('');

/** The raw inputs as Adaptive Cards send them: every value is a string or absent. */
export const handoffFormInput = z.object({
  formId: z.string().min(1).max(100),
  summary: text,
  whatIsReady: text,
  acceptanceCriteria: text,
  assumptions: text,
  links: text,
  effort: text,
  workState: text,
  blocker: text,
  neededBy: text,
  receiver: text,
  owner: text,
  /** Multi-select choice sets send their values comma-joined. */
  stakeholders: text,
  priority: text,
  /** Set by the form's "Post anyway" button: the sender saw the quality hints. */
  confirmed: z
    .union([z.boolean(), z.string()])
    .optional()
    .transform((v) => v === true || v === 'true'),
  /** Set by the form's "Hand it to <successor> instead": the receiver (or owner) is away, and the sender chose their successor. */
  useReceiver: z.string().max(100).optional(),
  useOwner: z.string().max(100).optional(),
});
export type HandoffFormInput = z.infer<typeof handoffFormInput>;
export type FormField = Exclude<keyof HandoffFormInput, 'formId' | 'confirmed' | 'useReceiver' | 'useOwner'>;
export type FieldErrors = Partial<Record<FormField, string>>;

export interface ParsedForm {
  fields: HandoffFields;
  receiver: Person;
  owner: Person;
  stakeholders: Person[];
}

export type FormResult = { ok: true; value: ParsedForm } | { ok: false; errors: FieldErrors };

/** Splits a multi-line input into items, dropping list bullets and blank lines. */
export function splitLines(value: string): string[] {
  return (
    value
      .split(/\r?\n/)
      // A bullet is a marker followed by a space, so "2.5 s p95" and "-5% errors" keep their numbers.
      .map((line) => line.replace(/^\s*(?:(?:[-*•]|\d+[.)])(?=\s)|\[[ xX]?\])\s*/, '').trim())
      .filter((line) => line !== '')
  );
}

/** The link in its canonical form (percent-encoded, as cards require), or undefined when it is not https. */
export function httpsUrl(candidate: string): string | undefined {
  try {
    const url = new URL(candidate);
    if (url.protocol !== 'https:' || url.hostname === '') return undefined;
    // WHATWG URLs keep characters RFC 3986 forbids ({ } | ^ `); cards validate URLs against RFC 3986.
    return url.href.replace(/[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/g, (c) => encodeURIComponent(c));
  } catch {
    return undefined;
  }
}

/** A second sentence starts after a full stop, question or exclamation mark followed by a capital. */
const SECOND_SENTENCE = /[.!?]["')\]]?\s+[A-Z0-9]/;

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** What is wrong with a form's acceptance criteria, past their count or length caps; undefined when nothing. The handoff form's and a template's. */
export function criteriaProblem(criteria: readonly string[]): string | undefined {
  const long = criteria.findIndex((c) => c.length > CRITERION_MAX);
  if (criteria.length > CRITERIA_MAX) return `Keep to ${CRITERIA_MAX} criteria (there are ${criteria.length}).`;
  if (long >= 0) return `Keep each criterion to ${CRITERION_MAX} characters (criterion ${long + 1} has ${criteria[long]!.length}).`;
  return undefined;
}

/**
 * A form's links: separated by white space (URLs may hold commas; a comma or
 * semicolon ending one is a separator), each https, at most LINKS_MAX of
 * LINK_MAX characters; the message to show at the field when not.
 */
export function linksOf(value: string): { links: string[]; error: string | undefined } {
  const typed = value
    .split(/\s+/)
    .map((link) => link.replace(/[,;]+$/, ''))
    .filter((link) => link !== '');
  const bad = typed.find((link) => httpsUrl(link) === undefined);
  const links = typed.map((link) => httpsUrl(link) ?? link);
  const long = links.find((link) => link.length > LINK_MAX);
  if (bad !== undefined) return { links, error: `"${bad.slice(0, 80)}" is not an https link.` };
  if (links.length > LINKS_MAX) return { links, error: `Keep to ${LINKS_MAX} links (there are ${links.length}).` };
  if (long !== undefined)
    return { links, error: `Keep each link to ${LINK_MAX} characters ("${long.slice(0, 60)}..." has ${long.length}).` };
  return { links, error: undefined };
}

/**
 * The stakeholders a form names (comma-separated ids, each once), every one
 * a member of the conversation and at most STAKEHOLDERS_MAX; the message
 * to show at the field when not. The handoff form's and a template's.
 */
export function stakeholdersOf(
  value: string,
  byId: (id: string) => Person | undefined,
): { stakeholders: (Person | undefined)[]; error: string | undefined } {
  const ids = [
    ...new Set(
      value
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
  const stakeholders = ids.map(byId);
  if (stakeholders.some((p) => !p)) return { stakeholders, error: 'Every stakeholder must be a member of this conversation.' };
  if (stakeholders.length > STAKEHOLDERS_MAX)
    return { stakeholders, error: `Keep to ${STAKEHOLDERS_MAX} stakeholders (there are ${stakeholders.length}).` };
  return { stakeholders, error: undefined };
}

/**
 * Checks a submitted form against the hard rules.
 *
 * @param input the card's inputs, already shaped by {@link handoffFormInput}
 * @param context `members` are the people the receiver and owner may be chosen
 *   from; `sender` is the person submitting; `today` is the sender's local date
 *   (YYYY-MM-DD), so "needed by" cannot be in the past.
 */
export function parseHandoffForm(
  input: HandoffFormInput,
  context: { members: readonly Person[]; sender: Person; today: string },
): FormResult {
  const errors: FieldErrors = {};
  const summary = input.summary.trim();
  if (summary === '') errors.summary = 'Write a one-sentence summary.';
  else if (summary.length > SUMMARY_MAX) errors.summary = `Keep the summary to ${SUMMARY_MAX} characters (it has ${summary.length}).`;
  else if (/[\r\n]/.test(summary) || SECOND_SENTENCE.test(summary))
    errors.summary = 'Keep the summary to one sentence; put details in "What is ready".';

  const whatIsReady = input.whatIsReady.trim();
  if (whatIsReady === '') errors.whatIsReady = 'Say what is ready: your definition of done.';
  else if (whatIsReady.length > READY_MAX)
    errors.whatIsReady = `Keep this to ${READY_MAX} characters (it has ${whatIsReady.length}); link longer documents.`;

  const acceptanceCriteria = splitLines(input.acceptanceCriteria);
  if (acceptanceCriteria.length === 0) errors.acceptanceCriteria = 'Add at least one acceptance criterion, one per line.';
  else if (criteriaProblem(acceptanceCriteria)) errors.acceptanceCriteria = criteriaProblem(acceptanceCriteria)!;

  const assumptions = input.assumptions.trim();
  if (assumptions.length > ASSUMPTIONS_MAX)
    errors.assumptions = `Keep this to ${ASSUMPTIONS_MAX} characters (it has ${assumptions.length}); link longer documents.`;

  const { links, error: linksError } = linksOf(input.links);
  if (linksError) errors.links = linksError;

  const effortText = input.effort.trim();
  const effortMinutes = effortText === '' ? undefined : parseEffort(effortText);
  if (effortText !== '' && effortMinutes === undefined) {
    errors.effort = 'Effort not understood: use a number and a unit, like 30m, 4h, 2d or 1w (at most 12w).';
  }

  const workState = input.workState.trim() || 'ready';
  const blocker = input.blocker.trim();
  if (!(WORK_STATES as readonly string[]).includes(workState)) errors.workState = 'Choose Ready, In progress or Blocked.';
  else if (workState === 'blocked' && blocker === '') errors.blocker = 'Name what blocks this work.';
  else if (workState === 'blocked' && blocker.length > BLOCKER_MAX)
    errors.blocker = `Keep the blocker to ${BLOCKER_MAX} characters at most.`;

  const neededBy = input.neededBy.trim();
  if (neededBy !== '' && !isCalendarDate(neededBy)) errors.neededBy = 'Give the date as YYYY-MM-DD.';
  else if (neededBy !== '' && neededBy < context.today) errors.neededBy = 'The needed-by date is in the past.';

  const byId = (id: string) => context.members.find((m) => m.aadObjectId === id);
  const receiverId = input.receiver.trim();
  const receiver = byId(receiverId);
  if (receiverId === '') errors.receiver = 'Choose who receives this handoff.';
  else if (!receiver) errors.receiver = 'The receiver must be a member of this conversation.';
  else if (receiver.aadObjectId === context.sender.aadObjectId)
    errors.receiver = 'You cannot hand work to yourself: choose who takes it over.';
  const ownerId = input.owner.trim();
  const owner = ownerId === '' ? context.sender : byId(ownerId);
  if (!owner) errors.owner = 'The owner must be a member of this conversation.';

  const { stakeholders, error: stakeholdersError } = stakeholdersOf(input.stakeholders, byId);
  if (stakeholdersError) errors.stakeholders = stakeholdersError;

  const priority = input.priority.trim() || 'normal';
  if (!(PRIORITIES as readonly string[]).includes(priority)) errors.priority = 'Choose normal, high or urgent.';

  if (Object.keys(errors).length > 0 || !receiver || !owner) return { ok: false, errors };
  return {
    ok: true,
    value: {
      fields: {
        summary,
        whatIsReady,
        acceptanceCriteria,
        assumptions,
        links,
        effortMinutes,
        workState: workState as WorkState,
        blocker: workState === 'blocked' ? blocker : '',
        neededBy: neededBy === '' ? undefined : neededBy,
        priority: priority as Priority,
      },
      receiver,
      owner,
      stakeholders: stakeholders.filter((p): p is Person => p !== undefined),
    },
  };
}
