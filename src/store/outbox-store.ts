/**
 * Outbox rows: what a change sends (everyone's card, each 1:1 message, the
 * listings and the due index brought up to date), stored in the handoff's
 * partition and written in the change's own transaction (handoff-store.ts).
 * The deliverer (src/app/deliveries.ts) reads them, claims them by ETag and
 * marks them delivered here.
 */
import { odata, type TransactionAction } from '@azure/data-tables';
import type { Budget, OutboxRow, OutboxStore, RowUpdate, StoredHandoff } from '../app/ports';
import type { StorageAccount } from './account';
import { handoffToEntity, MAX_ERROR_LENGTH, outboxRowToEntity, rowFromEntity } from './handoff-entity';
import { OUTBOX_ROW_PREFIX } from './keys';
import { Table } from './table';

export class TableOutboxStore implements OutboxStore {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TableOutboxStore {
    return new TableOutboxStore(Table.open(account, prefix, 'handoffs'));
  }

  async rows(handoffId: string, budget: Budget, options: { all?: boolean } = {}): Promise<OutboxRow[]> {
    const range = odata`PartitionKey eq ${handoffId} and RowKey ge ${OUTBOX_ROW_PREFIX} and RowKey lt ${`${OUTBOX_ROW_PREFIX}~`}`;
    const filter = options.all ? range : `${range} and state eq 'pending'`;
    return (await this.table.query(filter, budget)).map(rowFromEntity);
  }

  async update(row: OutboxRow, update: RowUpdate, budget: Budget): Promise<OutboxRow> {
    const next = { ...row, ...update };
    const etag = await this.table.update(outboxRowToEntity(next), row.etag, budget);
    return { ...next, lastError: next.lastError.slice(0, MAX_ERROR_LENGTH), etag };
  }

  async markDelivered(rows: readonly OutboxRow[], deliveredAt: string, budget: Budget): Promise<void> {
    await this.table.transact(
      rows.map(
        (row): TransactionAction => [
          'update',
          outboxRowToEntity({ ...row, state: 'delivered', attempts: row.attempts + 1, leaseUntil: '', deliveredAt }),
          'Merge',
          { etag: row.etag },
        ],
      ),
      budget,
    );
  }

  async recordPosted(stored: StoredHandoff, messageId: string, row: OutboxRow, deliveredAt: string, budget: Budget): Promise<void> {
    const handoff = { ...stored.handoff, conversation: { ...stored.handoff.conversation, messageId } };
    await this.table.transact(
      [
        ['update', handoffToEntity(handoff), 'Replace', { etag: stored.etag }],
        [
          'update',
          outboxRowToEntity({ ...row, state: 'delivered', attempts: row.attempts + 1, leaseUntil: '', deliveredAt }),
          'Merge',
          { etag: row.etag },
        ],
      ],
      budget,
    );
  }
}
