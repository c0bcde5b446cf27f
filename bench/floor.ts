/**
 * The storage floor an Accept is measured against: what any change of a
 * stored record costs at least, against the same Azurite. One point read of
 * a row the size of a handoff, then one entity-group transaction that
 * replaces it and adds an event row, as a change writes them.
 *
 * With `baton`, the same floor in the shape Baton's own writes take: the
 * point read, then the outbox's pending mark (an upsert in another table,
 * made once the change is known to write), then a transaction that also adds
 * the activity marker and the change's outbox rows. What an Accept costs
 * beyond that is Baton's code, not its storage design. With `markBesideRead`,
 * the mark goes beside the read, as it did before Baton checked first: the
 * two shapes, measured one after the other, give the check's cost.
 */
import { TableClient, type TransactionAction } from '@azure/data-tables';

const openTable = (connectionString: string, name: string) =>
  TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });

export async function measureStorageFloor(
  connectionString: string,
  prefix: string,
  runs: number,
  baton?: { outboxRows: number; markBesideRead?: boolean },
): Promise<number[]> {
  // A table of its own (the bench's prefix plus 'floor'), so nothing else Baton does shares its partitions.
  const shape = baton ? (baton.markBesideRead ? 'beside' : 'baton') : '';
  const table = openTable(connectionString, `${prefix}floor${shape}handoffs`);
  const pending = baton && openTable(connectionString, `${prefix}floor${shape}deliveries`);
  await Promise.all([table.createTable(), pending?.createTable()]);
  const body = {
    summary: 'Payments retry logic is ready for QA',
    whatIsReady: 'x'.repeat(600),
    acceptanceCriteria: JSON.stringify(['All retry tests pass in CI', 'A failed payment is retried 3 times']),
  };
  const outboxRow = (partitionKey: string, i: number) => ({
    partitionKey,
    rowKey: `outbox_000002_${i}`,
    effect: JSON.stringify({ kind: 'message', headline: 'x'.repeat(80) }),
    state: 'pending',
    attempts: 0,
  });
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const partitionKey = `floor${i}`;
    await table.createEntity({ partitionKey, rowKey: 'handoff', ...body, version: 0 });
    const started = performance.now();
    const mark = () =>
      pending?.upsertEntity({ partitionKey: 'pending', rowKey: partitionKey, notBefore: new Date().toISOString() }, 'Replace');
    // Baton marks once it decided to write (after its read); `markBesideRead` is the shape before it checked first.
    const [row] = baton?.markBesideRead
      ? await Promise.all([table.getEntity<{ version: number }>(partitionKey, 'handoff'), mark()])
      : [await table.getEntity<{ version: number }>(partitionKey, 'handoff')];
    if (!baton?.markBesideRead) await mark();
    await table.submitTransaction([
      ['update', { partitionKey, rowKey: 'handoff', ...body, version: row.version + 1 }, 'Replace', { etag: row.etag }],
      ['create', { partitionKey, rowKey: 'event_000002', type: 'accepted', at: new Date().toISOString() }],
      ...(baton
        ? [
            ['create', { partitionKey, rowKey: `activity_${i}`, at: new Date().toISOString() }] satisfies TransactionAction,
            ...Array.from({ length: baton.outboxRows }, (_, n): TransactionAction => ['create', outboxRow(partitionKey, n)]),
          ]
        : []),
    ]);
    times.push(performance.now() - started);
  }
  return times;
}
