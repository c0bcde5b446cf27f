/**
 * Who is on which handoff: one partition per person, one row per handoff,
 * and one partition per conversation (its team's handoffs). It answers
 * `mine`, search and the summary's per-team metrics without scanning the tenant.
 *
 * Each row carries the handoff's listing (src/domain/handoff.ts), what search
 * filters on and shows, so a search is one query of the person's partition.
 * The outbox rewrites the rows after every change (its `index` row) and
 * removes the rows of people a change took off the handoff; the handoff's own
 * record stays the truth.
 */
import { odata } from '@azure/data-tables';
import type { Budget, IndexRow, PeopleIndex } from '../app/ports';
import { type Handoff, type Listing, listingOf, participants } from '../domain/handoff';
import type { StorageAccount } from './account';
import { listingSchema } from './handoff-entity';
import { conversationPartition, handoffOfIndexRow, indexRowKey, personPartition } from './keys';
import { Table } from './table';

/** The most rows one read returns: enough for any real person's open work. */
const MAX_INDEX_ROWS = 1000;

/** A row's listing, or undefined when it does not parse (its readers skip it, and say so in the log). */
function parseListing(text: string | undefined): Listing | undefined {
  try {
    const parsed = listingSchema.safeParse(JSON.parse(text ?? ''));
    if (!parsed.success) return undefined;
    const l = parsed.data;
    return { ...l, neededBy: l.neededBy, neededByAt: l.neededByAt, clock: l.clock };
  } catch {
    return undefined;
  }
}

export class TablePeopleIndex implements PeopleIndex {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TablePeopleIndex {
    return new TablePeopleIndex(Table.open(account, prefix, 'people'));
  }

  async add(handoff: Handoff, former: readonly string[], budget: Budget): Promise<void> {
    const people = participants(handoff);
    const rowKey = indexRowKey(handoff);
    const row = { rowKey, createdAt: handoff.createdAt, listing: JSON.stringify(listingOf(handoff)) };
    const still = new Set(people.map((p) => p.aadObjectId));
    await Promise.all([
      ...people.map((p) => this.table.upsert({ partitionKey: personPartition(handoff.tenantId, p.aadObjectId), ...row }, budget)),
      this.table.upsert({ partitionKey: conversationPartition(handoff.tenantId, handoff.conversation.id), ...row }, budget),
      ...former.filter((id) => !still.has(id)).map((id) => this.table.delete(personPartition(handoff.tenantId, id), rowKey, budget)),
    ]);
  }

  handoffsOf(tenantId: string, aadObjectId: string, limit: number, budget: Budget): Promise<IndexRow[]> {
    return this.rowsOf(personPartition(tenantId, aadObjectId), limit, budget);
  }

  handoffsInConversation(tenantId: string, conversationId: string, limit: number, budget: Budget): Promise<IndexRow[]> {
    return this.rowsOf(conversationPartition(tenantId, conversationId), limit, budget);
  }

  private async rowsOf(partitionKey: string, limit: number, budget: Budget): Promise<IndexRow[]> {
    const entities = await this.table.query<{ createdAt: string; listing?: string }>(odata`PartitionKey eq ${partitionKey}`, budget, {
      limit: Math.min(limit, MAX_INDEX_ROWS),
    });
    return entities.map((entity) => {
      const handoffId = handoffOfIndexRow(entity.rowKey ?? '');
      return { handoffId, createdAt: entity.createdAt, listing: parseListing(entity.listing) };
    });
  }
}
