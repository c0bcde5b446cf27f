/**
 * Working-hours arithmetic with exact expected instants: London, New York,
 * Kolkata and Sydney, weekends, and both daylight-saving changes of 2026
 * (US: 8 Mar and 1 Nov; EU: 29 Mar and 25 Oct; Sydney: 5 Apr and 4 Oct).
 * Plus the zone-name map and a round-trip property.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cachedInstants, instantAt, isIanaTimeZone, offsetAt, toIanaTimeZone, WINDOWS_TO_IANA } from '../../src/domain/time-zones';
import {
  addWorkingMinutes,
  clockMinutes,
  localTimesDiffer,
  nextWorkingInstant,
  normalizeWorkingHours,
  WEEKDAYS,
  type Weekday,
  type WorkingHours,
  workingMinutesBetween,
} from '../../src/domain/working-hours';

const WEEK: Weekday[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];
const office = (timeZone: string): WorkingHours => ({ days: WEEK, start: '09:00', end: '17:00', timeZone });
const LONDON = office('Europe/London');
const NEW_YORK = office('America/New_York');
const KOLKATA = office('Asia/Kolkata');
const SYDNEY = office('Australia/Sydney');
/** A Saturday-night shift, 22:00 to 06:00, over each zone's change night. */
const night = (timeZone: string): WorkingHours => ({ days: ['saturday'], start: '22:00', end: '06:00', timeZone });

const at = (iso: string) => new Date(iso);

describe('instantAt: local wall time to an instant, around the 2026 changes', () => {
  it.each([
    // [zone, local date, local time, instant]
    ['America/New_York', '2026-03-08', '01:30', '2026-03-08T06:30:00.000Z'],
    // 02:30 does not exist (02:00 -> 03:00): the same span after the jump, 03:30 EDT.
    ['America/New_York', '2026-03-08', '02:30', '2026-03-08T07:30:00.000Z'],
    ['America/New_York', '2026-03-08', '03:30', '2026-03-08T07:30:00.000Z'],
    // 01:30 happens twice (02:00 EDT -> 01:00 EST): the first, in EDT.
    ['America/New_York', '2026-11-01', '01:30', '2026-11-01T05:30:00.000Z'],
    ['America/New_York', '2026-11-01', '02:30', '2026-11-01T07:30:00.000Z'],
    ['Europe/London', '2026-03-29', '00:30', '2026-03-29T00:30:00.000Z'],
    ['Europe/London', '2026-03-29', '01:30', '2026-03-29T01:30:00.000Z'],
    ['Europe/London', '2026-03-29', '02:30', '2026-03-29T01:30:00.000Z'],
    ['Europe/London', '2026-10-25', '01:30', '2026-10-25T00:30:00.000Z'],
    ['Europe/London', '2026-10-25', '02:30', '2026-10-25T02:30:00.000Z'],
    ['Australia/Sydney', '2026-04-05', '02:30', '2026-04-04T15:30:00.000Z'],
    ['Australia/Sydney', '2026-04-05', '03:30', '2026-04-04T17:30:00.000Z'],
    ['Australia/Sydney', '2026-10-04', '02:30', '2026-10-03T16:30:00.000Z'],
    ['Australia/Sydney', '2026-10-04', '03:30', '2026-10-03T16:30:00.000Z'],
    ['Asia/Kolkata', '2026-03-08', '09:00', '2026-03-08T03:30:00.000Z'],
  ])('%s %s %s is %s', (zone, date, time, expected) => {
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    expect(new Date(instantAt({ year, month, day, minutes: clockMinutes(time) }, zone)).toISOString()).toBe(expected);
    // The second answer comes from the cache: the same.
    expect(new Date(instantAt({ year, month, day, minutes: clockMinutes(time) }, zone)).toISOString()).toBe(expected);
  });

  it('keeps at most 4,096 answers, and still answers right beyond them', () => {
    const newYork = (day: number, minutes: number) => instantAt({ year: 2026, month: 1, day, minutes }, 'America/New_York');
    for (let i = 0; i < 5000; i += 1) newYork(1 + (i % 28), 9 * 60 + Math.floor(i / 28));
    expect(cachedInstants()).toBe(4096);
    // 2026-01-15 09:00 in New York is 14:00 UTC (EST), asked again after its answer was dropped.
    expect(new Date(newYork(15, 9 * 60)).toISOString()).toBe('2026-01-15T14:00:00.000Z');
  });
});

describe('nextWorkingInstant', () => {
  it.each([
    // New York, Mon-Fri 09:00-17:00
    ['New York: Friday evening before the March change -> Monday 09:00 EDT', NEW_YORK, '2026-03-06T23:00:00Z', '2026-03-09T13:00:00.000Z'],
    ['New York: Saturday -> Monday 09:00 EDT', NEW_YORK, '2026-03-07T12:00:00Z', '2026-03-09T13:00:00.000Z'],
    ['New York: Monday 08:59 EDT -> 09:00', NEW_YORK, '2026-03-09T12:59:00Z', '2026-03-09T13:00:00.000Z'],
    ['New York: Wednesday 10:30 EDT is working time', NEW_YORK, '2026-03-11T14:30:00Z', '2026-03-11T14:30:00.000Z'],
    [
      'New York: Friday 17:00 EDT (the end) before the November change -> Monday 09:00 EST',
      NEW_YORK,
      '2026-10-30T21:00:00Z',
      '2026-11-02T14:00:00.000Z',
    ],
    // London
    ['London: Friday 17:30 GMT before the March change -> Monday 09:00 BST', LONDON, '2026-03-27T17:30:00Z', '2026-03-30T08:00:00.000Z'],
    ['London: Monday 08:30 BST -> 09:00 BST', LONDON, '2026-03-30T07:30:00Z', '2026-03-30T08:00:00.000Z'],
    ['London: Friday 17:00 BST before the October change -> Monday 09:00 GMT', LONDON, '2026-10-23T16:00:00Z', '2026-10-26T09:00:00.000Z'],
    ['London: Sunday during the October change -> Monday 09:00 GMT', LONDON, '2026-10-25T01:30:00Z', '2026-10-26T09:00:00.000Z'],
    // Kolkata, no daylight saving, half-hour offset
    ['Kolkata: Friday 17:00 IST -> Monday 09:00 IST', KOLKATA, '2026-03-06T11:30:00Z', '2026-03-09T03:30:00.000Z'],
    ['Kolkata: Monday 04:30 IST -> 09:00 IST', KOLKATA, '2026-03-08T23:00:00Z', '2026-03-09T03:30:00.000Z'],
    // Sydney: its weekend starts on our Friday afternoon
    ['Sydney: Friday 17:00 AEDT before the April change -> Monday 09:00 AEST', SYDNEY, '2026-04-03T06:00:00Z', '2026-04-05T23:00:00.000Z'],
    [
      'Sydney: Friday 17:00 AEST before the October change -> Monday 09:00 AEDT',
      SYDNEY,
      '2026-10-02T07:00:00Z',
      '2026-10-04T22:00:00.000Z',
    ],
    ['Sydney: Monday 23:00 AEDT -> Tuesday 09:00 AEDT', SYDNEY, '2026-03-09T12:00:00Z', '2026-03-09T22:00:00.000Z'],
    // A night shift that started the evening before is still running
    [
      "New York night shift: Sunday 05:00 EDT, within Saturday night's shift",
      night('America/New_York'),
      '2026-03-08T09:00:00Z',
      '2026-03-08T09:00:00.000Z',
    ],
    [
      'New York night shift: Sunday 06:00 EDT (its end) -> next Saturday 22:00 EDT',
      night('America/New_York'),
      '2026-03-08T10:00:00Z',
      '2026-03-15T02:00:00.000Z',
    ],
  ])('%s', (_name, hours, instant, expected) => {
    expect(nextWorkingInstant(hours, at(instant))?.toISOString()).toBe(expected);
  });

  it('is the instant itself inside working hours, and only there', () => {
    const working = (instant: string) => nextWorkingInstant(NEW_YORK, at(instant))?.toISOString() === at(instant).toISOString();
    expect(working('2026-03-11T14:30:00Z')).toBe(true);
    expect(working('2026-03-11T21:00:00Z')).toBe(false);
    expect(working('2026-03-11T20:59:59.999Z')).toBe(true);
  });
});

describe('workingMinutesBetween', () => {
  it.each([
    [
      'New York: Friday 09:00 EST to Monday 17:00 EDT, over the March change',
      NEW_YORK,
      '2026-03-06T14:00:00Z',
      '2026-03-09T21:00:00Z',
      960,
    ],
    ['New York: the whole week after the March change', NEW_YORK, '2026-03-07T00:00:00Z', '2026-03-14T00:00:00Z', 2400],
    [
      'New York: Friday 16:00 EDT to Monday 10:00 EST, over the November change',
      NEW_YORK,
      '2026-10-30T20:00:00Z',
      '2026-11-02T15:00:00Z',
      120,
    ],
    ['London: Thursday 16:00 GMT to Monday 11:00 BST, over the March change', LONDON, '2026-03-26T16:00:00Z', '2026-03-30T10:00:00Z', 660],
    ['London: two weeks around the October change', LONDON, '2026-10-19T00:00:00Z', '2026-11-02T00:00:00Z', 4800],
    ['Kolkata: a whole Monday, in UTC terms 03:30 to 11:30', KOLKATA, '2026-03-09T00:00:00Z', '2026-03-09T12:00:00Z', 480],
    ['Sydney: Friday 16:00 AEDT to Monday 10:00 AEST, over the April change', SYDNEY, '2026-04-03T05:00:00Z', '2026-04-06T00:00:00Z', 120],
    [
      'Sydney: Friday 16:00 AEST to Monday 10:00 AEDT, over the October change',
      SYDNEY,
      '2026-10-02T06:00:00Z',
      '2026-10-04T23:00:00Z',
      120,
    ],
    ['rounds down to whole minutes', NEW_YORK, '2026-03-09T14:00:30Z', '2026-03-09T14:02:00Z', 1],
    ['is 0 when the end is not after the start', NEW_YORK, '2026-03-09T15:00:00Z', '2026-03-09T14:00:00Z', 0],
    ['is 0 over a weekend', LONDON, '2026-03-28T00:00:00Z', '2026-03-30T00:00:00Z', 0],
    // Night shifts lose or gain the hour the clocks change
    [
      'New York night shift when clocks go forward: 7 hours',
      night('America/New_York'),
      '2026-03-07T12:00:00Z',
      '2026-03-08T12:00:00Z',
      420,
    ],
    ['New York night shift when clocks go back: 9 hours', night('America/New_York'), '2026-10-31T12:00:00Z', '2026-11-01T12:00:00Z', 540],
    ['London night shift when clocks go forward: 7 hours', night('Europe/London'), '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z', 420],
    ['London night shift when clocks go back: 9 hours', night('Europe/London'), '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z', 540],
    ['Sydney night shift when clocks go back: 9 hours', night('Australia/Sydney'), '2026-04-04T00:00:00Z', '2026-04-05T00:00:00Z', 540],
    ['Sydney night shift when clocks go forward: 7 hours', night('Australia/Sydney'), '2026-10-03T00:00:00Z', '2026-10-04T00:00:00Z', 420],
  ])('%s', (_name, hours, from, to, expected) => {
    expect(workingMinutesBetween(hours, at(from), at(to))).toBe(expected);
  });
});

describe('addWorkingMinutes', () => {
  it.each([
    ['New York: Friday 16:00 EST + 2h -> Monday 10:00 EDT', NEW_YORK, '2026-03-06T21:00:00Z', 120, '2026-03-09T14:00:00.000Z'],
    ['New York: Friday 16:00 EDT + 2h -> Monday 10:00 EST', NEW_YORK, '2026-10-30T20:00:00Z', 120, '2026-11-02T15:00:00.000Z'],
    ['New York: Friday 16:00 EST + 1h ends the day at 17:00', NEW_YORK, '2026-03-06T21:00:00Z', 60, '2026-03-06T22:00:00.000Z'],
    ['New York: Saturday + 30m -> Monday 09:30 EDT', NEW_YORK, '2026-03-07T15:00:00Z', 30, '2026-03-09T13:30:00.000Z'],
    ['London: Friday 16:00 GMT + 2h -> Monday 10:00 BST', LONDON, '2026-03-27T16:00:00Z', 120, '2026-03-30T09:00:00.000Z'],
    ['London: Friday 16:00 BST + 2h -> Monday 10:00 GMT', LONDON, '2026-10-23T15:00:00Z', 120, '2026-10-26T10:00:00.000Z'],
    ['Kolkata: Monday 15:00 IST + 3 working days -> Thursday 15:00 IST', KOLKATA, '2026-03-09T09:30:00Z', 1440, '2026-03-12T09:30:00.000Z'],
    ['Sydney: Friday 16:00 AEDT + 2h -> Monday 10:00 AEST', SYDNEY, '2026-04-03T05:00:00Z', 120, '2026-04-06T00:00:00.000Z'],
    ['Sydney: Friday 16:00 AEST + 2h -> Monday 10:00 AEDT', SYDNEY, '2026-10-02T06:00:00Z', 120, '2026-10-04T23:00:00.000Z'],
    ['0 minutes is the start itself, even off hours', LONDON, '2026-03-28T12:00:00Z', 0, '2026-03-28T12:00:00.000Z'],
    [
      'New York night shift over the March change: 7 hours end at 06:00 EDT',
      night('America/New_York'),
      '2026-03-07T12:00:00Z',
      420,
      '2026-03-08T10:00:00.000Z',
    ],
  ])('%s', (_name, hours, from, minutes, expected) => {
    expect(addWorkingMinutes(hours, at(from), minutes)?.toISOString()).toBe(expected);
  });

  it('refuses negative and non-finite minutes and invalid dates', () => {
    expect(() => addWorkingMinutes(LONDON, at('2026-03-09T10:00:00Z'), -1)).toThrow(RangeError);
    expect(() => addWorkingMinutes(LONDON, at('2026-03-09T10:00:00Z'), Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => nextWorkingInstant(LONDON, new Date(Number.NaN))).toThrow('instant is not a valid date');
    expect(() => nextWorkingInstant({ ...LONDON, days: [] }, at('2026-03-09T10:00:00Z'))).toThrow(
      'Working hours need at least one working day',
    );
  });
});

describe('properties', () => {
  const zones = ['Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney', 'America/Los_Angeles'];
  const clock = fc
    .integer({ min: 0, max: 95 })
    .map((q) => `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`);
  // All of 2026 and a little beyond, so every change of the year is crossed.
  const instant = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 31) }).map((ms) => new Date(ms));
  /**
   * Up to two absences of up to three weeks each, on whole minutes as Outlook sets them (issue 25): time away is never
   * working time, and every property still holds.
   */
  const absences = fc.array(
    fc.tuple(instant, fc.integer({ min: 1, max: 21 * 24 * 60 })).map(([start, minutes]) => {
      const from = Math.floor(start.getTime() / 60_000) * 60_000;
      return { start: new Date(from).toISOString(), end: new Date(from + minutes * 60_000).toISOString() };
    }),
    { maxLength: 2 },
  );
  const hours: fc.Arbitrary<WorkingHours> = fc
    .record({
      days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
      start: clock,
      end: clock,
      timeZone: fc.constantFrom(...zones),
      away: absences,
    })
    .map(({ away, ...week }) => (away.length > 0 ? { ...week, away } : week));

  it('addWorkingMinutes then workingMinutesBetween gives the minutes back', () => {
    fc.assert(
      fc.property(hours, instant, fc.integer({ min: 0, max: 20 * 8 * 60 }), (h, from, minutes) => {
        const due = addWorkingMinutes(h, from, minutes)!;
        expect(due.getTime()).toBeGreaterThanOrEqual(from.getTime());
        expect(workingMinutesBetween(h, from, due)).toBe(minutes);
      }),
      { numRuns: 300 },
    );
  });

  it('working minutes add up over consecutive spans (whole minutes)', () => {
    const minute = instant.map((d) => new Date(Math.floor(d.getTime() / 60_000) * 60_000));
    fc.assert(
      fc.property(hours, minute, minute, minute, (h, a, b, c) => {
        const [x, y, z] = [a, b, c].sort((p, q) => p.getTime() - q.getTime()) as [Date, Date, Date];
        expect(workingMinutesBetween(h, x, y) + workingMinutesBetween(h, y, z)).toBe(workingMinutesBetween(h, x, z));
      }),
      { numRuns: 100 },
    );
  });

  it('the next working instant is never earlier, and is working time', () => {
    fc.assert(
      fc.property(hours, instant, (h, from) => {
        const next = nextWorkingInstant(h, from)!;
        expect(next.getTime()).toBeGreaterThanOrEqual(from.getTime());
        // Inside working hours: the next working instant from there is itself.
        expect(nextWorkingInstant(h, next)!.getTime()).toBe(next.getTime());
        expect(workingMinutesBetween(h, from, next)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('an absence with no end stops working time at its start: what is left before it can be used, nothing more', () => {
    fc.assert(
      fc.property(hours, instant, instant, fc.integer({ min: 0, max: 20 * 8 * 60 }), (h, from, away, minutes) => {
        const open = { ...h, away: [...(h.away ?? []), { start: away.toISOString() }] };
        const left = workingMinutesBetween(open, from, new Date(Date.UTC(2030, 0, 1)));
        expect(left).toBe(workingMinutesBetween(open, from, away));
        const due = addWorkingMinutes(open, from, minutes);
        if (minutes <= left) expect(workingMinutesBetween(open, from, due!)).toBe(minutes);
        else expect(due).toBeUndefined();
        expect(nextWorkingInstant(open, new Date(Math.max(from.getTime(), away.getTime())))).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe('time zone names', () => {
  it('translates Windows names, case-insensitively, and keeps IANA names as given', () => {
    expect(toIanaTimeZone('Pacific Standard Time')).toBe('America/Los_Angeles');
    expect(toIanaTimeZone('  gmt standard time ')).toBe('Europe/London');
    expect(toIanaTimeZone('India Standard Time')).toBe('Asia/Kolkata');
    expect(toIanaTimeZone('AUS Eastern Standard Time')).toBe('Australia/Sydney');
    expect(toIanaTimeZone('Eastern Standard Time')).toBe('America/New_York');
    expect(toIanaTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(toIanaTimeZone('Asia/Calcutta')).toBe('Asia/Calcutta');
    expect(toIanaTimeZone('UTC')).toBe('Etc/UTC');
    expect(toIanaTimeZone('Coordinated Universal Time')).toBe('Etc/UTC');
    expect(toIanaTimeZone('Customized Time Zone')).toBeUndefined();
    expect(toIanaTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(toIanaTimeZone('')).toBeUndefined();
  });

  it('maps every Windows name to a zone Intl knows', () => {
    const unknown = Object.entries(WINDOWS_TO_IANA).filter(([, iana]) => !isIanaTimeZone(iana));
    expect(unknown).toEqual([]);
    expect(Object.keys(WINDOWS_TO_IANA).length).toBeGreaterThan(100);
  });

  it('knows the offsets either side of a change', () => {
    expect(offsetAt(Date.parse('2026-03-08T06:59:59Z'), 'America/New_York')).toBe(-5 * 3600_000);
    expect(offsetAt(Date.parse('2026-03-08T07:00:00Z'), 'America/New_York')).toBe(-4 * 3600_000);
    expect(offsetAt(Date.parse('2026-03-08T07:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * 3600_000);
  });
});

describe('normalizeWorkingHours', () => {
  it("takes Graph's shapes: capitalised days, 7-digit fractions, Windows zones", () => {
    expect(
      normalizeWorkingHours({
        days: ['Friday', 'monday', 'MONDAY'],
        start: '08:00:00.0000000',
        end: '16:30:00',
        timeZone: 'W. Europe Standard Time',
      }),
    ).toEqual({
      days: ['monday', 'friday'],
      start: '08:00',
      end: '16:30',
      timeZone: 'Europe/Berlin',
    });
  });

  it('names what is wrong', () => {
    const ok = { days: ['monday'], start: '09:00', end: '17:00', timeZone: 'Europe/London' };
    expect(() => normalizeWorkingHours({ ...ok, days: ['funday'] })).toThrow('Unknown day names: funday');
    expect(() => normalizeWorkingHours({ ...ok, days: [] })).toThrow('Working hours need at least one working day');
    expect(() => normalizeWorkingHours({ ...ok, start: '25:00' })).toThrow('"25:00" is not a time of day (HH:MM)');
    expect(() => normalizeWorkingHours({ ...ok, end: 'five' })).toThrow('"five" is not a time of day (HH:MM)');
    expect(() => normalizeWorkingHours({ ...ok, timeZone: 'Middle Earth Time' })).toThrow(
      '"Middle Earth Time" is neither an IANA nor a Windows time zone name',
    );
  });
});

describe('local time for cards', () => {
  it('says when two clocks differ at an instant', () => {
    expect(localTimesDiffer(at('2026-03-09T12:00:00Z'), 'Europe/London', 'America/New_York')).toBe(true);
    expect(localTimesDiffer(at('2026-03-09T12:00:00Z'), 'Europe/London', 'Europe/Lisbon')).toBe(false);
    // London and Dublin share their clocks all year.
    expect(localTimesDiffer(at('2026-07-01T12:00:00Z'), 'Europe/London', 'Europe/Dublin')).toBe(false);
    // For three weeks of March 2026 New York is 4 hours behind London, not 5: still different.
    expect(localTimesDiffer(at('2026-03-20T12:00:00Z'), 'Europe/London', 'America/New_York')).toBe(true);
  });
});
