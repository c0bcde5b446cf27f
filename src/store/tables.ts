/**
 * Table Storage clients. Every client counts its HTTP round trips in one
 * process-wide counter, which is how `npm run bench` reports what an action costs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type GetTableEntityOptions, type GetTableEntityResponse, RestError, TableClient, TableServiceClient, type TableEntityResult } from '@azure/data-tables';
import { ConflictError, ThrottledError } from '../errors';
import { type StorageAccount, storageCredential, storageEndpoint } from './account';

/**
 * HTTP requests sent to Table Storage by this process so far, how many of
 * them were reads (GET), how many of each the outbox's deliveries made, and
 * how many were made while answering an activity (a timer's work is in
 * neither of the last two).
 */
export const tableRoundTrips = { count: 0, reads: 0, inDeliveries: 0, readsInDeliveries: 0, inRequests: 0 };

/** The round trips since a copy of `tableRoundTrips`: made by the work itself (and of them reads), and by the deliveries it started. */
export function tripsSince(before: Readonly<typeof tableRoundTrips>): { own: number; ownReads: number; deliveries: number } {
  const deliveries = tableRoundTrips.inDeliveries - before.inDeliveries;
  return { own: tableRoundTrips.count - before.count - deliveries, ownReads: tableRoundTrips.reads - before.reads - (tableRoundTrips.readsInDeliveries - before.readsInDeliveries), deliveries };
}

/** What the Table calls of the current async context belong to: a request with a deadline, or the outbox's deliveries. */
type Scope = { kind: 'request'; deadline: number } | { kind: 'delivery' };
const scope = new AsyncLocalStorage<Scope>();

/**
 * Runs a request's work so that its Table calls, retries included, end by
 * the deadline (Teams gives an invoke 5 seconds): each try gets what is left.
 */
export function withStorageDeadline<T>(ms: number, work: () => Promise<T>): Promise<T> {
  return scope.run({ kind: 'request', deadline: Date.now() + ms }, work);
}

/**
 * Runs the outbox's work: it happens after the answer, so its Table calls get
 * a generous timeout (a slow storage account must not turn a delivered message
 * into one marked failed), and they are counted apart for `npm run bench`.
 */
export function countedAsDelivery<T>(work: () => Promise<T>): Promise<T> {
  return scope.run({ kind: 'delivery' }, work);
}

/** A delivery's Table call waits this long per try. */
const DELIVERY_TRY_TIMEOUT_MS = 15_000;

/**
 * Teams gives a card action 5 seconds, and a change makes two or three
 * sequential Table calls: each try gets at most 1.5 s (and no more than the
 * request's deadline leaves) and one quick retry, so a storage outage answers
 * Baton's own "nothing was changed" card in time instead of Teams' error.
 * (The SDK's default retries for over a minute.)
 */
const RETRY_OPTIONS = { maxRetries: 1, retryDelayInMs: 100, maxRetryDelayInMs: 400 };
const TRY_TIMEOUT_MS = 1500;

/** Counts one HTTP request to Table Storage, and gives it the timeout of the work it belongs to. */
function countTrip(request: PipelineRequest): void {
  tableRoundTrips.count += 1;
  if (request.method === 'GET') tableRoundTrips.reads += 1;
  const current = scope.getStore();
  if (current?.kind === 'delivery') {
    tableRoundTrips.inDeliveries += 1;
    if (request.method === 'GET') tableRoundTrips.readsInDeliveries += 1;
    request.timeout ||= DELIVERY_TRY_TIMEOUT_MS;
  } else if (current?.kind === 'request') {
    tableRoundTrips.inRequests += 1;
    // At least a little: a try with no time left fails at once, which the caller answers as "try again".
    request.timeout = Math.max(50, Math.min(TRY_TIMEOUT_MS, current.deadline - Date.now()));
  } else {
    request.timeout ||= TRY_TIMEOUT_MS;
  }
}

/** A client for one table, counting round trips, with Baton's retry budget. */
export function tableClient(account: StorageAccount, tableName: string): TableClient {
  const client =
    typeof account === 'string'
      ? TableClient.fromConnectionString(account, tableName, { allowInsecureConnection: account.includes('http://'), retryOptions: RETRY_OPTIONS })
      : new TableClient(storageEndpoint(account, 'table'), tableName, storageCredential(account), { retryOptions: RETRY_OPTIONS });
  client.pipeline.addPolicy({
    name: 'batonRoundTripCounter',
    sendRequest: (request, next) => {
      countTrip(request);
      return next(request);
    },
  });
  return client;
}

/** Creates a table when it does not exist yet (createTable treats 409 "exists" as success). */
export async function createTable(account: StorageAccount, tableName: string): Promise<void> {
  const service =
    typeof account === 'string'
      ? TableServiceClient.fromConnectionString(account, { allowInsecureConnection: account.includes('http://') })
      : new TableServiceClient(storageEndpoint(account, 'table'), storageCredential(account));
  await service.createTable(tableName);
}

/** Baton's tables, each named `<BATON_TABLE_PREFIX><name>`; infra/azure.bicep creates the same ones (test/infra/template.test.ts). */
export const TABLE_NAMES = ['handoffs', 'people', 'conversations', 'outbox', 'due', 'summaries'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/**
 * Creates every table Baton uses that is missing: what the deployment does
 * (infra/azure.bicep), for a local stack at its start (`npm run dev`, the
 * tests), so no request pays for it.
 */
export async function ensureTables(account: StorageAccount, prefix: string): Promise<void> {
  await Promise.all(TABLE_NAMES.map((name) => createTable(account, `${prefix}${name}`)));
}

type Policy = Parameters<TableClient['pipeline']['addPolicy']>[0];
type PipelineRequest = Parameters<Policy['sendRequest']>[0];
type PipelineResponse = Awaited<ReturnType<Policy['sendRequest']>>;

/** Whether Table Storage answered that the table itself is missing (a $batch says so inside its 202). */
function tableMissing(request: PipelineRequest, response: PipelineResponse): boolean {
  if (response.headers.get('x-ms-error-code') === 'TableNotFound') return true;
  return response.status === 202 && request.url.endsWith('/$batch') && (response.bodyAsText ?? '').includes('TableNotFound');
}

/**
 * A client for a table that is created on first need, not on start-up: the
 * deployment creates Baton's tables (infra/azure.bicep), so asking for each
 * one on the first request would cost a round trip per table on a cold start.
 * A call that finds its table missing (a fresh Azurite, a new prefix) creates
 * it and is sent again, once.
 */
export function openTable(account: StorageAccount, prefix: string, table: TableName): TableClient {
  const tableName = `${prefix}${table}`;
  const client = tableClient(account, tableName);
  let creating: Promise<void> | undefined;
  client.pipeline.addPolicy(
    {
      name: 'batonCreateMissingTable',
      sendRequest: async (request, next) => {
        const response = await next(request);
        if (!tableMissing(request, response)) return response;
        creating ??= createTable(account, tableName).catch((error: unknown) => {
          creating = undefined;
          throw error;
        });
        await creating;
        countTrip(request);
        return next(request);
      },
    },
    // After the retries, so one missing table is one create.
    { afterPhase: 'Retry' },
  );
  return client;
}

/** Maps a Table Storage failure to what it means for the caller (src/errors.ts). */
export function translate(error: unknown): unknown {
  if (error instanceof RestError) {
    if (error.statusCode === 409 || error.statusCode === 412) return new ConflictError(error.message);
    if (error.statusCode === 429 || error.statusCode === 503) {
      const header = error.response?.headers.get('retry-after');
      return new ThrottledError(error.message, header ? Number(header) * 1000 : undefined);
    }
  }
  return error;
}

/**
 * One row by its keys (a point read), or undefined when there is none.
 * @throws the translated error for anything but a 404
 */
export async function findEntity<T extends object>(table: TableClient, partitionKey: string, rowKey: string, options?: GetTableEntityOptions): Promise<GetTableEntityResponse<TableEntityResult<T>> | undefined> {
  try {
    return await table.getEntity<T>(partitionKey, rowKey, options);
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    throw translate(error);
  }
}
