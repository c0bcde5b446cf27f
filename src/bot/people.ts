/**
 * People on a form: chosen from the conversation, or picked from the
 * directory (Teams' people picker), or typed as an email, UPN or name.
 * Everything resolves to an Entra object id before the form rules run.
 */
import type { Handoff, Person } from '../domain/handoff';
import { maySee } from '../domain/search';
import type { Services } from './card-actions';
import type { Actor } from './turn';
import type { HandoffFormInput, FieldErrors } from '../domain/handoff-form';
import { DEFAULT_WORKING_HOURS } from '../domain/lead-time';
import type { WorkingHours } from '../domain/working-hours';
import type { Directory } from '../graph';

const PEOPLE_FIELDS = ['receiver', 'owner', 'stakeholders'] as const;

/**
 * The directory users of other tenants get: Baton's Graph access covers one
 * tenant, and nobody may look up another organisation's people through it.
 */
export const OUTSIDE_DIRECTORY: Directory = {
  resolvePeople: async (queries) =>
    queries.map((query) => ({
      ok: false,
      query,
      reason: 'unknown',
      message: `"${query}" is not in this conversation, and Baton cannot look up people outside it in your organisation.`,
    })),
  getWorkingHours: async () => {
    throw new Error("Baton cannot read this organisation's working hours");
  },
};

/**
 * Resolves the people fields that name someone outside the conversation.
 * @returns the people to check the form against (members plus those resolved),
 *   the input with each resolved value replaced by its object id, and a message
 *   for each field whose person is unknown, ambiguous or disabled
 */
export async function resolveFormPeople(
  input: HandoffFormInput,
  members: readonly Person[],
  directory: Directory,
): Promise<{ people: Person[]; input: HandoffFormInput; errors: FieldErrors }> {
  // Pickers differ: Teams sends the Entra object id, some clients the member's Teams id (29:...). Both name a member.
  const memberId = (value: string) => members.find((m) => m.aadObjectId === value || m.userId === value)?.aadObjectId;
  const isMember = (value: string) => memberId(value) !== undefined;
  const values = (field: (typeof PEOPLE_FIELDS)[number]) =>
    field === 'stakeholders' ? input.stakeholders.split(',').map((v) => v.trim()).filter(Boolean) : [input[field].trim()].filter(Boolean);
  const outside = [...new Set(PEOPLE_FIELDS.flatMap((f) => values(f)).filter((v) => !isMember(v)))];
  const answers = new Map(outside.length === 0 ? [] : (await directory.resolvePeople(outside)).map((r) => [r.query, r]));
  const people = [...members];
  const errors: FieldErrors = {};
  const idOf = (value: string, field: (typeof PEOPLE_FIELDS)[number]) => {
    const member = memberId(value);
    if (member) return member;
    const answer = answers.get(value);
    if (!answer) return value;
    if (!answer.ok) {
      errors[field] ??= answer.message;
      return value;
    }
    const { aadObjectId, name } = answer.person;
    // Someone outside the chat has no Teams id here: 8:orgid:<object id> is the Teams user id (MRI) of an Entra user.
    if (!people.some((p) => p.aadObjectId === aadObjectId)) people.push({ aadObjectId, userId: `8:orgid:${aadObjectId}`, name });
    return aadObjectId;
  };
  const resolved: HandoffFormInput = {
    ...input,
    receiver: values('receiver').map((v) => idOf(v, 'receiver'))[0] ?? '',
    owner: values('owner').map((v) => idOf(v, 'owner'))[0] ?? '',
    stakeholders: values('stakeholders').map((v) => idOf(v, 'stakeholders')).join(','),
  };
  return { people, input: resolved, errors };
}

/** People whose unknown working hours were already logged: every card render asks, the log should say it once. */
const loggedUnknownHours = new Set<string>();

/** A person's working hours, or Baton's default when the directory cannot say (logged once per person). */
export async function workingHoursOf(directory: Directory, person: Person, log: (m: string) => void): Promise<WorkingHours> {
  try {
    return await directory.getWorkingHours(person.aadObjectId);
  } catch (error) {
    if (!loggedUnknownHours.has(person.aadObjectId)) {
      loggedUnknownHours.add(person.aadObjectId);
      log(`Working hours of ${person.name} unknown (${(error as Error).message}); using Monday to Friday, 09:00-17:00 UTC.`);
    }
    return DEFAULT_WORKING_HOURS;
  }
}

/**
 * The handoffs a person takes part in, newest first, read from the person
 * index and checked against each record (the record, not the index, decides
 * who may see it).
 */
export async function handoffsVisibleTo(services: Services, actor: Actor, limit: number): Promise<Handoff[]> {
  const rows = await services.people.handoffsOf(actor.tenantId, actor.person.aadObjectId, limit);
  const records = await Promise.all(rows.map((row) => services.store.read(row.handoffId)));
  return records.flatMap((r) => (r && maySee(r.handoff, actor.tenantId, actor.person.aadObjectId) ? [r.handoff] : []));
}
