/**
 * Away: someone on holiday, ill or travelling. Their absences come from their
 * mailbox's automatic replies (Graph's `automaticRepliesSetting`) and from
 * what they tell Baton (`away` in the personal chat); Baton keeps the ones it
 * saw, so what already happened stays true after the replies are turned off.
 *
 * An absence is never working time (src/domain/working-hours.ts skips it):
 * due times, working time left, lead time and cycle times all leave it out.
 * Pure: the application layer reads the mailbox and the records.
 */
import { formatDay } from './time-format';
import { type Absence, nextWorkingInstant, type WorkingHours } from './working-hours';

/**
 * A mailbox's automatic replies as Baton reads them: off, on with no end
 * (`alwaysEnabled`), or on between two instants (`scheduled`, its
 * dateTimeTimeZone pair already turned into ISO instants).
 */
export type AutomaticReplies = { status: 'disabled' } | { status: 'alwaysEnabled' } | { status: 'scheduled'; start: string; end: string };

const DAY_MS = 24 * 3_600_000;
/** Absences that ended longer ago than this are forgotten: the weekly summary's five-week trend is what looks back furthest. */
export const KEEP_ABSENCES_MS = 10 * 7 * DAY_MS;
/** At most this many absences a person (the newest): a record stays a small row. */
export const MAX_ABSENCES = 12;

const endOf = (a: Absence) => (a.end === undefined ? Infinity : Date.parse(a.end));

/** Oldest first, overlapping or touching absences joined, empty ones dropped. */
export function normalizeAbsences(absences: readonly Absence[]): Absence[] {
  const sorted = absences
    .filter((a) => Number.isFinite(Date.parse(a.start)) && endOf(a) > Date.parse(a.start))
    .map((a) => ({ start: new Date(a.start).toISOString(), end: a.end === undefined ? Infinity : Date.parse(a.end) }))
    .sort((a, b) => a.start.localeCompare(b.start));
  const joined: { start: string; end: number }[] = [];
  for (const absence of sorted) {
    const last = joined.at(-1);
    if (last && Date.parse(absence.start) <= last.end) last.end = Math.max(last.end, absence.end);
    else joined.push({ ...absence });
  }
  return joined.map(({ start, end }) => (end === Infinity ? { start } : { start, end: new Date(end).toISOString() }));
}

/** The absence with no end that `known` holds, if any: its start stays when the replies still say "on" without a date. */
function openStart(known: readonly Absence[]): string | undefined {
  return known.find((a) => a.end === undefined)?.start;
}

/**
 * What a person's own sources say now: their mailbox's automatic replies and
 * what they told Baton. Replies on with no end date count from when Baton
 * first saw them (`known`'s open absence), or from `now`.
 */
export function statedAbsences(
  replies: AutomaticReplies | undefined,
  declared: Absence | undefined,
  known: readonly Absence[],
  now: string,
): Absence[] {
  const fromReplies: Absence[] =
    replies?.status === 'scheduled'
      ? [{ start: replies.start, end: replies.end }]
      : replies?.status === 'alwaysEnabled'
        ? [{ start: openStart(known) ?? now }]
        : [];
  return normalizeAbsences([...fromReplies, ...(declared ? [declared] : [])]);
}

/**
 * What is known of a person's absences at `now`: what already happened stays
 * as it was seen (`known`, up to `now`), and what the person's sources say now
 * (`stated`) decides the rest, including a start an hour back that the last
 * reading had not seen yet. Replies turned off early end the absence now;
 * old absences are forgotten after {@link KEEP_ABSENCES_MS}.
 */
export function mergeAbsences(known: readonly Absence[], stated: readonly Absence[], now: string): Absence[] {
  const at = Date.parse(now);
  const past = known
    .filter((a) => Date.parse(a.start) < at)
    .map((a) => ({ start: a.start, end: new Date(Math.min(endOf(a), at)).toISOString() }));
  return normalizeAbsences([...past, ...stated])
    .filter((a) => endOf(a) > at - KEEP_ABSENCES_MS)
    .slice(-MAX_ABSENCES);
}

/** Whether two lists of absences say the same. */
export function sameAbsences(a: readonly Absence[] | undefined, b: readonly Absence[] | undefined): boolean {
  const key = (list: readonly Absence[] | undefined) =>
    normalizeAbsences(list ?? [])
      .map((x) => `${x.start}/${x.end ?? ''}`)
      .join();
  return key(a) === key(b);
}

/** Working hours with these absences (none: without the key, as hours without absences always were). */
export function withAway(hours: WorkingHours, away: readonly Absence[]): WorkingHours {
  const { away: _old, ...week } = hours;
  const list = normalizeAbsences(away);
  return list.length > 0 ? { ...week, away: list } : week;
}

/** The absence `at` falls in, or undefined when the person is not away then. */
export function absenceAt(hours: Pick<WorkingHours, 'away'>, at: Date): Absence | undefined {
  const ms = at.getTime();
  return hours.away?.find((a) => Date.parse(a.start) <= ms && ms < endOf(a));
}

/** The absences that overlap [from, to) (to undefined: from `from` on). */
export function absencesDuring(hours: Pick<WorkingHours, 'away'>, from: Date, to: Date | undefined): Absence[] {
  const start = from.getTime();
  const stop = to?.getTime() ?? Infinity;
  return (hours.away ?? []).filter((a) => Date.parse(a.start) < stop && endOf(a) > start);
}

/**
 * When someone away is back at work: the start of their first working period
 * after the absence (after any absence that follows it, too); undefined when
 * it has no end.
 */
export function returnOf(hours: WorkingHours, absence: Absence): Date | undefined {
  return absence.end === undefined ? undefined : nextWorkingInstant(hours, new Date(absence.end));
}

/**
 * "away until Wed 16 Dec" (the day they are back, in their own zone), or
 * "away with no return date set".
 */
export function awayText(hours: WorkingHours, absence: Absence, now: Date): string {
  const back = returnOf(hours, absence);
  return back ? `away until ${formatDay(localDay(back, hours.timeZone), now)}` : 'away with no return date set';
}

/** The calendar day (YYYY-MM-DD) of an instant in a zone. */
export function localDay(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}
