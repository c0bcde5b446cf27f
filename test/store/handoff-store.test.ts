/**
 * The repository against a real Azurite: transactions, ETags, replays.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type Handoff, type HandoffEvent, type HandoffFields, postHandoff } from '../../src/domain/handoff';
import { apply, type Command } from '../../src/domain/process';
import { TableClient } from '@azure/data-tables';
import { ConflictError, UnreadableRecordError } from '../../src/errors';
import { HandoffStore } from '../../src/store/handoff-store';
import { handoffIdForForm } from '../../src/store/keys';
import { tableRoundTrips, tripsSince } from '../../src/store/tables';
import { uniquePrefix } from '../support/stack';

const person = (name: string) => ({ aadObjectId: `aad-${name}`, userId: `29:${name}`, name });
const ada = person('Ada');
const grace = person('Grace');
const alan = person('Alan');
const barbara = person('Barbara');
const hedy = person('Hedy');

let store: HandoffStore;
const prefix = uniquePrefix();

beforeAll(async () => {
  store = await HandoffStore.open(inject('tablesConnectionString'), prefix);
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
      priority: 'high',
    },
    sender: ada,
    receiver: grace,
    owner: ada,
    stakeholders: [alan, barbara],
    conversation: { id: '19:chat', serviceUrl: 'http://127.0.0.1/', messageId: 'msg-1' },
    at: '2026-11-24T10:00:00.000Z',
    late: true,
  });
  return { handoff: { ...handoff, ...overrides }, event };
}

/** Just the fields the sender edits, as a resubmission carries them. */
function fieldsOf(h: Handoff): HandoffFields {
  const { summary, whatIsReady, acceptanceCriteria, assumptions, links, effortMinutes, workState, blocker, neededBy, priority } = h;
  return { summary, whatIsReady, acceptanceCriteria, assumptions, links, effortMinutes, workState, blocker, neededBy, priority };
}

const ACCEPT: Command = { type: 'accept', checked: [true, true], note: '' };
const REQUEST_CHANGES = (comment: string): Command => ({ type: 'requestChanges', comment });

/** Applies an action that must succeed. */
function applied(handoff: Handoff, command: Command, actor = grace, at = '2026-11-24T11:00:00.000Z') {
  const outcome = apply(handoff, command, actor, at);
  if (!outcome.ok) throw new Error(`${command.type} refused: ${outcome.refusal.message}`);
  return outcome;
}

describe('HandoffStore', () => {
  it('round-trips every field of a handoff and its first event', async () => {
    const { handoff, event } = newHandoff();
    expect(event.detail).toBe('posted inside the minimum lead time; Blocked: Staging DB');
    await store.insert(handoff, event, 'act-1');
    const stored = await store.read(handoff.id);
    expect(stored?.handoff).toStrictEqual(handoff);
    expect(await store.applied(handoff.id, 'act-1')).toBe(true);
    expect(await store.applied(handoff.id, 'act-2')).toBe(false);
    expect(await store.history(handoff.id)).toStrictEqual([event]);
  });

  it('keeps optional fields absent when they were absent', async () => {
    const { handoff, event } = newHandoff({
      effortMinutes: undefined,
      neededBy: undefined,
      links: [],
      assumptions: '',
      stakeholders: [],
      conversation: { id: '19:chat', serviceUrl: 'http://127.0.0.1/' },
    });
    await store.insert(handoff, event, 'act-1');
    const read = (await store.read(handoff.id))?.handoff;
    expect(read).toStrictEqual(handoff);
    expect(read && [read.decision, read.question, read.answer, read.ending, read.conversation.messageId]).toStrictEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('round-trips a handoff with every remark set, and every event with its detail', async () => {
    const { handoff: first, event: postedEvent } = newHandoff();
    await store.insert(first, postedEvent, 'act-1');
    const steps: [Command, typeof ada][] = [
      [{ type: 'ask', question: 'Which gateway? ${receiver.name} **bold**' }, grace],
      [{ type: 'answer', answer: 'The sandbox one.\nSecond line.' }, ada],
      [REQUEST_CHANGES('Add the rollback steps.'), grace],
      [{ type: 'resubmit', fields: { ...fieldsOf(first), summary: 'Ship the retry worker with rollback', links: [], effortMinutes: 600 } }, ada],
      [{ type: 'setWorkState', workState: 'inProgress', blocker: '' }, ada],
      [{ type: 'flagPriority', priority: 'urgent', reason: 'Launch moved up' }, barbara],
      [{ type: 'reassign', receiver: hedy }, ada],
      [{ type: 'nudge', reached: true }, ada],
      [{ type: 'accept', checked: [true, false], note: 'Retries verified by hand.' }, hedy],
      [{ type: 'close', note: 'Shipped to production.' }, ada],
    ];
    let current = first;
    const events: HandoffEvent[] = [postedEvent];
    for (const [i, [command, actor]] of steps.entries()) {
      const stored = (await store.read(current.id))!;
      expect(stored.handoff).toStrictEqual(current);
      const outcome = applied(stored.handoff, command, actor, `2026-11-24T1${i}:00:00.000Z`);
      await store.save(outcome.handoff, stored.etag, outcome.event, `act-step-${i}`);
      current = outcome.handoff;
      events.push(outcome.event);
    }
    const final = (await store.read(current.id))!.handoff;
    expect(final).toStrictEqual(current);
    expect(final).toMatchObject({
      status: 'closed',
      version: 2,
      changes: ['changed the summary', 'removed one link', 'effort 4h → 1d 2h'],
      priority: 'urgent',
      receiver: hedy,
      stakeholders: [alan, barbara],
      question: { by: grace, at: '2026-11-24T10:00:00.000Z', text: 'Which gateway? ${receiver.name} **bold**' },
      answer: { by: ada, at: '2026-11-24T11:00:00.000Z', text: 'The sandbox one.\nSecond line.' },
      decision: { status: 'accepted', by: hedy, at: '2026-11-24T18:00:00.000Z', text: 'Retries verified by hand.', checked: [true, false] },
      ending: { by: ada, at: '2026-11-24T19:00:00.000Z', text: 'Shipped to production.' },
      late: true,
      eventCount: 11,
    });
    const history = await store.history(current.id);
    expect(history).toStrictEqual(events);
    expect(history.map((e) => [e.seq, e.type, e.detail])).toEqual([
      [1, 'posted', 'posted inside the minimum lead time; Blocked: Staging DB'],
      [2, 'questionAsked', ''],
      [3, 'answered', ''],
      [4, 'changesRequested', ''],
      [5, 'resubmitted', 'v2: changed the summary, removed one link, effort 4h → 1d 2h'],
      [6, 'workStateChanged', 'In progress'],
      [7, 'priorityFlagged', 'high -> urgent'],
      [8, 'reassigned', 'from Grace to Hedy'],
      [9, 'nudged', 'Hedy'],
      [10, 'accepted', '1 of 2 criteria checked'],
      [11, 'closed', ''],
    ]);
    expect(await store.countRows(current.id)).toEqual({ handoff: 1, events: 11, activities: 11, outbox: 0 });
  });

  it('round-trips a change request decision and a cancellation', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    let stored = (await store.read(handoff.id))!;
    const sentBack = applied(stored.handoff, REQUEST_CHANGES('  No rollback plan.  '));
    await store.save(sentBack.handoff, stored.etag, sentBack.event, 'act-2');
    stored = (await store.read(handoff.id))!;
    expect(stored.handoff).toStrictEqual(sentBack.handoff);
    expect(stored.handoff.decision).toStrictEqual({ status: 'changesRequested', by: grace, at: '2026-11-24T11:00:00.000Z', text: 'No rollback plan.', checked: [] });
    const cancelled = applied(stored.handoff, { type: 'cancel', reason: 'Plans changed.' }, ada, '2026-11-24T12:00:00.000Z');
    await store.save(cancelled.handoff, stored.etag, cancelled.event, 'act-3');
    const after = (await store.read(handoff.id))!.handoff;
    expect(after).toStrictEqual(cancelled.handoff);
    expect(after.ending).toStrictEqual({ by: ada, at: '2026-11-24T12:00:00.000Z', text: 'Plans changed.' });
    expect(after.changeRequest).toStrictEqual({ by: grace, at: '2026-11-24T11:00:00.000Z', text: 'No rollback plan.', version: 1 });
  });

  it('refuses a second insert of the same handoff and leaves the first intact', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    await expect(store.insert({ ...handoff, summary: 'Other' }, event, 'act-2')).rejects.toBeInstanceOf(ConflictError);
    expect((await store.read(handoff.id))?.handoff.summary).toBe('Ship the retry worker');
    expect(await store.countRows(handoff.id)).toEqual({ handoff: 1, events: 1, activities: 1, outbox: 0 });
  });

  it('writes a change, its event and its activity marker together', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const stored = (await store.read(handoff.id))!;
    expect(await store.applied(handoff.id, 'act-2')).toBe(false);
    const result = applied(stored.handoff, ACCEPT);
    await store.save(result.handoff, stored.etag, result.event, 'act-2');
    const after = (await store.read(handoff.id))!;
    expect(after.handoff.status).toBe('accepted');
    expect(await store.applied(handoff.id, 'act-2')).toBe(true);
    expect((await store.history(handoff.id)).map((e) => e.type)).toEqual(['posted', 'accepted']);
  });

  it('rejects a save with a stale ETag and writes neither the change nor its event', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const stale = (await store.read(handoff.id))!;
    const first = applied(stale.handoff, ACCEPT);
    await store.save(first.handoff, stale.etag, first.event, 'act-2');
    const second = applied(stale.handoff, REQUEST_CHANGES('No'), grace, '2026-11-24T11:00:01.000Z');
    // A different event row, so only the ETag can stop it.
    const event3: HandoffEvent = { ...second.event, seq: 3 };
    await expect(store.save({ ...second.handoff, eventCount: 3 }, stale.etag, event3, 'act-3')).rejects.toBeInstanceOf(ConflictError);
    expect((await store.read(handoff.id))?.handoff.status).toBe('accepted');
    expect(await store.countRows(handoff.id)).toEqual({ handoff: 1, events: 2, activities: 2, outbox: 0 });
  });

  it('rejects a replayed activity even with a fresh ETag, changing nothing', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const fresh = (await store.read(handoff.id))!;
    const edited: Handoff = { ...fresh.handoff, summary: 'Edited', eventCount: 2 };
    const editEvent: HandoffEvent = { ...event, seq: 2, type: 'changesRequested' };
    await expect(store.save(edited, fresh.etag, editEvent, 'act-1')).rejects.toBeInstanceOf(ConflictError);
    expect((await store.read(handoff.id))?.handoff.summary).toBe('Ship the retry worker');
    expect(await store.countRows(handoff.id)).toEqual({ handoff: 1, events: 1, activities: 1, outbox: 0 });
  });

  it('lets exactly one of ten concurrent saves from the same read win', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const read = (await store.read(handoff.id))!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => {
        const result = applied(read.handoff, i % 2 ? ACCEPT : REQUEST_CHANGES(`comment ${i}`), grace, `2026-11-24T11:00:0${i}.000Z`);
        return store.save(result.handoff, read.etag, result.event, `act-${i + 10}`);
      }),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConflictError);
    expect(await store.countRows(handoff.id)).toEqual({ handoff: 1, events: 2, activities: 2, outbox: 0 });
  });

  it('reads a handoff in one point read, and whether an activity was applied in another', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const before = { ...tableRoundTrips };
    await store.read(handoff.id);
    expect(tripsSince(before)).toMatchObject({ own: 1, ownReads: 1 });
    await store.applied(handoff.id, 'act-1');
    expect(tripsSince(before)).toMatchObject({ own: 2, ownReads: 2 });
  });

  it('reads a handoff with its history in one round trip, without its markers and outbox rows', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const stored = (await store.read(handoff.id))!;
    const result = applied(stored.handoff, ACCEPT);
    await store.save(result.handoff, stored.etag, result.event, 'act-2', [{ kind: 'card' }]);
    const before = tableRoundTrips.count;
    const read = (await store.readWithHistory(handoff.id))!;
    expect(tableRoundTrips.count - before).toBe(1);
    expect(read.handoff).toStrictEqual(result.handoff);
    expect(read.events).toStrictEqual(await store.history(handoff.id));
    expect(read.events.map((e) => e.type)).toEqual(['posted', 'accepted']);
    expect(await store.readWithHistory('0123456789abcdef0123')).toBeUndefined();
  });

  it('answers undefined for a handoff that does not exist', async () => {
    expect(await store.read('0123456789abcdef0123')).toBeUndefined();
  });

  it('reports a record it cannot read as UnreadableRecordError, naming the handoff', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const table = TableClient.fromConnectionString(inject('tablesConnectionString'), `${prefix}handoffs`, { allowInsecureConnection: true });
    await table.updateEntity({ partitionKey: handoff.id, rowKey: 'handoff', stakeholders: 'not json', status: 'sideways' }, 'Merge');
    const error = await store.read(handoff.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableRecordError);
    expect((error as UnreadableRecordError).message).toMatch(new RegExp(`^Record ${handoff.id} cannot be read: .*status.*stakeholders: is not JSON`));
  });
});

describe('outbox rows', () => {
  const message = { kind: 'message' as const, to: grace, headline: 'Ada handed you a handoff.', quote: '', about: 'posted' };

  it('are written with the change and its event in one transaction, held by the writer until its lease', async () => {
    const { handoff, event } = newHandoff();
    const rows = await store.insert(handoff, event, 'act-1', [{ kind: 'index' }, { kind: 'card' }, message], '2026-11-24T10:01:00.000Z');
    expect(rows.map((r) => [r.key, r.effect.kind, r.state, r.leaseUntil, r.attempts])).toEqual([
      ['outbox_000001_000', 'index', 'pending', '2026-11-24T10:01:00.000Z', 0],
      ['outbox_000001_001', 'card', 'pending', '2026-11-24T10:01:00.000Z', 0],
      ['outbox_000001_002', 'message', 'pending', '2026-11-24T10:01:00.000Z', 0],
    ]);
    expect(rows.every((r) => r.etag !== '')).toBe(true);
    expect(await store.outbox(handoff.id)).toStrictEqual(rows);
    expect(await store.countRows(handoff.id)).toEqual({ handoff: 1, events: 1, activities: 1, outbox: 3 });
  });

  it('are not written when the change loses its ETag race or replays an activity', async () => {
    const { handoff, event } = newHandoff();
    await store.insert(handoff, event, 'act-1');
    const stale = (await store.read(handoff.id))!;
    const first = applied(stale.handoff, ACCEPT);
    await store.save(first.handoff, stale.etag, first.event, 'act-2', [{ kind: 'card' }]);
    const second = applied(stale.handoff, REQUEST_CHANGES('No'), grace, '2026-11-24T11:00:01.000Z');
    await expect(store.save({ ...second.handoff, eventCount: 3 }, stale.etag, { ...second.event, seq: 3 }, 'act-3', [{ kind: 'card' }, message])).rejects.toBeInstanceOf(ConflictError);
    const fresh = (await store.read(handoff.id))!;
    const replay = applied(fresh.handoff, { type: 'close', note: '' }, ada);
    await expect(store.save(replay.handoff, fresh.etag, replay.event, 'act-2', [message])).rejects.toBeInstanceOf(ConflictError);
    expect((await store.outbox(handoff.id)).map((r) => r.key)).toEqual(['outbox_000002_000']);
  });

  it('change only with their ETag: one of two deliverers claims a row', async () => {
    const { handoff, event } = newHandoff();
    const [row] = await store.insert(handoff, event, 'act-1', [message]);
    const outcomes = await Promise.allSettled([store.updateRow(row!, { leaseUntil: '2026-11-24T10:02:00.000Z' }), store.updateRow(row!, { leaseUntil: '2026-11-24T10:03:00.000Z' })]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const claimed = outcomes.find((o) => o.status === 'fulfilled')!.value;
    const delivered = await store.updateRow(claimed, { state: 'delivered', leaseUntil: '', deliveredAt: '2026-11-24T10:01:30.000Z' });
    expect(await store.outbox(handoff.id)).toEqual([]);
    expect(await store.outbox(handoff.id, { all: true })).toStrictEqual([delivered]);
    expect(delivered.lastError).toBe('');
  });

  it('cut a failure reason to what a property may hold', async () => {
    const { handoff, event } = newHandoff();
    const [row] = await store.insert(handoff, event, 'act-1', [message]);
    const failed = await store.updateRow(row!, { attempts: 1, lastError: 'x'.repeat(5000) });
    expect(failed.lastError).toHaveLength(1000);
    expect((await store.outbox(handoff.id))[0]?.lastError).toHaveLength(1000);
  });

  it('record a posted card: the message id and the delivered row in one transaction, refused on a stale handoff', async () => {
    const { handoff, event } = newHandoff({ conversation: { id: '19:chat', serviceUrl: 'http://127.0.0.1/' } });
    const [row] = await store.insert(handoff, event, 'act-1', [{ kind: 'post' }]);
    const before = (await store.read(handoff.id))!;
    const changed = applied(before.handoff, { type: 'nudge', reached: true }, ada);
    await store.save(changed.handoff, before.etag, changed.event, 'act-2');
    await expect(store.recordPosted(before, 'msg-9', row!, '2026-11-24T10:00:05.000Z')).rejects.toBeInstanceOf(ConflictError);
    expect((await store.outbox(handoff.id)).map((r) => r.state)).toEqual(['pending']);
    await store.recordPosted((await store.read(handoff.id))!, 'msg-9', row!, '2026-11-24T10:00:05.000Z');
    const after = (await store.read(handoff.id))!.handoff;
    expect(after.conversation.messageId).toBe('msg-9');
    expect(after.eventCount).toBe(2);
    expect(await store.outbox(handoff.id, { all: true })).toMatchObject([{ state: 'delivered', deliveredAt: '2026-11-24T10:00:05.000Z', leaseUntil: '' }]);
  });
});
