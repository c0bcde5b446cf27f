/**
 * Table Storage clients. Every client counts its HTTP round trips in one
 * process-wide counter, which is how `npm run bench` reports what an action costs.
 */
import { TableClient, TableServiceClient } from '@azure/data-tables';

/** HTTP requests sent to Table Storage by this process so far. */
export const tableRoundTrips = { count: 0 };

/** Creates a client for one table, creating the table when it does not exist yet. */
export async function openTable(connectionString: string, tableName: string): Promise<TableClient> {
  const options = { allowInsecureConnection: connectionString.includes('http://') };
  const service = TableServiceClient.fromConnectionString(connectionString, options);
  // createTable answers 409 when the table exists; the SDK treats that as success.
  await service.createTable(tableName);
  const client = TableClient.fromConnectionString(connectionString, tableName, options);
  client.pipeline.addPolicy({
    name: 'batonRoundTripCounter',
    sendRequest: (request, next) => {
      tableRoundTrips.count += 1;
      return next(request);
    },
  });
  return client;
}
