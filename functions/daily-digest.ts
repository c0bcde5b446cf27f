/**
 * Every 15 minutes (UTC): the daily digest of each person who chose one
 * (`settings`), once their working day has started; see src/app/digest.ts.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { sendDigests } from '../src/app/digest';
import { getBaton } from '../src/baton';
import { registerTimer } from '../src/functions';

export async function dailyDigestTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const report = await sendDigests(getBaton().app, { invocationId: context.invocationId });
  if (report.failed > 0) context.warn(`dailyDigest: ${report.failed} digests could not be sent (see the log); the next run tries again`);
}

registerTimer('dailyDigest', { schedule: '0 */15 * * * *', handler: dailyDigestTimer });
