/**
 * `tsx src/host/serve.ts`: the local Functions host alone, on BATON_HOST_PORT,
 * for a stack whose Azurite runs elsewhere (the outbox crash test, the bench).
 * `npm run dev` starts the whole stack instead.
 */
import { getBaton } from '../baton';
import { bindingSettings, ConfigError, loadConfig } from '../config';
import { ensureTables } from '../store/table';
import { CLOCK_PATH, devClock } from './dev-clock';
import { loadFunctions, startFunctionsHost } from './functions-host';

async function main(): Promise<void> {
  const config = loadConfig();
  const host = await startFunctionsHost({
    registrations: await loadFunctions(),
    port: config.ports.host,
    env: { ...process.env, ...bindingSettings(config) },
    devRoutes: { [CLOCK_PATH]: devClock(getBaton) },
  });
  // Validate at start-up what the functions would otherwise find out on the first request, and make the tables, as a deployment does.
  getBaton();
  await ensureTables(config.tables.account, config.tables.prefix);
  console.log(`Functions host ready at ${host.url}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
