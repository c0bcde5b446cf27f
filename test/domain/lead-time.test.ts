/**
 * Lead time (issue 3): a handoff with an effort and a needed-by date needs
 * that much of the receiver's working time before the end of the date.
 */
import { describe, expect, it, vi } from 'vitest';
import { endOfDay, isLate, workingMinutesUntilDay } from '../../src/domain/lead-time';
import { DEFAULT_WORKING_HOURS } from '../../src/domain/working-hours';
import type { WorkingHours } from '../../src/domain/working-hours';

describe('endOfDay', () => {
  it.each<[string, string, string, string]>([
    ['UTC', '2026-05-10', 'UTC', '2026-05-11T00:00:00.000Z'],
    ['UTC, the last day of a month', '2026-01-31', 'UTC', '2026-02-01T00:00:00.000Z'],
    ['UTC, the last day of the year', '2026-12-31', 'UTC', '2027-01-01T00:00:00.000Z'],
    ['UTC, a leap day', '2028-02-29', 'UTC', '2028-03-01T00:00:00.000Z'],
    ['London in summer (BST, UTC+1)', '2026-07-15', 'Europe/London', '2026-07-15T23:00:00.000Z'],
    ['London in winter (GMT)', '2026-01-15', 'Europe/London', '2026-01-16T00:00:00.000Z'],
    ['London, the day before summer time starts', '2026-03-28', 'Europe/London', '2026-03-29T00:00:00.000Z'],
    ['London, the day summer time starts', '2026-03-29', 'Europe/London', '2026-03-29T23:00:00.000Z'],
    ['London, the day summer time ends', '2026-10-25', 'Europe/London', '2026-10-26T00:00:00.000Z'],
    ['New York in winter (EST, UTC-5)', '2026-01-15', 'America/New_York', '2026-01-16T05:00:00.000Z'],
    ['New York in summer (EDT, UTC-4)', '2026-07-15', 'America/New_York', '2026-07-16T04:00:00.000Z'],
    ['Sydney in its summer (AEDT, UTC+11)', '2026-01-15', 'Australia/Sydney', '2026-01-15T13:00:00.000Z'],
    ['Sydney in its winter (AEST, UTC+10)', '2026-07-15', 'Australia/Sydney', '2026-07-15T14:00:00.000Z'],
    ['Sydney, the day before summer time ends', '2026-04-04', 'Australia/Sydney', '2026-04-04T13:00:00.000Z'],
  ])('%s: %s ends at %s', (_name, day, zone, expected) => {
    expect(endOfDay(day, zone).toISOString()).toBe(expected);
  });
});

describe('workingMinutesUntilDay', () => {
  it('uses Monday to Friday, 09:00-17:00 UTC by default', () => {
    expect(DEFAULT_WORKING_HOURS).toEqual({
      days: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      start: '09:00',
      end: '17:00',
      timeZone: 'Etc/UTC',
    });
  });

  const monday10 = new Date('2026-05-04T10:00:00.000Z'); // a Monday

  it('from Monday 10:00 UTC to the end of that Friday: 7h + 4 x 8h', () => {
    expect(workingMinutesUntilDay(DEFAULT_WORKING_HOURS, monday10, '2026-05-08')).toBe(7 * 60 + 4 * 8 * 60);
    expect(workingMinutesUntilDay(DEFAULT_WORKING_HOURS, monday10, '2026-05-08')).toBe(2340);
  });

  it('to the end of the same Monday: 7h', () => {
    expect(workingMinutesUntilDay(DEFAULT_WORKING_HOURS, monday10, '2026-05-04')).toBe(420);
  });

  it('over a weekend counts no weekend time', () => {
    // Friday 16:00 to the end of the next Monday: 1h + 8h.
    expect(workingMinutesUntilDay(DEFAULT_WORKING_HOURS, new Date('2026-05-08T16:00:00.000Z'), '2026-05-11')).toBe(540);
    // Saturday to the end of Sunday: nothing.
    expect(workingMinutesUntilDay(DEFAULT_WORKING_HOURS, new Date('2026-05-09T10:00:00.000Z'), '2026-05-10')).toBe(0);
  });

  it('is 0 from after the date', () => {
    expect(workingMinutesUntilDay(DEFAULT_WORKING_HOURS, new Date('2026-05-09T10:00:00.000Z'), '2026-05-08')).toBe(0);
    // Exactly at the end of the day, too.
    expect(workingMinutesUntilDay(DEFAULT_WORKING_HOURS, new Date('2026-05-09T00:00:00.000Z'), '2026-05-08')).toBe(0);
  });

  it("reads the needed-by day in the receiver's zone", () => {
    const sydney: WorkingHours = { ...DEFAULT_WORKING_HOURS, timeZone: 'Australia/Sydney' };
    // Monday 2026-05-04 10:00 UTC is 20:00 in Sydney (AEST): Tuesday to Friday remain, 4 x 8h.
    expect(workingMinutesUntilDay(sydney, monday10, '2026-05-08')).toBe(4 * 8 * 60);
  });
});

describe('isLate', () => {
  it('is true when the working time before the date is less than the effort', () => {
    expect(isLate(240, '2026-05-08', () => 239)).toBe(true);
    expect(isLate(2400, '2026-05-08', () => 0)).toBe(true);
  });

  it('is false when the working time equals or exceeds the effort', () => {
    expect(isLate(240, '2026-05-08', () => 240)).toBe(false);
    expect(isLate(240, '2026-05-08', () => 2340)).toBe(false);
  });

  it('is false without an effort or without a date, without computing working time', () => {
    const minutes = vi.fn(() => 0);
    expect(isLate(undefined, '2026-05-08', minutes)).toBe(false);
    expect(isLate(240, undefined, minutes)).toBe(false);
    expect(isLate(undefined, undefined, minutes)).toBe(false);
    expect(minutes).not.toHaveBeenCalled();
  });

  it('with the default hours: 3 days of effort posted Monday 10:00 for Wednesday is late, for Friday is not', () => {
    const from = new Date('2026-05-04T10:00:00.000Z');
    const effort = 3 * 8 * 60;
    expect(isLate(effort, '2026-05-06', () => workingMinutesUntilDay(DEFAULT_WORKING_HOURS, from, '2026-05-06'))).toBe(true);
    expect(isLate(effort, '2026-05-08', () => workingMinutesUntilDay(DEFAULT_WORKING_HOURS, from, '2026-05-08'))).toBe(false);
  });
});
