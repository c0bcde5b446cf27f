/**
 * The conversation's people, from the Bot Connector's member list.
 */
import { TeamsInfo, type TurnContext } from 'botbuilder';
import type { Person } from '../domain/handoff';

/** A choice list longer than this is unusable; Graph search (people picker) takes over there. */
export const MAX_MEMBERS = 500;
const PAGE_SIZE = 100;

/** Where a turn keeps its member list, so one turn asks the connector once (a reassign needs it twice). */
const MEMBERS_KEY = Symbol('baton.conversationMembers');

/** The conversation's human members (bots have no Entra object id), at most {@link MAX_MEMBERS}; fetched once per turn. */
export function conversationMembers(context: TurnContext): Promise<Person[]> {
  let members = context.turnState.get(MEMBERS_KEY) as Promise<Person[]> | undefined;
  if (!members) {
    members = fetchMembers(context);
    context.turnState.set(MEMBERS_KEY, members);
  }
  return members;
}

async function fetchMembers(context: TurnContext): Promise<Person[]> {
  const people: Person[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await TeamsInfo.getPagedMembers(context, PAGE_SIZE, continuationToken);
    for (const member of page.members) {
      if (member.aadObjectId) people.push({ aadObjectId: member.aadObjectId, userId: member.id, name: member.name || member.email || member.id });
    }
    continuationToken = page.continuationToken || undefined;
  } while (continuationToken && people.length < MAX_MEMBERS);
  return people.slice(0, MAX_MEMBERS).sort((a, b) => a.name.localeCompare(b.name));
}
