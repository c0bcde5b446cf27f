/**
 * The due index: when the overdue check next has something to do for each
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
import { odata } from '@azure/data-tables';
import * as z from 'zod';
import type { Budget, DueEntry, DueIndex } from '../app/ports';
import type { StorageAccount } from './account';
import { AFTER_HOURS, DUE_CURSOR, dueRowKey, hourPartition } from './keys';
import { Table } from './table';

const HOUR_MS = 3_600_000;
/** Without a cursor (the first check ever), how far back a check looks. */
const FIRST_LOOKBACK_MS = 48 * HOUR_MS;

const entity = z.object({ partitionKey: z.string(), rowKey: z.string(), handoffId: z.string(), at: z.string() });

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

  async remove(entry: Pick<DueEntry, 'partitionKey' | 'rowKey'>, budget: Budget): Promise<void> {
    await this.table.delete(entry.partitionKey, entry.rowKey, budget);
  }

  /** Removes a handoff's entry for `at` where it was written on time (a late one is found stale later). */
  unschedule(handoffId: string, at: string, budget: Budget): Promise<void> {
    return this.remove({ partitionKey: hourPartition(Date.parse(at)), rowKey: dueRowKey(at, handoffId) }, budget);
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
      const parsed = entity.safeParse(row);
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
    const parsed = entity.safeParse(first);
    return parsed.success ? parsed.data : undefined;
  }
}
