/**
 * Search against a person's history and the tenant's size: one person with
 * 5,000 handoffs in a tenant of 100,000, searched through POST /api/messages
 * (composeExtension/query), next to its floor: one query of the same index
 * partition against the same Azurite. The index rows are written as the
 * outbox writes them (src/store/indexes.ts), with a listing each; the
 * handoffs themselves are not stored, so a search that read one would fail.
 */
import { listingOf, postHandoff, STATUSES, type Person } from '../src/domain/handoff';
import { odata } from '@azure/data-tables';
import { TableClient } from '@azure/data-tables';
import { indexRowKey, personPartition } from '../src/store/keys';
import { tableRoundTrips } from '../src/store/table';
import { percentiles } from './stats';
import { extensionInvoke, type people as Persons, TENANT } from '../test/support/activities';

const SEED_CONCURRENCY = 32;
const SEARCHES = 200;
/** The page a search reads (SEARCH_CANDIDATES in src/app/my-work.ts). */
const FLOOR_PAGE = 200;
const QUERIES = ['open', 'payments', 'blocked retry', '', 'overdue', 'mine ledger'];

export interface SearchMeasure {
  personal: number;
  tenant: number;
  /** Baton's search through the endpoint, and the floor: one query of the partition. */
  searchMs: { p50: number; p99: number };
  floorMs: { p50: number; p99: number };
  /** Table round trips and handoff reads per search. */
  tripsPerSearch: number;
  seedMs: number;
}

const SUMMARIES = [
  'Payments retry logic is ready for QA',
  'Ledger sync waits for the new schema',
  'Invoice export runs nightly',
  'Search page redesign is in review',
];

/**
 * @param endpoint the host's /api/messages, whose Baton reads `connectionString` with `prefix`
 * @param who the person searched for, and three others the seeded handoffs go to
 */
export async function measureSearch(
  endpoint: string,
  connectorUrl: string,
  connectionString: string,
  prefix: string,
  who: typeof Persons.ada,
  others: (typeof Persons.ada)[],
  sizes = { personal: 5000, tenant: 100_000 },
): Promise<SearchMeasure> {
  const person = (m: typeof who): Person => ({ aadObjectId: m.aadObjectId, userId: m.id, name: m.name });
  const me = person(who);
  const table = TableClient.fromConnectionString(connectionString, `${prefix}people`, { allowInsecureConnection: true });
  await table.createTable();
  const seedStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      for (let i = next++; i < sizes.tenant; i = next++) {
        // Mine: every (tenant / personal)th handoff; the others belong to people of a thousand other partitions.
        const mine = i % Math.round(sizes.tenant / sizes.personal) === 0;
        const other = person(others[i % others.length]!);
        const { handoff } = postHandoff({
          id: `search${String(i).padStart(14, '0')}`,
          tenantId: TENANT,
          fields: {
            summary: `${SUMMARIES[i % SUMMARIES.length]} (${i})`,
            whatIsReady: '',
            acceptanceCriteria: ['It works'],
            assumptions: '',
            links: [],
            effortMinutes: 60,
            workState: i % 7 === 0 ? 'blocked' : 'ready',
            blocker: '',
            neededBy: undefined,
            priority: 'normal',
          },
          sender: mine ? me : other,
          receiver: mine ? other : { ...other, aadObjectId: `${other.aadObjectId.slice(0, -4)}${String(i % 1000).padStart(4, '0')}` },
          owner: mine ? me : other,
          stakeholders: [],
          conversation: { id: '19:bench@thread.v2', serviceUrl: connectorUrl, tenantId: TENANT },
          at: new Date(Date.parse('2026-01-01T00:00:00Z') + i * 60_000).toISOString(),
          late: false,
        });
        const listing = { ...listingOf(handoff), status: STATUSES[i % STATUSES.length]! };
        const partition = personPartition(TENANT, mine ? me.aadObjectId : handoff.receiver.aadObjectId);
        await table.upsertEntity(
          { partitionKey: partition, rowKey: indexRowKey(handoff), createdAt: handoff.createdAt, listing: JSON.stringify(listing) },
          'Replace',
        );
      }
    }),
  );
  const seedMs = performance.now() - seedStarted;

  const search: number[] = [];
  const floor: number[] = [];
  // Counted inside the searches' own requests: the host's outbox sweep (every minute) may run meanwhile.
  const before = tableRoundTrips.inRequests;
  for (let i = 0; i < SEARCHES; i += 1) {
    const body = JSON.stringify(
      extensionInvoke(connectorUrl, who, 'composeExtension/query', {
        commandId: 'findHandoffs',
        parameters: [{ name: 'query', value: QUERIES[i % QUERIES.length] }],
        queryOptions: { skip: 0, count: 25 },
      }),
    );
    let t = performance.now();
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const answer = (await response.json()) as { composeExtension?: { attachments?: unknown[] } };
    search.push(performance.now() - t);
    if (response.status !== 200 || !answer.composeExtension?.attachments) throw new Error(`search answered ${response.status}`);
    // The floor: the page a search reads, the newest 200 rows of the same partition, and nothing else.
    t = performance.now();
    for await (const page of table
      .listEntities({ queryOptions: { filter: odata`PartitionKey eq ${`${TENANT}_${me.aadObjectId}`}` } })
      .byPage({ maxPageSize: FLOOR_PAGE }))
      if (page.length > 0) break;
    floor.push(performance.now() - t);
  }
  const tripsPerSearch = (tableRoundTrips.inRequests - before) / SEARCHES;
  return { ...sizes, searchMs: percentiles(search), floorMs: percentiles(floor), tripsPerSearch, seedMs };
}
