/**
 * Lead time (the article's "late deliveries" pitfall): a handoff with an
 * effort and a needed-by date needs at least that much of the receiver's
 * working time before the date. One posted with less is late.
 */
import { instantAt } from './time-zones';
import { type WorkingHours, workingMinutesBetween } from './working-hours';

/** The instant a calendar day (YYYY-MM-DD) ends in a time zone: the next day's midnight there. */
export function endOfDay(day: string, timeZone: string): Date {
  const [year = 0, month = 1, date = 1] = day.split('-').map(Number);
  const next = new Date(Date.UTC(year, month - 1, date + 1));
  return new Date(instantAt({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), minutes: 0 }, timeZone));
}

/** The receiver's working minutes from `from` to the end of the needed-by day, in their zone. */
export function workingMinutesUntilDay(hours: WorkingHours, from: Date, day: string): number {
  const end = endOfDay(day, hours.timeZone);
  return end <= from ? 0 : workingMinutesBetween(hours, from, end);
}

/**
 * Whether a handoff posted now is late.
 * @param workingMinutesUntilDue the receiver's working minutes from posting to the end of the needed-by day
 */
export function isLate(effortMinutes: number | undefined, neededBy: string | undefined, workingMinutesUntilDue: () => number): boolean {
  if (effortMinutes === undefined || neededBy === undefined) return false;
  return workingMinutesUntilDue() < effortMinutes;
}
