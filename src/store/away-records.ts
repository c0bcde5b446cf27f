/**
 * What Baton keeps of each person's absences (`<prefix>conversations`,
 * partition `away`, a row per person): the absences it saw, the one they
 * told Baton, their successor, and the messages of an absence. A change that
 * gives someone the ball creates their row (`watch`), so the away check, which
 * reads this partition, knows whose mailbox to look at.
 */
import { odata } from '@azure/data-tables';
import * as z from 'zod';
import type { AwayRecord, AwayRecords, Budget } from '../app/ports';
import type { Clock } from '../clock';
import { ExpiringCache } from '../lru';
import { ConflictError, NotFoundError, UnreadableRecordError } from '../errors';
import type { StorageAccount } from './account';
import { absenceSchema, personSchema } from './handoff-entity';
import { optionalJson } from './json-property';
import { AWAY_PARTITION, awayKeys } from './keys';
import { Table } from './table';

/** Table Storage returns at most 1,000 rows a page. */
const PAGE = 1000;

const item = z.object({ handoffId: z.string(), summary: z.string(), to: personSchema.optional(), by: personSchema.optional() });
const notice = z.object({
  id: z.string(),
  kind: z.enum(['owner', 'return']),
  to: personSchema,
  notBefore: z.string(),
  items: z.array(item),
  state: z.enum(['pending', 'sent']),
  leaseUntil: z.string(),
  answers: z.record(z.string(), z.string()).optional(),
});

const entity = z.object({
  tenantId: z.string(),
  aadObjectId: z.string(),
  name: z.string().default(''),
  userId: z.string().default(''),
  absences: optionalJson(z.array(absenceSchema)).transform((a) => a ?? []),
  declared: optionalJson(absenceSchema),
  successor: optionalJson(personSchema),
  handOver: z.boolean().default(false),
  announced: z.string().default(''),
  handedOn: optionalJson(z.array(item)).transform((a) => a ?? []),
  notices: optionalJson(z.array(notice)).transform((a) => a ?? []),
  heldAt: z.string().default(''),
  etag: z.string(),
});

function recordOf(row: { rowKey?: string }): AwayRecord {
  const parsed = entity.safeParse(row);
  if (!parsed.success) throw new UnreadableRecordError(`away/${row.rowKey ?? ''}`, parsed.error.issues[0]?.message ?? 'unreadable');
  const { declared, successor, ...rest } = parsed.data;
  return { ...rest, ...(declared ? { declared } : {}), ...(successor ? { successor } : {}) };
}

function rowOf(record: AwayRecord) {
  const { etag: _etag, declared, successor, absences, handedOn, notices, ...plain } = record;
  return {
    ...awayKeys(record.tenantId, record.aadObjectId),
    ...plain,
    absences: JSON.stringify(absences),
    declared: declared ? JSON.stringify(declared) : '',
    successor: successor ? JSON.stringify(successor) : '',
    handedOn: JSON.stringify(handedOn),
    notices: JSON.stringify(notices),
  };
}

export class TableAwayRecords implements AwayRecords {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TableAwayRecords {
    return new TableAwayRecords(Table.open(account, prefix, 'conversations'));
  }

  async get(tenantId: string, aadObjectId: string, budget: Budget): Promise<AwayRecord | undefined> {
    const { partitionKey, rowKey } = awayKeys(tenantId, aadObjectId);
    const row = await this.table.find<{ rowKey?: string }>(partitionKey, rowKey, budget);
    return row && recordOf(row);
  }

  async watch(person: Pick<AwayRecord, 'tenantId' | 'aadObjectId' | 'name' | 'userId'>, at: string, budget: Budget): Promise<void> {
    // Merge: their absences, successor and messages stay as they are.
    await this.table.upsert({ ...awayKeys(person.tenantId, person.aadObjectId), ...person, heldAt: at }, budget, 'Merge');
  }

  async *all(budget: Budget): AsyncGenerator<AwayRecord[]> {
    for await (const page of this.table.pages<{ rowKey?: string }>(odata`PartitionKey eq ${AWAY_PARTITION}`, budget, { pageSize: PAGE })) {
      yield page.map(recordOf);
    }
  }

  async save(record: AwayRecord, budget: Budget): Promise<AwayRecord | undefined> {
    try {
      const etag = record.etag
        ? await this.table.update(rowOf(record), record.etag, budget, 'Replace')
        : await this.table.create(rowOf(record), budget);
      return { ...record, etag };
    } catch (error) {
      if (error instanceof ConflictError || error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async remove(record: AwayRecord, budget: Budget): Promise<boolean> {
    const { partitionKey, rowKey } = awayKeys(record.tenantId, record.aadObjectId);
    try {
      return await this.table.delete(partitionKey, rowKey, budget, record.etag);
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }
}

/** How long a process trusts a record it read: every card and change asks for someone's hours, their absences included. */
export const AWAY_CACHE_TTL_MS = 60_000;
const AWAY_CACHE_CAPACITY = 10_000;

/**
 * The away records with each read kept for a minute, as the directory keeps
 * mailbox settings: a card render or a change reads a person's absences from
 * memory. What this process writes replaces what it kept; another instance's
 * write is seen within the minute.
 */
export class CachedAwayRecords implements AwayRecords {
  private readonly cache: ExpiringCache<AwayRecord | undefined>;

  constructor(
    private readonly store: AwayRecords,
    clock: Clock,
  ) {
    this.cache = new ExpiringCache(AWAY_CACHE_TTL_MS, clock, AWAY_CACHE_CAPACITY);
  }

  get(tenantId: string, aadObjectId: string, budget: Budget): Promise<AwayRecord | undefined> {
    const key = `${tenantId}/${aadObjectId}`;
    return this.cache.get(key) ?? this.cache.set(key, this.store.get(tenantId, aadObjectId, budget));
  }

  async watch(person: Pick<AwayRecord, 'tenantId' | 'aadObjectId' | 'name' | 'userId'>, at: string, budget: Budget): Promise<void> {
    await this.store.watch(person, at, budget);
    this.forget(person);
  }

  all(budget: Budget): AsyncIterable<AwayRecord[]> {
    return this.store.all(budget);
  }

  async save(record: AwayRecord, budget: Budget): Promise<AwayRecord | undefined> {
    const saved = await this.store.save(record, budget);
    if (saved) void this.cache.set(`${record.tenantId}/${record.aadObjectId}`, Promise.resolve(saved));
    else this.forget(record);
    return saved;
  }

  async remove(record: AwayRecord, budget: Budget): Promise<boolean> {
    const removed = await this.store.remove(record, budget);
    this.forget(record);
    return removed;
  }

  private forget(person: Pick<AwayRecord, 'tenantId' | 'aadObjectId'>): void {
    this.cache.delete(`${person.tenantId}/${person.aadObjectId}`);
  }
}
