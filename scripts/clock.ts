/**
 * `npm run clock -- <how far>`: while `npm run dev` runs, move Baton's clock
 * forward and run the overdue check at once, to see a nudge or an
 * escalation in the Playground without waiting a working day.
 *
 *   npm run clock -- next     one minute past the next thing due (the next nudge, escalation, auto-close)
 *   npm run clock -- 9h       forward 9 hours ("90m", "2d", "1d 4h"; calendar time)
 *   npm run clock -- summary  to the next weekly summary (Monday 08:00 in the soonest zone), and send them
 *   npm run clock             where the clock is now
 *
 * It posts to http://localhost:<BATON_HOST_PORT>/dev/clock, which exists in local mode only.
 */
import { loadConfig } from '../src/config';
import { parseClockStep } from '../src/host/dev-clock';

const USAGE = 'Usage: npm run clock -- next | summary | <duration such as 9h, 90m, 2d>';

async function main([step]: string[]): Promise<void> {
  // Said in the words of this command, not of the HTTP route behind it.
  if (step !== undefined && step !== 'next' && step !== 'summary' && parseClockStep(step) === undefined)
    throw new Error(`"${step}" is not a way forward.\n${USAGE}`);
  const url = `http://localhost:${loadConfig().ports.host}/dev/clock`;
  const body =
    step === undefined
      ? undefined
      : JSON.stringify(step === 'next' ? { to: 'next', check: true } : step === 'summary' ? { to: 'summary' } : { by: step, check: true });
  let response: Response;
  try {
    response = await fetch(url, body ? { method: 'POST', headers: { 'content-type': 'application/json' }, body } : {});
  } catch {
    throw new Error(`Baton is not running at ${url}: start it with npm run dev first (with the same BATON_HOST_PORT).`);
  }
  const answer = (await response.json()) as {
    now?: string;
    offsetMinutes?: number;
    error?: string;
    check?: Record<string, number>;
    summary?: Record<string, number>;
    digests?: Record<string, number>;
  };
  if (!response.ok) throw new Error(`${answer.error ?? `HTTP ${response.status}`}${response.status === 400 ? `\n${USAGE}` : ''}`);
  const off = Math.abs(answer.offsetMinutes ?? 0);
  const ahead = off ? ` (${Math.floor(off / 60)}h ${off % 60}m ${(answer.offsetMinutes ?? 0) > 0 ? 'ahead of' : 'behind'} real time)` : '';
  console.log(`Baton's clock: ${answer.now}${ahead}`);
  if (answer.summary) {
    const { enqueued, zonesDue } = answer.summary;
    console.log(
      `Weekly summary: ${enqueued} ${enqueued === 1 ? 'person' : 'people'} in ${zonesDue} time zone${zonesDue === 1 ? '' : 's'}; see them in ${url.replace('/dev/clock', '/dev/mailbox')} and in Teams in a few seconds.`,
    );
  }
  const check = answer.check;
  if (check) {
    const done = [
      [check.overdue, 'overdue nudge'],
      [check.escalate, 'escalation to the owner'],
      [check.neededBy, 'needed-by date passed'],
      [check.autoClose, 'automatic close'],
    ]
      .filter(([n]) => Number(n) > 0)
      .map(([n, what]) => `${n} ${what}${Number(n) === 1 ? '' : 's'}`);
    console.log(
      `Overdue check: ${done.length > 0 ? done.join(', ') : 'nothing was due'}${check.failed ? `; ${check.failed} handoffs failed (see the dev log)` : ''}.`,
    );
  }
  const digests = answer.digests;
  if (digests && (digests.sent ?? 0) + (digests.failed ?? 0) > 0)
    console.log(`Daily digests: ${digests.sent} sent${digests.failed ? `, ${digests.failed} failed (see the dev log)` : ''}.`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
