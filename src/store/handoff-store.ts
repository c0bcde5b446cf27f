/**
 * The handoffs table, and its two repositories: the handoff with its history,
 * and its outbox rows. One partition per handoff holds its row, one row per
 * history event, one marker per activity that changed it, and its outbox
 * rows (src/store/handoff-entity.ts). A change is written with its event,
 * its marker and its outbox rows in one ETag-checked transaction: never a
 * change without its event or its messages, never one activity applied twice.
 */
import { odata, type TransactionAction } from '@azure/data-tables';
import type { Budget, HandoffStore, HandoffWrite, OutboxRow, OutboxStore, RowUpdate, StoredHandoff } from '../app/ports';
import type { Handoff, HandoffEvent } from '../domain/handoff';
import type { StorageAccount } from './account';
import {
  eventFromEntity,
  eventToEntity,
  handoffFromEntity,
  handoffToEntity,
  MAX_ERROR_LENGTH,
  newRowEntities,
  outboxRowToEntity,
  rowFromEntity,
} from './handoff-entity';
import { EVENT_ROW_PREFIX, HANDOFF_ROW, markerRowKey, OUTBOX_ROW_PREFIX } from './keys';
import { Table } from './table';

const events = (id: string) => odata`PartitionKey eq ${id} and RowKey ge ${EVENT_ROW_PREFIX} and RowKey lt ${`${EVENT_ROW_PREFIX}~`}`;

export class TableHandoffStore implements HandoffStore {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TableHandoffStore {
    return new TableHandoffStore(Table.open(account, prefix, 'handoffs'));
  }

  async read(id: string, budget: Budget): Promise<StoredHandoff | undefined> {
    const entity = await this.table.find(id, HANDOFF_ROW, budget);
    return entity && handoffFromEntity(entity);
  }

  async readWithHistory(id: string, budget: Budget): Promise<{ handoff: Handoff; events: HandoffEvent[] } | undefined> {
    const filter = odata`PartitionKey eq ${id} and (RowKey eq ${HANDOFF_ROW} or (RowKey ge ${EVENT_ROW_PREFIX} and RowKey lt ${`${EVENT_ROW_PREFIX}~`}))`;
    let handoff: Handoff | undefined;
    const history: HandoffEvent[] = [];
    for (const entity of await this.table.query(filter, budget)) {
      if (entity.rowKey === HANDOFF_ROW) handoff = handoffFromEntity(entity).handoff;
      else history.push(eventFromEntity(entity));
    }
    return handoff ? { handoff, events: history } : undefined;
  }

  async history(id: string, budget: Budget): Promise<HandoffEvent[]> {
    return (await this.table.query(events(id), budget)).map(eventFromEntity);
  }

  async applied(id: string, marker: string, budget: Budget): Promise<boolean> {
    return (await this.table.find(id, markerRowKey(marker), budget, ['RowKey'])) !== undefined;
  }

  async commit(write: HandoffWrite, budget: Budget): Promise<OutboxRow[]> {
    const { handoff, etag, events, markers, effects, leaseUntil } = write;
    const last = events.at(-1)!;
    const rows = newRowEntities(handoff.id, last.seq, effects, last.at, leaseUntil);
    const etags = await this.table.transact(
      [
        etag === undefined ? ['create', handoffToEntity(handoff)] : ['update', handoffToEntity(handoff), 'Replace', { etag }],
        ...events.map((event): TransactionAction => ['create', eventToEntity(event)]),
        ...markers.map((marker): TransactionAction => ['create', { partitionKey: handoff.id, rowKey: markerRowKey(marker), at: last.at }]),
        ...rows.map((row): TransactionAction => ['create', row]),
      ],
      budget,
    );
    return rows.map((row) => rowFromEntity({ ...row, etag: etags.get(row.rowKey) ?? '' }));
  }
}

/**
 * The outbox rows: what a change sends (everyone's card, each 1:1 message,
 * the listings and the due index brought up to date), written in the
 * change's own transaction (`commit`, above). The deliverer
 * (src/app/deliverer.ts) reads them, claims them by ETag and marks them
 * delivered here; a card's first post is recorded on the handoff's row and
 * its outbox row in one transaction.
 */
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
      rows.map((row): TransactionAction => ['update', deliveredEntity(row, deliveredAt), 'Merge', { etag: row.etag }]),
      budget,
    );
  }

  async recordPosted(stored: StoredHandoff, messageId: string, row: OutboxRow, deliveredAt: string, budget: Budget): Promise<void> {
    const handoff = { ...stored.handoff, conversation: { ...stored.handoff.conversation, messageId } };
    await this.table.transact(
      [
        ['update', handoffToEntity(handoff), 'Replace', { etag: stored.etag }],
        ['update', deliveredEntity(row, deliveredAt), 'Merge', { etag: row.etag }],
      ],
      budget,
    );
  }
}

/** An outbox row as delivered: the attempt that delivered it counted, its lease let go. */
function deliveredEntity(row: OutboxRow, deliveredAt: string) {
  return outboxRowToEntity({ ...row, state: 'delivered', attempts: row.attempts + 1, leaseUntil: '', deliveredAt });
}
