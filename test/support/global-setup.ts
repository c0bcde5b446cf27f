/**
 * One in-memory Azurite for the whole run, on a free port. Each test file
 * uses its own table prefix, so files never see each other's rows.
 */
import type { TestProject } from 'vitest/node';
import { azuriteConnectionString } from '../../src/config';
import { freePort, startAzurite } from '../../src/host/processes';

declare module 'vitest' {
  export interface ProvidedContext {
    tablesConnectionString: string;
  }
}

export default async function setup(project: TestProject) {
  const port = await freePort();
  const azurite = await startAzurite(port);
  project.provide('tablesConnectionString', azuriteConnectionString(port));
  return () => azurite.stop();
}
