/**
 * One date and time format everywhere, in the viewer's zone, with exact
 * expectations across zones and daylight-saving changes.
 */
import { describe, expect, it } from 'vitest';
import { formatDay, formatDuration, formatWhen, formatWhenIn, formatWorkingTime, relativeWhen } from '../../src/domain/time-format';

const NOW = new Date('2026-03-06T09:00:00Z');

describe('formatWhen', () => {
  it.each([
    ['2026-03-06T08:35:00Z', 'Asia/Kolkata', 'Fri 6 Mar, 14:05'],
    ['2026-03-06T08:35:00Z', 'America/New_York', 'Fri 6 Mar, 03:35'],
    ['2026-03-06T15:00:00Z', 'Australia/Sydney', 'Sat 7 Mar, 02:00'],
    // London springs forward at 01:00 UTC on 29 March 2026: 00:59 GMT, then 02:00 BST.
    ['2026-03-29T00:59:00Z', 'Europe/London', 'Sun 29 Mar, 00:59'],
    ['2026-03-29T01:00:00Z', 'Europe/London', 'Sun 29 Mar, 02:00'],
    // New York falls back at 06:00 UTC on 1 November 2026: 01:30 twice.
    ['2026-11-01T05:30:00Z', 'America/New_York', 'Sun 1 Nov, 01:30'],
    ['2026-11-01T06:30:00Z', 'America/New_York', 'Sun 1 Nov, 01:30'],
  ])('%s in %s is "%s"', (instant, zone, expected) => {
    expect(formatWhen(instant, zone, NOW)).toBe(expected);
  });

  it("says UTC when the viewer's zone is unknown or not a zone, and never for a real UTC viewer", () => {
    expect(formatWhen('2026-03-06T08:35:00Z', undefined, NOW)).toBe('Fri 6 Mar, 08:35 UTC');
    expect(formatWhen('2026-03-06T08:35:00Z', 'Mars/Olympus', NOW)).toBe('Fri 6 Mar, 08:35 UTC');
    expect(formatWhen('2026-03-06T08:35:00Z', 'UTC', NOW)).toBe('Fri 6 Mar, 08:35');
    expect(formatWhen('2026-03-06T08:35:00Z', 'Etc/UTC', NOW)).toBe('Fri 6 Mar, 08:35');
  });

  it("adds the year outside the viewer's current one, as the viewer's zone counts it", () => {
    expect(formatWhen('2025-12-31T23:30:00Z', 'UTC', NOW)).toBe('Wed 31 Dec 2025, 23:30');
    // Already 2026 in Tokyo, 2025 in UTC.
    expect(formatWhen('2025-12-31T23:30:00Z', 'Asia/Tokyo', NOW)).toBe('Thu 1 Jan, 08:30');
    expect(formatWhen('not a date', 'UTC', NOW)).toBe('');
  });
});

describe('calendar days, durations and relative hints', () => {
  it('writes a day as the card does', () => {
    expect(formatDay('2026-12-04', NOW)).toBe('Fri 4 Dec');
    expect(formatDay('2027-01-04', NOW)).toBe('Mon 4 Jan 2027');
  });

  // Calendar time as people say it, floored to its largest unit: never more than it was.
  it.each([
    [30_000, '1 minute'],
    [5 * 60_000, '5 minutes'],
    [3 * 3600_000, '3 hours'],
    [3 * 3600_000 + 59 * 60_000, '3 hours'],
    [3600_000, '1 hour'],
    [2 * 86_400_000, '2 days'],
    [4.6 * 86_400_000, '4 days'],
    [86_400_000, '1 day'],
  ])('%i ms is "%s"', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  // Working time as working time: a day is 8 working hours, as an effort counts it.
  it.each([
    [0, 'under a minute'],
    [45, '45 min'],
    [4 * 60, '4 h'],
    [4 * 60 + 10, '4 h 10 min'],
    [8 * 60, '1 working day'],
    [8 * 60 + 30, '1 working day and 30 min'],
    [2 * 8 * 60 + 4 * 60, '2 working days and 4 h'],
    [8 * 60 + 30.9, '1 working day and 30 min'],
  ])('%i working minutes are "%s"', (minutes, expected) => {
    expect(formatWorkingTime(minutes)).toBe(expected);
  });

  it('names the zone of an instant in a message in words, the same way everywhere', () => {
    expect(formatWhenIn('2026-12-08T21:30:00Z', 'Europe/London', NOW)).toBe('Tue 8 Dec, 21:30 London time');
    expect(formatWhenIn('2026-12-08T21:30:00Z', 'America/New_York', NOW)).toBe('Tue 8 Dec, 16:30 New York time');
    expect(formatWhenIn('2026-12-08T21:30:00Z', undefined, NOW)).toBe('Tue 8 Dec, 21:30 UTC');
    expect(formatWhenIn('2026-12-08T21:30:00Z', 'Etc/UTC', NOW)).toBe('Tue 8 Dec, 21:30 UTC');
  });

  it('says how far away an instant is', () => {
    expect(relativeWhen('2026-03-08T09:00:00Z', NOW)).toBe('in 2 days');
    expect(relativeWhen('2026-03-06T06:00:00Z', NOW)).toBe('3 hours ago');
    expect(relativeWhen('2026-03-06T09:00:20Z', NOW)).toBe('just now');
  });
});
