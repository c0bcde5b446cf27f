/**
 * What only the Table stores do, against a real Azurite (their behaviour is
 * the contract suite's): tables made on first need, what each read costs in
 * round trips, a record that cannot be read, the personal chats remembered.
 */
import { odata, TableClient, TableServiceClient } from '@azure/data-tables';
import { describe, expect, inject, it } from 'vitest';
import { BACKGROUND, requestBudget } from '../../src/app/ports';
import { tableStores } from '../../src/baton';
import { loadConfig } from '../../src/config';
import { StorageError, UnreadableRecordError } from '../../src/errors';
import { personPartition } from '../../src/store/keys';
import { handoffIdForForm } from '../../src/app/handoffs';
import { TablePersonalChats } from '../../src/store/personal-chats';
import { Table, tableRoundTrips, tripsSince } from '../../src/store/table';
import { grace, posted as postedHandoff } from '../support/builders';
import { uniquePrefix } from '../support/stack';

const b = BACKGROUND;
const connectionString = () => inject('tablesConnectionString');
const storesOf = (prefix: string) => tableStores(loadConfig({ TABLES_CONNECTION_STRING: connectionString(), BATON_TABLE_PREFIX: prefix }));
const tableExists = async (name: string) => {
  const service = TableServiceClient.fromConnectionString(connectionString(), { allowInsecureConnection: true });
  for await (const table of service.listTables({ queryOptions: { filter: `TableName eq '${name}'` } }))
    if (table.name === name) return true;
  return false;
};
const posted = (tenantId = 'tenant') =>
  postedHandoff({
    id: handoffIdForForm(tenantId, crypto.randomUUID()),
    tenantId,
    fields: { neededBy: undefined },
    stakeholders: [],
    conversation: { id: '19:chat', serviceUrl: 'http://127.0.0.1/' },
    at: '2026-11-24T10:00:00.000Z',
  });

describe('a table', () => {
  it('opens without a round trip, and creates itself when the first call finds it missing', async () => {
    const prefix = uniquePrefix();
    const before = tableRoundTrips.count;
    const table = Table.open(connectionString(), prefix, 'people');
    expect(tableRoundTrips.count).toBe(before);
    expect(await tableExists(`${prefix}people`)).toBe(false);
    await table.upsert({ partitionKey: 'p', rowKey: 'r', value: 1 }, b);
    // The upsert, then the same upsert again once the table exists.
    expect(tableRoundTrips.count - before).toBe(2);
    expect(await tableExists(`${prefix}people`)).toBe(true);
    expect((await table.find<{ value: number }>('p', 'r', b))?.value).toBe(1);
  });

  it('creates itself for a transaction, a point read and a query that find it missing', async () => {
    const prefix = uniquePrefix();
    await Table.open(connectionString(), prefix, 'handoffs').transact(
      [
        ['create', { partitionKey: 'h', rowKey: 'a' }],
        ['create', { partitionKey: 'h', rowKey: 'b' }],
      ],
      b,
    );
    expect((await Table.open(connectionString(), prefix, 'handoffs').query(odata`PartitionKey eq 'h'`, b)).map((r) => r.rowKey)).toEqual([
      'a',
      'b',
    ]);
    expect(await Table.open(connectionString(), prefix, 'due').find('x', 'y', b)).toBeUndefined();
    expect(await tableExists(`${prefix}due`)).toBe(true);
    expect(await Table.open(connectionString(), prefix, 'deliveries').query(odata`PartitionKey eq 'p0'`, b)).toEqual([]);
    // A row already gone deletes without error.
    expect(await Table.open(connectionString(), prefix, 'due').delete('x', 'y', b)).toBe(false);
  });

  it("gives up on a request's storage call once its deadline passed, saying storage did not answer", async () => {
    const table = Table.open(connectionString(), uniquePrefix(), 'people');
    const error = await table.find('p', 'r', requestBudget(-1000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).cause).toBeDefined();
  });
});

describe('what a read costs', () => {
  it('a handoff: one point read; whether an activity was applied: another; with its history: one query', async () => {
    const stores = storesOf(uniquePrefix());
    const { handoff, event } = posted();
    await stores.handoffs.commit(
      { handoff, etag: undefined, events: [event], markers: ['act-1'], effects: [{ kind: 'card' }], leaseUntil: '' },
      b,
    );
    const before = { ...tableRoundTrips };
    await stores.handoffs.read(handoff.id, b);
    expect(tripsSince(before)).toMatchObject({ own: 1, ownReads: 1 });
    await stores.handoffs.applied(handoff.id, 'act-1', b);
    expect(tripsSince(before)).toMatchObject({ own: 2, ownReads: 2 });
    const read = (await stores.handoffs.readWithHistory(handoff.id, b))!;
    expect(tripsSince(before)).toMatchObject({ own: 3, ownReads: 3 });
    // Its markers and outbox rows are not read with it.
    expect(read.events.map((e) => e.type)).toEqual(['posted']);
  });

  it('the overdue check: the hours it reads, however many handoffs are due later', async () => {
    const { due } = storesOf(uniquePrefix());
    const NOW = Date.parse('2026-12-07T10:20:00.000Z');
    await due.moveCursor(NOW, [], b);
    await Promise.all([
      ...Array.from({ length: 200 }, (_, i) => due.schedule(`h-later-${i}`, new Date(NOW + (i + 1) * 3_600_000).toISOString(), NOW, b)),
      due.schedule('h-due', '2026-12-07T10:00:00.000Z', NOW, b),
    ]);
    const before = tableRoundTrips.count;
    const entries = await due.dueBy(NOW, b);
    // One read of the cursor, one query per hour (the one before and this one).
    expect(tableRoundTrips.count - before).toBe(3);
    expect(entries.map((e) => e.handoffId)).toEqual(['h-due']);
  });
});

describe('a record Baton cannot read', () => {
  it('is an UnreadableRecordError naming the handoff', async () => {
    const prefix = uniquePrefix();
    const stores = storesOf(prefix);
    const { handoff, event } = posted();
    await stores.handoffs.commit({ handoff, etag: undefined, events: [event], markers: ['act-1'], effects: [], leaseUntil: '' }, b);
    const table = TableClient.fromConnectionString(connectionString(), `${prefix}handoffs`, { allowInsecureConnection: true });
    await table.updateEntity({ partitionKey: handoff.id, rowKey: 'handoff', stakeholders: 'not json', status: 'sideways' }, 'Merge');
    const error = await stores.handoffs.read(handoff.id, b).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableRecordError);
    expect((error as UnreadableRecordError).message).toMatch(
      new RegExp(`^Record ${handoff.id} cannot be read: .*status.*stakeholders: is not JSON`),
    );
  });

  it('in the person index is a row with no listing, for its readers to skip', async () => {
    const prefix = uniquePrefix();
    const stores = storesOf(prefix);
    const { handoff } = posted();
    await stores.people.add(handoff, [], b);
    const table = TableClient.fromConnectionString(connectionString(), `${prefix}people`, { allowInsecureConnection: true });
    for await (const row of table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${personPartition('tenant', grace.aadObjectId)}` },
    })) {
      await table.updateEntity({ partitionKey: row.partitionKey!, rowKey: row.rowKey!, listing: '{"id":' }, 'Merge');
    }
    expect(await stores.people.handoffsOf('tenant', grace.aadObjectId, 10, b)).toEqual([
      { handoffId: handoff.id, createdAt: handoff.createdAt, listing: undefined },
    ]);
  });
});

describe('personal chats', () => {
  it('are remembered once read or saved, and read again once forgotten', async () => {
    const prefix = uniquePrefix();
    const chats = TablePersonalChats.open(connectionString(), prefix);
    const saved = {
      tenantId: 'tenant',
      aadObjectId: 'aad-ada',
      userId: '29:ada',
      conversationId: 'a:personal-ada',
      serviceUrl: 'https://smba.example/',
      botId: '28:bot',
    };
    await chats.save(saved, b);
    // Another instance saves a new chat for the same person.
    const moved = { ...saved, conversationId: 'a:personal-moved' };
    await TablePersonalChats.open(connectionString(), prefix).save(moved, b);
    expect(await chats.find('tenant', 'aad-ada', b)).toStrictEqual(saved);
    chats.forget('tenant', 'aad-ada');
    expect(await chats.find('tenant', 'aad-ada', b)).toStrictEqual(moved);
  });
});
