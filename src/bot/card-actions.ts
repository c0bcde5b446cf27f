/**
 * Universal Actions (`Action.Execute`): one handler per verb, in a table,
 * for Teams and Outlook alike. Each verb parses its own data and calls one
 * use case; an unknown verb or bad data answers 400
 * `application/vnd.microsoft.error` and changes nothing.
 */
import type { AdaptiveCardInvokeResponse } from 'botbuilder';
import * as z from 'zod';
import {
  type Answer,
  type App,
  applyCommand,
  editForm,
  nudgeHandoff,
  reassignHandoff,
  resubmitHandoff,
  submitForm,
  viewHandoff,
} from '../app/handoffs';
import type { Caller } from '../app/ports';
import { flagFromSummary, refreshSummary, setSummaryWanted } from '../app/summary';
import type { AdaptiveCard } from '../cards/render';
import { VERBS } from '../cards/verbs';
import { PRIORITIES, WORK_STATES } from '../domain/handoff';
import { CRITERIA_MAX, handoffFormInput } from '../domain/handoff-form';
import { errorText } from '../logger';

export interface CardAction<S extends z.ZodType = z.ZodType> {
  data: S;
  run(app: App, caller: Caller, data: z.infer<S>): Promise<Answer>;
}

/** Declares a handler with its data schema, keeping the two types tied together. */
export function cardAction<S extends z.ZodType>(data: S, run: (app: App, caller: Caller, data: z.infer<S>) => Promise<Answer>): CardAction<S> {
  return { data, run };
}

export function cardResponse(card: AdaptiveCard): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card };
}

export function errorResponse(statusCode: 400 | 403 | 404 | 500 | 503, code: string, message: string): AdaptiveCardInvokeResponse {
  return { statusCode, type: 'application/vnd.microsoft.error', value: { code, message } as never };
}

function toResponse(answer: Answer): AdaptiveCardInvokeResponse {
  return 'card' in answer ? cardResponse(answer.card) : errorResponse(answer.error.status, answer.error.code, answer.error.message);
}

/** What a person reads when a part Baton depends on fails before anything changed. */
export const UNAVAILABLE = 'Baton could not complete this just now: its storage or directory did not answer. Nothing was changed; please try again in a minute.';

/** The invoke's value as Universal Actions send it: a string verb (never coerced) and an object of data. */
const invokeValue = z.object({
  action: z.object({
    verb: z.string().min(1).max(100),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
});

/**
 * Finds the verb's handler, parses its data and runs it.
 * @param value the invoke activity's `value`
 */
export async function dispatchCardAction(table: Readonly<Record<string, CardAction>>, app: App, caller: Caller, value: unknown): Promise<AdaptiveCardInvokeResponse> {
  const invoke = invokeValue.safeParse(value);
  if (!invoke.success) return errorResponse(400, 'BadRequest', 'The card sent an action Baton cannot read (it needs a verb and an object of data).');
  const { verb, data } = invoke.data.action;
  const action = Object.hasOwn(table, verb) ? table[verb] : undefined;
  if (!action) return errorResponse(400, 'BadRequest', `Baton does not know the action "${verb.slice(0, 60)}".`);
  const parsed = action.data.safeParse(data ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return errorResponse(400, 'BadRequest', `The card sent data Baton cannot read (${first?.path.join('.') || 'data'}: ${first?.message}).`);
  }
  try {
    return toResponse(await action.run(app, caller, parsed.data));
  } catch (error) {
    // Teams would show a bare "something went wrong"; the card says what happened. Writes are transactional, so nothing half-changed.
    app.log.error(`${verb} failed`, { verb, activityId: caller.activityId, tenant: caller.actor.tenantId, error: error instanceof Error ? (error.stack ?? error.message) : errorText(error) });
    return errorResponse(503, 'ServiceUnavailable', UNAVAILABLE);
  }
}

const handoffRef = z.object({ handoffId: z.string().regex(/^[0-9a-f]{20}$/, 'not a handoff id') });
/** Every free text a card sends is capped here, before any rule reads it; the rules give each field its own, stated limit. */
const text = z.string().max(20_000).optional().default('');
const withComment = handoffRef.extend({ comment: text });
/** Input.Toggle sends "true"/"false" per criterion, keyed criterion0, criterion1, ...; other inputs of the card come along and are ignored. */
const acceptData = handoffRef.extend({ comment: text }).catchall(z.unknown());
const boolish = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');

/** The summary's buttons name the week they show: a week's key (its last local date), or 'latest'. */
const summaryRef = z.object({ week: z.union([z.literal('latest'), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'not a week')]).optional().default('latest') });

/** Every verb Baton answers, and its handler. */
export const handoffActions: Readonly<Record<string, CardAction>> = {
  [VERBS.createHandoff]: cardAction(handoffFormInput, (app, caller, input) => submitForm(app, caller, input)),
  [VERBS.edit]: cardAction(handoffRef, (app, caller, data) => editForm(app, caller, data.handoffId)),
  [VERBS.resubmit]: cardAction(handoffFormInput.extend(handoffRef.shape), (app, caller, input) => resubmitHandoff(app, caller, input.handoffId, input)),
  [VERBS.accept]: cardAction(acceptData, (app, caller, data) => {
    const ticked = (i: number) => data[`criterion${i}`] === 'true' || data[`criterion${i}`] === true;
    // A card has at most CRITERIA_MAX toggles; the refused card shows back what was ticked.
    const checked = Array.from({ length: CRITERIA_MAX }, (_, i) => ticked(i));
    return applyCommand(app, caller, data.handoffId, (handoff) => ({ type: 'accept', checked: handoff.acceptanceCriteria.map((_, i) => ticked(i)), note: data.comment }), {
      draft: { checked, comment: data.comment },
    });
  }),
  [VERBS.requestChanges]: cardAction(withComment, (app, caller, data) => applyCommand(app, caller, data.handoffId, { type: 'requestChanges', comment: data.comment })),
  [VERBS.ask]: cardAction(withComment, (app, caller, data) => applyCommand(app, caller, data.handoffId, { type: 'ask', question: data.comment })),
  [VERBS.answer]: cardAction(handoffRef.extend({ answer: text }), (app, caller, data) => applyCommand(app, caller, data.handoffId, { type: 'answer', answer: data.answer })),
  [VERBS.setWorkState]: cardAction(handoffRef.extend({ workState: z.enum(WORK_STATES), blocker: text }), (app, caller, data) =>
    applyCommand(app, caller, data.handoffId, { type: 'setWorkState', workState: data.workState, blocker: data.blocker }),
  ),
  [VERBS.cancel]: cardAction(handoffRef.extend({ reason: text }), (app, caller, data) => applyCommand(app, caller, data.handoffId, { type: 'cancel', reason: data.reason })),
  [VERBS.reassign]: cardAction(handoffRef.extend({ newReceiver: text }), (app, caller, data) => reassignHandoff(app, caller, data.handoffId, data.newReceiver)),
  [VERBS.nudge]: cardAction(handoffRef, (app, caller, data) => nudgeHandoff(app, caller, data.handoffId)),
  [VERBS.close]: cardAction(withComment, (app, caller, data) => applyCommand(app, caller, data.handoffId, { type: 'close', note: data.comment })),
  [VERBS.flagPriority]: cardAction(handoffRef.extend({ priority: z.enum(PRIORITIES), priorityReason: text }), (app, caller, data) =>
    applyCommand(app, caller, data.handoffId, { type: 'flagPriority', priority: data.priority, reason: data.priorityReason }),
  ),
  [VERBS.history]: cardAction(handoffRef.extend({ show: boolish.optional() }), (app, caller, data) => viewHandoff(app, caller, data.handoffId, { history: data.show ?? true })),
  [VERBS.refresh]: cardAction(handoffRef, (app, caller, data) => viewHandoff(app, caller, data.handoffId)),
  [VERBS.summaryRefresh]: cardAction(summaryRef, (app, caller, data) => refreshSummary(app, caller, data.week)),
  [VERBS.summaryFlagPriority]: cardAction(summaryRef.extend(handoffRef.shape).extend({ priority: z.enum(PRIORITIES), priorityReason: text }), (app, caller, data) =>
    flagFromSummary(app, caller, data.week, data.handoffId, data.priority, data.priorityReason),
  ),
  [VERBS.summaryStop]: cardAction(summaryRef, (app, caller, data) => setSummaryWanted(app, caller, data.week, false)),
  [VERBS.summaryStart]: cardAction(summaryRef, (app, caller, data) => setSummaryWanted(app, caller, data.week, true)),
};
