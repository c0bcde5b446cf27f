/**
 * What each handoff verb means: its data, read from the card, and the change
 * or view it asks for. One entry per verb, for Teams and Outlook alike.
 */
import * as z from 'zod';
import { VERBS } from '../cards/verbs';
import { PRIORITIES, WORK_STATES } from '../domain/handoff';
import { CRITERIA_MAX, handoffFormInput } from '../domain/handoff-form';
import { templateChoiceInput } from '../domain/templates';
import { type CardAction, cardAction, handoffRef, text } from './actions';
import { changeHandoff, editForm, nudgeHandoff, reassignHandoff, resubmitHandoff, submitForm, viewHandoff } from './handoffs';

const withComment = handoffRef.extend({ comment: text });
/** Input.Toggle sends "true"/"false" per criterion, keyed criterion0, criterion1, ...; other inputs of the card come along and are ignored. */
const acceptData = handoffRef.extend({ comment: text }).catchall(z.unknown());
const boolish = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');

/** Every handoff verb, and what it does. */
export const handoffActions: Readonly<Record<string, CardAction>> = {
  [VERBS.createHandoff]: cardAction(handoffFormInput.extend(templateChoiceInput.shape), (app, caller, input) =>
    submitForm(app, caller, input),
  ),
  [VERBS.edit]: cardAction(handoffRef, (app, caller, data) => editForm(app, caller, data.handoffId)),
  [VERBS.resubmit]: cardAction(handoffFormInput.extend(handoffRef.shape).extend(templateChoiceInput.shape), (app, caller, input) =>
    resubmitHandoff(app, caller, input.handoffId, input),
  ),
  [VERBS.accept]: cardAction(acceptData, (app, caller, data) => {
    const ticked = (i: number) => data[`criterion${i}`] === 'true' || data[`criterion${i}`] === true;
    // A card has at most CRITERIA_MAX toggles; a refused card shows back what was ticked.
    const checked = Array.from({ length: CRITERIA_MAX }, (_, i) => ticked(i));
    return changeHandoff(
      app,
      caller,
      data.handoffId,
      (handoff) => ({ type: 'accept', checked: handoff.acceptanceCriteria.map((_, i) => ticked(i)), note: data.comment }),
      {
        draft: { checked, comment: data.comment },
      },
    );
  }),
  [VERBS.requestChanges]: cardAction(withComment, (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'requestChanges', comment: data.comment })),
  ),
  [VERBS.ask]: cardAction(withComment, (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'ask', question: data.comment })),
  ),
  [VERBS.answer]: cardAction(handoffRef.extend({ answer: text }), (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'answer', answer: data.answer })),
  ),
  [VERBS.setWorkState]: cardAction(handoffRef.extend({ workState: z.enum(WORK_STATES), blocker: text }), (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'setWorkState', workState: data.workState, blocker: data.blocker })),
  ),
  [VERBS.cancel]: cardAction(handoffRef.extend({ reason: text }), (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'cancel', reason: data.reason })),
  ),
  [VERBS.reassign]: cardAction(handoffRef.extend({ newReceiver: text }), (app, caller, data) =>
    reassignHandoff(app, caller, data.handoffId, data.newReceiver),
  ),
  [VERBS.nudge]: cardAction(handoffRef, (app, caller, data) => nudgeHandoff(app, caller, data.handoffId)),
  [VERBS.close]: cardAction(withComment, (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'close', note: data.comment })),
  ),
  [VERBS.flagPriority]: cardAction(handoffRef.extend({ priority: z.enum(PRIORITIES), priorityReason: text }), (app, caller, data) =>
    changeHandoff(app, caller, data.handoffId, () => ({ type: 'flagPriority', priority: data.priority, reason: data.priorityReason })),
  ),
  [VERBS.history]: cardAction(handoffRef.extend({ show: boolish.optional() }), (app, caller, data) =>
    viewHandoff(app, caller, data.handoffId, { history: data.show ?? true }),
  ),
  [VERBS.refresh]: cardAction(handoffRef, (app, caller, data) => viewHandoff(app, caller, data.handoffId)),
};
