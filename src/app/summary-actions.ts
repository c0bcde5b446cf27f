/**
 * What each summary verb means (the weekly summary's buttons, in the Teams
 * card and the Outlook email alike): each names the week it shows.
 */
import * as z from 'zod';
import { VERBS } from '../cards/verbs';
import { PRIORITIES } from '../domain/handoff';
import { type CardAction, cardAction, handoffRef, text } from './actions';
import { flagFromSummary, refreshSummary, setSummaryWanted } from './summary';

/** A week's key (its last local date), or 'latest' (the seven days up to now). */
const summaryRef = z.object({
  week: z
    .union([z.literal('latest'), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'not a week')])
    .optional()
    .default('latest'),
});

export const summaryActions: Readonly<Record<string, CardAction>> = {
  [VERBS.summaryRefresh]: cardAction(summaryRef, (app, caller, data) => refreshSummary(app, caller, data.week)),
  [VERBS.summaryFlagPriority]: cardAction(
    summaryRef.extend(handoffRef.shape).extend({ priority: z.enum(PRIORITIES), priorityReason: text }),
    (app, caller, data) => flagFromSummary(app, caller, data.week, data.handoffId, data.priority, data.priorityReason),
  ),
  [VERBS.summaryStop]: cardAction(summaryRef, (app, caller, data) => setSummaryWanted(app, caller, data.week, false)),
  [VERBS.summaryStart]: cardAction(summaryRef, (app, caller, data) => setSummaryWanted(app, caller, data.week, true)),
};
