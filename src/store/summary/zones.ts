/**
 * The weekly summary's time zones (`<prefix>summaries`, partition `zones`):
 * every zone some subscriber lives in, and the last week whose summaries were
 * enqueued for it. The hourly run reads this one partition and finds the
 * zones where the week has just ended.
 */
import { odata } from '@azure/data-tables';
import type { Budget, Zone, Zones } from '../../app/ports';
import { ConflictError } from '../../errors';
import type { StorageAccount } from '../account';
import { SUMMARY_KEYS } from '../keys';
import { Table } from '../table';

export class TableZones implements Zones {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TableZones {
    return new TableZones(Table.open(account, prefix, 'summaries'));
  }

  async list(budget: Budget): Promise<Zone[]> {
    const rows = await this.table.query<{ timeZone: string; lastWeek?: string }>(odata`PartitionKey eq ${SUMMARY_KEYS.zones}`, budget);
    return rows.map((e) => ({ timeZone: e.timeZone, lastWeek: e.lastWeek ?? '', etag: e.etag }));
  }

  async markEnqueued(zone: Zone, week: string, budget: Budget): Promise<boolean> {
    try {
      await this.table.update(
        { partitionKey: SUMMARY_KEYS.zones, rowKey: SUMMARY_KEYS.zone(zone.timeZone), lastWeek: week },
        zone.etag,
        budget,
      );
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }
}
