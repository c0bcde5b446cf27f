/**
 * Baton's one clock. Everything that asks "what time is it" or waits (due
 * times, retries, Exchange's sending limit, the outbox's backoff) asks a
 * Clock, so tests can stand in for time and local mode can move it forward.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * The real clock plus an offset: local mode's way to see a nudge without
 * waiting a working day (POST /dev/clock). It may start at any instant, past
 * or future (a test names its own), and from there it only moves forward.
 * Waiting is real time, so a retry still waits as long as it says.
 */
export class ShiftedClock implements Clock {
  private offsetMs: number;

  /** @param startAt the instant (ms since the epoch) the clock reads now; the base clock's now by default */
  constructor(
    private readonly base: Clock = realClock,
    startAt?: number,
  ) {
    this.offsetMs = startAt === undefined ? 0 : startAt - base.now();
  }

  now(): number {
    return this.base.now() + this.offsetMs;
  }

  sleep(ms: number): Promise<void> {
    return this.base.sleep(ms);
  }

  /** Moves the clock forward; time never runs backwards, so a negative step is refused. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`The clock only moves forward, not by ${ms} ms`);
    this.offsetMs += ms;
  }

  /** How far ahead of real time the clock is (negative when it started in the past). */
  get offset(): number {
    return this.offsetMs;
  }
}
