/**
 * Effort as people type it, parsed into working minutes (a day is 8h, a week 5d),
 * and formatted back the way the card shows it.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  formatEffort,
  MAX_EFFORT_MINUTES,
  MINUTES_PER_DAY,
  MINUTES_PER_HOUR,
  MINUTES_PER_WEEK,
  parseEffort,
} from '../../src/domain/effort';

describe('effort constants', () => {
  it('uses working time: 8h days, 5d weeks, 12w at most', () => {
    expect([MINUTES_PER_HOUR, MINUTES_PER_DAY, MINUTES_PER_WEEK, MAX_EFFORT_MINUTES]).toEqual([60, 480, 2400, 28_800]);
  });
});

describe('parseEffort accepts', () => {
  it.each([
    ['30m', 30],
    ['4h', 240],
    ['2d', 960],
    ['1w', 2400],
    ['1h 30m', 90],
    ['1h30m', 90],
    ['1 h 30 m', 90],
    ['1.5h', 90],
    ['1.5 days', 720],
    ['2 days', 960],
    ['90 min', 90],
    ['45 mins', 45],
    ['1 minute', 1],
    ['10 minutes', 10],
    ['1hr', 60],
    ['3 hrs', 180],
    ['1 hour', 60],
    ['2 hours', 120],
    ['1 day', 480],
    ['1wk', 2400],
    ['2 wks', 4800],
    ['1 week', 2400],
    ['3 weeks', 7200],
    ['4H', 240],
    ['1H 30M', 90],
    ['2 Days', 960],
    ['1h, 30m', 90],
    ['1 hour, 30 minutes', 90],
    ['1w,2d,3h,15m', 3555],
    ['30m 1h', 90],
    ['1h 1h', 120],
    ['  30m  ', 30],
    ['1w 2d 3h 15m', 3555],
    ['12w', MAX_EFFORT_MINUTES],
    ['0.5m', 1],
    ['1.333h', 80],
  ])('%j -> %i minutes', (text, minutes) => {
    expect(parseEffort(text)).toBe(minutes);
  });
});

describe('parseEffort rejects', () => {
  it.each([
    [''],
    ['   '],
    [','],
    ['abc'],
    ['4'],
    ['4x'],
    ['4 parsecs'],
    ['-1h'],
    ['0m'],
    ['0.4m'],
    ['13w'],
    ['12w 1m'],
    ['h4'],
    ['1h 30'],
    ['1h-30m'],
    ['1h and 30m'],
    ['1e2m'],
    ['.5h'],
    ['1.h'],
    ['99999999999999999999w'],
  ])('%j', (text) => {
    expect(parseEffort(text)).toBeUndefined();
  });
});

describe('formatEffort', () => {
  it.each([
    [0, '0m'],
    [1, '1m'],
    [30, '30m'],
    [59, '59m'],
    [60, '1h'],
    [90, '1h 30m'],
    [480, '1d'],
    [495, '1d 15m'],
    [2400, '1w'],
    [2460, '1w 1h'],
    [3555, '1w 2d 3h 15m'],
    [MAX_EFFORT_MINUTES, '12w'],
  ])('%i minutes -> %j', (minutes, text) => {
    expect(formatEffort(minutes)).toBe(text);
  });

  it.each([[1], [30], [90], [480], [495], [2400], [3555], [MAX_EFFORT_MINUTES - 1], [MAX_EFFORT_MINUTES]])(
    'round trips %i minutes through the card text',
    (minutes) => {
      expect(parseEffort(formatEffort(minutes))).toBe(minutes);
    },
  );

  it('parseEffort(formatEffort(m)) === m for every m in 1..MAX_EFFORT_MINUTES', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_EFFORT_MINUTES }), (minutes) => {
        expect(parseEffort(formatEffort(minutes))).toBe(minutes);
      }),
      { numRuns: 500 },
    );
  });

  it('parseEffort never throws and yields a whole number of minutes in 1..MAX or undefined', () => {
    const effortish = fc.string({
      unit: fc.constantFrom('1', '2', '5', '0', '.', ' ', ',', '-', 'm', 'h', 'd', 'w', 'k', 's', 'i', 'n', 'H', 'x'),
      maxLength: 16,
    });
    fc.assert(
      fc.property(fc.oneof(effortish, fc.string()), (text) => {
        const minutes = parseEffort(text);
        if (minutes !== undefined) {
          expect(Number.isInteger(minutes)).toBe(true);
          expect(minutes).toBeGreaterThanOrEqual(1);
          expect(minutes).toBeLessThanOrEqual(MAX_EFFORT_MINUTES);
        }
      }),
      { numRuns: 500 },
    );
  });
});
