/**
 * Working hours: when a person is at work, in their own time zone.
 *
 * Due times and nudges are measured in the receiver's working time, so these
 * functions answer "when is this person next at work", "how much working time
 * lies between two instants" and "when are N working minutes used up".
 * Instants are `Date`s; all wall-clock reasoning happens in the person's IANA
 * zone through Intl, so weekends and daylight-saving changes fall out of the
 * zone rules rather than from fixed offsets.
 */
import { instantAt, offsetAt, toIanaTimeZone, wallClockAt } from './time-zones';

/** Day names as Graph's `workingHours.daysOfWeek` spells them; index = Date.getUTCDay(). */
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A time the person is away (on holiday, ill, travelling): [start, end), ISO
 * instants. No `end`: away with no known return (automatic replies turned on
 * with no end date).
 */
export interface Absence {
  start: string;
  end?: string;
}

/**
 * A person's working week. `start` and `end` are local "HH:MM"; an `end` at or
 * before `start` ends the next day (a night shift; "00:00" is midnight).
 */
export interface WorkingHours {
  days: Weekday[];
  start: string;
  end: string;
  /** IANA zone, e.g. "Europe/London". */
  timeZone: string;
  /** When they are away: never working time, whatever the week says. Oldest first, not overlapping (src/domain/away.ts). */
  away?: readonly Absence[];
}

/** Baton's week for someone whose own hours are unknown: Monday to Friday, 09:00-17:00 UTC. */
export const DEFAULT_WORKING_HOURS: WorkingHours = {
  days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
  start: '09:00',
  end: '17:00',
  timeZone: 'Etc/UTC',
};

/**
 * The zone to write a person's times in: theirs, or none (so the text says
 * "UTC") when it is UTC, which is what Baton assumes for unknown hours.
 */
export function zoneForText(hours: WorkingHours): string | undefined {
  return hours.timeZone === DEFAULT_WORKING_HOURS.timeZone || hours.timeZone === 'UTC' ? undefined : hours.timeZone;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Minutes after midnight of "HH:MM", "HH:MM:SS" or Graph's "HH:MM:SS.fffffff". */
export function clockMinutes(clock: string): number {
  const match = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(clock.trim());
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (!match || hours > 23 || minutes > 59 || Number(match[3] ?? 0) > 59) {
    throw new RangeError(`"${clock}" is not a time of day (HH:MM)`);
  }
  return hours * 60 + minutes;
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * Checks and tidies working hours from any source (Graph, the local file):
 * lower-case day names, "HH:MM" times, and an IANA zone (a Windows zone name
 * is translated).
 * @throws RangeError naming what is wrong
 */
export function normalizeWorkingHours(raw: { days: readonly string[]; start: string; end: string; timeZone: string }): WorkingHours {
  const days = [...new Set(raw.days.map((d) => d.trim().toLowerCase()))];
  const unknown = days.filter((d) => !(WEEKDAYS as readonly string[]).includes(d));
  if (unknown.length > 0) throw new RangeError(`Unknown day names: ${unknown.join(', ')}`);
  if (days.length === 0) throw new RangeError('Working hours need at least one working day');
  const timeZone = toIanaTimeZone(raw.timeZone);
  if (!timeZone) throw new RangeError(`"${raw.timeZone}" is neither an IANA nor a Windows time zone name`);
  return {
    days: WEEKDAYS.filter((d) => days.includes(d)),
    start: hhmm(clockMinutes(raw.start)),
    end: hhmm(clockMinutes(raw.end)),
    timeZone,
  };
}

/** Absences as [start, end) in ms, oldest first; no end is Infinity. */
function awaySpans(hours: WorkingHours): [number, number][] {
  return (hours.away ?? [])
    .map((a): [number, number] => [Date.parse(a.start), a.end === undefined ? Infinity : Date.parse(a.end)])
    .filter(([start, end]) => Number.isFinite(start) && end > start)
    .sort((a, b) => a[0] - b[0]);
}

/** What is left of [start, end) once the absences are taken out. */
function* minusAway(start: number, end: number, away: readonly [number, number][]): Generator<[number, number]> {
  let from = start;
  for (const [awayStart, awayEnd] of away) {
    if (awayEnd <= from || awayStart >= end) continue;
    if (awayStart > from) yield [from, awayStart];
    from = Math.max(from, awayEnd);
    if (from >= end) return;
  }
  if (from < end) yield [from, end];
}

/**
 * The working periods [start, end) in ms, in order, from the one that may
 * still be running at `from` onwards, with the person's absences taken out.
 * Endless, unless an absence with no end begins: there is no working time
 * after its start. Callers stop when done.
 */
function* periodsFrom(hours: WorkingHours, from: number): Generator<[number, number]> {
  const days = new Set<string>(hours.days);
  if (days.size === 0) throw new RangeError('Working hours need at least one working day');
  const start = clockMinutes(hours.start);
  let end = clockMinutes(hours.end);
  if (end <= start) end += 24 * 60;
  const away = awaySpans(hours);
  const endless = Math.min(...away.filter(([, e]) => e === Infinity).map(([s]) => s));
  // Yesterday's period may still run (a night shift), so begin a day early.
  const first = wallClockAt(from - DAY_MS, hours.timeZone);
  for (let offset = 0; ; offset += 1) {
    const date = new Date(Date.UTC(first.year, first.month - 1, first.day + offset));
    if (!days.has(WEEKDAYS[date.getUTCDay()] ?? '')) continue;
    const local = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
    const periodStart = instantAt({ ...local, minutes: start }, hours.timeZone);
    const periodEnd = instantAt({ ...local, minutes: end }, hours.timeZone);
    // Away with no known return: no working time from then on.
    if (periodStart >= endless) return;
    // A period that a daylight-saving jump swallows whole has no length.
    if (periodEnd > periodStart) yield* minusAway(periodStart, periodEnd, away);
  }
}

function checkInstant(instant: Date, name: string): number {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`${name} is not a valid date`);
  return ms;
}

/**
 * When the person is next at work: `instant` itself during working hours,
 * otherwise the start of their next working period (after an absence, the
 * first working period after it); undefined when they are away from then on
 * with no known return.
 */
export function nextWorkingInstant(hours: WorkingHours, instant: Date): Date | undefined {
  const at = checkInstant(instant, 'instant');
  for (const [start, end] of periodsFrom(hours, at)) {
    if (end > at) return new Date(Math.max(start, at));
  }
  return undefined;
}

/** The working period `instant` falls in ([start, end)), or undefined outside working hours (or away). */
export function workingPeriodAt(hours: WorkingHours, instant: Date): { start: Date; end: Date } | undefined {
  const at = checkInstant(instant, 'instant');
  for (const [start, end] of periodsFrom(hours, at)) {
    if (start > at) return undefined;
    if (end > at) return { start: new Date(start), end: new Date(end) };
  }
  return undefined;
}

/**
 * Working minutes in [from, to), rounded down to whole minutes; 0 when `to`
 * is not after `from`. A working day that a daylight-saving change shortens
 * counts the hour it really lost; time away counts none.
 */
export function workingMinutesBetween(hours: WorkingHours, from: Date, to: Date): number {
  const start = checkInstant(from, 'from');
  const stop = checkInstant(to, 'to');
  if (stop <= start) return 0;
  let total = 0;
  for (const [periodStart, periodEnd] of periodsFrom(hours, start)) {
    if (periodStart >= stop) break;
    total += Math.max(0, Math.min(periodEnd, stop) - Math.max(periodStart, start));
  }
  return Math.floor(total / MINUTE_MS);
}

/**
 * The instant at which `minutes` of working time after `from` are used up,
 * skipping time away. It can be the very end of a working period (17:00
 * rather than the next morning's 09:00); 0 minutes gives `from`. Undefined
 * when they are never used up: an absence with no known return begins first.
 * @throws RangeError for negative or non-finite minutes
 */
export function addWorkingMinutes(hours: WorkingHours, from: Date, minutes: number): Date | undefined {
  const start = checkInstant(from, 'from');
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`minutes must be a finite number of at least 0, not ${minutes}`);
  let remaining = minutes * MINUTE_MS;
  if (remaining === 0) return new Date(start);
  for (const [periodStart, periodEnd] of periodsFrom(hours, start)) {
    if (periodEnd <= start) continue;
    const begin = Math.max(periodStart, start);
    const available = periodEnd - begin;
    if (remaining <= available) return new Date(begin + remaining);
    remaining -= available;
  }
  return undefined;
}

/**
 * True when two people's clocks show different times at `instant`: the card
 * then shows the receiver's local time next to the viewer's.
 */
export function localTimesDiffer(instant: Date, zoneA: string, zoneB: string): boolean {
  const at = checkInstant(instant, 'instant');
  return offsetAt(at, zoneA) !== offsetAt(at, zoneB);
}
