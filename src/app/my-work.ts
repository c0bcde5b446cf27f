/**
 * The per-person reads: `mine` (what waits on me), the messaging extension's
 * search, and link unfurling. All read the person index, never a scan of the
 * tenant, and show a handoff only to the people on it.
 */
import { cardInstant } from '../cards/card-time';
import { myHandoffsCard } from '../cards/my-handoffs-card';
import type { AdaptiveCard } from '../cards/render';
import { groupMyWork, WAIT_GROUP_TITLES, WAIT_GROUPS, waitLine } from '../domain/my-work';
import type { Handoff, Listing } from '../domain/handoff';
import { matches, maySee, parseSearchQuery, searchOrder } from '../domain/search';
import { handoffLink } from '../cards/notification-card';
import { listingsVisibleTo } from './listings';
import { type App, type Budget, type Caller, personalAddress } from './ports';

/** How many of a person's handoffs `mine` looks through at most, newest first (one page of their index partition): open work older than this is months old. */
const MINE_LIMIT = 200;
/**
 * How many of a person's handoffs one search looks through, newest first: one
 * page of their index partition, one round trip. A page of 1,000 took 86 ms
 * against Azurite with 100,000 handoffs in the table, 200 about 35 ms.
 */
const SEARCH_CANDIDATES = 200;

/**
 * The `mine` card: the person's open handoffs, grouped by what waits on them,
 * each saying who waits on whom. One query of their index partition: each
 * row's listing says all the card shows.
 */
async function myHandoffs(app: App, caller: Caller): Promise<AdaptiveCard> {
  const { actor } = caller;
  const now = new Date(app.clock.now());
  const groups = groupMyWork(await listingsVisibleTo(app, actor, MINE_LIMIT, caller.budget), actor.person.aadObjectId, now);
  return myHandoffsCard(
    WAIT_GROUPS.map((g) => ({
      title: WAIT_GROUP_TITLES[g],
      handoffs: groups[g].map((handoff) => ({ handoff, ...waitLine(handoff, g, now, cardInstant, actor.person.aadObjectId) })),
    })),
  );
}

/** Where a `mine` answer went: in the chat that asked (a personal chat), or to the person's personal chat. */
export type PrivateAnswer = { card: AdaptiveCard } | { reply: string };

/** What a private answer is called in the lines around it: "your handoffs", typed as "mine". */
export interface PrivateWhat {
  label: string;
  command: string;
}

/**
 * A per-person answer, privately: nobody but the person may see it, so asked
 * in a group chat or channel it goes to their personal chat, and the chat
 * that asked gets one line saying so.
 */
export async function privately(app: App, caller: Caller, build: () => Promise<AdaptiveCard>, what: PrivateWhat): Promise<PrivateAnswer> {
  const card = await build();
  if (caller.conversation.personal) return { card };
  const { name } = caller.actor.person;
  const chat = await app.stores.chats.find(caller.actor.tenantId, caller.actor.person.aadObjectId, caller.budget);
  if (!chat) {
    return {
      reply: `${name}, ${what.label} ${what.label.endsWith('s') ? 'are' : 'is'} yours alone to see: add Baton in your personal chat (Apps, then Baton, then Open) and type "${what.command}" there.`,
    };
  }
  try {
    await app.messenger.post(personalAddress(chat), card);
  } catch (error) {
    app.log.warn(`Could not send ${what.command} 1:1`, { person: caller.actor.person.aadObjectId, error: (error as Error).message });
    return { reply: `${name}, Baton could not write to your personal chat just now; type "${what.command}" there to see ${what.label}.` };
  }
  return {
    reply: `${name}, I sent ${what.label} to your personal chat with me, where only you can see ${what.label.endsWith('s') ? 'them' : 'it'}.`,
  };
}

/** `mine`, privately. */
export function myHandoffsPrivately(app: App, caller: Caller): Promise<PrivateAnswer> {
  return privately(app, caller, () => myHandoffs(app, caller), { label: 'your handoffs', command: 'mine' });
}

/**
 * The handoffs a person takes part in that match the words and filters,
 * open ones first; an empty query lists their open handoffs. Reads their
 * index partition only: each row carries the listing search filters on.
 */
export async function findHandoffs(app: App, caller: Caller, text: string, page: { skip: number; count: number }): Promise<Listing[]> {
  const query = parseSearchQuery(text.trim() === '' ? 'open' : text);
  const found = (await listingsVisibleTo(app, caller.actor, SEARCH_CANDIDATES, caller.budget))
    .filter((h) => matches(h, query, caller.actor.person.aadObjectId, new Date(app.clock.now())))
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
export async function handoffForLink(app: App, caller: Caller, url: string): Promise<Handoff | undefined> {
  const { actor } = caller;
  const id = handoffIdFromLink(url, app.settings.publicBaseUrl);
  const stored = id ? await app.stores.handoffs.read(id, caller.budget) : undefined;
  return stored && maySee(stored.handoff, actor.tenantId, actor.person.aadObjectId) ? stored.handoff : undefined;
}

/**
 * Where a Baton link goes: the handoff's message in Teams.
 * @returns undefined for an unknown id or a card that was never posted
 */
export async function handoffRedirect(app: App, id: string, budget: Budget): Promise<string | undefined> {
  if (!/^[0-9a-f]{20}$/.test(id)) return undefined;
  const stored = await app.stores.handoffs.read(id, budget);
  return stored ? handoffLink(stored.handoff) || undefined : undefined;
}
