/**
 * Tables are made by the deployment, not on a request's path: a call that
 * finds its table missing creates it and is sent again, whatever the call.
 */
import { TableServiceClient } from '@azure/data-tables';
import { describe, expect, inject, it } from 'vitest';
import { openTable, tableRoundTrips } from '../../src/store/tables';
import { uniquePrefix } from '../support/stack';

const tableExists = async (connectionString: string, name: string) => {
  const service = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true });
  for await (const table of service.listTables({ queryOptions: { filter: `TableName eq '${name}'` } })) if (table.name === name) return true;
  return false;
};

describe('openTable', () => {
  const connectionString = inject('tablesConnectionString');

  it('opens without a round trip, and creates the table when the first call finds it missing', async () => {
    const prefix = uniquePrefix();
    const before = tableRoundTrips.count;
    const table = openTable(connectionString, prefix, 'people');
    expect(tableRoundTrips.count).toBe(before);
    expect(await tableExists(connectionString, `${prefix}people`)).toBe(false);

    await table.upsertEntity({ partitionKey: 'p', rowKey: 'r', value: 1 }, 'Replace');
    // The upsert, then the same upsert again once the table exists.
    expect(tableRoundTrips.count - before).toBe(2);
    expect(await tableExists(connectionString, `${prefix}people`)).toBe(true);
    expect((await table.getEntity<{ value: number }>('p', 'r')).value).toBe(1);
  });

  it('creates the table for a transaction, a read and a query that find it missing', async () => {
    const prefix = uniquePrefix();
    await openTable(connectionString, prefix, 'handoffs').submitTransaction([
      ['create', { partitionKey: 'h', rowKey: 'a' }],
      ['create', { partitionKey: 'h', rowKey: 'b' }],
    ]);
    const rows = [];
    for await (const row of openTable(connectionString, prefix, 'handoffs').listEntities()) rows.push(row.rowKey);
    expect(rows).toEqual(['a', 'b']);

    // A missing entity in a missing table is still "not found" to the caller, and the table is there afterwards.
    await expect(openTable(connectionString, prefix, 'due').getEntity('x', 'y')).rejects.toMatchObject({ statusCode: 404 });
    expect(await tableExists(connectionString, `${prefix}due`)).toBe(true);
    const empty = [];
    for await (const row of openTable(connectionString, prefix, 'outbox').listEntities()) empty.push(row);
    expect(empty).toEqual([]);
  });
});
