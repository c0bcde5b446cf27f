/**
 * The due index against a real Azurite: a check reads what is due by now,
 * from the cursor's hour on, and never what is due later; a late write is
 * not lost behind the cursor; the round trips follow the hours read, not the
 * entries stored.
 */
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { DueIndex, hourPartition } from '../../src/store/due-index';
import { tableRoundTrips } from '../../src/store/tables';
import { uniquePrefix } from '../support/stack';

let index: DueIndex;
const NOW = Date.parse('2026-12-07T10:20:00.000Z');
const HOUR = 3_600_000;

beforeEach(async () => {
  index = await DueIndex.open(inject('tablesConnectionString'), uniquePrefix());
});

const ids = (entries: { handoffId: string }[]) => entries.map((e) => e.handoffId).sort();

describe('the due index', () => {
  it('names an hour\'s partition by its UTC hour', () => {
    expect(hourPartition(Date.parse('2026-12-07T10:59:59.999Z'))).toBe('h2026-12-07T10');
  });

  it('returns what is due by now, across the hours since the cursor, and nothing due later', async () => {
    await index.schedule('h-yesterday', '2026-12-06T12:00:00.000Z', Date.parse('2026-12-06T11:00:00.000Z'));
    await index.schedule('h-this-hour', '2026-12-07T10:19:00.000Z', Date.parse('2026-12-07T09:00:00.000Z'));
    await index.schedule('h-in-a-minute', '2026-12-07T10:21:00.000Z', Date.parse('2026-12-07T09:00:00.000Z'));
    await index.schedule('h-tomorrow', '2026-12-08T09:00:00.000Z', Date.parse('2026-12-07T09:00:00.000Z'));
    // No cursor yet (the first check ever): it looks 48 hours back.
    const first = await index.dueBy(NOW);
    expect(ids(first.entries)).toEqual(['h-this-hour', 'h-yesterday']);
    expect(first.hours).toHaveLength(49);
    expect(first.entries.find((e) => e.handoffId === 'h-this-hour')).toMatchObject({ at: '2026-12-07T10:19:00.000Z', partitionKey: 'h2026-12-07T10' });
    // Settled: the entries go, the cursor moves to the hour before this one.
    await Promise.all(first.entries.map((e) => index.remove(e)));
    await index.moveCursor(hourPartition(NOW - HOUR));
    const second = await index.dueBy(NOW + 15 * 60_000);
    expect(second.hours).toEqual(['h2026-12-07T09', 'h2026-12-07T10']);
    expect(ids(second.entries)).toEqual(['h-in-a-minute']);
  });

  it('puts an entry written after its instant into the current hour, where the next check looks', async () => {
    await index.moveCursor(hourPartition(NOW - HOUR));
    // Its outbox row was delivered two hours late (a crash, a storage outage).
    await index.schedule('h-late', '2026-12-07T07:30:00.000Z', NOW);
    const { entries } = await index.dueBy(NOW);
    expect(entries).toEqual([expect.objectContaining({ handoffId: 'h-late', at: '2026-12-07T07:30:00.000Z', partitionKey: 'h2026-12-07T10' })]);
  });

  it('is idempotent: a redelivered row writes the same entry, and removing one twice is no error', async () => {
    await index.moveCursor(hourPartition(NOW - HOUR));
    for (let i = 0; i < 3; i += 1) await index.schedule('h1', '2026-12-07T10:00:00.000Z', NOW - HOUR);
    const { entries } = await index.dueBy(NOW);
    expect(entries).toHaveLength(1);
    await index.unschedule('h1', '2026-12-07T10:00:00.000Z');
    await index.unschedule('h1', '2026-12-07T10:00:00.000Z');
    expect((await index.dueBy(NOW)).entries).toEqual([]);
  });

  it('costs the hours it reads, however many handoffs are due later', async () => {
    await index.moveCursor(hourPartition(NOW - HOUR));
    const later = Array.from({ length: 200 }, (_, i) => index.schedule(`h-later-${i}`, new Date(NOW + (i + 1) * HOUR).toISOString(), NOW));
    await Promise.all([...later, index.schedule('h-due', '2026-12-07T10:00:00.000Z', NOW)]);
    const before = tableRoundTrips.count;
    const { entries } = await index.dueBy(NOW);
    // One read of the cursor, one query per hour (the one before and this one).
    expect(tableRoundTrips.count - before).toBe(3);
    expect(ids(entries)).toEqual(['h-due']);
  });

  it('finds the next entry after now for the dev clock, in a later hour too', async () => {
    await index.schedule('h-next', '2026-12-08T09:00:00.000Z', NOW);
    await index.schedule('h-after', '2026-12-09T09:00:00.000Z', NOW);
    await index.schedule('h-past', '2026-12-07T10:00:00.000Z', NOW);
    expect(await index.next(NOW)).toMatchObject({ handoffId: 'h-next', at: '2026-12-08T09:00:00.000Z' });
    expect(await index.next(Date.parse('2026-12-10T00:00:00.000Z'))).toBeUndefined();
  });
});
