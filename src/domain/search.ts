/**
 * Finding handoffs (the messaging extension's search command): a query is
 * words plus quick filters (`open`, `mine`, `overdue`, `blocked`). Only
 * handoffs the person takes part in are candidates; the caller reads them
 * from the person index, never from a scan of the tenant.
 */
import { dueClause, dueView, isOverdue, neededByPassed, waitsOnSomeoneAway } from './due';
import { isBlocked, type Listing, PRIORITY_LABELS, rolesOf, STATUS } from './handoff';
import { waitGroup } from './my-work';
import { formatDay, formatWhenIn } from './time-format';

export const FILTERS = ['open', 'mine', 'overdue', 'blocked', 'away'] as const;
export type Filter = (typeof FILTERS)[number];

export interface SearchQuery {
  filters: Set<Filter>;
  /** Lower-case words that must all appear in the summary or a person's name. */
  words: string[];
}

/** Splits a typed query into filters and words ("blocked payments" -> blocked + "payments"). */
export function parseSearchQuery(text: string): SearchQuery {
  const filters = new Set<Filter>();
  const words: string[] = [];
  for (const token of text.toLowerCase().split(/\s+/).filter(Boolean)) {
    if ((FILTERS as readonly string[]).includes(token)) filters.add(token as Filter);
    else words.push(token);
  }
  return { filters, words };
}

/** Whether a person may see a handoff at all: they hold a role on it in the same tenant. */
export function maySee(
  handoff: Pick<Listing, 'tenantId' | 'sender' | 'receiver' | 'owner' | 'stakeholders'>,
  tenantId: string,
  aadObjectId: string,
): boolean {
  return handoff.tenantId === tenantId && rolesOf(handoff, aadObjectId).size > 0;
}

/** Whether a handoff answers a query for a person at `now` (`overdue`: a step past its due time, or a needed-by date passed unaccepted). */
export function matches(handoff: Listing, query: SearchQuery, aadObjectId: string, now: Date): boolean {
  const { filters } = query;
  // Open as `mine` means it: not closed or cancelled (an accepted handoff still waits on its owner to close it).
  if (filters.has('open') && STATUS[handoff.status].final) return false;
  if (filters.has('blocked') && (handoff.workState !== 'blocked' || STATUS[handoff.status].final)) return false;
  if (filters.has('overdue') && !isOverdue(handoff, now)) return false;
  // Waiting on someone away: never overdue, a list of its own.
  if (filters.has('away') && !waitsOnSomeoneAway(handoff, now)) return false;
  // The same "mine" as the `mine` command: open, and sent, received or owned.
  if (filters.has('mine') && waitGroup(handoff, aadObjectId, now) === undefined) return false;
  const haystack = [
    handoff.summary,
    handoff.sender.name,
    handoff.receiver.name,
    handoff.owner.name,
    ...handoff.stakeholders.map((s) => s.name),
  ]
    .join(' ')
    .toLowerCase();
  return query.words.every((word) => haystack.includes(word));
}

/**
 * One status line for a result, what matters first (a long line is cut at
 * its end): "Question asked · waiting on Ada Lovelace · due Thu 4 Dec, 10:00 ·
 * Urgent · Ada Lovelace → Grace Hopper". Blocked work says so and who is on
 * it, never a due time; a closed or cancelled one, only what it was. In
 * names, not "you": a chosen result is posted where others read it.
 */
export function searchLine(listing: Listing, timeZone: string | undefined, now: Date): string {
  const people = `${listing.sender.name} → ${listing.receiver.name}`;
  const priority = listing.priority === 'normal' ? '' : PRIORITY_LABELS[listing.priority];
  if (STATUS[listing.status].final) return `${STATUS[listing.status].label} · ${people}`;
  if (isBlocked(listing))
    return [`Blocked: ${listing.blocker}`, `${listing.sender.name} is on it`, priority, people].filter(Boolean).join(' · ');
  const view = dueView(listing, now);
  const holder = listing.clock?.holder;
  return [
    view?.state === 'away' ? `Waiting on someone away (${STATUS[listing.status].label.toLowerCase()})` : STATUS[listing.status].label,
    holder && view ? `waiting on ${holder.name}` : '',
    view ? dueClause(view, (at) => formatWhenIn(at, timeZone, now), false) : '',
    listing.neededBy
      ? `needed by ${formatDay(listing.neededBy, now)}${STATUS[listing.status].open && neededByPassed(listing, now) ? ' (passed)' : ''}`
      : '',
    priority,
    people,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** Open handoffs first, then the most recently changed. */
export function searchOrder(a: Listing, b: Listing): number {
  const open = Number(STATUS[b.status].open) - Number(STATUS[a.status].open);
  return open !== 0 ? open : b.updatedAt.localeCompare(a.updatedAt);
}
