/**
 * `npm run outbox -- <command> <handoffId>`: an operator's look at one
 * handoff's outbox, with the deployment's storage settings in the environment.
 *
 *   npm run outbox -- show <handoffId>     every row: what it sends, its state, attempts, last error
 *   npm run outbox -- replay <handoffId>   puts the dead rows back to pending; outboxSweep delivers them within a minute
 *
 * Replay once the cause is fixed (Baton added back to the chat, the person
 * installed Baton): a row that dies again keeps its new reason.
 */
import { BACKGROUND, type OutboxRow } from '../src/app/ports';
import { createBaton } from '../src/baton';
import { loadConfig } from '../src/config';

const USAGE = 'Usage: npm run outbox -- show <handoffId> | replay <handoffId>';

/** One line per row: key, what it does, state, attempts and why it last failed. */
function describe(row: OutboxRow): string {
  const what = row.effect.kind === 'message' ? `message to ${row.effect.to.name} (${row.effect.about})` : row.effect.kind;
  const error = row.lastError ? `  ${row.lastError}` : '';
  return `${row.key}  ${what}  ${row.state}  attempts=${row.attempts}${error}`;
}

async function main([command, handoffId]: string[]): Promise<void> {
  if (!handoffId || (command !== 'show' && command !== 'replay')) throw new Error(USAGE);
  const { app } = createBaton(loadConfig());
  if (!(await app.stores.handoffs.read(handoffId, BACKGROUND)))
    throw new Error(`No handoff ${handoffId} in the tables of prefix "${loadConfig().tables.prefix}".`);
  if (command === 'show') {
    const rows = await app.stores.outbox.rows(handoffId, BACKGROUND, { all: true });
    console.log(rows.length === 0 ? 'No outbox rows.' : rows.map(describe).join('\n'));
    return;
  }
  const revived = await app.deliveries.replayDead(handoffId);
  console.log(
    revived.length === 0
      ? 'No dead rows to replay.'
      : `Replayed ${revived.length} dead row(s); outboxSweep delivers them within a minute:\n${revived.map(describe).join('\n')}`,
  );
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
