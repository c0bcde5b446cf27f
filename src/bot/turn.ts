/**
 * What a turn tells the use cases: who acts, where, and in which time zone.
 * Identity always comes from the activity the platform signed
 * (from.aadObjectId and the tenant), never from data inside a card.
 */
import type { TurnContext } from 'botbuilder';
import type { Actor, Budget, Caller } from '../app/ports';
import { displayName } from '../domain/handoff';
import { canonicalTimeZone } from '../domain/time-zones';
import { conversationMembers, isTeamOwner } from './members';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The acting person and tenant, or undefined when the activity lacks them.
 * Outlook's channel may leave the tenant out (OfficeDev/office-js#3478): a
 * deployment serves one tenant, so an Outlook action without one is taken as
 * that tenant's (docs/outlook-fields.md). Card data never names either.
 * @param deploymentTenant the tenant this deployment serves (its Graph directory's)
 */
export function actorOf(context: TurnContext, deploymentTenant?: () => string): Actor | undefined {
  const { from, channelId } = context.activity;
  const outlook = channelId === 'outlook';
  const tenantId = tenantOf(context.activity) || (outlook ? deploymentTenant?.() : undefined);
  // Outlook's channel may name the user by their Entra object id in from.id alone.
  const aadObjectId = from?.aadObjectId ?? (outlook && GUID.test(from?.id ?? '') ? from.id : undefined);
  if (!aadObjectId || !tenantId) return undefined;
  return { person: { aadObjectId, userId: from.id, name: displayName(from.name) }, tenantId };
}

/** The tenant an activity names (its conversation's, or channelData's), when it names one. */
export function tenantOf(activity: Pick<TurnContext['activity'], 'conversation' | 'channelData'>): string | undefined {
  return activity.conversation?.tenantId || (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id || undefined;
}

/** The viewer's IANA time zone, when the client said it (activity.localTimezone or its clientInfo entity) and Intl knows it. */
export function timeZoneOf(context: TurnContext): string | undefined {
  const { localTimezone, entities } = context.activity;
  const info = entities?.find((e) => e.type === 'clientInfo') as { timezone?: unknown } | undefined;
  return canonicalTimeZone(localTimezone) ?? canonicalTimeZone(info?.timezone);
}

/** The viewer's calendar date (YYYY-MM-DD): from the activity's local timestamp, else in their zone, else UTC. */
export function todayOf(context: TurnContext, now: number, timeZone: string | undefined): string {
  const local = context.activity.localTimestamp as unknown;
  // botbuilder types localTimestamp as Date but passes through the wire string ("2026-11-24T11:40:00.000-08:00").
  if (typeof local === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(local)) return local.slice(0, 10);
  // en-CA formats a date as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: timeZone ?? 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/**
 * The request as the use cases see it.
 * @returns undefined when the activity names no signed-in user of a tenant
 */
export function callerOf(context: TurnContext, now: number, budget: Budget, deploymentTenant?: () => string): Caller | undefined {
  const actor = actorOf(context, deploymentTenant);
  if (!actor) return undefined;
  const { activity } = context;
  let zone: { value: string | undefined } | undefined;
  let today: string | undefined;
  // Outlook has no conversation with members: an actionable email is between Baton and one person. Its activity
  // may name no conversation at all (the documented samples carry only `value`): it is then the person's own.
  const conversationType = activity.conversation?.conversationType;
  const hasMembers = activity.channelId === 'msteams' && conversationType !== 'personal';
  return {
    actor,
    activityId: activity.id ?? crypto.randomUUID(),
    channel: activity.channelId,
    conversation: {
      id: activity.conversation?.id ?? `${activity.channelId}:${actor.person.aadObjectId}`,
      serviceUrl: activity.serviceUrl,
      personal: conversationType === 'personal',
      ...conversationNames(activity),
    },
    // Team templates (issue 26): a team's owners may change any of its templates.
    teamOwner: () => (conversationType === 'channel' ? isTeamOwner(context) : Promise.resolve(false)),
    replyToId: activity.replyToId || undefined,
    budget,
    // Getters, read once: the first Intl time zone costs a cold start about 20 ms, and a `help` shows no time.
    get timeZone() {
      return (zone ??= { value: timeZoneOf(context) }).value;
    },
    get today() {
      return (today ??= todayOf(context, now, this.timeZone));
    },
    members: () => (hasMembers ? conversationMembers(context) : Promise.resolve(personalMembers(context, actor))),
  };
}

/** In a personal chat the members are the person and the bot. */
function personalMembers(context: TurnContext, actor: Actor) {
  return context.activity.channelId === 'msteams' && context.activity.conversation?.conversationType === 'personal' ? [actor.person] : [];
}

/** Names Baton keeps are cut here: a name is a label, never a message. */
const NAME_MAX = 128;
const named = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, NAME_MAX) : undefined);

/**
 * What kind of conversation an activity comes from, and its names when Teams
 * gave them: a channel's team and channel (channelData), a group chat's topic
 * (conversation.name). Teams leaves them out of most activities; a rename
 * event brings the new ones (src/bot/bot.ts).
 */
export function conversationNames(activity: TurnContext['activity']): Pick<Caller['conversation'], 'kind' | 'name' | 'team' | 'channel'> {
  const type = activity.conversation?.conversationType;
  const data = (activity.channelData ?? {}) as { team?: { id?: unknown; name?: unknown }; channel?: { id?: unknown; name?: unknown } };
  const kind = type === 'channel' ? 'channel' : type === 'groupChat' ? 'groupChat' : type === 'personal' ? 'personal' : undefined;
  const ref = (value: { id?: unknown; name?: unknown } | undefined) =>
    typeof value?.id === 'string' && value.id !== ''
      ? { id: value.id.slice(0, 256), ...(named(value.name) ? { name: named(value.name) } : {}) }
      : undefined;
  const team = ref(data.team);
  const channel = ref(data.channel);
  const name = named(activity.conversation?.name);
  return {
    ...(kind ? { kind } : {}),
    ...(name ? { name } : {}),
    ...(team ? { team } : {}),
    ...(channel ? { channel } : {}),
  };
}
