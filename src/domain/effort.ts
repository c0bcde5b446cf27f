/**
 * Estimated effort, as people type it ("30m", "4h", "2d", "1h 30m", "1.5 days").
 *
 * Effort is working time: a day is 8 working hours and a week 5 working days,
 * because the lead-time rule compares it with the receiver's working calendar.
 */

export const MINUTES_PER_HOUR = 60;
export const MINUTES_PER_DAY = 8 * MINUTES_PER_HOUR;
export const MINUTES_PER_WEEK = 5 * MINUTES_PER_DAY;
/** A quarter of working weeks: past that a handoff is a project, not a handoff. */
export const MAX_EFFORT_MINUTES = 12 * MINUTES_PER_WEEK;

const UNIT_MINUTES: Record<string, number> = {
  m: 1,
  min: 1,
  mins: 1,
  minute: 1,
  minutes: 1,
  h: MINUTES_PER_HOUR,
  hr: MINUTES_PER_HOUR,
  hrs: MINUTES_PER_HOUR,
  hour: MINUTES_PER_HOUR,
  hours: MINUTES_PER_HOUR,
  d: MINUTES_PER_DAY,
  day: MINUTES_PER_DAY,
  days: MINUTES_PER_DAY,
  w: MINUTES_PER_WEEK,
  wk: MINUTES_PER_WEEK,
  wks: MINUTES_PER_WEEK,
  week: MINUTES_PER_WEEK,
  weeks: MINUTES_PER_WEEK,
};

const PART = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/gy;

/**
 * Parses an effort into whole working minutes, or returns undefined when the
 * text is not a sum of `<number><unit>` parts or is out of range.
 */
export function parseEffort(text: string): number | undefined {
  const input = text.trim().toLowerCase().replace(/,/g, ' ');
  if (input === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(input); match; match = PART.exec(input)) {
    const [whole, amount, unit] = match;
    const perUnit = UNIT_MINUTES[unit ?? ''];
    if (perUnit === undefined) return undefined;
    total += Number(amount) * perUnit;
    consumed += whole.length;
  }
  if (consumed !== input.length) return undefined;
  const minutes = Math.round(total);
  return minutes > 0 && minutes <= MAX_EFFORT_MINUTES ? minutes : undefined;
}

/** Formats minutes the way the card shows them: "1w 2d 3h 15m". */
export function formatEffort(minutes: number): string {
  const parts: string[] = [];
  let rest = minutes;
  for (const [unit, size] of [
    ['w', MINUTES_PER_WEEK],
    ['d', MINUTES_PER_DAY],
    ['h', MINUTES_PER_HOUR],
    ['m', 1],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join(' ') || '0m';
}
