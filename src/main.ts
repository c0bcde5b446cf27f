/**
 * What Azure Functions loads (package.json `main`, built to dist/main.js by
 * `npm run build`): every function file, each registering its functions.
 * One bundle, so a cold start reads one file and the functions share one
 * Baton (one outbox, one set of table clients).
 */
import '../functions/away-check';
import '../functions/daily-digest';
import '../functions/handoff-link';
import '../functions/messages';
import '../functions/outbox-sweep';
import '../functions/overdue-check';
import '../functions/purge-drafts';
import '../functions/weekly-summary';

/** The registrations, for the local host serving this bundle (src/host/functions-host.ts, loadFunctions). */
export { registrations } from './functions';
