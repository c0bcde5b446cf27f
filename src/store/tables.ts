/**
 * Table Storage clients. Every client counts its HTTP round trips, which is how
 * `npm run bench` reports the cost of an action.
 */
import { TableClient, TableServiceClient } from '@azure/data-tables';

export interface RoundTripCounter {
  count: number;
}

/** Creates a client for one table, creating the table when it does not exist yet. */
export async function openTable(connectionString: string, tableName: string, counter?: RoundTripCounter): Promise<TableClient> {
  const options = { allowInsecureConnection: connectionString.includes('http://') };
  const service = TableServiceClient.fromConnectionString(connectionString, options);
  // createTable answers 409 when the table exists; the SDK treats that as success.
  await service.createTable(tableName);
  const client = TableClient.fromConnectionString(connectionString, tableName, options);
  if (counter) {
    client.pipeline.addPolicy({
      name: 'batonRoundTripCounter',
      sendRequest: (request, next) => {
        counter.count += 1;
        return next(request);
      },
    });
  }
  return client;
}
