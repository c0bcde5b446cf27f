/** Each person's choice about their weekly summary (`<prefix>summaries`, partition `pref_<tenant>`). */
import type { Budget, Preference, Preferences } from '../../app/ports';
import type { StorageAccount } from '../account';
import { keySafe, SUMMARY_KEYS } from '../keys';
import { Table } from '../table';

export class TablePreferences implements Preferences {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TablePreferences {
    return new TablePreferences(Table.open(account, prefix, 'summaries'));
  }

  async get(tenantId: string, aadObjectId: string, budget: Budget): Promise<Preference> {
    const e = await this.table.find<{ stopped?: boolean; optedIn?: boolean }>(
      SUMMARY_KEYS.preferences(tenantId),
      keySafe(aadObjectId),
      budget,
    );
    return { stopped: e?.stopped === true, optedIn: e?.optedIn === true };
  }

  async set(tenantId: string, aadObjectId: string, preference: Preference, at: string, budget: Budget): Promise<void> {
    await this.table.upsert(
      { partitionKey: SUMMARY_KEYS.preferences(tenantId), rowKey: keySafe(aadObjectId), ...preference, changedAt: at },
      budget,
    );
  }
}
