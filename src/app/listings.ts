/**
 * The handoffs a person takes part in, as `mine`, search and the summary read
 * them: one query of their person-index partition, whose rows carry each
 * handoff's listing. A handoff is shown only to the people on it.
 */
import type { Listing } from '../domain/handoff';
import { maySee } from '../domain/search';
import type { Actor, App, Budget } from './ports';

/** The listings of the handoffs a person is on, newest first, at most `limit`; a row that cannot be read is skipped and logged. */
export async function listingsVisibleTo(app: Pick<App, 'stores' | 'log'>, actor: Actor, limit: number, budget: Budget): Promise<Listing[]> {
  const rows = await app.stores.people.handoffsOf(actor.tenantId, actor.person.aadObjectId, limit, budget);
  const seen = new Set<string>();
  return rows.flatMap(({ handoffId, listing }) => {
    if (!listing) {
      app.log.error('Skipped a person-index row that cannot be read', { handoffId });
      return [];
    }
    if (seen.has(listing.id) || !maySee(listing, actor.tenantId, actor.person.aadObjectId)) return [];
    seen.add(listing.id);
    return [listing];
  });
}
