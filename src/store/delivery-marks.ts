/**
 * The pending deliveries (`<prefix>deliveries`): which handoffs may have
 * undelivered outbox rows. A transaction covers one partition, so the outbox
 * rows live with their handoff; the sweep finds them through this small
 * table instead of scanning every handoff.
 *
 * A change marks its handoff here before its transaction, so a crash after
 * the commit always leaves a mark for the sweep; a mark with nothing pending
 * behind it is cleared by the sweep. Marks leave once their rows are
 * delivered, so the table holds only what is in flight and a sweep reads it whole.
 */
import { odata } from '@azure/data-tables';
import * as z from 'zod';
import type { Budget, DeliveryMark, DeliveryMarks, MarkWritten } from '../app/ports';
import { ConflictError, NotFoundError } from '../errors';
import type { StorageAccount } from './account';
import { MARK_PARTITIONS, markPartition } from './keys';
import { Table } from './table';

const entity = z.object({ rowKey: z.string(), etag: z.string(), notBefore: z.string(), markedAt: z.string() });

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
      const parsed = entity.safeParse(row);
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
