/**
 * Baton's side of the cold-start figure: the local Functions host serving the
 * real function registrations, as `npm run dev` starts it.
 */
import { loadFunctions, startFunctionsHost } from '../src/host/functions-host';

void (async () => {
  await startFunctionsHost({ registrations: await loadFunctions(), port: Number(process.argv[2]) });
})();
