/**
 * Every in-process cache keyed by what requests carry has a bound, and the
 * bound really evicts.
 */
import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, cachedFormatters } from '../src/domain/time-zones';
import { formatWhen } from '../src/domain/time-format';
import { ExpiringCache, LruMap } from '../src/lru';

describe('LruMap', () => {
  it('forgets the least recently used entry past its capacity', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1).set('b', 2);
    expect(map.get('a')).toBe(1); // a is now the most recent
    map.set('c', 3);
    expect([map.has('a'), map.has('b'), map.has('c'), map.size]).toEqual([true, false, true, 2]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LruMap(0)).toThrow(RangeError);
    expect(() => new LruMap(1.5)).toThrow(RangeError);
  });
});

describe('bounded caches', () => {
  it('the directory cache holds at most its capacity, however many keys requests bring', () => {
    let now = 0;
    const cache = new ExpiringCache<number>(60_000, { now: () => now, sleep: async () => undefined }, 100);
    for (let i = 0; i < 10_000; i += 1) void cache.set(`person-${i}`, Promise.resolve(i));
    expect(cache.size).toBe(100);
    now = 60_000;
    expect(cache.get('person-9999')).toBeUndefined();
  });

  it('time-zone formatters stay one per zone Intl knows, whatever spellings clients send', () => {
    for (const zone of ['Europe/London', 'Asia/Kolkata', 'UTC']) formatWhen(new Date(0), zone, new Date(0));
    const before = cachedFormatters();
    const spellings = Array.from({ length: 2000 }, (_, i) =>
      [...'europe/london'].map((c, j) => ((i >> j) & 1 ? c.toUpperCase() : c)).join(''),
    );
    for (const zone of spellings) {
      expect(canonicalTimeZone(zone)).toBe('Europe/London');
      formatWhen(new Date(0), zone, new Date(0));
    }
    expect(cachedFormatters()).toBe(before);
    expect(canonicalTimeZone('Not/AZone')).toBeUndefined();
    expect(canonicalTimeZone(42)).toBeUndefined();
  });
});
