/**
 * The people index against a real Azurite: one row per participant and
 * handoff, read back per person, newest first, per tenant.
 */
import { odata, type TableClient } from '@azure/data-tables';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type Handoff, listingOf, type Person, postHandoff } from '../../src/domain/handoff';
import { indexRowKey, PeopleIndex } from '../../src/store/people-index';
import { openTable } from '../../src/store/tables';
import { uniquePrefix } from '../support/stack';

const person = (id: string, name: string): Person => ({ aadObjectId: `00000000-0000-0000-0000-${id.padStart(12, '0')}`, userId: `29:${id}`, name });
const ada = person('a1', 'Ada Lovelace');
const grace = person('b2', 'Grace Hopper');
const alan = person('c3', 'Alan Turing');
const barbara = person('d4', 'Barbara Liskov');
const hedy = person('e5', 'Hedy Lamarr');
const eve = person('f6', 'Eve Stranger');

const TENANT = '11111111-1111-1111-1111-111111111111';
const OTHER_TENANT = '22222222-2222-2222-2222-222222222222';

let index: PeopleIndex;
/** The same table, read directly, to count rows. */
let table: TableClient;

beforeAll(async () => {
  const prefix = uniquePrefix();
  const connectionString = inject('tablesConnectionString');
  index = await PeopleIndex.open(connectionString, prefix);
  table = openTable(connectionString, prefix, 'people');
});

function handoff(input: { summary: string; createdAt: string; tenantId?: string; sender?: Person; receiver?: Person; owner?: Person; stakeholders?: Person[] }): Handoff {
  return postHandoff({
    id: `h${crypto.randomUUID().replace(/-/g, '').slice(0, 19)}`,
    tenantId: input.tenantId ?? TENANT,
    fields: {
      summary: input.summary,
      whatIsReady: 'Merged.',
      acceptanceCriteria: ['Tests pass'],
      assumptions: '',
      links: [],
      effortMinutes: undefined,
      workState: 'ready',
      blocker: '',
      neededBy: undefined,
      priority: 'normal',
    },
    sender: input.sender ?? ada,
    receiver: input.receiver ?? grace,
    owner: input.owner ?? ada,
    stakeholders: input.stakeholders ?? [],
    conversation: { id: '19:chat', serviceUrl: 'https://smba.example/' },
    at: input.createdAt,
    late: false,
  }).handoff;
}

/** Every person's row of the index for one handoff: partition key and the row's values (its conversation's row aside). */
async function rowsFor(h: Handoff) {
  const rows: { partitionKey: string; summary: unknown; people: unknown; createdAt: unknown }[] = [];
  for await (const e of table.listEntities({ queryOptions: { filter: odata`RowKey eq ${indexRowKey(h)}` } })) {
    if (e.partitionKey!.startsWith('conv_')) continue;
    rows.push({ partitionKey: e.partitionKey!, summary: e.summary, people: e.people, createdAt: e.createdAt });
  }
  return rows.sort((a, b) => a.partitionKey.localeCompare(b.partitionKey));
}

describe('PeopleIndex', () => {
  it('writes one row per participant, the sender who is also the owner once', async () => {
    const h = handoff({ summary: 'Ship the retry worker', createdAt: '2026-05-01T09:00:00.000Z', sender: ada, receiver: grace, owner: ada, stakeholders: [barbara, alan] });
    await index.add(h);
    const row = { summary: 'Ship the retry worker', people: 'Grace Hopper, Ada Lovelace, Barbara Liskov, Alan Turing', createdAt: '2026-05-01T09:00:00.000Z' };
    expect(await rowsFor(h)).toEqual(
      [ada, grace, alan, barbara].map((p) => ({ partitionKey: `${TENANT}_${p.aadObjectId}`, ...row })).sort((a, b) => a.partitionKey.localeCompare(b.partitionKey)),
    );
    for (const p of [ada, grace, alan, barbara]) {
      expect(await index.handoffsOf(TENANT, p.aadObjectId), p.name).toContainEqual({ handoffId: h.id, ...row, listing: listingOf(h) });
    }
    expect(await index.handoffsOf(TENANT, eve.aadObjectId)).toEqual([]);
  });

  it('lists a person once per handoff whatever roles they hold', async () => {
    const h = handoff({ summary: 'All roles', createdAt: '2026-05-01T10:00:00.000Z', sender: hedy, receiver: hedy, owner: hedy, stakeholders: [hedy] });
    await index.add(h);
    expect(await rowsFor(h)).toEqual([{ partitionKey: `${TENANT}_${hedy.aadObjectId}`, summary: 'All roles', people: 'Hedy Lamarr', createdAt: '2026-05-01T10:00:00.000Z' }]);
  });

  it("lists a conversation's handoffs, newest first, once each however often added, and no other conversation's", async () => {
    const first = handoff({ summary: 'Team one, older', createdAt: '2026-05-08T09:00:00.000Z' });
    const second = handoff({ summary: 'Team one, newer', createdAt: '2026-05-09T09:00:00.000Z' });
    const elsewhere = { ...handoff({ summary: 'Team two', createdAt: '2026-05-10T09:00:00.000Z' }), conversation: { id: '19:other;messageid=1', serviceUrl: 'https://smba.example/' } };
    for (const h of [first, second, second, elsewhere]) await index.add(h);
    expect((await index.handoffsInConversation(TENANT, '19:chat')).filter((r) => r.summary.startsWith('Team')).map((r) => r.summary)).toEqual(['Team one, newer', 'Team one, older']);
    expect((await index.handoffsInConversation(TENANT, '19:other;messageid=1')).map((r) => r.handoffId)).toEqual([elsewhere.id]);
    expect(await index.handoffsInConversation('another-tenant', '19:chat')).toEqual([]);
  });

  it("returns a person's handoffs newest first", async () => {
    const receiver = person('a7', 'Katherine Johnson');
    const created = ['2026-05-03T09:00:00.000Z', '2026-05-01T09:00:00.000Z', '2026-05-04T09:00:00.000Z', '2026-05-02T09:00:00.000Z'];
    const handoffs = created.map((createdAt, i) => handoff({ summary: `Handoff ${i}`, createdAt, receiver }));
    for (const h of handoffs) await index.add(h);
    const rows = await index.handoffsOf(TENANT, receiver.aadObjectId);
    expect(rows.map((r) => [r.summary, r.createdAt])).toEqual([
      ['Handoff 2', '2026-05-04T09:00:00.000Z'],
      ['Handoff 0', '2026-05-03T09:00:00.000Z'],
      ['Handoff 3', '2026-05-02T09:00:00.000Z'],
      ['Handoff 1', '2026-05-01T09:00:00.000Z'],
    ]);
    expect(rows.map((r) => r.handoffId)).toEqual([handoffs[2]!.id, handoffs[0]!.id, handoffs[3]!.id, handoffs[1]!.id]);
  });

  it('keeps tenants apart: the same person in another tenant sees nothing', async () => {
    const receiver = person('a8', 'Margaret Hamilton');
    const h = handoff({ summary: 'Tenant one only', createdAt: '2026-05-05T09:00:00.000Z', receiver });
    await index.add(h);
    expect((await index.handoffsOf(TENANT, receiver.aadObjectId)).map((r) => r.handoffId)).toEqual([h.id]);
    expect(await index.handoffsOf(OTHER_TENANT, receiver.aadObjectId)).toEqual([]);
    const other = handoff({ summary: 'Tenant two', createdAt: '2026-05-06T09:00:00.000Z', receiver, tenantId: OTHER_TENANT });
    await index.add(other);
    expect((await index.handoffsOf(OTHER_TENANT, receiver.aadObjectId)).map((r) => r.summary)).toEqual(['Tenant two']);
    expect((await index.handoffsOf(TENANT, receiver.aadObjectId)).map((r) => r.summary)).toEqual(['Tenant one only']);
  });

  it('is idempotent, refreshes the row with the new listing, and removes it for people a change took off', async () => {
    const receiver = person('a9', 'Frances Allen');
    const h = handoff({ summary: 'Before', createdAt: '2026-05-07T09:00:00.000Z', receiver, sender: ada, owner: alan });
    await index.add(h);
    await index.add(h);
    expect(await rowsFor(h)).toHaveLength(3);
    expect(await index.handoffsOf(TENANT, receiver.aadObjectId)).toEqual([
      { handoffId: h.id, summary: 'Before', people: 'Frances Allen, Ada Lovelace, Alan Turing', createdAt: '2026-05-07T09:00:00.000Z', listing: listingOf(h) },
    ]);
    // A resubmission changed the summary, a reassignment the receiver, and the new receiver accepted: Frances is off it.
    const reassigned: Handoff = { ...h, summary: 'After', receiver: eve, status: 'accepted', eventCount: h.eventCount + 3 };
    await index.add(reassigned, [receiver.aadObjectId]);
    expect(await rowsFor(h)).toHaveLength(3);
    expect(await index.handoffsOf(TENANT, eve.aadObjectId)).toEqual([
      { handoffId: h.id, summary: 'After', people: 'Eve Stranger, Ada Lovelace, Alan Turing', createdAt: '2026-05-07T09:00:00.000Z', listing: listingOf(reassigned) },
    ]);
    expect(await index.handoffsOf(TENANT, receiver.aadObjectId)).toEqual([]);
    expect((await index.handoffsOf(TENANT, ada.aadObjectId)).find((r) => r.handoffId === h.id)?.listing).toMatchObject({ status: 'accepted', summary: 'After' });
    // Removing someone already gone is no error (a delivery that runs twice).
    await index.add(reassigned, [receiver.aadObjectId]);
  });

  it('reads a row written before listings were, with no listing, so the reader reads the handoff', async () => {
    const someone = person('ab', 'Legacy Reader');
    const h = handoff({ summary: 'Old row', createdAt: '2026-04-01T09:00:00.000Z', receiver: someone });
    await table.upsertEntity({ partitionKey: `${TENANT}_${someone.aadObjectId}`, rowKey: indexRowKey(h), summary: 'Old row', people: 'Legacy Reader', createdAt: h.createdAt }, 'Replace');
    expect(await index.handoffsOf(TENANT, someone.aadObjectId)).toEqual([{ handoffId: h.id, summary: 'Old row', people: 'Legacy Reader', createdAt: h.createdAt, listing: undefined }]);
  });
});

describe('indexRowKey', () => {
  it('sorts newer handoffs first, and is stable for a handoff', () => {
    const older = indexRowKey({ id: 'aaa', createdAt: '2026-05-01T09:00:00.000Z' });
    const newer = indexRowKey({ id: 'zzz', createdAt: '2026-05-02T09:00:00.000Z' });
    expect(newer < older).toBe(true);
    expect(indexRowKey({ id: 'aaa', createdAt: '2026-05-01T09:00:00.000Z' })).toBe(older);
    expect(older).toBe(`${String(9_999_999_999_999 - Date.parse('2026-05-01T09:00:00.000Z')).padStart(13, '0')}_aaa`);
  });

  it('lets a read stop at its limit with the newest rows', async () => {
    const someone = person('aa', 'Limit Tester');
    const created = ['2026-01-01', '2026-03-01', '2026-02-01', '2026-04-01'].map((day, i) =>
      handoff({ summary: `H${i}`, createdAt: `${day}T10:00:00.000Z`, sender: someone, owner: someone }),
    );
    for (const h of created) await index.add(h);
    expect((await index.handoffsOf(TENANT, someone.aadObjectId, 2)).map((r) => r.summary)).toEqual(['H3', 'H1']);
  });
});
