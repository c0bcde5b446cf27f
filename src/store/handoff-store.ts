/**
 * The handoffs table: one partition per handoff, holding its row, one row per
 * history event, one marker per activity that changed it, and its outbox
 * rows (src/store/handoff-entity.ts). A change is written with its event,
 * its marker and its outbox rows in one ETag-checked transaction: never a
 * change without its event or its messages, never one activity applied twice.
 */
import { odata, type TransactionAction } from '@azure/data-tables';
import type { Budget, HandoffStore, HandoffWrite, OutboxRow, StoredHandoff } from '../app/ports';
import type { Handoff, HandoffEvent } from '../domain/handoff';
import type { StorageAccount } from './account';
import { eventFromEntity, eventToEntity, handoffFromEntity, handoffToEntity, newRowEntities, rowFromEntity } from './handoff-entity';
import { EVENT_ROW_PREFIX, HANDOFF_ROW, markerRowKey } from './keys';
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
