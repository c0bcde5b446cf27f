/**
 * A search result: what the messaging extension inserts in the compose box.
 * Built from the person index's listing alone (search reads no handoff); its
 * refresh turns it into the live handoff card, each viewer's own view, as soon
 * as someone on the handoff sees it.
 */
import template from '../../cards/handoff-result.json';
import type { Listing } from '../domain/handoff';
import { refreshUserIdsOf } from './handoff-cards';
import { type AdaptiveCard, renderCard } from './render';

export interface HandoffResultData {
  handoffId: string;
  summary: string;
  /** The status line the result's preview shows too. */
  line: string;
  /** Baton's own link to the handoff, which opens its message in Teams. */
  link: string;
  refreshUserIds: string[];
}

export function handoffResultCard(listing: Listing, line: string, link: string): AdaptiveCard {
  return renderCard(template, {
    handoffId: listing.id,
    summary: listing.summary,
    line,
    link,
    refreshUserIds: refreshUserIdsOf(listing),
  } satisfies HandoffResultData);
}
