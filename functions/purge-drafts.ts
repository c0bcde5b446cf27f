/**
 * Every hour: delete the messaging extension's preview drafts that expired
 * (a preview keeps its form for a day; see src/app/previews.ts). Table
 * Storage has no time to live of its own; an expired draft is never used
 * before this runs either.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { getBaton } from '../src/baton';
import { purgeDrafts } from '../src/app/previews';
import { registerTimer } from '../src/functions';

export async function purgeDraftsTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const { app } = getBaton();
  const purged = await purgeDrafts(app);
  if (purged > 0) app.log.info('Expired preview drafts deleted', { invocationId: context.invocationId, purged });
}

registerTimer('purgeDrafts', { schedule: '0 30 * * * *', handler: purgeDraftsTimer });
