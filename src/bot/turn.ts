/**
 * What a turn tells us about who acts and where. Identity always comes from the
 * activity the platform signed (from.aadObjectId and the tenant), never from
 * data inside a card.
 */
import type { TurnContext } from 'botbuilder';
import type { Person } from '../domain/handoff';

export interface Actor {
  person: Person;
  tenantId: string;
}

/** The acting person and tenant, or undefined when the activity lacks them. */
export function actorOf(context: TurnContext): Actor | undefined {
  const { from, conversation, channelData } = context.activity;
  const tenantId = conversation?.tenantId ?? (channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
  if (!from?.aadObjectId || !tenantId) return undefined;
  return { person: { aadObjectId: from.aadObjectId, userId: from.id, name: from.name ?? 'Someone' }, tenantId };
}

/** The user's local calendar date (YYYY-MM-DD), from the activity when it carries one. */
export function localDate(context: TurnContext, now: Date): string {
  const local = context.activity.localTimestamp as unknown;
  // botbuilder types localTimestamp as Date but passes through the wire string ("2026-11-24T11:40:00.000-08:00").
  if (typeof local === 'string' && /^\d{4}-\d{2}-\d{2}/.test(local)) return local.slice(0, 10);
  return now.toISOString().slice(0, 10);
}

/** The user's IANA time zone, when the client said it (activity.localTimezone or its clientInfo entity). */
export function timeZoneOf(context: TurnContext): string | undefined {
  const { localTimezone, entities } = context.activity;
  if (typeof localTimezone === 'string' && localTimezone !== '') return localTimezone;
  const info = entities?.find((e) => e.type === 'clientInfo') as { timezone?: unknown } | undefined;
  return typeof info?.timezone === 'string' ? info.timezone : undefined;
}
