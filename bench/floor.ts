/**
 * The storage floor an Accept is measured against: what any change of a
 * stored record costs at least, against the same Azurite. One point read of
 * a row the size of a handoff, then one entity-group transaction that
 * replaces it and adds an event row, as a change writes them.
 */
import { openTable } from '../src/store/tables';

export async function measureStorageFloor(connectionString: string, prefix: string, runs: number): Promise<number[]> {
  // A table of its own (the bench's prefix plus 'floor'), so nothing else Baton does shares its partitions.
  const table = openTable(connectionString, `${prefix}floor`, 'handoffs');
  const body = { summary: 'Payments retry logic is ready for QA', whatIsReady: 'x'.repeat(600), acceptanceCriteria: JSON.stringify(['All retry tests pass in CI', 'A failed payment is retried 3 times']) };
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const partitionKey = `floor${i}`;
    await table.createEntity({ partitionKey, rowKey: 'handoff', ...body, version: 0 });
    const started = performance.now();
    const row = await table.getEntity<{ version: number }>(partitionKey, 'handoff');
    await table.submitTransaction([
      ['update', { partitionKey, rowKey: 'handoff', ...body, version: row.version + 1 }, 'Replace', { etag: row.etag }],
      ['create', { partitionKey, rowKey: 'event_000002', type: 'accepted', at: new Date().toISOString() }],
    ]);
    times.push(performance.now() - started);
  }
  return times;
}
