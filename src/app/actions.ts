/**
 * A card action (an `Action.Execute` verb, from Teams or Outlook): the zod
 * schema its data must match, and the use case it runs. What each verb means
 * lives beside its use cases, at the end of each area's module (handoffs.ts,
 * summary.ts, templates.ts, away.ts, digest.ts); the
 * bot's router (src/bot/router.ts) finds the verb and answers with the result.
 */
import * as z from 'zod';
import type { Answer, App, Caller } from './ports';

export interface CardAction<S extends z.ZodType = z.ZodType> {
  data: S;
  run(app: App, caller: Caller, data: z.infer<S>): Promise<Answer>;
}

/** Declares a verb's handler with its data schema, keeping the two types tied together. */
export function cardAction<S extends z.ZodType>(
  data: S,
  run: (app: App, caller: Caller, data: z.infer<S>) => Promise<Answer>,
): CardAction<S> {
  return { data, run };
}

/** A card's reference to its handoff. */
export const handoffRef = z.object({ handoffId: z.string().regex(/^[0-9a-f]{20}$/, 'not a handoff id') });

/** Every free text a card sends is capped here, before any rule reads it; the rules give each field its own, stated limit. */
export const text = z.string().max(20_000).optional().default('');
