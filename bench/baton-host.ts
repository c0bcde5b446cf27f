/**
 * Baton's side of the cold-start figure: the deployable bundle dist/main.js
 * (what Azure loads) behind the local host's HTTP server, run by plain node
 * after `npm run bench` bundles this file the way `npm run build` bundles
 * dist/main.js. Only the HTTP functions are served: on Azure the Functions
 * host, not the Node process, runs the timers and polls the queues.
 */
import { join } from 'node:path';
import { loadFunctions, startFunctionsHost } from '../src/host/functions-host';
import { PROJECT_ROOT } from '../src/project';

void (async () => {
  // The bundle's folder: dist/ by default (a test builds one elsewhere).
  const registrations = await loadFunctions(process.argv[3] ?? join(PROJECT_ROOT, 'dist'));
  await startFunctionsHost({ registrations: registrations.filter((r) => r.kind === 'http'), port: Number(process.argv[2]) });
  // What the bundle registered, every trigger kind (test/host/bundle.test.ts reads it).
  console.log(`Registered: ${registrations.map((r) => r.name).join(', ')}`);
})();
