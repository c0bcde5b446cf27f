import { describe, expect, it } from 'vitest';
import { type Clock, ShiftedClock } from '../src/clock';

/** A base clock the test moves by hand. */
function manual(at: number): Clock & { at: number } {
  return {
    at,
    now() {
      return this.at;
    },
    sleep: async () => undefined,
  };
}

describe("local mode's clock", () => {
  it('starts at the instant it is given, past or future, and runs on with the base clock', () => {
    const base = manual(Date.parse('2029-02-28T23:30:00Z'));
    const past = new ShiftedClock(base, Date.parse('2026-12-01T09:00:00Z'));
    const future = new ShiftedClock(base, Date.parse('2031-06-01T00:00:00Z'));
    expect(new Date(past.now()).toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(new Date(future.now()).toISOString()).toBe('2031-06-01T00:00:00.000Z');
    base.at += 90_000;
    expect(new Date(past.now()).toISOString()).toBe('2026-12-01T09:01:30.000Z');
    expect(past.offset).toBe(Date.parse('2026-12-01T09:00:00Z') - Date.parse('2029-02-28T23:30:00Z'));
  });

  it('moves forward only', () => {
    const clock = new ShiftedClock(manual(0), 1_000);
    clock.advance(500);
    expect(clock.now()).toBe(1_500);
    expect(() => clock.advance(-1)).toThrow('The clock only moves forward, not by -1 ms');
    expect(clock.now()).toBe(1_500);
  });
});
