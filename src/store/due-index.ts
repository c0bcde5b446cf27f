/**
 * The due index: when the overdue check next has something to do for each
 * open handoff, so a check reads what is due, never every open handoff.
 *
 * Partition: `h` + the UTC hour of the instant ("h2026-12-03T14"); row: the
 * instant and the handoff id, so a partition lists its entries in time
 * order and a query with `RowKey le <now>` reads only those due. One row
 * per handoff and wake-up; the handoff's record says what is due, so a stale
 * row (its handoff changed since) costs one read and is deleted.
 *
 * A cursor row remembers the oldest hour that may still hold entries: a
 * check reads from there to now (usually two partitions), then moves it to
 * the hour before the current one. An entry written late (its outbox row
 * delivered after a crash) goes into the current hour's partition, so it is
 * never behind the cursor.
 */
import { odata, type TableClient } from '@azure/data-tables';
import * as z from 'zod';
import type { StorageAccount } from './account';
import { findEntity, openTable, translate } from './tables';

export interface DueEntry {
  handoffId: string;
  /** When something is due. */
  at: string;
  /** Where the row is, for its deletion. */
  partitionKey: string;
  rowKey: string;
}

const CURSOR = { partitionKey: 'cursor', rowKey: 'overdueCheck' };
const HOUR_MS = 3_600_000;
/** Without a cursor (the first check ever), how far back a check looks. */
const FIRST_LOOKBACK_MS = 48 * HOUR_MS;

/** "h2026-12-03T14": the partition of an instant's UTC hour. */
export function hourPartition(ms: number): string {
  return `h${new Date(ms).toISOString().slice(0, 13)}`;
}

const rowKeyOf = (at: string, handoffId: string) => `${at}_${handoffId}`;
const entity = z.object({ partitionKey: z.string(), rowKey: z.string(), handoffId: z.string(), at: z.string() });

export class DueIndex {
  constructor(private readonly table: TableClient) {}

  static async open(account: StorageAccount, prefix: string): Promise<DueIndex> {
    return new DueIndex(openTable(account, prefix, 'due'));
  }

  /**
   * Records that something is due for a handoff at `at` (idempotent).
   * @param now the writer's clock: an instant already past goes into the current hour, where the next check looks
   */
  async schedule(handoffId: string, at: string, now: number): Promise<void> {
    const partitionKey = hourPartition(Math.max(Date.parse(at), now));
    try {
      await this.table.upsertEntity({ partitionKey, rowKey: rowKeyOf(at, handoffId), handoffId, at }, 'Replace');
    } catch (error) {
      throw translate(error);
    }
  }

  /** Removes an entry; one already gone is no error. */
  async remove(entry: Pick<DueEntry, 'partitionKey' | 'rowKey'>): Promise<void> {
    try {
      await this.table.deleteEntity(entry.partitionKey, entry.rowKey);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw translate(error);
    }
  }

  /** Removes a handoff's entry for `at` where it was written on time (a late one is found stale later). */
  unschedule(handoffId: string, at: string): Promise<void> {
    return this.remove({ partitionKey: hourPartition(Date.parse(at)), rowKey: rowKeyOf(at, handoffId) });
  }

  /**
   * Every entry due by `now`, oldest hour first, from the cursor's hour on.
   * @returns the entries and the hours read, for {@link moveCursor}
   */
  async dueBy(now: number): Promise<{ entries: DueEntry[]; hours: string[] }> {
    const from = await this.cursor(now);
    const hours: string[] = [];
    for (let hour = Date.parse(`${from.slice(1)}:00:00Z`); hour <= now; hour += HOUR_MS) hours.push(hourPartition(hour));
    const until = `${new Date(now).toISOString()}~`;
    const pages = await Promise.all(
      hours.map(async (partition) => {
        const found: DueEntry[] = [];
        for await (const row of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partition} and RowKey le ${until}` } })) {
          const parsed = entity.safeParse(row);
          if (parsed.success) found.push(parsed.data);
        }
        return found;
      }),
    ).catch((error: unknown) => {
      throw translate(error);
    });
    return { entries: pages.flat(), hours };
  }

  /** After a check that settled everything before `hour`, the next one starts there. */
  async moveCursor(hour: string): Promise<void> {
    try {
      await this.table.upsertEntity({ ...CURSOR, hour }, 'Replace');
    } catch (error) {
      throw translate(error);
    }
  }

  /** The earliest entry after `now`, in this hour or a later one (the local dev clock's "next"). */
  async next(now: number): Promise<DueEntry | undefined> {
    const since = new Date(now).toISOString();
    const filter = odata`PartitionKey ge ${hourPartition(now)} and PartitionKey lt ${'i'} and RowKey gt ${since}`;
    for await (const row of this.table.listEntities({ queryOptions: { filter } })) {
      const parsed = entity.safeParse(row);
      if (parsed.success) return parsed.data;
    }
    return undefined;
  }

  private async cursor(now: number): Promise<string> {
    const row = await findEntity<{ hour: string }>(this.table, CURSOR.partitionKey, CURSOR.rowKey);
    return row?.hour ?? hourPartition(now - FIRST_LOOKBACK_MS);
  }
}
