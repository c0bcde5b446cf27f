/**
 * NCRONTAB schedules: the exact next UTC instant for each kind of field, and
 * the refusals, each with a message that names what is wrong.
 */
import { describe, expect, it } from 'vitest';
import { nextOccurrence, parseNcrontab } from '../../src/host/ncrontab';

const next = (expression: string, after: string) => nextOccurrence(parseNcrontab(expression), new Date(after)).toISOString();

describe('nextOccurrence', () => {
  // 2026-03-01 is a Sunday, 2026-03-02 a Monday.
  it.each([
    // every 15 minutes
    ['0 */15 * * * *', '2026-03-02T10:07:30.000Z', '2026-03-02T10:15:00.000Z'],
    ['0 */15 * * * *', '2026-03-02T10:15:00.000Z', '2026-03-02T10:30:00.000Z'],
    ['0 */15 * * * *', '2026-03-02T23:59:59.000Z', '2026-03-03T00:00:00.000Z'],
    // the weekly summary, Monday 09:00
    ['0 0 9 * * MON', '2026-03-01T12:00:00.000Z', '2026-03-02T09:00:00.000Z'],
    ['0 0 9 * * MON', '2026-03-02T09:00:00.000Z', '2026-03-09T09:00:00.000Z'],
    ['0 0 9 * * MON', '2026-03-02T09:00:00.999Z', '2026-03-09T09:00:00.000Z'],
    ['0 0 9 * * MON', '2026-03-02T08:59:59.999Z', '2026-03-02T09:00:00.000Z'],
    ['0 0 9 * * 1', '2026-03-01T12:00:00.000Z', '2026-03-02T09:00:00.000Z'],
    // weekdays
    ['0 0 9 * * 1-5', '2026-03-03T08:00:00.000Z', '2026-03-03T09:00:00.000Z'],
    ['0 0 9 * * 1-5', '2026-03-03T09:00:00.000Z', '2026-03-04T09:00:00.000Z'],
    ['0 0 9 * * 1-5', '2026-03-06T09:00:00.000Z', '2026-03-09T09:00:00.000Z'], // Friday -> Monday
    ['0 0 9 * * 1-5', '2026-03-07T08:00:00.000Z', '2026-03-09T09:00:00.000Z'], // Saturday -> Monday
    // every 10 seconds
    ['*/10 * * * * *', '2026-03-02T10:00:00.000Z', '2026-03-02T10:00:10.000Z'],
    ['*/10 * * * * *', '2026-03-02T10:00:03.250Z', '2026-03-02T10:00:10.000Z'],
    ['*/10 * * * * *', '2026-03-02T10:00:59.500Z', '2026-03-02T10:01:00.000Z'],
    ['*/10 * * * * *', '2026-12-31T23:59:55.000Z', '2027-01-01T00:00:00.000Z'],
    // the first of the month, across month and year ends
    ['0 30 8 1 * *', '2026-01-31T09:00:00.000Z', '2026-02-01T08:30:00.000Z'],
    ['0 30 8 1 * *', '2026-02-28T23:00:00.000Z', '2026-03-01T08:30:00.000Z'],
    ['0 30 8 1 * *', '2026-04-30T12:00:00.000Z', '2026-05-01T08:30:00.000Z'],
    ['0 30 8 1 * *', '2026-03-01T08:30:00.000Z', '2026-04-01T08:30:00.000Z'],
    ['0 30 8 1 * *', '2026-12-15T00:00:00.000Z', '2027-01-01T08:30:00.000Z'],
    // a day only some months have
    ['0 0 23 31 * *', '2026-04-01T00:00:00.000Z', '2026-05-31T23:00:00.000Z'],
    // the leap day
    ['0 0 0 29 2 *', '2026-01-01T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['0 0 0 29 2 *', '2024-02-29T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['0 0 0 29 2 *', '2028-02-28T12:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    // month and day names, any case, in lists and ranges
    ['0 0 12 * JAN,Jul SUN', '2026-02-01T00:00:00.000Z', '2026-07-05T12:00:00.000Z'],
    ['0 0 12 * jan-mar fri-sat', '2026-03-31T00:00:00.000Z', '2027-01-01T12:00:00.000Z'],
    ['0 0 6 * DEC *', '2026-03-02T00:00:00.000Z', '2026-12-01T06:00:00.000Z'],
    ['0 0 9 * * SUN', '2026-03-02T10:00:00.000Z', '2026-03-08T09:00:00.000Z'],
    ['0 0 9 * * 0', '2026-03-02T10:00:00.000Z', '2026-03-08T09:00:00.000Z'],
    // lists
    ['0 0 8,12,17 * * *', '2026-03-02T07:00:00.000Z', '2026-03-02T08:00:00.000Z'],
    ['0 0 8,12,17 * * *', '2026-03-02T08:00:00.000Z', '2026-03-02T12:00:00.000Z'],
    ['0 0 8,12,17 * * *', '2026-03-02T12:00:00.000Z', '2026-03-02T17:00:00.000Z'],
    ['0 0 8,12,17 * * *', '2026-03-02T17:00:00.000Z', '2026-03-03T08:00:00.000Z'],
    // ranges with steps
    ['0 0-30/10 * * * *', '2026-03-02T10:05:00.000Z', '2026-03-02T10:10:00.000Z'],
    ['0 0-30/10 * * * *', '2026-03-02T10:20:00.000Z', '2026-03-02T10:30:00.000Z'],
    ['0 0-30/10 * * * *', '2026-03-02T10:30:00.000Z', '2026-03-02T11:00:00.000Z'],
    // a start with a step runs to the field's end
    ['5/20 * * * * *', '2026-03-02T10:00:45.000Z', '2026-03-02T10:01:05.000Z'],
    ['5/20 * * * * *', '2026-03-02T10:00:05.000Z', '2026-03-02T10:00:25.000Z'],
  ])('%s after %s is %s', (expression, after, expected) => {
    expect(next(expression, after)).toBe(expected);
  });

  it('is always strictly after the given instant, on a whole second', () => {
    const every = parseNcrontab('* * * * * *');
    expect(nextOccurrence(every, new Date('2026-03-02T10:00:00.000Z')).toISOString()).toBe('2026-03-02T10:00:01.000Z');
    expect(nextOccurrence(every, new Date('2026-03-02T10:00:00.001Z')).toISOString()).toBe('2026-03-02T10:00:01.000Z');
  });

  it('throws for a schedule that never fires (31 February)', () => {
    const schedule = parseNcrontab('0 0 0 31 2 *');
    expect(() => nextOccurrence(schedule, new Date('2026-01-01T00:00:00.000Z'))).toThrow(
      new Error('The schedule never fires within nine years'),
    );
  });
});

describe('parseNcrontab', () => {
  it('parses each field into its set of values', () => {
    const schedule = parseNcrontab('  0-30/10   0 8,12,17 1 JAN-MAR MON-FRI ');
    expect([...schedule.seconds]).toEqual([0, 10, 20, 30]);
    expect([...schedule.minutes]).toEqual([0]);
    expect([...schedule.hours]).toEqual([8, 12, 17]);
    expect([...schedule.days]).toEqual([1]);
    expect([...schedule.months]).toEqual([1, 2, 3]);
    expect([...schedule.daysOfWeek]).toEqual([1, 2, 3, 4, 5]);
  });

  it.each([
    ['0 */15 * * *', '"0 */15 * * *" needs six fields (second minute hour day month day-of-week), it has 5'],
    ['0 0 0 * * * *', '"0 0 0 * * * *" needs six fields (second minute hour day month day-of-week), it has 7'],
    ['60 * * * * *', '"60" is not a valid second (0-59)'],
    ['0 60 * * * *', '"60" is not a valid minute (0-59)'],
    ['* * 24 * * *', '"24" is not a valid hour (0-23)'],
    ['0 0 0 0 * *', '"0" is not a valid day (1-31)'],
    ['0 0 0 32 * *', '"32" is not a valid day (1-31)'],
    ['0 0 0 * 13 *', '"13" is not a valid month (1-12)'],
    ['0 0 0 * * 7', '"7" is not a valid day-of-week (0-6)'],
    ['0 0 0 * FOO *', '"FOO" is not a valid month (1-12)'],
    ['0 0 0 * * MONDAY', '"MONDAY" is not a valid day-of-week (0-6)'],
    ['a * * * * *', '"a" is not a valid second (0-59)'],
    ['*/0 * * * * *', '"*/0" has a bad step in the second field'],
    ['0 */x * * * *', '"*/x" has a bad step in the minute field'],
    ['0 0-30/-5 * * * *', '"0-30/-5" has a bad step in the minute field'],
    ['0 5-1 * * * *', '"5-1" is an empty range in the minute field'],
    ['0 0 0 * * FRI-MON', '"FRI-MON" is an empty range in the day-of-week field'],
  ])('refuses %s', (expression, message) => {
    expect(() => parseNcrontab(expression)).toThrow(new Error(message));
  });
});

describe('29 February across a skipped leap year', () => {
  it('finds 2104-02-29 from 2099, since 2100 is not a leap year', () => {
    expect(nextOccurrence(parseNcrontab('0 0 0 29 2 *'), new Date('2099-01-01T00:00:00Z')).toISOString()).toBe('2104-02-29T00:00:00.000Z');
  });
});
