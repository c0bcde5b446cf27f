/**
 * Cards are JSON templates (cards/*.json) plus typed data. This is the one
 * place that expands a template.
 */
import { Template } from 'adaptivecards-templating';

/** An Adaptive Card as JSON. */
export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

/**
 * Expands a template with data. Values are inserted as data, never evaluated
 * as template expressions, so `${...}` typed by a user stays text.
 */
export function renderCard<T extends object>(template: object, data: T): AdaptiveCard {
  return new Template(template).expand({ $root: data }) as AdaptiveCard;
}
