/**
 * The three indexes beside the handoffs table. A handoff's partition is the
 * truth, written in one transaction; each index answers a question no single
 * partition can, from a table of its own keyed for that query
 * (src/store/keys.ts):
 *
 * - `people`: who is on which handoff (mine, search, a team's metrics);
 * - `due`: when the overdue check next has something to do;
 * - `deliveries`: which handoffs have outbox rows in flight (the sweep's list).
 *
 * None is in the handoff's transaction (a transaction covers one partition):
 * listings and due rows are outbox rows, written after the commit by the
 * deliverer; a mark is written before the commit. Where an index and its
 * handoff disagree, the handoff is right.
 */
import { odata } from '@azure/data-tables';
import * as z from 'zod';
import type { Budget, DeliveryMark, DeliveryMarks, DueEntry, DueIndex, IndexRow, MarkWritten, PeopleIndex } from '../app/ports';
import { type Handoff, type Listing, listingOf, participants } from '../domain/handoff';
import { ConflictError, NotFoundError } from '../errors';
import type { StorageAccount } from './account';
import { listingSchema } from './handoff-entity';
import {
  AFTER_HOURS,
  conversationPartition,
  DUE_CURSOR,
  dueRowKey,
  handoffOfIndexRow,
  hourPartition,
  indexRowKey,
  MARK_PARTITIONS,
  markPartition,
  personPartition,
} from './keys';
import { Table } from './table';

/**
 * `people`. Who is on which handoff: one partition per person, one row per handoff,
 * and one partition per conversation (its team's handoffs). It answers
 * `mine`, search and the summary's per-team metrics without scanning the tenant.
 *
 * Each row carries the handoff's listing (src/domain/handoff.ts), what search
 * filters on and shows, so a search is one query of the person's partition.
 * The outbox rewrites the rows after every change (its `index` row) and
 * removes the rows of people a change took off the handoff; the handoff's own
 * record stays the truth.
 */
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

/**
 * `due`. When the overdue check next has something to do for each
 * open handoff, so a check reads what is due, never every open handoff.
 *
 * Partition: the UTC hour of the instant; row: the instant and the handoff
 * (src/store/keys.ts), so a partition lists its entries in time order and a
 * query with `RowKey le <now>` reads only those due. One row per handoff and
 * wake-up; the handoff's record says what is due, so a stale row (its
 * handoff changed since) costs one read and is deleted.
 *
 * A cursor row remembers the oldest hour that may still hold entries: a
 * check reads from there to now (usually two partitions), then moves it to
 * the hour before the current one. An entry written late (its outbox row
 * delivered after a crash) goes into the current hour, so it is never behind
 * the cursor.
 */
const HOUR_MS = 3_600_000;
/** Without a cursor (the first check ever), how far back a check looks. */
const FIRST_LOOKBACK_MS = 48 * HOUR_MS;

const dueRow = z.object({ partitionKey: z.string(), rowKey: z.string(), handoffId: z.string(), at: z.string() });

export class TableDueIndex implements DueIndex {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TableDueIndex {
    return new TableDueIndex(Table.open(account, prefix, 'due'));
  }

  async schedule(handoffId: string, at: string, now: number, budget: Budget): Promise<void> {
    await this.table.upsert(
      { partitionKey: hourPartition(Math.max(Date.parse(at), now)), rowKey: dueRowKey(at, handoffId), handoffId, at },
      budget,
    );
  }

  /** A check's spent entries mostly share an hour: one transaction per hour (src/store/table.ts, deleteAll). */
  remove(entries: readonly Pick<DueEntry, 'partitionKey' | 'rowKey'>[], budget: Budget): Promise<void> {
    return this.table.deleteAll(entries, budget);
  }

  /** Removes a handoff's entry for `at` where it was written on time (a late one is found stale later). */
  unschedule(handoffId: string, at: string, budget: Budget): Promise<void> {
    return this.remove([{ partitionKey: hourPartition(Date.parse(at)), rowKey: dueRowKey(at, handoffId) }], budget);
  }

  async dueBy(now: number, budget: Budget): Promise<DueEntry[]> {
    const cursor = await this.table.find<{ hour: string }>(DUE_CURSOR.partitionKey, DUE_CURSOR.rowKey, budget);
    const from = cursor?.hour ?? hourPartition(now - FIRST_LOOKBACK_MS);
    const hours: string[] = [];
    for (let hour = Date.parse(`${from.slice(1)}:00:00Z`); hour <= now; hour += HOUR_MS) hours.push(hourPartition(hour));
    const until = `${new Date(now).toISOString()}~`;
    const pages = await Promise.all(
      hours.map((partition) => this.table.query(odata`PartitionKey eq ${partition} and RowKey le ${until}`, budget)),
    );
    return pages.flat().flatMap((row) => {
      const parsed = dueRow.safeParse(row);
      return parsed.success ? [parsed.data] : [];
    });
  }

  async moveCursor(now: number, unsettled: readonly DueEntry[], budget: Budget): Promise<void> {
    const hour = [hourPartition(now - HOUR_MS), ...unsettled.map((e) => e.partitionKey)].sort()[0]!;
    await this.table.upsert({ ...DUE_CURSOR, hour }, budget);
  }

  async next(now: number, budget: Budget): Promise<DueEntry | undefined> {
    const filter = odata`PartitionKey ge ${hourPartition(now)} and PartitionKey lt ${AFTER_HOURS} and RowKey gt ${new Date(now).toISOString()}`;
    const [first] = await this.table.query(filter, budget, { limit: 1 });
    const parsed = dueRow.safeParse(first);
    return parsed.success ? parsed.data : undefined;
  }
}

/**
 * `deliveries`. Which handoffs may have
 * undelivered outbox rows. A transaction covers one partition, so the outbox
 * rows live with their handoff; the sweep finds them through this small
 * table instead of scanning every handoff.
 *
 * A change marks its handoff here before its transaction, so a crash after
 * the commit always leaves a mark for the sweep; a mark with nothing pending
 * behind it is cleared by the sweep. Marks leave once their rows are
 * delivered, so the table holds only what is in flight and a sweep reads it whole.
 */
const markRow = z.object({ rowKey: z.string(), etag: z.string(), notBefore: z.string(), markedAt: z.string() });

export class TableDeliveryMarks implements DeliveryMarks {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TableDeliveryMarks {
    return new TableDeliveryMarks(Table.open(account, prefix, 'deliveries'));
  }

  /** Creates the mark, or (one round trip more) marks it again when a change before left it. */
  async mark(handoffId: string, notBefore: string, markedAt: string, budget: Budget): Promise<MarkWritten> {
    const row = { partitionKey: markPartition(handoffId), rowKey: handoffId, notBefore, markedAt };
    try {
      return { etag: await this.table.create(row, budget), fresh: true, notBefore };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return { etag: await this.table.upsert(row, budget), fresh: false, notBefore };
    }
  }

  async list(budget: Budget): Promise<DeliveryMark[]> {
    const rows = await this.table.query(odata`PartitionKey ge ${MARK_PARTITIONS.from} and PartitionKey lt ${MARK_PARTITIONS.to}`, budget);
    return rows.flatMap((row) => {
      const parsed = markRow.safeParse(row);
      return parsed.success
        ? [{ handoffId: parsed.data.rowKey, notBefore: parsed.data.notBefore, markedAt: parsed.data.markedAt, etag: parsed.data.etag }]
        : [];
    });
  }

  async reschedule(mark: DeliveryMark, notBefore: string, budget: Budget): Promise<boolean> {
    const row = { partitionKey: markPartition(mark.handoffId), rowKey: mark.handoffId, notBefore, markedAt: mark.markedAt };
    return this.unlessChanged(() => this.table.update(row, mark.etag, budget, 'Replace'));
  }

  async clear(handoffId: string, etag: string, budget: Budget): Promise<boolean> {
    return this.unlessChanged(() => this.table.delete(markPartition(handoffId), handoffId, budget, etag));
  }

  /** A mark changed (a newer change marked the handoff again) or gone is no error: the writer's is not the latest. */
  private async unlessChanged(write: () => Promise<unknown>): Promise<boolean> {
    try {
      return (await write()) !== false;
    } catch (error) {
      if (error instanceof ConflictError || error instanceof NotFoundError) return false;
      throw error;
    }
  }
}
