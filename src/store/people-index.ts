/**
 * Who is involved in which handoff: one partition per person
 * (`<tenant>_<aadObjectId>`), one row per handoff. It answers "my handoffs"
 * and search without scanning the tenant.
 *
 * The index lists handoffs a person is or was involved in; the handoff's own
 * record stays the truth for status and roles. It is written before the
 * handoff changes (create, resubmit, reassign), so a crash in between leaves an
 * extra row that readers skip, never a missing one.
 */
import { odata, type TableClient } from '@azure/data-tables';
import { type Handoff, participants } from '../domain/handoff';
import { openTable } from './tables';
import type { StorageAccount } from './account';

export interface IndexRow {
  handoffId: string;
  summary: string;
  /** Names of the people involved, for search. */
  people: string;
  createdAt: string;
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

export class PeopleIndex {
  constructor(private readonly table: TableClient) {}

  static async open(account: StorageAccount, prefix: string): Promise<PeopleIndex> {
    return new PeopleIndex(await openTable(account, `${prefix}people`));
  }

  /** Records every participant of a handoff, and the handoff in its conversation's list (idempotent: an upsert each). */
  async add(handoff: Handoff): Promise<void> {
    const people = participants(handoff);
    const row = {
      rowKey: indexRowKey(handoff),
      summary: handoff.summary,
      people: people.map((p) => p.name).join(', '),
      createdAt: handoff.createdAt,
    };
    await Promise.all([
      ...people.map((p) => this.table.upsertEntity({ partitionKey: personKey(handoff.tenantId, p.aadObjectId), ...row }, 'Replace')),
      this.table.upsertEntity({ partitionKey: conversationKey(handoff.tenantId, handoff.conversation.id), ...row }, 'Replace'),
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
    for await (const entity of this.table.listEntities<{ summary: string; people: string; createdAt: string }>({ queryOptions: { filter } })) {
      const handoffId = entity.rowKey!.slice(entity.rowKey!.indexOf('_') + 1);
      rows.push({ handoffId, summary: entity.summary, people: entity.people, createdAt: entity.createdAt });
      if (rows.length >= limit) break;
    }
    return rows;
  }
}
