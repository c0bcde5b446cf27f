/**
 * Cards are JSON templates (cards/*.json) plus typed data. This is the one
 * place that expands a template.
 */
import { Template } from 'adaptivecards-templating';

/** An Adaptive Card as JSON. */
export type AdaptiveCard = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

/**
 * Each template parsed once: `new Template` parses every `${...}` of the
 * template into an expression, which is most of a render's time; `expand`
 * only evaluates them (synchronously, so one instance serves every render).
 */
const parsed = new WeakMap<object, Template>();

/**
 * Expands a template with data. Values are inserted as data, never evaluated
 * as template expressions, so `${...}` typed by a user stays text.
 */
export function renderCard<T extends object>(template: object, data: T): AdaptiveCard {
  let prepared = parsed.get(template);
  if (!prepared) parsed.set(template, (prepared = new Template(template)));
  return prepared.expand({ $root: data }) as AdaptiveCard;
}
