/**
 * The outbox's index: which handoffs may have undelivered outbox rows. A
 * transaction covers one partition, so the outbox rows live with their
 * handoff; the sweep finds them through this small table instead of scanning
 * every handoff.
 *
 * A change marks its handoff here *before* its transaction, so a crash
 * after the commit always leaves a mark for the sweep; a mark with nothing
 * pending behind it is cleared by the sweep. Rows leave the table once
 * delivered, so it holds only what is in flight and a sweep reads it whole.
 *
 * Partition: `p` + the handoff id's first hex digit (16 partitions, so
 * marks spread load); row: the handoff id.
 */
import { odata, type TableClient } from '@azure/data-tables';
import * as z from 'zod';
import { openTable, translate } from './tables';
import type { StorageAccount } from './account';
import { ConflictError } from '../errors';

export interface PendingMark {
  handoffId: string;
  /** The sweep leaves the handoff alone until then: its writer is still delivering. */
  notBefore: string;
  /** When a change last marked it. */
  markedAt: string;
  etag: string;
}

const entity = z.object({ rowKey: z.string(), etag: z.string(), notBefore: z.string(), markedAt: z.string() });

const partitionOf = (handoffId: string) => `p${handoffId.slice(0, 1)}`;

export class PendingDeliveries {
  constructor(private readonly table: TableClient) {}

  static async open(account: StorageAccount, prefix: string): Promise<PendingDeliveries> {
    return new PendingDeliveries(openTable(account, prefix, 'outbox'));
  }

  /**
   * Marks a handoff as having rows to deliver, to be swept from `notBefore` on.
   * @returns the mark's ETag, so its writer can clear exactly its own mark
   */
  async mark(handoffId: string, notBefore: string, markedAt: string): Promise<string> {
    try {
      const response = await this.table.upsertEntity({ partitionKey: partitionOf(handoffId), rowKey: handoffId, notBefore, markedAt }, 'Replace');
      return response.etag ?? '';
    } catch (error) {
      throw translate(error);
    }
  }

  /** Every mark, in no particular order. The table holds only handoffs in flight. */
  async list(): Promise<PendingMark[]> {
    const marks: PendingMark[] = [];
    try {
      for await (const row of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey ge 'p' and PartitionKey lt 'q'` } })) {
        const parsed = entity.safeParse(row);
        if (parsed.success) marks.push({ handoffId: parsed.data.rowKey, notBefore: parsed.data.notBefore, markedAt: parsed.data.markedAt, etag: parsed.data.etag });
      }
    } catch (error) {
      throw translate(error);
    }
    return marks;
  }

  /**
   * Moves a mark's next sweep, if nobody marked the handoff since it was read.
   * @returns false when the mark changed (a newer change marked it again)
   */
  async reschedule(mark: PendingMark, notBefore: string): Promise<boolean> {
    return this.guarded(() => this.table.updateEntity({ partitionKey: partitionOf(mark.handoffId), rowKey: mark.handoffId, notBefore, markedAt: mark.markedAt }, 'Replace', { etag: mark.etag }));
  }

  /**
   * Removes a mark, if nobody marked the handoff since `etag`.
   * @returns false when the mark changed or is already gone
   */
  async clear(handoffId: string, etag: string): Promise<boolean> {
    return this.guarded(() => this.table.deleteEntity(partitionOf(handoffId), handoffId, { etag }));
  }

  private async guarded(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      const translated = translate(error);
      if (translated instanceof ConflictError || (translated as { statusCode?: number }).statusCode === 404) return false;
      throw translated;
    }
  }
}
