import { describe, expect, it } from 'vitest';
import { cardDate, cardInstant, plainCardTimes } from '../../src/cards/card-time';

describe('card times', () => {
  it('writes an instant as DATE() and TIME() with seconds and no fraction, as the renderers require', () => {
    expect(cardInstant('2026-12-08T10:00:00.000Z')).toBe('{{DATE(2026-12-08T10:00:00Z, SHORT)}} {{TIME(2026-12-08T10:00:00Z)}}');
    expect(cardDate('2026-12-08T10:00:00.000Z')).toBe('{{DATE(2026-12-08T10:00:00Z, SHORT)}}');
  });

  it('writes them out for one zone outside a card, as a client there would', () => {
    const text = `Due ${cardInstant('2026-12-08T10:00:00.000Z')}`;
    expect(plainCardTimes(text, 'Europe/London')).toBe('Due Tue 8 Dec 10:00');
    expect(plainCardTimes(text, 'Asia/Kolkata')).toBe('Due Tue 8 Dec 15:30');
    expect(plainCardTimes(text, 'America/Los_Angeles')).toBe('Due Tue 8 Dec 02:00');
    expect(plainCardTimes('no time here', 'UTC')).toBe('no time here');
  });
});
