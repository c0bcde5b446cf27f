/**
 * One in-memory Azurite for the whole run, Table and Queue services on free
 * ports. Each test file uses its own table prefix and queue names, so files
 * never see each other's rows or messages.
 */
import type { TestProject } from 'vitest/node';
import { azuriteConnectionString } from '../../src/config';
import { freePort, startAzurite } from '../../src/host/processes';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Azurite's Table endpoint only. */
    tablesConnectionString: string;
    /** Azurite's Table and Queue endpoints: what AzureWebJobsStorage holds. */
    storageConnectionString: string;
  }
}

export default async function setup(project: TestProject) {
  const table = await freePort();
  let queue = await freePort();
  // Each port is free once asked for; two asks may still get the same one.
  while (queue === table) queue = await freePort();
  const azurite = await startAzurite({ table, queue });
  project.provide('tablesConnectionString', azuriteConnectionString(table));
  project.provide('storageConnectionString', azurite.connectionString);
  return () => azurite.stop();
}
