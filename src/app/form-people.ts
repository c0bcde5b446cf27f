/**
 * People on a form: chosen from the conversation, picked from the directory
 * (Teams' people picker), or typed as an email, UPN or name. Everything
 * resolves to an Entra object id before the form rules run.
 */
import { displayName, type Person } from '../domain/handoff';
import type { FieldErrors, HandoffFormInput } from '../domain/handoff-form';
import type { Directory } from './ports';

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
  chatTopic: async () => undefined,
  getAutomaticReplies: async () => {
    throw new Error("Baton cannot read this organisation's mailboxes");
  },
};

/** A Teams user id (29:..., 8:orgid:...) names a person but means nothing to a reader: never show it in a message. */
const TEAMS_USER_ID = /^(29|8):/;

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
  const values = (field: (typeof PEOPLE_FIELDS)[number]) =>
    field === 'stakeholders'
      ? input.stakeholders
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean)
      : [input[field].trim()].filter(Boolean);
  // An Entra user's Teams id outside this chat is 8:orgid:<object id>: the directory knows the object id.
  const query = (value: string) => value.replace(/^8:orgid:/i, '');
  const outside = [
    ...new Set(
      PEOPLE_FIELDS.flatMap((f) => values(f))
        .filter((v) => memberId(v) === undefined)
        .map(query),
    ),
  ];
  const answers = new Map(outside.length === 0 ? [] : (await directory.resolvePeople(outside)).map((r) => [r.query, r]));
  const people = [...members];
  const errors: FieldErrors = {};
  const idOf = (value: string, field: (typeof PEOPLE_FIELDS)[number]) => {
    const member = memberId(value);
    if (member) return member;
    const answer = answers.get(query(value));
    if (!answer) return value;
    if (!answer.ok) {
      errors[field] ??= TEAMS_USER_ID.test(value)
        ? 'That person is not in this conversation, and Baton could not find them in your organisation.'
        : answer.message;
      return value;
    }
    const { aadObjectId, name } = answer.person;
    // Someone outside the chat has no Teams id here: 8:orgid:<object id> is the Teams user id (MRI) of an Entra user.
    if (!people.some((p) => p.aadObjectId === aadObjectId))
      people.push({ aadObjectId, userId: `8:orgid:${aadObjectId}`, name: displayName(name) });
    return aadObjectId;
  };
  const resolved: HandoffFormInput = {
    ...input,
    receiver: values('receiver').map((v) => idOf(v, 'receiver'))[0] ?? '',
    owner: values('owner').map((v) => idOf(v, 'owner'))[0] ?? '',
    stakeholders: values('stakeholders')
      .map((v) => idOf(v, 'stakeholders'))
      .join(','),
  };
  return { people, input: resolved, errors };
}
