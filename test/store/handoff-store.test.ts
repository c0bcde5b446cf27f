/**
 * The repository against a real Azurite: transactions, ETags, replays.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type Handoff, type HandoffEvent, postHandoff } from '../../src/domain/handoff';
import { review } from '../../src/domain/review';
import { ConflictError } from '../../src/errors';
import { HandoffStore } from '../../src/store/handoff-store';
import { handoffIdForForm } from '../../src/store/keys';
import { tableRoundTrips } from '../../src/store/tables';
import { uniquePrefix } from '../support/stack';

const person = (name: string) => ({ aadObjectId: `aad-${name}`, userId: `29:${name}`, name });
const ada = person('Ada');
const grace = person('Grace');

let store: HandoffStore;

beforeAll(async () => {
  store = await HandoffStore.open(inject('tablesConnectionString'), uniquePrefix());
});

function newHandoff(overrides: Partial<Handoff> = {}) {
  const { handoff, event } = postHandoff({
    id: handoffIdForForm('tenant', crypto.randomUUID()),
    tenantId: 'tenant',
    fields: {
      summary: 'Ship the retry worker',
      whatIsReady: 'Merged behind a flag',
      acceptanceCriteria: ['Tests pass', 'Retries 3 times'],
      assumptions: 'Sandbox gateway',
      links: ['https://example.com/pr/1'],
      effortMinutes: 240,
      workState: 'blocked',
      blocker: 'Staging DB',
      neededBy: '2026-12-01',
    },
    sender: ada,
    receiver: grace,
    owner: ada,
    conversation: { id: '19:chat', serviceUrl: 'http://127.0.0.1/', messageId: 'msg-1' },
    at: '2026-11-24T10:00:00.000Z',
  });
  return { handoff: { ...handoff, ...overrides }, event };
}

describe('HandoffStore', () => {
  it('round-trips every field of a handoff and its first event', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const stored = await store.read(handoff.id);
    expect(stored?.handoff).toEqual(handoff);
    expect(stored?.replayed).toBe(false);
    expect(await store.history(handoff.id)).toEqual([event]);
  });

  it('keeps optional fields absent when they were absent', async () => {
    const { handoff, event } = newHandoff({ effortMinutes: undefined, neededBy: undefined, links: [], assumptions: '' });
    await store.insert(handoff, event, 'act-1');
    expect((await store.read(handoff.id))?.handoff).toEqual(handoff);
  });

  it('refuses a second insert of the same handoff and leaves the first intact', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    await expect(store.insert({ ...handoff, summary: 'Other' }, event, 'act-2')).rejects.toBeInstanceOf(ConflictError);
    expect((await store.read(handoff.id))?.handoff.summary).toBe('Ship the retry worker');
    expect(await store.countRows(handoff.id)).toEqual({ handoff: 1, events: 1, activities: 1 });
  });

  it('writes a change, its event and its activity marker together', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const stored = (await store.read(handoff.id, 'act-2'))!;
    const result = review(stored.handoff, 'accept', grace, '2026-11-24T11:00:00.000Z');
    if (!result.ok) throw new Error('review refused');
    await store.save(result.handoff, stored.etag, result.event, 'act-2');
    const after = (await store.read(handoff.id, 'act-2'))!;
    expect(after.handoff.status).toBe('accepted');
    expect(after.replayed).toBe(true);
    expect((await store.history(handoff.id)).map((e) => e.type)).toEqual(['posted', 'accepted']);
  });

  it('rejects a save with a stale ETag and writes neither the change nor its event', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const stale = (await store.read(handoff.id))!;
    const first = review(stale.handoff, 'accept', grace, '2026-11-24T11:00:00.000Z');
    if (!first.ok) throw new Error('review refused');
    await store.save(first.handoff, stale.etag, first.event, 'act-2');
    const second = review(stale.handoff, 'requestChanges', grace, '2026-11-24T11:00:01.000Z', 'No');
    if (!second.ok) throw new Error('review refused');
    // A different event row, so only the ETag can stop it.
    const event3: HandoffEvent = { ...second.event, seq: 3 };
    await expect(store.save({ ...second.handoff, eventCount: 3 }, stale.etag, event3, 'act-3')).rejects.toBeInstanceOf(ConflictError);
    expect((await store.read(handoff.id))?.handoff.status).toBe('accepted');
    expect(await store.countRows(handoff.id)).toEqual({ handoff: 1, events: 2, activities: 2 });
  });

  it('rejects a replayed activity even with a fresh ETag, changing nothing', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const fresh = (await store.read(handoff.id))!;
    const edited: Handoff = { ...fresh.handoff, summary: 'Edited', eventCount: 2 };
    const editEvent: HandoffEvent = { ...event, seq: 2, type: 'changesRequested' };
    await expect(store.save(edited, fresh.etag, editEvent, 'act-1')).rejects.toBeInstanceOf(ConflictError);
    expect((await store.read(handoff.id))?.handoff.summary).toBe('Ship the retry worker');
    expect(await store.countRows(handoff.id)).toEqual({ handoff: 1, events: 1, activities: 1 });
  });

  it('lets exactly one of ten concurrent saves from the same read win', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const read = (await store.read(handoff.id))!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => {
        const result = review(read.handoff, i % 2 ? 'accept' : 'requestChanges', grace, `2026-11-24T11:00:0${i}.000Z`, `comment ${i}`);
        if (!result.ok) throw new Error('review refused');
        return store.save(result.handoff, read.etag, result.event, `act-${i + 10}`);
      }),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConflictError);
    expect(await store.countRows(handoff.id)).toEqual({ handoff: 1, events: 2, activities: 2 });
  });

  it('reads a handoff and its replay marker in one round trip', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const before = tableRoundTrips.count;
    await store.read(handoff.id, 'act-1');
    expect(tableRoundTrips.count - before).toBe(1);
  });

  it('answers undefined for a handoff that does not exist', async () => {
    expect(await store.read('0123456789abcdef0123')).toBeUndefined();
  });
});
