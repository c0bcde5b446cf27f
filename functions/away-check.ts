/**
 * Every 15 minutes (UTC): who is away, from their automatic replies and what
 * they told Baton; the due times of what waits on them moved, their reviews
 * handed to their successor when they asked, the owners told once inside
 * their working hours, and on return what was handed on; see src/app/away.ts.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { awayCheck } from '../src/app/away';
import { getBaton } from '../src/baton';
import { registerTimer } from '../src/functions';

export async function awayCheckTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const report = await awayCheck(getBaton().app, { invocationId: context.invocationId });
  if (report.failed > 0) context.warn(`awayCheck: ${report.failed} people could not be looked at (see the log); the next run tries again`);
}

registerTimer('awayCheck', { schedule: '0 */15 * * * *', handler: awayCheckTimer });
