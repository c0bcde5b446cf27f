/**
 * The `mine` answer: a person's open handoffs, grouped by what waits on them.
 */
import template from '../../cards/my-handoffs.json';
import type { Listing } from '../domain/handoff';
import { handoffLink } from './notification-card';
import { type AdaptiveCard, renderCard } from './render';

export interface MyHandoffsData {
  title: string;
  /** A line under the groups ('' for none). */
  footer: string;
  groups: { title: string; items: { summary: string; detail: string; due: string; link: string }[] }[];
}

/**
 * @param groups titles with their handoffs and the lines under each (who waits on whom, since when; when it is due, in the client's DATE and TIME), in the order to show; empty groups are left out
 * @param heading the card's title ("Your open handoffs" for `mine`) and a line under the groups
 */
export function myHandoffsCard(
  groups: { title: string; handoffs: { handoff: Listing; detail: string; due: string }[] }[],
  heading: { title: string; footer?: string } = { title: 'Your open handoffs' },
): AdaptiveCard {
  const data: MyHandoffsData = {
    title: heading.title,
    footer: heading.footer ?? '',
    groups: groups
      .filter((g) => g.handoffs.length > 0)
      .map((g) => ({
        title: g.title,
        // An item without a message link still needs a URL for selectAction; Teams ignores an empty one badly, so use the chat.
        items: g.handoffs.map(({ handoff, detail, due }) => ({
          summary: handoff.summary,
          detail,
          due,
          link: handoffLink(handoff) || 'https://teams.microsoft.com',
        })),
      })),
  };
  return renderCard(template, data);
}
