/**
 * Universal Actions (`Action.Execute`): one handler per verb, in a table.
 * Each verb parses its own data; an unknown verb or bad data answers
 * 400 `application/vnd.microsoft.error` and changes nothing.
 */
import type { AdaptiveCardInvokeResponse, TurnContext } from 'botbuilder';
import type { z } from 'zod';
import type { AdaptiveCard } from '../cards/render';
import type { Person } from '../domain/handoff';
import type { Directory } from '../graph';
import type { ConversationStore, PersonalChat } from '../store/conversation-store';
import type { HandoffStore } from '../store/handoff-store';
import type { PeopleIndex } from '../store/people-index';
import type { Actor } from './turn';

/** Verb names, shared by the templates in cards/ (a test checks they match) and the handlers. */
export const VERBS = {
  createHandoff: 'handoff.create',
  edit: 'handoff.edit',
  resubmit: 'handoff.resubmit',
  accept: 'handoff.accept',
  requestChanges: 'handoff.requestChanges',
  ask: 'handoff.ask',
  answer: 'handoff.answer',
  setWorkState: 'handoff.setWorkState',
  cancel: 'handoff.cancel',
  reassign: 'handoff.reassign',
  nudge: 'handoff.nudge',
  close: 'handoff.close',
  flagPriority: 'handoff.flagPriority',
  history: 'handoff.history',
  refresh: 'handoff.refresh',
} as const;

export interface Services {
  store: HandoffStore;
  people: PeopleIndex;
  conversations: ConversationStore;
  /** Sends a card to a person's personal chat. @throws when the connector refuses it */
  sendToPerson: (chat: PersonalChat, card: AdaptiveCard) => Promise<void>;
  /**
   * The directory for a tenant's users: people beyond the conversation and
   * working hours (Microsoft Graph, or the local directory). Baton's directory
   * covers one tenant; for any other it knows no one.
   */
  directoryFor: (tenantId: string) => Directory;
  /** A person's working minutes from an instant to the end of a calendar day (their time zone). */
  workingMinutesUntil: (tenantId: string, person: Person, from: Date, day: string) => Promise<number>;
  /** Where Baton's own links point (config.publicBaseUrl). */
  publicBaseUrl: string;
  now: () => Date;
  log: (message: string) => void;
}

export interface ActionContext {
  turn: TurnContext;
  actor: Actor;
  services: Services;
  /** The activity id: Teams resends an unanswered invoke with the same id. */
  activityId: string;
}

export interface CardAction<S extends z.ZodType = z.ZodType> {
  data: S;
  run(context: ActionContext, data: z.infer<S>): Promise<AdaptiveCardInvokeResponse>;
}

/** Declares a handler with its data schema, keeping the two types tied together. */
export function cardAction<S extends z.ZodType>(data: S, run: (context: ActionContext, data: z.infer<S>) => Promise<AdaptiveCardInvokeResponse>): CardAction<S> {
  return { data, run };
}

export function cardResponse(card: AdaptiveCard): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card };
}

export function errorResponse(statusCode: 400 | 403 | 404 | 500 | 503, code: string, message: string): AdaptiveCardInvokeResponse {
  return { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } as never };
}

/** What a person reads when a part Baton depends on fails before anything changed. */
export const UNAVAILABLE = 'Baton could not complete this just now: its storage or directory did not answer. Nothing was changed; please try again in a minute.';

/** Finds the verb's handler, parses its data and runs it. */
export async function dispatchCardAction(
  table: Readonly<Record<string, CardAction>>,
  context: ActionContext,
  verb: string,
  data: unknown,
): Promise<AdaptiveCardInvokeResponse> {
  const action = Object.hasOwn(table, verb) ? table[verb] : undefined;
  if (!action) return errorResponse(400, 'BadRequest', `Baton does not know the action "${verb.slice(0, 60)}".`);
  const parsed = action.data.safeParse(data ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return errorResponse(400, 'BadRequest', `The card sent data Baton cannot read (${first?.path.join('.') || 'data'}: ${first?.message}).`);
  }
  try {
    return await action.run(context, parsed.data);
  } catch (error) {
    // Teams would show a bare "something went wrong"; the card says what happened. Writes are transactional, so nothing half-changed.
    context.services.log(`${verb} failed: ${(error as Error).stack ?? String(error)}`);
    return errorResponse(503, 'ServiceUnavailable', UNAVAILABLE);
  }
}
