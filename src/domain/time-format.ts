/**
 * One way to write a date and time, everywhere Baton shows one (the card,
 * its history, `mine`, 1:1 messages, the summary): "Thu 4 Dec, 10:00" in the
 * viewer's time zone, the year added when it is not this year, and "UTC" when
 * the viewer's zone is unknown; with a relative hint where it helps
 * ("in 2 days", "3 hours ago").
 */
import { canonicalTimeZone } from './time-zones';

/** Formatters by the runtime's own zone name: at most one per zone Intl knows. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, found);
  }
  return found;
}

function parts(instant: Date, timeZone: string): Record<string, string> {
  return Object.fromEntries(
    formatter(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
}

/**
 * "Thu 4 Dec, 10:00" in `timeZone` (a zone Intl does not know counts as
 * unknown); "Thu 4 Dec 2025, 10:00" outside the current year; " UTC" added
 * when the zone is unknown, so nobody reads UTC as their own time.
 */
export function formatWhen(instant: Date | string, timeZone: string | undefined, now: Date): string {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  if (!Number.isFinite(at.getTime())) return '';
  const zone = canonicalTimeZone(timeZone) ?? 'UTC';
  const p = parts(at, zone);
  const year = p.year === parts(now, zone).year ? '' : ` ${p.year}`;
  return `${p.weekday} ${p.day} ${p.month}${year}, ${p.hour}:${p.minute}${zone === 'UTC' && canonicalTimeZone(timeZone) === undefined ? ' UTC' : ''}`;
}

/** "Thu 4 Dec" (and the year when it is not this year), for calendar dates such as a needed-by date (YYYY-MM-DD). */
export function formatDay(day: string, now: Date): string {
  const at = new Date(`${day}T12:00:00Z`);
  if (!Number.isFinite(at.getTime())) return day;
  const p = parts(at, 'UTC');
  return `${p.weekday} ${p.day} ${p.month}${p.year === parts(now, 'UTC').year ? '' : ` ${p.year}`}`;
}

/**
 * How long `ms` of calendar time is, as people say it: "5 minutes", "3
 * hours", "2 days". It floors to the largest unit: 4.6 days is "4 days",
 * never more than it was.
 */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(Math.abs(ms) / 60_000));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (minutes < 60) return unit(Math.max(1, minutes), 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return unit(hours, 'hour');
  return unit(Math.floor(hours / 24), 'day');
}

/** "in 2 days", "3 hours ago", "just now". */
export function relativeWhen(instant: Date | string, now: Date): string {
  const at = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  const delta = at - now.getTime();
  if (Math.abs(delta) < 60_000) return 'just now';
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(delta)} ago`;
}

/**
 * An instant in a message that names its zone, the one way every message
 * and email does: "Tue 8 Dec, 10:00 London time", "Tue 8 Dec, 10:00 UTC"
 * when the zone is unknown or UTC.
 */
export function formatWhenIn(instant: Date | string, timeZone: string | undefined, now: Date): string {
  const zone = canonicalTimeZone(timeZone);
  if (!zone || zone === 'UTC' || zone === 'Etc/UTC') return `${formatWhen(instant, 'UTC', now)} UTC`;
  // Named as the person's setting names it (Asia/Kolkata is "Kolkata", though ICU's canonical id is Asia/Calcutta).
  const named = timeZone?.includes('/') ? timeZone : zone;
  return `${formatWhen(instant, zone, now)} ${named.split('/').pop()!.replace(/_/g, ' ')} time`;
}

/**
 * Working time of someone's, said once: "2 h of the receiver's working
 * time", "1 working day of your time".
 * @param whose "the receiver's", "your"
 */
export function workingTimeOf(minutes: number, whose: string): string {
  const time = formatWorkingTime(minutes);
  return time.includes('working day') ? `${time} of ${whose} time` : `${time} of ${whose} working time`;
}

/** Working time said once: "15 working days", "4 h of working time" (a working day says it by itself). */
export function asWorkingTime(minutes: number): string {
  const time = formatWorkingTime(minutes);
  return time.includes('working day') ? time : `${time} of working time`;
}

/** Working minutes in a working day, as an effort counts them. */
const WORKING_DAY = 8 * 60;

/**
 * Working time, said as working time: "45 min", "4 h 10 min", "1 working
 * day and 30 min", "2 working days". A day is 8 working hours, as for an
 * effort; minutes are floored.
 */
export function formatWorkingTime(minutes: number): string {
  const total = Math.max(0, Math.floor(minutes));
  if (total < 1) return 'under a minute';
  const days = Math.floor(total / WORKING_DAY);
  const rest = total % WORKING_DAY;
  const hours = Math.floor(rest / 60);
  const mins = rest % 60;
  const clock = [hours ? `${hours} h` : '', mins ? `${mins} min` : ''].filter(Boolean).join(' ');
  if (days === 0) return clock;
  const dayText = `${days} working day${days === 1 ? '' : 's'}`;
  return clock ? `${dayText} and ${clock}` : dayText;
}
