/**
 * The conversation's people, from the Bot Connector's member list.
 */
import { TeamsInfo, type TurnContext } from 'botbuilder';
import { MembersUnavailableError } from '../app/ports';
import { displayName, type Person } from '../domain/handoff';
import { connectorError, withTimeout } from '../connector/messenger';

/** A choice list longer than this is unusable; Graph search (people picker) takes over there. */
export const MAX_MEMBERS = 500;
const PAGE_SIZE = 100;
/** Reading members sits on an invoke's path, inside Teams' 5 seconds. */
export const MEMBERS_TIMEOUT_MS = 2500;

/** Where a turn keeps its member list, so one turn asks the connector once (a reassign needs it twice). */
const MEMBERS_KEY = Symbol('baton.conversationMembers');

/**
 * The conversation's human members (bots have no Entra object id), at most
 * {@link MAX_MEMBERS}; fetched once per turn. Where the bot is not a member
 * (a messaging extension used in another chat) the list is empty.
 * @throws MembersUnavailableError when the connector failed or did not answer in time
 */
export function conversationMembers(context: TurnContext): Promise<Person[]> {
  let members = context.turnState.get(MEMBERS_KEY) as Promise<Person[]> | undefined;
  if (!members) {
    members = withTimeout(fetchMembers(context), MEMBERS_TIMEOUT_MS, 'reading the conversation members').catch((error: unknown) => {
      const failure = connectorError(error);
      // 403/404: the bot is not in this conversation, so it has no members to list; the people pickers search the organisation.
      if (failure.status === 403 || failure.status === 404) return [];
      throw new MembersUnavailableError(`The conversation's members could not be read: ${failure.message}`);
    });
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
      if (member.aadObjectId)
        people.push({ aadObjectId: member.aadObjectId, userId: member.id, name: displayName(member.name || member.email, member.id) });
    }
    continuationToken = page.continuationToken || undefined;
  } while (continuationToken && people.length < MAX_MEMBERS);
  return people.slice(0, MAX_MEMBERS).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Whether the person acting is an owner of the channel's team: the roster's
 * `userRole` for them (Teams says "owner", "user" or "guest").
 */
export async function isTeamOwner(context: TurnContext): Promise<boolean> {
  const member = await withTimeout(TeamsInfo.getMember(context, context.activity.from.id), MEMBERS_TIMEOUT_MS, 'reading the member');
  return member.userRole === 'owner';
}
