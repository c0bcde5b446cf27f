/**
 * Every minute: deliver the outbox rows a crash, a hung connector or a
 * throttled one left behind. Azure Functions timers do not retry a failed
 * run; the next minute's run picks up what this one did not.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { getBaton } from '../src/baton';
import { registerTimer } from '../src/functions';

export async function outboxSweep(_timer: Timer, context: InvocationContext): Promise<void> {
  const report = await getBaton().app.deliveries.sweep({ invocationId: context.invocationId });
  if (report.dead > 0) context.warn(`outboxSweep: ${report.dead} outbox rows are dead (see the log for their reasons)`);
}

registerTimer('outboxSweep', { schedule: '0 * * * * *', handler: outboxSweep });
