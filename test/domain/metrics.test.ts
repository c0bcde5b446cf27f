/**
 * The weekly metrics (issue 11), with exact expected values: a week of
 * handoffs that span weeks, the week before it, an empty week, and where
 * a week starts and ends in a time zone.
 */
import { describe, expect, it } from 'vitest';
import { activeIn, weekEndingAt, weekMetrics, weeksBefore } from '../../src/domain/metrics';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours';
import { alan, history } from '../support/histories';

// The week a Monday 08:00 UTC summary covers: Monday 30 November 08:00 to Monday 7 December 08:00.
const WEEK = { start: '2026-11-30T08:00:00.000Z', end: '2026-12-07T08:00:00.000Z' };
const BEFORE = { start: '2026-11-23T08:00:00.000Z', end: '2026-11-30T08:00:00.000Z' };

const HISTORIES = [
  // Posted and accepted the same Monday, at version 1: 4 hours, first pass.
  history('A', [
    ['posted', '2026-11-30T09:00:00.000Z'],
    ['accepted', '2026-11-30T13:00:00.000Z'],
  ]),
  // Posted the week before; a question, a change request and a second version in this week; accepted Thursday.
  history('B', [
    ['posted', '2026-11-25T10:00:00.000Z'],
    ['questionAsked', '2026-12-01T10:00:00.000Z'],
    ['answered', '2026-12-01T12:00:00.000Z'],
    ['changesRequested', '2026-12-02T09:00:00.000Z'],
    ['resubmitted', '2026-12-02T15:00:00.000Z'],
    ['accepted', '2026-12-03T10:00:00.000Z'],
  ]),
  // Posted late, Blocked from the start; overdue in this week, escalated in the next.
  history(
    'C',
    [
      ['posted', '2026-12-04T16:00:00.000Z', { workState: 'blocked' }],
      ['overdue', '2026-12-06T09:00:00.000Z', { workState: 'blocked' }],
      ['escalated', '2026-12-07T09:00:00.000Z', { workState: 'blocked' }],
    ],
    { late: true },
  ),
  // Cancelled the week before: not active this week.
  history(
    'D',
    [
      ['posted', '2026-11-20T10:00:00.000Z'],
      ['cancelled', '2026-11-27T10:00:00.000Z'],
    ],
    { status: 'cancelled' },
  ),
  // Posted after the week.
  history('E', [['posted', '2026-12-08T10:00:00.000Z']]),
  // Blocked twice in this week.
  history('F', [
    ['posted', '2026-11-28T10:00:00.000Z'],
    ['workStateChanged', '2026-12-01T10:00:00.000Z', { workState: 'blocked' }],
    ['workStateChanged', '2026-12-02T10:00:00.000Z', { workState: 'ready' }],
    ['workStateChanged', '2026-12-03T10:00:00.000Z', { workState: 'blocked' }],
  ]),
  // Changes requested, then reassigned and accepted still at version 1: not a first pass.
  history('G', [
    ['posted', '2026-11-29T10:00:00.000Z'],
    ['changesRequested', '2026-11-30T10:00:00.000Z'],
    ['reassigned', '2026-11-30T11:00:00.000Z', { actor: alan }],
    ['accepted', '2026-12-01T10:00:00.000Z'],
  ]),
];

const hoursOf = () => DEFAULT_WORKING_HOURS;

describe("a week's metrics", () => {
  it("counts the week's handoffs, cycle times, first passes, clarifications and blocking incidents exactly", () => {
    expect(weekMetrics(HISTORIES, WEEK, hoursOf)).toEqual({
      week: WEEK,
      active: 5, // A, B, C, F, G
      posted: 2, // A, C
      accepted: 3, // A, B, G
      // 4h, 192h (eight days), 48h.
      cycleHours: { average: 244 / 3, median: 48 },
      // In Grace's working time (Monday to Friday, 09:00-17:00 UTC): 4h; 7h + 5 days + 1h = 48h; Monday and an hour = 9h.
      cycleWorkingMinutes: { average: (240 + 2880 + 540) / 3, median: 540 },
      firstPassRate: 1 / 3, // A only: B had version 2, G a change request
      clarifications: 1,
      clarificationsPerHandoff: 0.2,
      blocked: 3, // C posted Blocked, F blocked twice
      // F's first spell, a day, ended in the week; C and F are still blocked at its end.
      blockedHours: { average: 24, median: 24 },
      stalled: 0, // C's escalation is next week's
      blockingIncidents: 3,
      late: 1,
      overdueSteps: 1,
    });
  });

  it('counts a handoff that spans weeks in each week it was open', () => {
    expect(weekMetrics(HISTORIES, BEFORE, hoursOf)).toEqual({
      week: BEFORE,
      active: 4, // B, D (cancelled in it), F, G
      posted: 3, // B, F, G
      accepted: 0,
      cycleHours: undefined,
      cycleWorkingMinutes: undefined,
      firstPassRate: undefined,
      clarifications: 0,
      clarificationsPerHandoff: 0,
      blocked: 0,
      blockedHours: undefined,
      stalled: 0,
      blockingIncidents: 0,
      late: 0,
      overdueSteps: 0,
    });
    expect(HISTORIES.filter((h) => activeIn(h, BEFORE)).map((h) => h.handoff.id)).toEqual(['B', 'D', 'F', 'G']);
  });

  it('says nothing, rather than zero, of an empty week', () => {
    const empty = { start: '2026-01-05T08:00:00.000Z', end: '2026-01-12T08:00:00.000Z' };
    expect(weekMetrics(HISTORIES, empty, hoursOf)).toMatchObject({
      active: 0,
      accepted: 0,
      cycleHours: undefined,
      firstPassRate: undefined,
      clarificationsPerHandoff: undefined,
      blockingIncidents: 0,
    });
    expect(weekMetrics([], WEEK, hoursOf).active).toBe(0);
  });
});

describe('which week a summary covers', () => {
  it("is the seven days up to the most recent Monday 08:00 in the reader's zone", () => {
    expect(weekEndingAt(new Date('2026-12-02T12:00:00Z'), 'Etc/UTC')).toEqual(BEFORE);
    // At 08:00 sharp the week just ended; a minute before, the one before it.
    expect(weekEndingAt(new Date('2026-12-07T08:00:00Z'), 'Etc/UTC')).toEqual(WEEK);
    expect(weekEndingAt(new Date('2026-12-07T07:59:00Z'), 'Etc/UTC').end).toBe('2026-11-30T08:00:00.000Z');
  });

  it('is 169 hours long across the end of daylight saving in New York', () => {
    const week = weekEndingAt(new Date('2026-11-02T14:00:00Z'), 'America/New_York');
    expect(week).toEqual({ start: '2026-10-26T12:00:00.000Z', end: '2026-11-02T13:00:00.000Z' });
    expect((Date.parse(week.end) - Date.parse(week.start)) / 3_600_000).toBe(169);
  });

  it('starts on another day and hour when the settings say so, and lists the trend oldest first', () => {
    expect(weekEndingAt(new Date('2026-12-02T12:00:00Z'), 'Asia/Kolkata', 'friday', 17)).toEqual({
      start: '2026-11-20T11:30:00.000Z',
      end: '2026-11-27T11:30:00.000Z',
    });
    expect(weeksBefore(WEEK, 3, 'Etc/UTC').map((w) => w.start)).toEqual([
      '2026-11-16T08:00:00.000Z',
      '2026-11-23T08:00:00.000Z',
      '2026-11-30T08:00:00.000Z',
    ]);
  });
});
