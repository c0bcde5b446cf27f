/**
 * Who is involved in which handoff: one partition per person
 * (`<tenant>_<aadObjectId>`), one row per handoff. It answers "my handoffs"
 * and search without scanning the tenant.
 *
 * Each row carries the handoff's listing (src/domain/handoff.ts), what search
 * filters on and shows, so a search is one query of the person's partition.
 * The outbox rewrites the rows after every change (its `index` row), and
 * removes the rows of people a change took off the handoff; the handoff's own
 * record stays the truth, and a change's rows are written after it commits.
 */
import { odata, RestError, type TableClient } from '@azure/data-tables';
import { type Handoff, type Listing, listingOf, participants } from '../domain/handoff';
import { listingSchema } from './handoff-store';
import { openTable } from './tables';
import type { StorageAccount } from './account';

export interface IndexRow {
  handoffId: string;
  summary: string;
  /** Names of the people involved, for search. */
  people: string;
  createdAt: string;
  /** Undefined in a row written before listings were (read the handoff instead). */
  listing: Listing | undefined;
}

/** A row's listing, or undefined when it has none or it does not parse (the reader then reads the handoff). */
function parseListing(text: string | undefined): Listing | undefined {
  if (!text) return undefined;
  try {
    const parsed = listingSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return undefined;
    const l = parsed.data;
    return { ...l, neededBy: l.neededBy, neededByAt: l.neededByAt, clock: l.clock };
  } catch {
    return undefined;
  }
}

/** A Table partition key for a person of a tenant (both are GUIDs; anything else Table keys forbid is dropped). */
function personKey(tenantId: string, aadObjectId: string): string {
  // Table Storage refuses / \ # ? and control characters in keys.
  // oxlint-disable-next-line no-control-regex
  return `${tenantId}_${aadObjectId}`.replace(/[/\\#?\u0000-\u001f\u007f-\u009f]/g, '');
}

/** The partition of a conversation's handoffs (a team's, for the summary's per-team metrics). */
function conversationKey(tenantId: string, conversationId: string): string {
  // oxlint-disable-next-line no-control-regex
  return `conv_${tenantId}_${conversationId}`.replace(/[/\\#?\u0000-\u001f\u007f-\u009f]/g, '').slice(0, 500);
}

/** How many rows one read of a person's handoffs returns at most; enough for any real person's open work. */
export const MAX_INDEX_ROWS = 1000;

/** Larger than any epoch millisecond count until the year 2286, so inverted ticks stay positive and 13 digits wide. */
const TICKS_CEILING = 9_999_999_999_999;

/**
 * Newest first by row key: inverted creation time, then the handoff id. Table
 * Storage returns a partition in row-key order, so a read can stop at its limit
 * and still have the newest rows (Company Communicator's TableRowKeyGenerator).
 * The creation time never changes, so re-adding a handoff hits the same row.
 */
export function indexRowKey(handoff: Pick<Handoff, 'id' | 'createdAt'>): string {
  return `${String(TICKS_CEILING - Date.parse(handoff.createdAt)).padStart(13, '0')}_${handoff.id}`;
}

/** A row already gone is what a delete wanted. */
function ignoreMissing(error: unknown): void {
  if (!(error instanceof RestError && error.statusCode === 404)) throw error;
}

export class PeopleIndex {
  constructor(private readonly table: TableClient) {}

  static async open(account: StorageAccount, prefix: string): Promise<PeopleIndex> {
    return new PeopleIndex(openTable(account, prefix, 'people'));
  }

  /**
   * Writes the handoff's row, with its current listing, for every participant
   * and in its conversation's list, and removes it for people no longer on it
   * (idempotent: an upsert or a delete each).
   * @param former object ids of people a change took off the handoff
   */
  async add(handoff: Handoff, former: readonly string[] = []): Promise<void> {
    const people = participants(handoff);
    const rowKey = indexRowKey(handoff);
    const row = {
      rowKey,
      summary: handoff.summary,
      people: people.map((p) => p.name).join(', '),
      createdAt: handoff.createdAt,
      listing: JSON.stringify(listingOf(handoff)),
    };
    const still = new Set(people.map((p) => p.aadObjectId));
    await Promise.all([
      ...people.map((p) => this.table.upsertEntity({ partitionKey: personKey(handoff.tenantId, p.aadObjectId), ...row }, 'Replace')),
      this.table.upsertEntity({ partitionKey: conversationKey(handoff.tenantId, handoff.conversation.id), ...row }, 'Replace'),
      ...former.filter((id) => !still.has(id)).map((id) => this.table.deleteEntity(personKey(handoff.tenantId, id), rowKey).catch(ignoreMissing)),
    ]);
  }

  /** The handoffs a person is or was involved in, newest first, at most `limit`. */
  handoffsOf(tenantId: string, aadObjectId: string, limit = MAX_INDEX_ROWS): Promise<IndexRow[]> {
    return this.rowsOf(personKey(tenantId, aadObjectId), limit);
  }

  /** The handoffs whose card lives in a conversation, newest first, at most `limit`. */
  handoffsInConversation(tenantId: string, conversationId: string, limit = MAX_INDEX_ROWS): Promise<IndexRow[]> {
    return this.rowsOf(conversationKey(tenantId, conversationId), limit);
  }

  private async rowsOf(partitionKey: string, limit: number): Promise<IndexRow[]> {
    const rows: IndexRow[] = [];
    const filter = odata`PartitionKey eq ${partitionKey}`;
    // Pages of at most `limit` rows ($top): the service sends what the reader keeps, not a page of 1,000 to cut short.
    const pages = this.table.listEntities<{ summary: string; people: string; createdAt: string; listing?: string }>({ queryOptions: { filter } }).byPage({ maxPageSize: Math.min(limit, MAX_INDEX_ROWS) });
    for await (const page of pages) {
      for (const entity of page) {
        const handoffId = entity.rowKey!.slice(entity.rowKey!.indexOf('_') + 1);
        rows.push({ handoffId, summary: entity.summary, people: entity.people, createdAt: entity.createdAt, listing: parseListing(entity.listing) });
        if (rows.length >= limit) return rows;
      }
    }
    return rows;
  }
}
