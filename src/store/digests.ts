/**
 * Who reads a daily digest (`<prefix>conversations`, partition `digest`, a
 * row per person): set by the `settings` command in the personal chat, read
 * by the overdue check (whose reminders such a person does not get one by one)
 * and by the digest run, which records on the row the working day it sent.
 */
import { odata } from '@azure/data-tables';
import type { Budget, DigestReader, Digests } from '../app/ports';
import { ConflictError, NotFoundError } from '../errors';
import type { StorageAccount } from './account';
import { DIGEST_PARTITION, digestKeys } from './keys';
import { Table } from './table';

/** Table Storage returns at most 1,000 rows a page. */
const PAGE = 1000;

type Fields = Omit<DigestReader, 'etag'>;

export class TableDigests implements Digests {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TableDigests {
    return new TableDigests(Table.open(account, prefix, 'conversations'));
  }

  async isOn(tenantId: string, aadObjectId: string, budget: Budget): Promise<boolean> {
    const { partitionKey, rowKey } = digestKeys(tenantId, aadObjectId);
    return (await this.table.find(partitionKey, rowKey, budget, ['RowKey'])) !== undefined;
  }

  async set(person: Pick<DigestReader, 'tenantId' | 'aadObjectId' | 'name'>, on: boolean, budget: Budget): Promise<void> {
    const keys = digestKeys(person.tenantId, person.aadObjectId);
    if (!on) {
      await this.table.delete(keys.partitionKey, keys.rowKey, budget);
      return;
    }
    // Merge keeps the day last sent: turning it off and on again does not send that day twice.
    await this.table.upsert({ ...keys, tenantId: person.tenantId, aadObjectId: person.aadObjectId, name: person.name }, budget, 'Merge');
  }

  async *readers(budget: Budget): AsyncGenerator<DigestReader[]> {
    for await (const page of this.table.pages<Partial<Fields>>(odata`PartitionKey eq ${DIGEST_PARTITION}`, budget, { pageSize: PAGE })) {
      yield page.map((e) => ({
        tenantId: e.tenantId ?? '',
        aadObjectId: e.aadObjectId ?? '',
        name: e.name ?? '',
        lastStart: e.lastStart ?? '',
        leaseUntil: e.leaseUntil ?? '',
        etag: e.etag,
      }));
    }
  }

  async update(
    reader: DigestReader,
    change: Partial<Pick<DigestReader, 'lastStart' | 'leaseUntil'>>,
    budget: Budget,
  ): Promise<DigestReader | undefined> {
    const { etag, ...fields } = { ...reader, ...change };
    try {
      const next = await this.table.update({ ...digestKeys(reader.tenantId, reader.aadObjectId), ...fields }, etag, budget);
      return { ...reader, ...change, etag: next };
    } catch (error) {
      // Claimed by another run, or turned off meanwhile: not this run's to send.
      if (error instanceof ConflictError || error instanceof NotFoundError) return undefined;
      throw error;
    }
  }
}
