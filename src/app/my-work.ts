/**
 * The per-person reads: `mine` (what waits on me), the messaging extension's
 * search, and link unfurling. All read the person index, never a scan of the
 * tenant, and show a handoff only to the people on it.
 */
import { myHandoffsCard } from '../cards/my-handoffs-card';
import type { AdaptiveCard } from '../cards/render';
import { ballHolder, type Handoff } from '../domain/handoff';
import { groupMyWork, WAIT_GROUP_TITLES, WAIT_GROUPS } from '../domain/my-work';
import { matches, maySee, parseSearchQuery, searchOrder } from '../domain/search';
import { handoffLink } from '../cards/notification-card';
import type { App } from './handoffs';
import { handoffsVisibleTo } from './people';
import type { Actor, Caller } from './ports';

/** How many of a person's handoffs `mine` reads at most, newest first: open work older than this is months old. */
const MINE_LIMIT = 200;
/** How many of a person's handoffs one search reads at most (newest first). */
const SEARCH_CANDIDATES = 200;

/** The `mine` card: the person's open handoffs, grouped by what waits on them. */
export async function myHandoffs(app: App, actor: Actor): Promise<AdaptiveCard> {
  const groups = groupMyWork(await handoffsVisibleTo(app, actor, MINE_LIMIT), actor.person.aadObjectId);
  return myHandoffsCard(
    WAIT_GROUPS.map((g) => ({
      title: WAIT_GROUP_TITLES[g],
      handoffs: groups[g],
      detail: (h: Handoff) => (g === 'waitingOnOthers' ? `with ${ballHolder(h)?.name ?? 'nobody'}` : `from ${h.sender.name}`),
    })),
  );
}

/**
 * The handoffs a person takes part in that match the words and filters,
 * open ones first; an empty query lists their open handoffs.
 */
export async function findHandoffs(app: App, caller: Caller, text: string, page: { skip: number; count: number }): Promise<Handoff[]> {
  const query = parseSearchQuery(text.trim() === '' ? 'open' : text);
  const found = (await handoffsVisibleTo(app, caller.actor, SEARCH_CANDIDATES))
    .filter((h) => matches(h, query, caller.actor.person.aadObjectId, caller.today))
    .sort(searchOrder);
  return found.slice(page.skip, page.skip + page.count);
}

/** Baton's own handoff links: <publicBaseUrl>/api/handoffs/<id>. */
export function handoffIdFromLink(url: string, publicBaseUrl: string): string | undefined {
  try {
    const link = new URL(url);
    const base = new URL(publicBaseUrl);
    if (link.host.toLowerCase() !== base.host.toLowerCase()) return undefined;
    return /^\/api\/handoffs\/([0-9a-f]{20})\/?$/.exec(link.pathname)?.[1];
  } catch {
    return undefined;
  }
}

/** The handoff behind a Baton link, when the person may see it; undefined for anyone else. */
export async function handoffForLink(app: App, actor: Actor, url: string): Promise<Handoff | undefined> {
  const id = handoffIdFromLink(url, app.publicBaseUrl);
  const stored = id ? await app.store.read(id) : undefined;
  return stored && maySee(stored.handoff, actor.tenantId, actor.person.aadObjectId) ? stored.handoff : undefined;
}

/**
 * Where a Baton link goes: the handoff's message in Teams.
 * @returns undefined for an unknown id or a card that was never posted
 */
export async function handoffRedirect(app: App, id: string): Promise<string | undefined> {
  if (!/^[0-9a-f]{20}$/.test(id)) return undefined;
  const stored = await app.store.read(id);
  return stored ? handoffLink(stored.handoff) || undefined : undefined;
}
