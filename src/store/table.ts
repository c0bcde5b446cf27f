/**
 * One small helper over @azure/data-tables for what every store needs: a
 * synchronous open, "404 means nothing", typed errors that carry their
 * cause, deleting a row that is already gone, and the time budget of each
 * call (src/app/ports.ts `Budget`), given explicitly at the call.
 *
 * Every HTTP request to Table Storage is counted in one process-wide counter,
 * which is how `npm run bench` reports what an action costs.
 */
import { type TableEntityResult, RestError, TableClient, TableServiceClient, type TransactionAction } from '@azure/data-tables';
import type { Budget } from '../app/ports';
import { ConflictError, NotFoundError, StorageError, ThrottledError } from '../errors';
import { type StorageAccount, storageCredential, storageEndpoint } from './account';
import { TABLE_NAMES, type TableName } from './keys';

/**
 * HTTP requests sent to Table Storage by this process so far: all, reads
 * (GET), those of requests (inside Teams' 5 seconds), those of the outbox's
 * deliveries and their reads (a timer's own work is in neither of the last).
 */
export const tableRoundTrips = { count: 0, reads: 0, inRequests: 0, inDeliveries: 0, readsInDeliveries: 0 };

/**
 * The round trips since a copy of `tableRoundTrips`: made by the work itself (and of them reads), and by the deliveries it started.
 * @internal what `npm run bench` and the tests measure with
 */
export function tripsSince(before: Readonly<typeof tableRoundTrips>): { own: number; ownReads: number; deliveries: number } {
  const deliveries = tableRoundTrips.inDeliveries - before.inDeliveries;
  return {
    own: tableRoundTrips.count - before.count - deliveries,
    ownReads: tableRoundTrips.reads - before.reads - (tableRoundTrips.readsInDeliveries - before.readsInDeliveries),
    deliveries,
  };
}

/** Table Storage's most actions in one entity-group transaction. */
const TRANSACTION_ROWS = 100;

/**
 * Teams gives a card action 5 seconds, and a change makes two or three
 * sequential Table calls: each try gets at most 1.5 s (and no more than the
 * request's deadline leaves) and one quick retry, so a storage outage answers
 * Baton's own "nothing was changed" card in time instead of Teams' error.
 */
const REQUEST_RETRIES = { maxRetries: 1, retryDelayInMs: 100, maxRetryDelayInMs: 400 };
const REQUEST_TRY_MS = 1500;
/**
 * Background work has minutes (a timer, a queue message, a delivery after the
 * answer): a slow moment of storage must not fail it, nor turn a delivered
 * message into one marked failed. (The SDK's own default retries for over a minute.)
 */
const BACKGROUND_RETRIES = { maxRetries: 4, retryDelayInMs: 500, maxRetryDelayInMs: 8000 };
const BACKGROUND_TRY_MS = 15_000;

/** The budget of each request in flight, found by the abort signal every call carries. */
const budgets = new WeakMap<object, Budget>();

/** The options of one call: its abort signal (the request's deadline), registered with its budget. */
function callOptions(budget: Budget): { abortSignal: AbortSignal } {
  const left = budget.deadline === undefined ? Infinity : budget.deadline - Date.now();
  // A request whose deadline passed asks nothing more of storage: the caller answers "try again" at once.
  const abortSignal =
    left === Infinity
      ? new AbortController().signal
      : left > 0
        ? AbortSignal.timeout(left)
        : AbortSignal.abort(new Error('the storage deadline passed'));
  budgets.set(abortSignal, budget);
  return { abortSignal };
}

type Policy = Parameters<TableClient['pipeline']['addPolicy']>[0];
type PipelineRequest = Parameters<Policy['sendRequest']>[0];
type PipelineResponse = Awaited<ReturnType<Policy['sendRequest']>>;

/** Counts one HTTP request and gives it the per-try timeout of its budget. */
function countTrip(request: PipelineRequest): void {
  tableRoundTrips.count += 1;
  const read = request.method === 'GET';
  if (read) tableRoundTrips.reads += 1;
  const budget = request.abortSignal ? budgets.get(request.abortSignal) : undefined;
  if (budget?.kind === 'request') {
    tableRoundTrips.inRequests += 1;
    // At least a little: a try with no time left fails at once, which the caller answers as "try again".
    request.timeout = Math.max(50, Math.min(REQUEST_TRY_MS, budget.deadline - Date.now()));
  } else {
    if (budget?.deliveries) {
      tableRoundTrips.inDeliveries += 1;
      if (read) tableRoundTrips.readsInDeliveries += 1;
    }
    request.timeout =
      budget?.deadline === undefined ? BACKGROUND_TRY_MS : Math.max(50, Math.min(BACKGROUND_TRY_MS, budget.deadline - Date.now()));
  }
}

/** Whether Table Storage answered that the table itself is missing (a $batch says so inside its 202). */
function tableMissing(request: PipelineRequest, response: PipelineResponse): boolean {
  if (response.headers.get('x-ms-error-code') === 'TableNotFound') return true;
  return response.status === 202 && request.url.endsWith('/$batch') && (response.bodyAsText ?? '').includes('TableNotFound');
}

function serviceClient(account: StorageAccount): TableServiceClient {
  return typeof account === 'string'
    ? TableServiceClient.fromConnectionString(account, { allowInsecureConnection: account.includes('http://') })
    : new TableServiceClient(storageEndpoint(account, 'table'), storageCredential(account));
}

/**
 * Creates every table Baton uses that is missing: what the deployment does
 * (infra/azure.bicep), for a local stack at its start (`npm run dev`, the
 * tests), so no request pays for it.
 */
export async function ensureTables(account: StorageAccount, prefix: string): Promise<void> {
  const service = serviceClient(account);
  // createTable treats 409 "exists" as success.
  await Promise.all(TABLE_NAMES.map((name) => service.createTable(`${prefix}${name}`)));
}

/** Maps a Table Storage failure to what it means for the caller (src/errors.ts), keeping it as the cause. */
export function translate(error: unknown): Error {
  if (error instanceof RestError) {
    const options = { cause: error };
    if (error.statusCode === 409 || error.statusCode === 412) return new ConflictError(error.message, options);
    if (error.statusCode === 404) return new NotFoundError(error.message, options);
    if (error.statusCode === 429 || error.statusCode === 503) {
      const header = error.response?.headers.get('retry-after');
      return new ThrottledError(error.message, header ? Number(header) * 1000 : undefined, options);
    }
    return new StorageError(error.message, error.statusCode, options);
  }
  // An abort (the request's deadline) or a network failure: storage did not answer.
  return error instanceof Error ? new StorageError(error.message, undefined, { cause: error }) : new StorageError(String(error), undefined);
}

async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translate(error);
  }
}

/** An entity to write: its keys and its properties. */
export type Entity = RowKeys & Record<string, unknown>;
/** Where a row is: its partition and its key. */
type RowKeys = { partitionKey: string; rowKey: string };

/** An entity as read, with its keys and ETag. */
export type Row<T extends object> = TableEntityResult<T>;

/**
 * One of Baton's tables (`<prefix><name>`). Opening it makes no request: the
 * deployment creates the tables (infra/azure.bicep), and a call that finds
 * its table missing (a fresh Azurite, a new prefix) creates it and is sent
 * again, once.
 */
export class Table {
  private readonly clients: Partial<Record<Budget['kind'], TableClient>> = {};
  private creating: Promise<unknown> | undefined;

  constructor(
    private readonly account: StorageAccount,
    readonly name: string,
  ) {}

  /** Baton's table `name` under `prefix`; no request is made. */
  static open(account: StorageAccount, prefix: string, name: TableName): Table {
    return new Table(account, `${prefix}${name}`);
  }

  /** The row with these keys, or undefined when there is none (a point read). */
  async find<T extends object>(partitionKey: string, rowKey: string, budget: Budget, select?: string[]): Promise<Row<T> | undefined> {
    try {
      return await this.client(budget).getEntity<T>(partitionKey, rowKey, {
        ...callOptions(budget),
        ...(select ? { queryOptions: { select } } : {}),
      });
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw translate(error);
    }
  }

  /**
   * The rows a filter (built with `odata`) selects, in key order, a page at a time.
   * @param pageSize rows per page ($top): the service sends what the reader keeps
   */
  async *pages<T extends object>(
    filter: string,
    budget: Budget,
    options: { select?: string[]; pageSize?: number } = {},
  ): AsyncGenerator<Row<T>[]> {
    const pages = this.client(budget)
      .listEntities<T>({ ...callOptions(budget), queryOptions: { filter, ...(options.select ? { select: options.select } : {}) } })
      .byPage(options.pageSize ? { maxPageSize: options.pageSize } : {});
    try {
      for await (const page of pages) yield page;
    } catch (error) {
      throw translate(error);
    }
  }

  /** The rows a filter selects, in key order, at most `limit`. */
  async query<T extends object>(filter: string, budget: Budget, options: { select?: string[]; limit?: number } = {}): Promise<Row<T>[]> {
    const rows: Row<T>[] = [];
    const limit = options.limit ?? Infinity;
    const pageSize = Number.isFinite(limit) ? Math.min(limit, 1000) : undefined;
    for await (const page of this.pages<T>(filter, budget, { select: options.select, pageSize })) {
      for (const row of page) {
        rows.push(row);
        if (rows.length >= limit) return rows;
      }
    }
    return rows;
  }

  /** Creates or replaces (or merges into) a row. @returns its new ETag */
  async upsert(entity: Entity, budget: Budget, mode: 'Replace' | 'Merge' = 'Replace'): Promise<string> {
    return translated(async () => (await this.client(budget).upsertEntity(entity, mode, callOptions(budget))).etag ?? '');
  }

  /** Creates a row. @throws ConflictError when it exists */
  async create(entity: Entity, budget: Budget): Promise<string> {
    return translated(async () => (await this.client(budget).createEntity(entity, callOptions(budget))).etag ?? '');
  }

  /** Changes a row read with `etag`. @throws ConflictError when it changed since, NotFoundError when it is gone */
  async update(entity: Entity, etag: string, budget: Budget, mode: 'Replace' | 'Merge' = 'Merge'): Promise<string> {
    return translated(async () => (await this.client(budget).updateEntity(entity, mode, { ...callOptions(budget), etag })).etag ?? '');
  }

  /**
   * Deletes a row (only as read, with `etag`); one already gone is no error.
   * @returns false when it was already gone
   * @throws ConflictError when it changed since `etag`
   */
  async delete(partitionKey: string, rowKey: string, budget: Budget, etag?: string): Promise<boolean> {
    try {
      await this.client(budget).deleteEntity(partitionKey, rowKey, { ...callOptions(budget), ...(etag ? { etag } : {}) });
      return true;
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return false;
      throw translate(error);
    }
  }

  /**
   * Deletes rows, one transaction per partition and hundred rows. A
   * transaction fails whole when one of its rows is already gone (another
   * writer deleted it); its rows are then deleted one by one, where a gone one
   * is no error.
   */
  async deleteAll(keys: readonly RowKeys[], budget: Budget): Promise<void> {
    const partitions = new Map<string, RowKeys[]>();
    for (const { partitionKey, rowKey } of keys) {
      const rows = partitions.get(partitionKey) ?? [];
      rows.push({ partitionKey, rowKey });
      partitions.set(partitionKey, rows);
    }
    const batches = [...partitions.values()].flatMap((rows) =>
      Array.from({ length: Math.ceil(rows.length / TRANSACTION_ROWS) }, (_, i) =>
        rows.slice(i * TRANSACTION_ROWS, (i + 1) * TRANSACTION_ROWS),
      ),
    );
    const oneByOne = (batch: readonly RowKeys[]) => Promise.all(batch.map((row) => this.delete(row.partitionKey, row.rowKey, budget)));
    await Promise.all(
      batches.map(async (batch) => {
        if (batch.length === 1) return oneByOne(batch);
        try {
          await this.transact(
            batch.map((row): TransactionAction => ['delete', row]),
            budget,
          );
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          await oneByOne(batch);
        }
      }),
    );
  }

  /** One entity-group transaction (one partition, at most 100 rows). @returns each row's ETag by row key */
  async transact(actions: TransactionAction[], budget: Budget): Promise<Map<string, string>> {
    return translated(async () => {
      const { subResponses } = await this.client(budget).submitTransaction(actions, callOptions(budget));
      return new Map(subResponses.map((r) => [r.rowKey ?? '', r.etag ?? '']));
    });
  }

  /** The client of a budget's kind: each has the retries of its kind, and every request is counted. */
  private client(budget: Budget): TableClient {
    const existing = this.clients[budget.kind];
    if (existing) return existing;
    const retryOptions = budget.kind === 'request' ? REQUEST_RETRIES : BACKGROUND_RETRIES;
    const { account, name } = this;
    const client =
      typeof account === 'string'
        ? TableClient.fromConnectionString(account, name, { allowInsecureConnection: account.includes('http://'), retryOptions })
        : new TableClient(storageEndpoint(account, 'table'), name, storageCredential(account), { retryOptions });
    client.pipeline.addPolicy({
      name: 'batonRoundTripCounter',
      sendRequest: (request, next) => {
        countTrip(request);
        return next(request);
      },
    });
    client.pipeline.addPolicy(
      {
        name: 'batonCreateMissingTable',
        sendRequest: async (request, next) => {
          const response = await next(request);
          if (!tableMissing(request, response)) return response;
          this.creating ??= serviceClient(account)
            .createTable(name)
            .catch((error: unknown) => {
              this.creating = undefined;
              throw error;
            });
          await this.creating;
          countTrip(request);
          return next(request);
        },
      },
      // After the retries, so one missing table is one create.
      { afterPhase: 'Retry' },
    );
    this.clients[budget.kind] = client;
    return client;
  }
}
