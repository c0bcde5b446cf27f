/**
 * Cards are JSON templates (cards/*.json) plus typed data. This is the one
 * place that expands a template (with ./template, Adaptive Card Templating's
 * rules without its 700 KB of expression runtime).
 */
import { CardTemplate } from './template';

/** An Adaptive Card as JSON. */
export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

/** Each template compiled once, on its first render; a render only evaluates it. */
const compiled = new WeakMap<object, CardTemplate>();

/**
 * Expands a template with data. Values are inserted as data, never evaluated
 * as template expressions, so `${...}` typed by a user stays text.
 */
export function renderCard<T extends object>(template: object, data: T): AdaptiveCard {
  let prepared = compiled.get(template);
  if (!prepared) compiled.set(template, (prepared = new CardTemplate(template)));
  return prepared.expand(data) as AdaptiveCard;
}
