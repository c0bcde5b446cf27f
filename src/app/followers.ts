/**
 * Who gets the weekly summary: a handoff's stakeholders, recorded by the time
 * zone they live in (the outbox's index row calls this after a handoff is
 * created, resubmitted or reassigned). Apart from summary.ts, so the outbox
 * does not import the summary's use cases.
 */
import type { Handoff, Person } from '../domain/handoff';
import type { Services } from './ports';

/** The summary's time zone for a person: their mailbox's, or the default week's. */
export async function zoneOf(app: Services, tenantId: string, person: Person): Promise<string> {
  return (await app.workingHours(tenantId, person)).timeZone;
}

/** Records a handoff's stakeholders as people who get the summary, in their time zone (idempotent). */
export async function registerFollowers(app: Services, handoff: Handoff): Promise<void> {
  await Promise.all(
    handoff.stakeholders.map(async (person) =>
      app.summaries.subscribe({ tenantId: handoff.tenantId, aadObjectId: person.aadObjectId, name: person.name, timeZone: await zoneOf(app, handoff.tenantId, person) }),
    ),
  );
}

