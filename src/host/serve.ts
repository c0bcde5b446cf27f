/**
 * `tsx src/host/serve.ts`: the local Functions host alone, on BATON_HOST_PORT,
 * for a stack whose Azurite runs elsewhere (the outbox crash test, the bench).
 * `npm run dev` starts the whole stack instead.
 */
import { ConfigError, loadConfig } from '../config';
import { getBaton } from '../app/baton';
import { ensureTables } from '../store/tables';
import { CLOCK_PATH, devClock } from './dev-clock';
import { loadFunctions, startFunctionsHost } from './functions-host';

async function main(): Promise<void> {
  const config = loadConfig();
  const host = await startFunctionsHost({ registrations: await loadFunctions(), port: config.ports.host, devRoutes: { [CLOCK_PATH]: devClock(getBaton) } });
  // Validate at start-up what the functions would otherwise find out on the first request, and make the tables, as a deployment does.
  await getBaton();
  await ensureTables(config.tables.account, config.tables.prefix);
  console.log(`Functions host ready at ${host.url}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
