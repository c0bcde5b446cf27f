/**
 * Every 15 minutes (UTC): nudge whoever holds a handoff whose step is due,
 * tell owners of what stays overdue, close accepted handoffs left open.
 * Azure Functions runs one timer invocation at a time across instances; a
 * run that fails is not retried, and the next one does what it left.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { getBaton } from '../src/baton';
import { overdueCheck } from '../src/app/overdue';
import { registerTimer } from '../src/functions';

export async function overdueCheckTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const report = await overdueCheck(getBaton().app, { invocationId: context.invocationId });
  if (report.failed > 0)
    context.warn(`overdueCheck: ${report.failed} handoffs could not be settled (see the log); the next run tries again`);
}

registerTimer('overdueCheck', { schedule: '0 */15 * * * *', handler: overdueCheckTimer });
