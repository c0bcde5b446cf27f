/**
 * What a team or a channel is called now (`<prefix>conversations`, partition
 * `names_<tenant>`, a row per id): written when Teams says one was renamed,
 * read whole by the weekly summary to name its teams.
 */
import { odata } from '@azure/data-tables';
import type { Budget, ConversationNames } from '../app/ports';
import type { StorageAccount } from './account';
import { namePartition, nameRowKey } from './keys';
import { Table } from './table';

export class TableConversationNames implements ConversationNames {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TableConversationNames {
    return new TableConversationNames(Table.open(account, prefix, 'conversations'));
  }

  async rename(tenantId: string, id: string, name: string, budget: Budget): Promise<void> {
    await this.table.upsert({ partitionKey: namePartition(tenantId), rowKey: nameRowKey(id), id, name }, budget);
  }

  async all(tenantId: string, budget: Budget): Promise<Map<string, string>> {
    const rows = await this.table.query<{ id: string; name: string }>(odata`PartitionKey eq ${namePartition(tenantId)}`, budget);
    return new Map(rows.map((r) => [r.id, r.name]));
  }
}
