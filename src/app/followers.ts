/**
 * Who gets the weekly summary: a handoff's stakeholders, recorded by the time
 * zone they live in (the deliverer's index row calls this after a handoff is
 * created, resubmitted or reassigned). Apart from summary.ts, so the
 * deliverer does not import the summary's use cases.
 */
import type { Handoff, Person } from '../domain/handoff';
import type { App, Budget } from './ports';

/** The summary's time zone for a person: their mailbox's, or the default week's. */
export async function zoneOf(app: Pick<App, 'workingHours'>, tenantId: string, person: Person, budget: Budget): Promise<string> {
  return (await app.workingHours(tenantId, person, budget)).timeZone;
}

/** Records a handoff's stakeholders as people who get the summary, in their time zone (idempotent). */
export async function registerFollowers(app: Pick<App, 'stores' | 'workingHours'>, handoff: Handoff, budget: Budget): Promise<void> {
  await Promise.all(
    handoff.stakeholders.map(async (person) =>
      app.stores.subscribers.subscribe(
        {
          tenantId: handoff.tenantId,
          aadObjectId: person.aadObjectId,
          name: person.name,
          timeZone: await zoneOf(app, handoff.tenantId, person, budget),
        },
        budget,
      ),
    ),
  );
}
