/**
 * The stores' contract, one suite run against both implementations: the
 * Table stores on a real Azurite, and the in-memory twins the use cases'
 * unit tests use. Transactions, ETags, markers, key order, tenants apart.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { BACKGROUND, type Effect, type PersonalChat, type Stores } from '../../src/app/ports';
import { tableStores } from '../../src/baton';
import { loadConfig } from '../../src/config';
import { type Handoff, type HandoffEvent, type HandoffFields, listingOf, type Person, postHandoff } from '../../src/domain/handoff';
import { apply, type Command } from '../../src/domain/process';
import { ConflictError } from '../../src/errors';
import { dueRowKey, hourPartition } from '../../src/store/keys';
import { tableRoundTrips } from '../../src/store/table';
import { handoffIdForForm } from '../../src/app/handoffs';
import { memoryStores } from '../support/memory-stores';
import { uniquePrefix } from '../support/stack';

const b = BACKGROUND;
const person = (id: string, name: string): Person => ({
  aadObjectId: `00000000-0000-0000-0000-${id.padStart(12, '0')}`,
  userId: `29:${id}`,
  name,
});
const ada = person('a1', 'Ada Lovelace');
const grace = person('b2', 'Grace Hopper');
const alan = person('c3', 'Alan Turing');
const barbara = person('d4', 'Barbara Liskov');
const hedy = person('e5', 'Hedy Lamarr');
const eve = person('f6', 'Eve Stranger');
const TENANT = '11111111-1111-1111-1111-111111111111';
const OTHER_TENANT = '22222222-2222-2222-2222-222222222222';

function newHandoff(overrides: Partial<Handoff> = {}, at = '2026-11-24T10:00:00.000Z'): { handoff: Handoff; event: HandoffEvent } {
  const { handoff, event } = postHandoff({
    id: handoffIdForForm(TENANT, crypto.randomUUID()),
    tenantId: TENANT,
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
    at,
    late: true,
  });
  return { handoff: { ...handoff, ...overrides }, event };
}

function fieldsOf(h: Handoff): HandoffFields {
  const { summary, whatIsReady, acceptanceCriteria, assumptions, links, effortMinutes, workState, blocker, neededBy, priority } = h;
  return { summary, whatIsReady, acceptanceCriteria, assumptions, links, effortMinutes, workState, blocker, neededBy, priority };
}

const ACCEPT: Command = { type: 'accept', checked: [true, true], note: '' };
const REQUEST_CHANGES = (comment: string): Command => ({ type: 'requestChanges', comment });

function applied(handoff: Handoff, command: Command, actor = grace, at = '2026-11-24T11:00:00.000Z') {
  const outcome = apply(handoff, command, actor, at);
  if (!outcome.ok) throw new Error(`${command.type} refused: ${outcome.refusal.message}`);
  return outcome;
}

const implementations: [string, () => Stores][] = [
  ['in memory', memoryStores],
  [
    'on Table Storage',
    () => tableStores(loadConfig({ TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: uniquePrefix() })),
  ],
];

describe.each(implementations)('the stores %s', (_name, make) => {
  let stores: Stores;
  beforeAll(() => {
    stores = make();
  });
  const insert = (h: { handoff: Handoff; event: HandoffEvent }, marker: string, effects: Effect[] = [], leaseUntil = '') =>
    stores.handoffs.commit({ handoff: h.handoff, etag: undefined, events: [h.event], markers: [marker], effects, leaseUntil }, b);
  const save = (handoff: Handoff, etag: string, event: HandoffEvent, marker: string, effects: Effect[] = []) =>
    stores.handoffs.commit({ handoff, etag, events: [event], markers: [marker], effects, leaseUntil: '' }, b);
  const read = async (id: string) => (await stores.handoffs.read(id, b))!;

  describe('handoffs', () => {
    it('round-trip every field of a handoff and its first event', async () => {
      const h = newHandoff();
      expect(h.event.detail).toBe('posted inside the minimum lead time; Blocked: Staging DB');
      await insert(h, 'act-1');
      expect((await read(h.handoff.id)).handoff).toStrictEqual(h.handoff);
      expect(await stores.handoffs.applied(h.handoff.id, 'act-1', b)).toBe(true);
      expect(await stores.handoffs.applied(h.handoff.id, 'act-2', b)).toBe(false);
      expect(await stores.handoffs.history(h.handoff.id, b)).toStrictEqual([h.event]);
    });

    it('keep optional fields absent when they were absent', async () => {
      const h = newHandoff({
        effortMinutes: undefined,
        neededBy: undefined,
        links: [],
        assumptions: '',
        stakeholders: [],
        conversation: { id: '19:chat', serviceUrl: 'http://127.0.0.1/' },
      });
      await insert(h, 'act-1');
      const back = (await read(h.handoff.id)).handoff;
      expect(back).toStrictEqual(h.handoff);
      expect([back.decision, back.question, back.answer, back.ending, back.conversation.messageId]).toStrictEqual([
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
      ]);
    });

    it('keep an owner who could not be told that the holder is away', async () => {
      const h = newHandoff({});
      const untold = { ...h, handoff: { ...h.handoff, awayUntold: { owner: alan, away: grace, at: '2026-12-11T14:00:00.000Z' } } };
      await insert(untold, 'act-1');
      expect((await read(h.handoff.id)).handoff).toStrictEqual(untold.handoff);
    });

    it('round-trip every remark, and every event with its detail, through a whole process', async () => {
      const h = newHandoff();
      await insert(h, 'act-1');
      const steps: [Command, Person][] = [
        [{ type: 'ask', question: 'Which gateway? ${receiver.name} **bold**' }, grace],
        [{ type: 'answer', answer: 'The sandbox one.\nSecond line.' }, ada],
        // Blocked work is not sent back: Ada says it is in progress first.
        [{ type: 'setWorkState', workState: 'inProgress', blocker: '' }, ada],
        [REQUEST_CHANGES('Add the rollback steps.'), grace],
        [
          {
            type: 'resubmit',
            fields: {
              ...fieldsOf(h.handoff),
              workState: 'inProgress',
              blocker: '',
              summary: 'Ship the retry worker with rollback',
              links: [],
              effortMinutes: 600,
            },
          },
          ada,
        ],
        [{ type: 'flagPriority', priority: 'urgent', reason: 'Launch moved up' }, barbara],
        [{ type: 'reassign', receiver: hedy }, ada],
        [{ type: 'nudge', reached: true }, ada],
        [{ type: 'accept', checked: [true, false], note: 'Retries verified by hand.' }, hedy],
        [{ type: 'close', note: 'Shipped to production.' }, ada],
      ];
      let current = h.handoff;
      const events: HandoffEvent[] = [h.event];
      for (const [i, [command, actor]] of steps.entries()) {
        const stored = await read(current.id);
        expect(stored.handoff).toStrictEqual(current);
        const outcome = applied(stored.handoff, command, actor, `2026-11-24T1${i}:00:00.000Z`);
        await save(outcome.handoff, stored.etag, outcome.event, `act-step-${i}`);
        current = outcome.handoff;
        events.push(outcome.event);
      }
      const final = (await read(current.id)).handoff;
      expect(final).toStrictEqual(current);
      expect(final).toMatchObject({
        status: 'closed',
        version: 2,
        changes: ['changed the summary', 'removed one link', 'effort 4 h → 1 working day and 2 h'],
        priority: 'urgent',
        receiver: hedy,
        question: { by: grace, at: '2026-11-24T10:00:00.000Z', text: 'Which gateway? ${receiver.name} **bold**' },
        decision: {
          status: 'accepted',
          by: hedy,
          at: '2026-11-24T18:00:00.000Z',
          text: 'Retries verified by hand.',
          checked: [true, false],
        },
        ending: { by: ada, at: '2026-11-24T19:00:00.000Z', text: 'Shipped to production.' },
        eventCount: 11,
      });
      expect(await stores.handoffs.history(current.id, b)).toStrictEqual(events);
      const withHistory = (await stores.handoffs.readWithHistory(current.id, b))!;
      expect(withHistory).toStrictEqual({ handoff: current, events });
      expect(await stores.handoffs.readWithHistory('0123456789abcdef0123', b)).toBeUndefined();
    });

    it('refuse a second insert of the same handoff and leave the first intact', async () => {
      const h = newHandoff();
      await insert(h, 'act-1');
      await expect(insert({ handoff: { ...h.handoff, summary: 'Other' }, event: h.event }, 'act-2')).rejects.toBeInstanceOf(ConflictError);
      expect((await read(h.handoff.id)).handoff.summary).toBe('Ship the retry worker');
      expect(await stores.handoffs.history(h.handoff.id, b)).toHaveLength(1);
    });

    it('refuse a save with a stale ETag, writing neither the change, its event nor its rows', async () => {
      const h = newHandoff({ workState: 'ready', blocker: '' });
      await insert(h, 'act-1');
      const stale = await read(h.handoff.id);
      const first = applied(stale.handoff, ACCEPT);
      await save(first.handoff, stale.etag, first.event, 'act-2', [{ kind: 'card' }]);
      const second = applied(stale.handoff, REQUEST_CHANGES('No'), grace, '2026-11-24T11:00:01.000Z');
      // A different event row, so only the ETag can stop it.
      await expect(
        save({ ...second.handoff, eventCount: 3 }, stale.etag, { ...second.event, seq: 3 }, 'act-3', [{ kind: 'card' }]),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await read(h.handoff.id)).handoff.status).toBe('accepted');
      expect((await stores.handoffs.history(h.handoff.id, b)).map((e) => e.type)).toEqual(['posted', 'accepted']);
      expect((await stores.outbox.rows(h.handoff.id, b)).map((r) => r.key)).toEqual(['outbox_000002_000']);
      expect(await stores.handoffs.applied(h.handoff.id, 'act-3', b)).toBe(false);
    });

    it('refuse a replayed marker even with a fresh ETag, changing nothing', async () => {
      const h = newHandoff();
      await insert(h, 'act-1');
      const fresh = await read(h.handoff.id);
      await expect(
        save({ ...fresh.handoff, summary: 'Edited', eventCount: 2 }, fresh.etag, { ...h.event, seq: 2, type: 'changesRequested' }, 'act-1'),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await read(h.handoff.id)).handoff.summary).toBe('Ship the retry worker');
      expect(await stores.handoffs.history(h.handoff.id, b)).toHaveLength(1);
    });

    it('let exactly one of ten concurrent saves from the same read win', async () => {
      const h = newHandoff({ workState: 'ready', blocker: '' });
      await insert(h, 'act-1');
      const base = await read(h.handoff.id);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => {
          const result = applied(base.handoff, i % 2 ? ACCEPT : REQUEST_CHANGES(`comment ${i}`), grace, `2026-11-24T11:00:0${i}.000Z`);
          return save(result.handoff, base.etag, result.event, `act-${i + 10}`);
        }),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConflictError);
      expect(await stores.handoffs.history(h.handoff.id, b)).toHaveLength(2);
    });

    it('write several events and markers of one change together, the outbox rows after the last', async () => {
      const h = newHandoff();
      await insert(h, 'act-1');
      const stored = await read(h.handoff.id);
      const at = '2026-11-24T12:00:00.000Z';
      const events = [2, 3].map((seq): HandoffEvent => ({ ...h.event, seq, type: seq === 2 ? 'overdue' : 'escalated', at }));
      const rows = await stores.handoffs.commit(
        {
          handoff: { ...stored.handoff, eventCount: 3 },
          etag: stored.etag,
          events,
          markers: ['due:a', 'due:b'],
          effects: [{ kind: 'card' }],
          leaseUntil: '',
        },
        b,
      );
      expect(rows.map((r) => r.key)).toEqual(['outbox_000003_000']);
      expect((await stores.handoffs.history(h.handoff.id, b)).map((e) => e.type)).toEqual(['posted', 'overdue', 'escalated']);
      expect([await stores.handoffs.applied(h.handoff.id, 'due:a', b), await stores.handoffs.applied(h.handoff.id, 'due:b', b)]).toEqual([
        true,
        true,
      ]);
      // Either marker again refuses the whole change.
      const again = await read(h.handoff.id);
      const next = [4].map((seq): HandoffEvent => ({ ...h.event, seq, type: 'escalated', at }));
      await expect(
        stores.handoffs.commit(
          {
            handoff: { ...again.handoff, eventCount: 4 },
            etag: again.etag,
            events: next,
            markers: ['due:c', 'due:b'],
            effects: [],
            leaseUntil: '',
          },
          b,
        ),
      ).rejects.toBeInstanceOf(ConflictError);
    });

    it('answer undefined for a handoff that does not exist', async () => {
      expect(await stores.handoffs.read('0123456789abcdef0123', b)).toBeUndefined();
      expect(await stores.handoffs.history('0123456789abcdef0123', b)).toEqual([]);
    });
  });

  describe('outbox rows', () => {
    const message: Effect = { kind: 'message', to: grace, headline: 'Ada handed you a handoff.', quote: '', about: 'posted' };

    it('are written with the change in its transaction, held by the writer until its lease', async () => {
      const h = newHandoff();
      const rows = await insert(h, 'act-1', [{ kind: 'index' }, { kind: 'card' }, message], '2026-11-24T10:01:00.000Z');
      expect(rows.map((r) => [r.key, r.effect.kind, r.state, r.leaseUntil, r.attempts])).toEqual([
        ['outbox_000001_000', 'index', 'pending', '2026-11-24T10:01:00.000Z', 0],
        ['outbox_000001_001', 'card', 'pending', '2026-11-24T10:01:00.000Z', 0],
        ['outbox_000001_002', 'message', 'pending', '2026-11-24T10:01:00.000Z', 0],
      ]);
      expect(rows.every((r) => r.etag !== '')).toBe(true);
      expect(await stores.outbox.rows(h.handoff.id, b)).toStrictEqual(rows);
    });

    it('change only with their ETag: one of two deliverers claims a row', async () => {
      const h = newHandoff();
      const [row] = await insert(h, 'act-1', [message]);
      const outcomes = await Promise.allSettled([
        stores.outbox.update(row!, { leaseUntil: '2026-11-24T10:02:00.000Z' }, b),
        stores.outbox.update(row!, { leaseUntil: '2026-11-24T10:03:00.000Z' }, b),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const claimed = outcomes.find((o) => o.status === 'fulfilled')!.value;
      const delivered = await stores.outbox.update(
        claimed,
        { state: 'delivered', leaseUntil: '', deliveredAt: '2026-11-24T10:01:30.000Z' },
        b,
      );
      expect(await stores.outbox.rows(h.handoff.id, b)).toEqual([]);
      expect(await stores.outbox.rows(h.handoff.id, b, { all: true })).toStrictEqual([delivered]);
    });

    it('cut a failure reason to what a property may hold', async () => {
      const h = newHandoff();
      const [row] = await insert(h, 'act-1', [message]);
      expect((await stores.outbox.update(row!, { attempts: 1, lastError: 'x'.repeat(5000) }, b)).lastError).toHaveLength(1000);
      expect((await stores.outbox.rows(h.handoff.id, b))[0]?.lastError).toHaveLength(1000);
    });

    it('are marked delivered together, or not at all when one changed', async () => {
      const h = newHandoff();
      const [one, two] = await insert(h, 'act-1', [{ kind: 'index' }, { kind: 'due', previous: '' }]);
      const moved = await stores.outbox.update(two!, { leaseUntil: '2026-11-24T10:05:00.000Z' }, b);
      await expect(stores.outbox.markDelivered([one!, two!], '2026-11-24T10:00:05.000Z', b)).rejects.toBeInstanceOf(ConflictError);
      expect((await stores.outbox.rows(h.handoff.id, b)).map((r) => r.state)).toEqual(['pending', 'pending']);
      await stores.outbox.markDelivered([one!, moved], '2026-11-24T10:00:06.000Z', b);
      expect(await stores.outbox.rows(h.handoff.id, b, { all: true })).toMatchObject([
        { state: 'delivered', deliveredAt: '2026-11-24T10:00:06.000Z', leaseUntil: '' },
        { state: 'delivered', deliveredAt: '2026-11-24T10:00:06.000Z', leaseUntil: '' },
      ]);
    });

    it('record a posted card with its row in one transaction, refused on a stale handoff', async () => {
      const h = newHandoff({ conversation: { id: '19:chat', serviceUrl: 'http://127.0.0.1/' } });
      const [row] = await insert(h, 'act-1', [{ kind: 'post' }]);
      const before = await read(h.handoff.id);
      const changed = applied(before.handoff, { type: 'setWorkState', workState: 'ready', blocker: '' }, ada);
      await save(changed.handoff, before.etag, changed.event, 'act-2');
      await expect(stores.outbox.recordPosted(before, 'msg-9', row!, '2026-11-24T10:00:05.000Z', b)).rejects.toBeInstanceOf(ConflictError);
      expect((await stores.outbox.rows(h.handoff.id, b)).map((r) => r.state)).toEqual(['pending']);
      await stores.outbox.recordPosted(await read(h.handoff.id), 'msg-9', row!, '2026-11-24T10:00:05.000Z', b);
      const after = (await read(h.handoff.id)).handoff;
      expect(after.conversation.messageId).toBe('msg-9');
      expect(after.eventCount).toBe(2);
      expect(await stores.outbox.rows(h.handoff.id, b, { all: true })).toMatchObject([
        { state: 'delivered', deliveredAt: '2026-11-24T10:00:05.000Z', leaseUntil: '' },
      ]);
    });
  });

  describe('delivery marks', () => {
    it('mark a handoff (saying whether the mark was already there), move its next sweep and clear it only while nobody marked it again', async () => {
      const id = handoffIdForForm(TENANT, crypto.randomUUID());
      const first = await stores.marks.mark(id, '2026-11-24T10:00:30.000Z', '2026-11-24T10:00:00.000Z', b);
      // No mark was there: the change made it.
      expect(first).toMatchObject({ fresh: true, notBefore: '2026-11-24T10:00:30.000Z' });
      const [mark] = (await stores.marks.list(b)).filter((m) => m.handoffId === id);
      expect(mark).toMatchObject({
        handoffId: id,
        notBefore: '2026-11-24T10:00:30.000Z',
        markedAt: '2026-11-24T10:00:00.000Z',
        etag: first.etag,
      });
      expect(await stores.marks.reschedule(mark!, '2026-11-24T10:05:00.000Z', b)).toBe(true);
      // The old ETag no longer holds: a newer change (or the reschedule) came between.
      expect(await stores.marks.reschedule(mark!, '2026-11-24T10:09:00.000Z', b)).toBe(false);
      expect(await stores.marks.clear(id, first.etag, b)).toBe(false);
      // Marked again while the mark is there: not fresh, and the latest ETag.
      const again = await stores.marks.mark(id, '2026-11-24T10:06:00.000Z', '2026-11-24T10:06:00.000Z', b);
      expect(again.fresh).toBe(false);
      expect((await stores.marks.list(b)).filter((m) => m.handoffId === id)).toMatchObject([
        { notBefore: '2026-11-24T10:06:00.000Z', markedAt: '2026-11-24T10:06:00.000Z', etag: again.etag },
      ]);
      expect(await stores.marks.clear(id, again.etag, b)).toBe(true);
      expect((await stores.marks.list(b)).filter((m) => m.handoffId === id)).toEqual([]);
      expect(await stores.marks.clear(id, again.etag, b)).toBe(false);
      // Once cleared, the next change makes it again.
      expect((await stores.marks.mark(id, '2026-11-24T10:07:00.000Z', '2026-11-24T10:07:00.000Z', b)).fresh).toBe(true);
    });
  });

  describe('the person index', () => {
    function listed(input: {
      summary: string;
      createdAt: string;
      tenantId?: string;
      sender?: Person;
      receiver?: Person;
      owner?: Person;
      stakeholders?: Person[];
    }): Handoff {
      const { handoff } = newHandoff({}, input.createdAt);
      return {
        ...handoff,
        summary: input.summary,
        tenantId: input.tenantId ?? TENANT,
        sender: input.sender ?? ada,
        receiver: input.receiver ?? grace,
        owner: input.owner ?? ada,
        stakeholders: input.stakeholders ?? [],
      };
    }
    const summaries = async (tenant: string, p: Person, limit = 1000) =>
      (await stores.people.handoffsOf(tenant, p.aadObjectId, limit, b)).map((r) => r.listing?.summary);

    it('lists a handoff once for each person on it, with its listing, and for nobody else', async () => {
      const someone = person('a11', 'Someone Once');
      const h = listed({
        summary: 'Ship the retry worker',
        createdAt: '2026-05-01T09:00:00.000Z',
        sender: someone,
        receiver: grace,
        owner: someone,
        stakeholders: [barbara, someone],
      });
      await stores.people.add(h, [], b);
      for (const p of [someone, grace, barbara])
        expect(await stores.people.handoffsOf(TENANT, p.aadObjectId, 1000, b), p.name).toContainEqual({
          handoffId: h.id,
          createdAt: h.createdAt,
          listing: listingOf(h),
        });
      expect((await stores.people.handoffsOf(TENANT, someone.aadObjectId, 1000, b)).filter((r) => r.handoffId === h.id)).toHaveLength(1);
      expect(await stores.people.handoffsOf(TENANT, eve.aadObjectId, 1000, b)).toEqual([]);
    });

    it("lists a conversation's handoffs newest first, once each however often added, and no other conversation's", async () => {
      const chat = `19:team-${crypto.randomUUID()}`;
      const first = {
        ...listed({ summary: 'Team one, older', createdAt: '2026-05-08T09:00:00.000Z' }),
        conversation: { id: chat, serviceUrl: 'https://smba.example/' },
      };
      const second = {
        ...listed({ summary: 'Team one, newer', createdAt: '2026-05-09T09:00:00.000Z' }),
        conversation: { id: chat, serviceUrl: 'https://smba.example/' },
      };
      const elsewhere = {
        ...listed({ summary: 'Team two', createdAt: '2026-05-10T09:00:00.000Z' }),
        conversation: { id: `${chat};messageid=1`, serviceUrl: 'https://smba.example/' },
      };
      for (const h of [first, second, second, elsewhere]) await stores.people.add(h, [], b);
      expect((await stores.people.handoffsInConversation(TENANT, chat, 1000, b)).map((r) => r.listing?.summary)).toEqual([
        'Team one, newer',
        'Team one, older',
      ]);
      expect((await stores.people.handoffsInConversation(TENANT, `${chat};messageid=1`, 1000, b)).map((r) => r.handoffId)).toEqual([
        elsewhere.id,
      ]);
      expect(await stores.people.handoffsInConversation(OTHER_TENANT, chat, 1000, b)).toEqual([]);
    });

    it("returns a person's handoffs newest first, and stops at its limit with the newest", async () => {
      const receiver = person('a7', 'Katherine Johnson');
      const created = ['2026-05-03T09:00:00.000Z', '2026-05-01T09:00:00.000Z', '2026-05-04T09:00:00.000Z', '2026-05-02T09:00:00.000Z'];
      for (const [i, createdAt] of created.entries())
        await stores.people.add(listed({ summary: `Handoff ${i}`, createdAt, receiver }), [], b);
      expect(await summaries(TENANT, receiver)).toEqual(['Handoff 2', 'Handoff 0', 'Handoff 3', 'Handoff 1']);
      expect(await summaries(TENANT, receiver, 2)).toEqual(['Handoff 2', 'Handoff 0']);
    });

    it('keeps tenants apart: the same person in another tenant sees nothing of this one', async () => {
      const receiver = person('a8', 'Margaret Hamilton');
      await stores.people.add(listed({ summary: 'Tenant one only', createdAt: '2026-05-05T09:00:00.000Z', receiver }), [], b);
      expect(await summaries(OTHER_TENANT, receiver)).toEqual([]);
      await stores.people.add(
        listed({ summary: 'Tenant two', createdAt: '2026-05-06T09:00:00.000Z', receiver, tenantId: OTHER_TENANT }),
        [],
        b,
      );
      expect(await summaries(OTHER_TENANT, receiver)).toEqual(['Tenant two']);
      expect(await summaries(TENANT, receiver)).toEqual(['Tenant one only']);
    });

    it('is idempotent, refreshes the listing, and removes the row of people a change took off', async () => {
      const receiver = person('a9', 'Frances Allen');
      const h = listed({ summary: 'Before', createdAt: '2026-05-07T09:00:00.000Z', receiver, sender: ada, owner: alan });
      await stores.people.add(h, [], b);
      await stores.people.add(h, [], b);
      expect(await summaries(TENANT, receiver)).toEqual(['Before']);
      const reassigned: Handoff = { ...h, summary: 'After', receiver: eve, status: 'accepted', eventCount: h.eventCount + 3 };
      await stores.people.add(reassigned, [receiver.aadObjectId], b);
      expect(await summaries(TENANT, receiver)).toEqual([]);
      expect(await stores.people.handoffsOf(TENANT, eve.aadObjectId, 1000, b)).toEqual([
        { handoffId: h.id, createdAt: h.createdAt, listing: listingOf(reassigned) },
      ]);
      // Removing someone already gone is no error (a delivery that runs twice).
      await stores.people.add(reassigned, [receiver.aadObjectId], b);
    });
  });

  describe('the due index', () => {
    const NOW = Date.parse('2026-12-07T10:20:00.000Z');
    const HOUR = 3_600_000;
    const ids = (entries: { handoffId: string }[]) => entries.map((e) => e.handoffId).sort();
    let due: Stores['due'];
    beforeAll(() => {
      // A fresh index: these tests move its cursor.
      due = make().due;
    });

    it('returns what is due by now, across the hours since the cursor, and nothing due later', async () => {
      await due.schedule('h-yesterday', '2026-12-06T12:00:00.000Z', Date.parse('2026-12-06T11:00:00.000Z'), b);
      await due.schedule('h-this-hour', '2026-12-07T10:19:00.000Z', Date.parse('2026-12-07T09:00:00.000Z'), b);
      await due.schedule('h-in-a-minute', '2026-12-07T10:21:00.000Z', Date.parse('2026-12-07T09:00:00.000Z'), b);
      await due.schedule('h-tomorrow', '2026-12-08T09:00:00.000Z', Date.parse('2026-12-07T09:00:00.000Z'), b);
      // No cursor yet (the first check ever): it looks 48 hours back.
      const first = await due.dueBy(NOW, b);
      expect(ids(first)).toEqual(['h-this-hour', 'h-yesterday']);
      expect(first.find((e) => e.handoffId === 'h-this-hour')).toMatchObject({
        at: '2026-12-07T10:19:00.000Z',
        partitionKey: 'h2026-12-07T10',
      });
      await due.remove(first, b);
      await due.moveCursor(NOW, [], b);
      expect(ids(await due.dueBy(NOW + 15 * 60_000, b))).toEqual(['h-in-a-minute']);
    });

    it('moves its cursor back to the oldest entry a check could not settle', async () => {
      await due.schedule('h-stuck', '2026-12-07T04:10:00.000Z', Date.parse('2026-12-07T04:00:00.000Z'), b);
      const stuck = {
        handoffId: 'h-stuck',
        at: '2026-12-07T04:10:00.000Z',
        partitionKey: hourPartition(Date.parse('2026-12-07T04:10:00.000Z')),
        rowKey: dueRowKey('2026-12-07T04:10:00.000Z', 'h-stuck'),
      };
      // A check at 04:15 could not settle it: the next one reads from its hour again.
      await due.moveCursor(Date.parse('2026-12-07T04:15:00.000Z'), [stuck], b);
      expect((await due.dueBy(NOW + 60 * 60_000, b)).map((e) => e.handoffId)).toContain('h-stuck');
      await due.remove([stuck], b);
      await due.moveCursor(NOW, [], b);
    });

    it('removes many entries in one go, one already gone among them no error', async () => {
      const at = (minute: number) => `2026-12-07T03:${String(minute).padStart(2, '0')}:00.000Z`;
      const entry = (id: string, instant: string) => ({
        handoffId: id,
        partitionKey: hourPartition(Date.parse(instant)),
        rowKey: dueRowKey(instant, id),
      });
      const many = Array.from({ length: 150 }, (_, i) => entry(`h-many-${i}`, at(i % 60)));
      const twoHoursOn = [entry('h-five', '2026-12-07T05:00:00.000Z'), entry('h-gone', '2026-12-07T05:01:00.000Z')];
      for (const e of [...many, ...twoHoursOn])
        await due.schedule(e.handoffId, e.rowKey.slice(0, 24), Date.parse('2026-12-07T02:00:00.000Z'), b);
      await due.unschedule('h-gone', '2026-12-07T05:01:00.000Z', b);
      await due.moveCursor(Date.parse('2026-12-07T04:00:00.000Z'), [], b);
      const before = { ...tableRoundTrips };
      await due.remove([...many, ...twoHoursOn], b);
      const trips = tableRoundTrips.count - before.count;
      expect((await due.dueBy(Date.parse('2026-12-07T06:00:00.000Z'), b)).filter((e) => /h-(many|five|gone)/.test(e.handoffId))).toEqual(
        [],
      );
      // On Table Storage: two transactions for the 150 of 03:00; the two of 05:00 fail as one (h-gone is gone), then go one by one.
      expect(trips).toBe(_name === 'on Table Storage' ? 5 : 0);
      await due.moveCursor(NOW, [], b);
    });

    it('puts an entry written after its instant into the current hour, where the next check looks', async () => {
      await due.schedule('h-late', '2026-12-07T07:30:00.000Z', NOW, b);
      expect((await due.dueBy(NOW, b)).filter((e) => e.handoffId === 'h-late')).toEqual([
        expect.objectContaining({ at: '2026-12-07T07:30:00.000Z', partitionKey: 'h2026-12-07T10' }),
      ]);
    });

    it('is idempotent: a redelivered row writes the same entry, and removing one twice is no error', async () => {
      for (let i = 0; i < 3; i += 1) await due.schedule('h1', '2026-12-07T10:00:00.000Z', NOW - HOUR, b);
      expect((await due.dueBy(NOW, b)).filter((e) => e.handoffId === 'h1')).toHaveLength(1);
      await due.unschedule('h1', '2026-12-07T10:00:00.000Z', b);
      await due.unschedule('h1', '2026-12-07T10:00:00.000Z', b);
      expect((await due.dueBy(NOW, b)).filter((e) => e.handoffId === 'h1')).toEqual([]);
    });

    it('finds the next entry after now for the dev clock, in a later hour too', async () => {
      await due.schedule('h-next', '2026-12-08T09:00:00.000Z', NOW, b);
      await due.schedule('h-after', '2026-12-09T09:00:00.000Z', NOW, b);
      expect(await due.next(Date.parse('2026-12-08T00:00:00.000Z'), b)).toMatchObject({
        handoffId: 'h-next',
        at: '2026-12-08T09:00:00.000Z',
      });
      expect(await due.next(Date.parse('2026-12-10T00:00:00.000Z'), b)).toBeUndefined();
    });
  });

  describe('personal chats', () => {
    const chat = (aadObjectId: string, overrides: Partial<PersonalChat> = {}): PersonalChat => ({
      tenantId: TENANT,
      aadObjectId,
      userId: `29:user-${aadObjectId}`,
      conversationId: `a:personal-${aadObjectId}`,
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      botId: '28:bot-id',
      ...overrides,
    });

    it('find exactly what was saved, per tenant and person, the last save winning', async () => {
      const first = chat('00000000-0000-0000-0000-0000000000a1');
      const second = chat('00000000-0000-0000-0000-0000000000b2');
      await stores.chats.save(first, b);
      await stores.chats.save(second, b);
      expect(await stores.chats.find(TENANT, first.aadObjectId, b)).toStrictEqual(first);
      expect(await stores.chats.find(TENANT, second.aadObjectId, b)).toStrictEqual(second);
      expect(await stores.chats.find(OTHER_TENANT, first.aadObjectId, b)).toBeUndefined();
      expect(await stores.chats.find(TENANT, '00000000-0000-0000-0000-00000000dead', b)).toBeUndefined();
      const moved = chat(first.aadObjectId, { conversationId: 'a:personal-new', serviceUrl: 'https://smba.trafficmanager.net/amer/' });
      await stores.chats.save(moved, b);
      expect(await stores.chats.find(TENANT, first.aadObjectId, b)).toStrictEqual(moved);
    });

    it('share one read among concurrent asks, and do not remember that someone has not installed Baton yet', async () => {
      const later = chat('00000000-0000-0000-0000-0000000000c3');
      const tripsOf = async (work: () => Promise<unknown>) => {
        const before = tableRoundTrips.count;
        const result = await work();
        return { result, trips: tableRoundTrips.count - before };
      };
      const onTable = (trips: number) => (_name === 'on Table Storage' ? trips : 0);
      const five = () => Promise.all(Array.from({ length: 5 }, () => stores.chats.find(TENANT, later.aadObjectId, b)));
      expect(await tripsOf(five)).toEqual({ result: [undefined, undefined, undefined, undefined, undefined], trips: onTable(1) });
      // Asked again: they may have installed it since.
      expect(await tripsOf(five)).toEqual({ result: [undefined, undefined, undefined, undefined, undefined], trips: onTable(1) });
      await stores.chats.save(later, b);
      expect(await tripsOf(five)).toEqual({ result: Array.from({ length: 5 }, () => later), trips: 0 });
    });
  });

  describe('conversation names', () => {
    it('keep the last name Teams gave each id, per tenant, ids with any characters', async () => {
      const team = '19:names-team@thread.tacv2';
      const channel = '19:names/channel#1?@thread.tacv2';
      await stores.names.rename(TENANT, team, 'Contoso Payments', b);
      await stores.names.rename(TENANT, channel, 'Handoffs', b);
      await stores.names.rename(TENANT, team, 'Payments', b);
      await stores.names.rename(OTHER_TENANT, team, 'Another tenant', b);
      const names = await stores.names.all(TENANT, b);
      expect(names.get(team)).toBe('Payments');
      expect(names.get(channel)).toBe('Handoffs');
      expect((await stores.names.all(OTHER_TENANT, b)).get(team)).toBe('Another tenant');
      expect((await stores.names.all('33333333-3333-3333-3333-333333333333', b)).size).toBe(0);
    });
  });

  describe("the messaging extension's preview drafts", () => {
    const input = (formId: string) => ({
      formId,
      summary: 'Invoice export runs nightly',
      whatIsReady: 'Scheduled at 02:00 UTC.',
      acceptanceCriteria: 'Totals match',
      assumptions: '',
      links: '',
      effort: '2h',
      workState: 'ready',
      blocker: '',
      neededBy: '',
      receiver: grace.aadObjectId,
      owner: '',
      stakeholders: '',
      priority: 'normal',
      confirmed: true,
    });
    const id = () => crypto.randomUUID().replaceAll('-', '');

    it('find a draft by its id until it expires, never after, and purge only the expired ones', async () => {
      const [kept, expiring, other] = [id(), id(), id()];
      const draft = { tenantId: TENANT, aadObjectId: ada.aadObjectId, input: input('f-1'), expiresAt: '2026-12-08T10:00:00.000Z' };
      await stores.drafts.save(kept, draft, b);
      await stores.drafts.save(expiring, { ...draft, input: input('f-2'), expiresAt: '2026-12-07T10:00:00.000Z' }, b);
      expect(await stores.drafts.find(kept, Date.parse('2026-12-07T09:00:00.000Z'), b)).toStrictEqual(draft);
      expect(await stores.drafts.find(expiring, Date.parse('2026-12-07T09:59:59.999Z'), b)).toMatchObject({ input: { formId: 'f-2' } });
      expect(await stores.drafts.find(expiring, Date.parse('2026-12-07T10:00:00.000Z'), b)).toBeUndefined();
      expect(await stores.drafts.find(other, Date.parse('2026-12-07T09:00:00.000Z'), b)).toBeUndefined();
      expect(await stores.drafts.purge(Date.parse('2026-12-07T11:00:00.000Z'), b)).toBe(1);
      expect(await stores.drafts.find(kept, Date.parse('2026-12-07T11:00:00.000Z'), b)).toStrictEqual(draft);
      expect(await stores.drafts.purge(Date.parse('2026-12-07T11:00:00.000Z'), b)).toBe(0);
    });

    it("keep a form's team template, its version and the ticks as they were, and read back no tick that was not kept", async () => {
      const fromTemplate = {
        tenantId: TENANT,
        aadObjectId: ada.aadObjectId,
        input: { ...input('f-3'), templateId: 'tpl-1', templateVersion: '2', check0: true, check1: false },
        expiresAt: '2026-12-08T10:00:00.000Z',
      };
      const key = id();
      await stores.drafts.save(key, fromTemplate, b);
      expect(await stores.drafts.find(key, Date.parse('2026-12-07T09:00:00.000Z'), b)).toStrictEqual(fromTemplate);
    });
  });

  describe('daily digest readers', () => {
    const reader = (aadObjectId: string, tenantId = TENANT) => ({ tenantId, aadObjectId, name: `Reader ${aadObjectId.slice(-2)}` });
    const all = async () => {
      const found = [];
      for await (const page of stores.digests.readers(b)) found.push(...page);
      return found.sort((x, y) => x.aadObjectId.localeCompare(y.aadObjectId));
    };

    it('are on once set, per tenant and person, and off again, idempotently', async () => {
      const hedy = reader('00000000-0000-0000-0000-0000000000f1');
      expect(await stores.digests.isOn(TENANT, hedy.aadObjectId, b)).toBe(false);
      await stores.digests.set(hedy, true, b);
      await stores.digests.set(hedy, true, b);
      expect(await stores.digests.isOn(TENANT, hedy.aadObjectId, b)).toBe(true);
      expect(await stores.digests.isOn(OTHER_TENANT, hedy.aadObjectId, b)).toBe(false);
      await stores.digests.set(hedy, false, b);
      await stores.digests.set(hedy, false, b);
      expect(await stores.digests.isOn(TENANT, hedy.aadObjectId, b)).toBe(false);
    });

    it('record the day sent under their ETag, which a second run or a change of mind makes stale; turning it on again keeps the day', async () => {
      const one = reader('00000000-0000-0000-0000-0000000000f2');
      await stores.digests.set(one, true, b);
      const [listed] = (await all()).filter((r) => r.aadObjectId === one.aadObjectId);
      expect(listed).toMatchObject({ ...one, lastStart: '', leaseUntil: '' });
      const claimed = await stores.digests.update(listed!, { leaseUntil: '2026-12-08T09:02:00.000Z' }, b);
      expect(claimed).toMatchObject({ leaseUntil: '2026-12-08T09:02:00.000Z' });
      // The same row as read before the claim: another run's claim fails.
      expect(await stores.digests.update(listed!, { leaseUntil: '2026-12-08T09:03:00.000Z' }, b)).toBeUndefined();
      const sent = await stores.digests.update(claimed!, { lastStart: '2026-12-08T09:00:00.000Z', leaseUntil: '' }, b);
      expect(sent).toMatchObject({ lastStart: '2026-12-08T09:00:00.000Z', leaseUntil: '' });
      await stores.digests.set(one, true, b);
      expect((await all()).find((r) => r.aadObjectId === one.aadObjectId)).toMatchObject({ lastStart: '2026-12-08T09:00:00.000Z' });
      // Turned off meanwhile: the run's update finds nothing to change.
      const current = (await all()).find((r) => r.aadObjectId === one.aadObjectId)!;
      await stores.digests.set(one, false, b);
      expect(await stores.digests.update(current, { leaseUntil: '2026-12-09T09:02:00.000Z' }, b)).toBeUndefined();
    });
  });

  describe('away records', () => {
    const someone = (aadObjectId: string, tenantId = TENANT) => ({
      tenantId,
      aadObjectId,
      name: `Person ${aadObjectId.slice(-2)}`,
      userId: '29:x',
    });
    const everyone = async () => {
      const found = [];
      for await (const page of stores.away.all(b)) found.push(...page);
      return found;
    };

    it('are created by watching someone, keep what was saved when watched again, and keep tenants apart', async () => {
      const away = someone('00000000-0000-0000-0000-0000000000a7');
      await stores.away.watch(away, '2026-12-08T10:00:00.000Z', b);
      const first = await stores.away.get(TENANT, away.aadObjectId, b);
      expect(first).toMatchObject({
        ...away,
        heldAt: '2026-12-08T10:00:00.000Z',
        absences: [],
        handOver: false,
        announced: '',
        handedOn: [],
        notices: [],
      });
      expect(first?.declared).toBeUndefined();
      expect(first?.successor).toBeUndefined();
      const saved = await stores.away.save(
        {
          ...first!,
          absences: [{ start: '2026-12-11T06:30:00.000Z', end: '2026-12-16T03:30:00.000Z' }, { start: '2026-12-20T00:00:00.000Z' }],
          declared: { start: '2026-12-20T00:00:00.000Z' },
          successor: alan,
          handOver: true,
          announced: '2026-12-11T06:30:00.000Z',
          handedOn: [{ handoffId: 'h1', summary: 'Ship it', to: alan, by: ada }],
          notices: [
            {
              id: 'owner:2026-12-11T06:30:00.000Z:a1',
              kind: 'owner',
              to: ada,
              notBefore: '2026-12-11T09:00:00.000Z',
              items: [{ handoffId: 'h1', summary: 'Ship it' }],
              state: 'pending',
              leaseUntil: '',
              answers: { h1: 'kept' },
            },
          ],
        },
        b,
      );
      expect(saved).toBeDefined();
      await stores.away.watch({ ...away, name: 'Grace B. Hopper' }, '2026-12-09T10:00:00.000Z', b);
      const again = await stores.away.get(TENANT, away.aadObjectId, b);
      expect(again).toEqual({ ...saved!, name: 'Grace B. Hopper', heldAt: '2026-12-09T10:00:00.000Z', etag: again!.etag });
      expect(await stores.away.get(OTHER_TENANT, away.aadObjectId, b)).toBeUndefined();
      expect((await everyone()).filter((r) => r.aadObjectId === away.aadObjectId)).toHaveLength(1);
    });

    it('save only with the ETag they were read with; a new one only once; remove only as read', async () => {
      const hedy = someone('00000000-0000-0000-0000-0000000000a8');
      const fresh = { ...hedy, absences: [], handOver: false, announced: '', handedOn: [], notices: [], heldAt: '', etag: '' };
      const created = await stores.away.save(fresh, b);
      expect(created?.etag).toBeTruthy();
      expect(await stores.away.save(fresh, b)).toBeUndefined();
      const changed = await stores.away.save({ ...created!, announced: 'x' }, b);
      expect(await stores.away.save({ ...created!, announced: 'y' }, b)).toBeUndefined();
      expect((await stores.away.get(TENANT, hedy.aadObjectId, b))?.announced).toBe('x');
      // Watched meanwhile: the ETag moved.
      await stores.away.watch(hedy, '2026-12-10T10:00:00.000Z', b);
      expect(await stores.away.remove(changed!, b)).toBe(false);
      const current = (await stores.away.get(TENANT, hedy.aadObjectId, b))!;
      expect(await stores.away.remove(current, b)).toBe(true);
      expect(await stores.away.get(TENANT, hedy.aadObjectId, b)).toBeUndefined();
    });
  });

  describe("the weekly summary's records", () => {
    it('record subscribers by zone, and each zone once, keeping the week it was last enqueued', async () => {
      const zone = `Test/Zone_${crypto.randomUUID().slice(0, 8)}`;
      const people = [ada, grace].map((p) => ({ tenantId: TENANT, aadObjectId: p.aadObjectId, name: p.name, timeZone: zone }));
      for (const s of [...people, people[0]!]) await stores.subscribers.subscribe(s, b);
      const pages: unknown[] = [];
      for await (const page of stores.subscribers.inZone(zone, b)) pages.push(...page);
      expect(pages).toEqual(people);
      const [row] = (await stores.zones.list(b)).filter((z) => z.timeZone === zone);
      expect(row).toMatchObject({ timeZone: zone, lastWeek: '' });
      expect(await stores.zones.markEnqueued(row!, '2026-12-07', b)).toBe(true);
      // Another run read the zone before: it finds it taken.
      expect(await stores.zones.markEnqueued(row!, '2026-12-07', b)).toBe(false);
      await stores.subscribers.subscribe(people[1]!, b);
      expect((await stores.zones.list(b)).find((z) => z.timeZone === zone)?.lastWeek).toBe('2026-12-07');
      await stores.subscribers.unsubscribe(zone, TENANT, ada.aadObjectId, b);
      await stores.subscribers.unsubscribe(zone, TENANT, ada.aadObjectId, b);
      const left: unknown[] = [];
      for await (const page of stores.subscribers.inZone(zone, b)) left.push(...page);
      expect(left).toEqual([people[1]]);
    });

    it("keep a person's choice", async () => {
      expect(await stores.preferences.get(TENANT, hedy.aadObjectId, b)).toEqual({ stopped: false, optedIn: false });
      await stores.preferences.set(TENANT, hedy.aadObjectId, { stopped: true, optedIn: false }, '2026-12-01T09:00:00.000Z', b);
      expect(await stores.preferences.get(TENANT, hedy.aadObjectId, b)).toEqual({ stopped: true, optedIn: false });
      expect(await stores.preferences.get(OTHER_TENANT, hedy.aadObjectId, b)).toEqual({ stopped: false, optedIn: false });
    });

    it('let one sender claim a week, take over a claim only by its ETag, and refuse a stale update', async () => {
      const week = `2026-${String(Math.floor(Math.random() * 9) + 1).padStart(2, '0')}-0${Math.floor(Math.random() * 9) + 1}`;
      const who = person(crypto.randomUUID().slice(0, 8), 'Claimer');
      const first = await stores.sendRecords.claim(week, TENANT, who.aadObjectId, '2026-12-07T08:05:00.000Z', undefined, b);
      expect(first).toMatchObject({ state: 'sending', leaseUntil: '2026-12-07T08:05:00.000Z', done: [], attempts: 1 });
      expect(await stores.sendRecords.claim(week, TENANT, who.aadObjectId, '2026-12-07T08:06:00.000Z', undefined, b)).toBeUndefined();
      const emailed = await stores.sendRecords.update(week, TENANT, who.aadObjectId, first!, { done: ['email'] }, b);
      await expect(stores.sendRecords.update(week, TENANT, who.aadObjectId, first!, { done: ['teams'] }, b)).rejects.toBeInstanceOf(
        ConflictError,
      );
      // The first sender's lease ran out: another takes the claim over, keeping what was done.
      const taken = await stores.sendRecords.claim(week, TENANT, who.aadObjectId, '2026-12-07T08:20:00.000Z', emailed, b);
      expect(taken).toMatchObject({ state: 'sending', done: ['email'], attempts: 2 });
      expect(await stores.sendRecords.claim(week, TENANT, who.aadObjectId, '2026-12-07T08:21:00.000Z', emailed, b)).toBeUndefined();
      await stores.sendRecords.update(
        week,
        TENANT,
        who.aadObjectId,
        taken!,
        { state: 'sent', done: ['email', 'teams'], leaseUntil: '' },
        b,
      );
      expect(await stores.sendRecords.get(week, TENANT, who.aadObjectId, b)).toMatchObject({
        state: 'sent',
        done: ['email', 'teams'],
        leaseUntil: '',
        attempts: 2,
      });
    });

    it("hold a mailbox's sends to the limit in any sliding window, counting a late send when it went", async () => {
      const mailbox = `box-${crypto.randomUUID().slice(0, 8)}@contoso.example`;
      const t = Date.parse('2026-12-07T08:00:00.000Z');
      expect(await stores.mailboxes.take(mailbox, t, 2, b)).toBe(0);
      expect(await stores.mailboxes.take(mailbox, t + 10_000, 2, b)).toBe(0);
      expect(await stores.mailboxes.take(mailbox, t + 20_000, 2, b)).toBe(40_000);
      // The first send was retried and went at +30 s: the window counts it then.
      await stores.mailboxes.went(mailbox, t, t + 30_000, b);
      expect(await stores.mailboxes.take(mailbox, t + 65_000, 2, b)).toBe(5_000);
      expect(await stores.mailboxes.take(mailbox.toUpperCase(), t + 71_000, 2, b)).toBe(0);
      expect(await stores.mailboxes.take(`other-${mailbox}`, t + 20_000, 2, b)).toBe(0);
    });
  });
});
