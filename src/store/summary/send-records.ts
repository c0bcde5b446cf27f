/**
 * The weekly summary's idempotency record (`<prefix>summaries`, partition
 * `sent_<week>`, one row per person): a claim with a lease while the summary
 * is built and sent, then what was sent on which channel. Nobody gets two
 * summaries for one week.
 */
import type { Budget, SendRecord, SendRecords, SendState } from '../../app/ports';
import { ConflictError } from '../../errors';
import type { StorageAccount } from '../account';
import { SUMMARY_KEYS } from '../keys';
import { Table } from '../table';

const keysOf = (week: string, tenantId: string, aadObjectId: string) => ({
  partitionKey: SUMMARY_KEYS.sent(week),
  rowKey: SUMMARY_KEYS.person(tenantId, aadObjectId),
});

export class TableSendRecords implements SendRecords {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TableSendRecords {
    return new TableSendRecords(Table.open(account, prefix, 'summaries'));
  }

  async get(week: string, tenantId: string, aadObjectId: string, budget: Budget): Promise<SendRecord | undefined> {
    const { partitionKey, rowKey } = keysOf(week, tenantId, aadObjectId);
    const e = await this.table.find<{ state: SendState; leaseUntil?: string; done?: string; reason?: string; attempts?: number }>(
      partitionKey,
      rowKey,
      budget,
    );
    return (
      e && {
        state: e.state,
        leaseUntil: e.leaseUntil ?? '',
        done: (e.done ?? '').split(',').filter(Boolean),
        reason: e.reason ?? '',
        attempts: e.attempts ?? 0,
        etag: e.etag,
      }
    );
  }

  async claim(
    week: string,
    tenantId: string,
    aadObjectId: string,
    leaseUntil: string,
    earlier: SendRecord | undefined,
    budget: Budget,
  ): Promise<SendRecord | undefined> {
    const row = keysOf(week, tenantId, aadObjectId);
    const attempts = (earlier?.attempts ?? 0) + 1;
    const done = earlier?.done ?? [];
    try {
      const etag = earlier
        ? await this.table.update({ ...row, state: 'sending', leaseUntil, attempts, done: done.join(',') }, earlier.etag, budget)
        : await this.table.create({ ...row, state: 'sending', leaseUntil, attempts, done: '', reason: '' }, budget);
      return { state: 'sending', leaseUntil, done, reason: earlier?.reason ?? '', attempts, etag };
    } catch (error) {
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
  }

  async update(
    week: string,
    tenantId: string,
    aadObjectId: string,
    record: SendRecord,
    change: Partial<Omit<SendRecord, 'etag'>>,
    budget: Budget,
  ): Promise<SendRecord> {
    const next = { ...record, ...change };
    const row = {
      ...keysOf(week, tenantId, aadObjectId),
      state: next.state,
      leaseUntil: next.leaseUntil,
      done: next.done.join(','),
      reason: next.reason,
      attempts: next.attempts,
    };
    return { ...next, etag: await this.table.update(row, record.etag, budget) };
  }
}
