/**
 * The `mine` answer: a person's open handoffs, grouped by what waits on them.
 */
import template from '../../cards/my-handoffs.json';
import type { Listing } from '../domain/handoff';
import { handoffLink } from './notification-card';
import { type AdaptiveCard, renderCard } from './render';

export interface MyHandoffsData {
  groups: { title: string; items: { summary: string; detail: string; link: string }[] }[];
}

/**
 * @param groups titles with their handoffs and the line under each (who waits on whom, since when), in the order to show; empty groups are left out
 */
export function myHandoffsCard(groups: { title: string; handoffs: { handoff: Listing; detail: string }[] }[]): AdaptiveCard {
  const data: MyHandoffsData = {
    groups: groups
      .filter((g) => g.handoffs.length > 0)
      .map((g) => ({
        title: g.title,
        // An item without a message link still needs a URL for selectAction; Teams ignores an empty one badly, so use the chat.
        items: g.handoffs.map(({ handoff, detail }) => ({
          summary: handoff.summary,
          detail,
          link: handoffLink(handoff) || 'https://teams.microsoft.com',
        })),
      })),
  };
  return renderCard(template, data);
}
