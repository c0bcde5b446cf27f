/**
 * A person's working hours as the use cases ask for them: their week from
 * the directory (their mailbox settings), or Baton's default week when it
 * cannot say (said once in the log per person), with their absences: what
 * their automatic replies and what they told Baton (`away`) say now, and the
 * absences Baton already saw (src/domain/away.ts). Time away is never working
 * time, so every due time, lead time and cycle time counted in these hours
 * skips it.
 */
import { mergeAbsences, normalizeAbsences, statedAbsences, withAway } from '../domain/away';
import type { Person } from '../domain/handoff';
import { DEFAULT_WORKING_HOURS, type WorkingHours } from '../domain/working-hours';
import type { Clock } from '../clock';
import { errorText, type Logger } from '../logger';
import { LruMap } from '../lru';
import type { AwayRecords, Budget, Directory } from './ports';

/** People whose unknown working hours were already logged: every card render asks; the log should say it once. */
const UNKNOWN_HOURS_LOGGED = 10_000;

/** `workingHours(tenantId, person, budget)` over the directories and the away records, for the app. */
export function workingHoursFrom(
  directoryFor: (tenantId: string) => Directory,
  away: AwayRecords,
  clock: Clock,
  log: Logger,
): (tenantId: string, person: Person, budget: Budget) => Promise<WorkingHours> {
  const loggedUnknown = new LruMap<string, true>(UNKNOWN_HOURS_LOGGED);
  const week = async (directory: Directory, person: Person): Promise<WorkingHours> => {
    try {
      return await directory.getWorkingHours(person.aadObjectId);
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
  return async (tenantId, person, budget) => {
    const directory = directoryFor(tenantId);
    const [hours, replies, record] = await Promise.all([
      week(directory, person),
      // Unknown replies are not "off": the absences Baton saw stay as they were.
      directory.getAutomaticReplies(person.aadObjectId).catch(() => undefined),
      away.get(tenantId, person.aadObjectId, budget).catch((error: unknown) => {
        log.warn(`Absences of ${person.name} unknown just now; counting without them`, {
          person: person.aadObjectId,
          error: errorText(error),
        });
        return undefined;
      }),
    ]);
    const known = record?.absences ?? [];
    const now = new Date(clock.now()).toISOString();
    const absences =
      replies === undefined
        ? normalizeAbsences([...known, ...(record?.declared ? [record.declared] : [])])
        : mergeAbsences(known, statedAbsences(replies, record?.declared, known, now), now);
    return absences.length > 0 ? withAway(hours, absences) : hours;
  };
}
