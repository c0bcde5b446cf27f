/**
 * The weekly stakeholder summary, in two functions:
 *
 * - `weeklySummary`, every hour on the hour (UTC): for each time zone where it
 *   has just become the summary's day and hour (Monday 08:00 by default), one
 *   queue message per person there. `POST /admin/functions/weeklySummary`
 *   runs it now (it enqueues each zone's most recent week not enqueued yet).
 * - `sendSummary`, on the queue: builds and sends one person's summary, once
 *   per week whatever the queue does. A message that keeps failing moves to
 *   `<queue>-poison` after host.json's maxDequeueCount tries.
 *
 * Fan-out through a queue is what lets the send scale out over instances.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { enqueueDueSummaries, sendSummary } from '../src/app/summary';
import { getBaton } from '../src/baton';
import { registerQueue, registerTimer } from '../src/functions';

export async function weeklySummaryTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const { app } = getBaton();
  const report = await enqueueDueSummaries(app);
  app.log.info('Weekly summaries enqueued', { invocationId: context.invocationId, ...report });
}

export async function sendSummaryFromQueue(message: unknown, context: InvocationContext): Promise<void> {
  const { app } = getBaton();
  const result = await sendSummary(app, message);
  const { outcome, ...detail } = result;
  app.log.info(`Weekly summary ${outcome}`, {
    invocationId: context.invocationId,
    dequeueCount: Number(context.triggerMetadata?.dequeueCount ?? 0),
    detail: JSON.stringify(detail),
  });
}

registerTimer('weeklySummary', { schedule: '0 0 * * * *', handler: weeklySummaryTimer });
// The queue is named by an app setting, resolved by the host as it loads the function (Azure's binding
// expression): no setting is read while this file loads, so one bad setting cannot stop every function registering.
registerQueue('sendSummary', { queueName: '%BATON_SUMMARY_QUEUE%', connection: 'AzureWebJobsStorage', handler: sendSummaryFromQueue });
