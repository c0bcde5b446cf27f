/**
 * The overdue check's cost against the number of open handoffs: the same
 * 100 handoffs due, among 1,000 and among 100,000 open ones. Each open
 * handoff is a stored record with its due state and its due-index entry, as
 * the app writes them; the check runs once, 15 minutes after the previous
 * one (the cursor where that one left it), with Baton's clock in the bench's
 * hands.
 */
import { createBaton } from '../src/baton';
import { overdueCheck, type OverdueReport } from '../src/app/overdue';
import { loadConfig } from '../src/config';
import { DEFAULT_DUE_POLICY, nextDueState } from '../src/domain/due';
import { postHandoff } from '../src/domain/handoff';
import { DEFAULT_WORKING_HOURS } from '../src/domain/working-hours';
import { createLogger } from '../src/logger';
import { TableClient } from '@azure/data-tables';
import { BACKGROUND } from '../src/app/ports';
import { hourPartition } from '../src/store/keys';
import { tableRoundTrips, tripsSince } from '../src/store/table';

const tableClient = (connectionString: string, name: string) =>
  TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
import { people, TENANT } from '../test/support/activities';

/** Seeding writes this many records at once. */
const SEED_CONCURRENCY = 32;
const person = (m: { id: string; name: string; aadObjectId: string }) => ({ aadObjectId: m.aadObjectId, userId: m.id, name: m.name });
const [ada, grace, alan] = [people.ada, people.grace, people.alan].map(person) as [
  ReturnType<typeof person>,
  ReturnType<typeof person>,
  ReturnType<typeof person>,
];
const NOW = Date.parse('2026-12-07T12:00:00.000Z'); // a Monday
/** Posted the Friday before, 8 working hours earlier: due at 11:50 today, between the previous check and this one. */
const POSTED_DUE = '2026-12-04T11:50:00.000Z';

export interface OverdueMeasure {
  open: number;
  due: number;
  ms: number;
  /** Table round trips of the check itself (and how many were reads), and of the deliveries (card updates, 1:1 messages, due-index rows) it started. */
  trips: { check: number; checkReads: number; deliveries: number };
  report: OverdueReport;
  seedMs: number;
}

export async function measureOverdueCheck(
  connectionString: string,
  connectorUrl: string,
  open: number,
  due: number,
): Promise<OverdueMeasure> {
  let now = NOW;
  const prefix = `benchdue${open}x${Date.now() % 100_000}`;
  const config = loadConfig({ TABLES_CONNECTION_STRING: connectionString, BATON_TABLE_PREFIX: prefix });
  const { app } = await createBaton(config, {
    clock: { now: () => now, sleep: async () => undefined },
    log: createLogger({ level: 'error' }),
  });
  const hours = new Map([ada, grace, alan].map((p) => [p.aadObjectId, DEFAULT_WORKING_HOURS]));
  const timed = (i: number, at: string) => {
    const { handoff, event } = postHandoff({
      id: `bench${String(i).padStart(15, '0')}`,
      tenantId: TENANT,
      fields: {
        summary: `Ledger export ${i} is ready`,
        whatIsReady: 'Merged.',
        acceptanceCriteria: ['Totals match'],
        assumptions: '',
        links: [],
        effortMinutes: 60,
        workState: 'ready',
        blocker: '',
        neededBy: undefined,
        priority: 'normal',
      },
      sender: ada,
      receiver: grace,
      owner: alan,
      stakeholders: [],
      conversation: { id: '19:bench@thread.v2', serviceUrl: connectorUrl, tenantId: TENANT, messageId: `m${i}` },
      at,
      late: false,
    });
    return { handoff: { ...handoff, ...nextDueState(undefined, handoff, event, hours, DEFAULT_DUE_POLICY) }, event };
  };
  const seedStarted = performance.now();
  // The due ones, and one that is not, through the store as the app writes them.
  for (let i = 0; i <= due; i += 1) {
    const { handoff, event } = timed(i, i < due ? POSTED_DUE : new Date(NOW - 60_000).toISOString());
    await app.stores.handoffs.commit(
      { handoff, etag: undefined, events: [event], markers: [`seed-${i}`], effects: [], leaseUntil: '' },
      BACKGROUND,
    );
    await app.stores.due.schedule(handoff.id, handoff.wakeAt!, Date.parse(handoff.createdAt), BACKGROUND);
  }
  // The rest are copies of that last record under their own ids, with entries due over the coming week.
  // (Azurite takes a transaction ever slower as a table grows; a plain write stays fast, so 100,000 load in minutes.)
  const table = tableClient(connectionString, `${prefix}handoffs`);
  const template = await table.getEntity(`bench${String(due).padStart(15, '0')}`, 'handoff');
  const dueTable = tableClient(connectionString, `${prefix}due`);
  let next = due + 1;
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      for (let i = next++; i < open; i = next++) {
        const id = `bench${String(i).padStart(15, '0')}`;
        const wakeAt = new Date(NOW + 3_600_000 + ((i * 7919) % (7 * 24 * 60)) * 60_000).toISOString();
        const { etag: _etag, timestamp: _timestamp, ...entity } = template;
        await table.upsertEntity(
          { ...entity, partitionKey: id, rowKey: 'handoff', summary: `Ledger export ${i} is ready`, wakeAt },
          'Replace',
        );
        await dueTable.upsertEntity(
          { partitionKey: hourPartition(Date.parse(wakeAt)), rowKey: `${wakeAt}_${id}`, handoffId: id, at: wakeAt },
          'Replace',
        );
      }
    }),
  );
  const seedMs = performance.now() - seedStarted;
  // The previous check ran 15 minutes ago and left the cursor at the hour before its own.
  await app.stores.due.moveCursor(NOW - 15 * 60_000, [], BACKGROUND);
  now = NOW;
  const before = { ...tableRoundTrips };
  const started = performance.now();
  const report = await overdueCheck(app);
  const elapsed = performance.now() - started;
  const { own, ownReads, deliveries } = tripsSince(before);
  return { open, due, ms: elapsed, trips: { check: own, checkReads: ownReads, deliveries }, report, seedMs };
}
