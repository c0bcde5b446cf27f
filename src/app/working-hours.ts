/**
 * A person's working hours as the use cases ask for them: from the directory
 * (their mailbox settings), or Baton's default week when it cannot say, said
 * once in the log per person.
 */
import type { Person } from '../domain/handoff';
import { DEFAULT_WORKING_HOURS, type WorkingHours } from '../domain/working-hours';
import { errorText, type Logger } from '../logger';
import { LruMap } from '../lru';
import type { Directory } from './ports';

/** People whose unknown working hours were already logged: every card render asks; the log should say it once. */
const UNKNOWN_HOURS_LOGGED = 10_000;

/** `workingHours(tenantId, person)` over the directories, for the app. */
export function workingHoursFrom(
  directoryFor: (tenantId: string) => Directory,
  log: Logger,
): (tenantId: string, person: Person) => Promise<WorkingHours> {
  const loggedUnknown = new LruMap<string, true>(UNKNOWN_HOURS_LOGGED);
  return async (tenantId, person) => {
    try {
      return await directoryFor(tenantId).getWorkingHours(person.aadObjectId);
    } catch (error) {
      if (!loggedUnknown.has(person.aadObjectId)) {
        loggedUnknown.set(person.aadObjectId, true);
        log.info(`Working hours of ${person.name} unknown; using Monday to Friday, 09:00-17:00 UTC`, {
          person: person.aadObjectId,
          error: errorText(error),
        });
      }
      return DEFAULT_WORKING_HOURS;
    }
  };
}
