/**
 * The weekly summary's metrics (the article's: cycle time, first-pass
 * acceptance, clarifications, blocking incidents), computed from handoff
 * histories. Pure and exact: a week is a half-open window [start, end), an
 * event counts in the week it happened, and a handoff that spans weeks is
 * counted in each week it did something in.
 */
import type { Handoff, HandoffEvent, Person } from './handoff';
import { instantAt, wallClockAt } from './time-zones';
import { WEEKDAYS, type Weekday, type WorkingHours, workingMinutesBetween } from './working-hours';

export interface Week {
  /** ISO instants: the week is [start, end). */
  start: string;
  end: string;
}

export interface HandoffHistory {
  handoff: Handoff;
  /** Its events, oldest first. */
  events: readonly HandoffEvent[];
}

/** Average and median of a set of durations; undefined when there is none. */
export interface Spread {
  average: number;
  median: number;
}

export interface WeekMetrics {
  week: Week;
  /** Handoffs posted before the week ended and not closed or cancelled before it began. */
  active: number;
  posted: number;
  accepted: number;
  /** Posted to accepted, in calendar hours, for the handoffs accepted in the week. */
  cycleHours: Spread | undefined;
  /** The same in the receiver's working minutes. */
  cycleWorkingMinutes: Spread | undefined;
  /** Of the handoffs accepted in the week, the share accepted at version 1 with no change request: 0..1. */
  firstPassRate: number | undefined;
  /** Questions asked in the week. */
  clarifications: number;
  /** Questions asked in the week per active handoff. */
  clarificationsPerHandoff: number | undefined;
  /** Work that went Blocked in the week. */
  blocked: number;
  /** How long work stayed Blocked, in calendar hours, for the blocked spells that ended in the week (unblocked, or ended). */
  blockedHours: Spread | undefined;
  /** Steps that stalled a whole goal past their due time in the week (escalated to the owner). */
  stalled: number;
  /** Blocked plus stalled: the article's blocking incidents. */
  blockingIncidents: number;
  /** Handoffs posted in the week inside the minimum lead time their effort needs. */
  late: number;
  /** Steps that went past their due time in the week. */
  overdueSteps: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * The week that ends at the most recent `day` `hour`:00 at or before `now`,
 * in `timeZone` (Monday 08:00 by default): the seven days a summary sent
 * then covers. Daylight-saving weeks are 167 or 169 hours long.
 */
export function weekEndingAt(now: Date, timeZone: string, day: Weekday = 'monday', hour = 8): Week {
  const local = wallClockAt(now.getTime(), timeZone);
  const today = new Date(Date.UTC(local.year, local.month - 1, local.day));
  const back = (today.getUTCDay() - WEEKDAYS.indexOf(day) + 7) % 7;
  let endDay = new Date(today.getTime() - back * DAY_MS);
  const at = (d: Date) =>
    instantAt({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), minutes: hour * 60 }, timeZone);
  if (at(endDay) > now.getTime()) endDay = new Date(endDay.getTime() - 7 * DAY_MS);
  const startDay = new Date(endDay.getTime() - 7 * DAY_MS);
  return { start: new Date(at(startDay)).toISOString(), end: new Date(at(endDay)).toISOString() };
}

/** The `count` weeks ending with `week`, oldest first (the trend). */
export function weeksBefore(week: Week, count: number, timeZone: string, day: Weekday = 'monday', hour = 8): Week[] {
  const weeks = [week];
  while (weeks.length < count) weeks.unshift(weekEndingAt(new Date(weeks[0]!.start), timeZone, day, hour));
  return weeks;
}

const within = (at: string, week: Week) => at >= week.start && at < week.end;

function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { average: values.reduce((a, b) => a + b, 0) / values.length, median };
}

/**
 * One week's metrics over some handoffs.
 * @param hoursOf the receiver's working hours, for the cycle time in working time
 */
export function weekMetrics(histories: readonly HandoffHistory[], week: Week, hoursOf: (person: Person) => WorkingHours): WeekMetrics {
  let active = 0;
  let posted = 0;
  let clarifications = 0;
  let blocked = 0;
  let stalled = 0;
  let late = 0;
  let overdueSteps = 0;
  const cycles: number[] = [];
  const workingCycles: number[] = [];
  const blockedSpells: number[] = [];
  let firstPass = 0;
  for (const { handoff, events } of histories) {
    const start = events[0];
    if (!start || start.at >= week.end) continue;
    const ending = events.find((e) => e.type === 'closed' || e.type === 'cancelled');
    if (ending && ending.at < week.start) continue;
    active += 1;
    if (within(start.at, week)) {
      posted += 1;
      if (handoff.late) late += 1;
    }
    let previousState = start.workState;
    if (within(start.at, week) && start.workState === 'blocked') blocked += 1;
    let blockedSince = start.workState === 'blocked' ? start.at : undefined;
    for (const event of events.slice(1)) {
      // A spell ends when the work moves on, or the handoff ends while blocked.
      const ends = event.workState !== 'blocked' || event.type === 'closed' || event.type === 'cancelled';
      if (blockedSince !== undefined && ends) {
        if (within(event.at, week)) blockedSpells.push((Date.parse(event.at) - Date.parse(blockedSince)) / HOUR_MS);
        blockedSince = undefined;
      } else if (blockedSince === undefined && event.workState === 'blocked' && !ends) blockedSince = event.at;
      if (within(event.at, week)) {
        if (event.type === 'questionAsked') clarifications += 1;
        if (event.type === 'overdue') overdueSteps += 1;
        if (event.type === 'escalated') stalled += 1;
        if (event.workState === 'blocked' && previousState !== 'blocked') blocked += 1;
        if (event.type === 'accepted') {
          cycles.push((Date.parse(event.at) - Date.parse(start.at)) / HOUR_MS);
          workingCycles.push(workingMinutesBetween(hoursOf(event.actor), new Date(start.at), new Date(event.at)));
          const before = events.slice(0, events.indexOf(event));
          if (event.version === 1 && !before.some((e) => e.type === 'changesRequested')) firstPass += 1;
        }
      }
      previousState = event.workState;
    }
  }
  const accepted = cycles.length;
  return {
    week,
    active,
    posted,
    accepted,
    cycleHours: spread(cycles),
    cycleWorkingMinutes: spread(workingCycles),
    firstPassRate: accepted === 0 ? undefined : firstPass / accepted,
    clarifications,
    clarificationsPerHandoff: active === 0 ? undefined : clarifications / active,
    blocked,
    blockedHours: spread(blockedSpells),
    stalled,
    blockingIncidents: blocked + stalled,
    late,
    overdueSteps,
  };
}

/** Whether a handoff was open, or changed, during the week: who gets a summary for it. */
export function activeIn(history: HandoffHistory, week: Week): boolean {
  const [start] = history.events;
  if (!start || start.at >= week.end) return false;
  const ending = history.events.find((e) => e.type === 'closed' || e.type === 'cancelled');
  return !ending || ending.at >= week.start;
}
