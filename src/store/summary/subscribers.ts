/**
 * Who gets the weekly summary, by the zone they live in (`<prefix>summaries`,
 * partition `z_<zone>`, row the person). Written when someone becomes a
 * stakeholder of a handoff, or asks for the summary.
 */
import { odata } from '@azure/data-tables';
import type { Budget, Subscriber, Subscribers } from '../../app/ports';
import type { StorageAccount } from '../account';
import { SUMMARY_KEYS } from '../keys';
import { Table } from '../table';

/** Table Storage returns at most 1,000 rows a page. */
const PAGE = 1000;

export class TableSubscribers implements Subscribers {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TableSubscribers {
    return new TableSubscribers(Table.open(account, prefix, 'summaries'));
  }

  async subscribe(subscriber: Subscriber, budget: Budget): Promise<void> {
    const { timeZone, tenantId, aadObjectId, name } = subscriber;
    await Promise.all([
      this.table.upsert(
        {
          partitionKey: SUMMARY_KEYS.subscribers(timeZone),
          rowKey: SUMMARY_KEYS.person(tenantId, aadObjectId),
          tenantId,
          aadObjectId,
          name,
          timeZone,
        },
        budget,
      ),
      // Merge keeps the zone's lastWeek.
      this.table.upsert({ partitionKey: SUMMARY_KEYS.zones, rowKey: SUMMARY_KEYS.zone(timeZone), timeZone }, budget, 'Merge'),
    ]);
  }

  async unsubscribe(timeZone: string, tenantId: string, aadObjectId: string, budget: Budget): Promise<void> {
    await this.table.delete(SUMMARY_KEYS.subscribers(timeZone), SUMMARY_KEYS.person(tenantId, aadObjectId), budget);
  }

  async *inZone(timeZone: string, budget: Budget): AsyncGenerator<Subscriber[]> {
    for await (const page of this.table.pages<Subscriber>(odata`PartitionKey eq ${SUMMARY_KEYS.subscribers(timeZone)}`, budget, {
      pageSize: PAGE,
    })) {
      yield page.map((e) => ({ tenantId: e.tenantId, aadObjectId: e.aadObjectId, name: e.name, timeZone: e.timeZone }));
    }
  }
}
