/**
 * http://localhost:7071/dev/clock: local mode's way to see what Baton's
 * timers do without waiting a working day. It moves Baton's clock forward
 * (never back) and can run the overdue check at once.
 *
 *   GET  /dev/clock                              {"now": "...", "offsetMinutes": 0}
 *   POST /dev/clock {"by": "9h"}                 forward by a duration: "90m", "9h", "2d" (calendar days), "1d 4h"
 *   POST /dev/clock {"to": "next"}               to one minute past the next thing due (a nudge, an escalation, ...)
 *   POST /dev/clock {"to": "next", "check": true}  ... and run the away check, overdueCheck, the daily digests and the
 *                                                outbox sweep now; the checks' and the digests' reports come back
 *   POST /dev/clock {"check": true}              the same without moving the clock (npm run as -- grace away 3d)
 *   POST /dev/clock {"to": "summary"}            to the next weekly summary (Monday 08:00 in the soonest zone): runs the
 *                                                overdue check, then enqueues the summaries; the queue function sends them
 *
 * A real bot (BOT_ID set) has no such clock: the route answers 403. Like the
 * local mailbox page it answers only requests addressed to a loopback name.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AwayReport, awayCheck } from '../app/away';
import { type DigestReport, nextDigestAt, sendDigests } from '../app/digest';
import { noOverdue, type OverdueReport, overdueCheck } from '../app/overdue';
import { BACKGROUND } from '../app/ports';
import { type EnqueueReport, enqueueDueSummaries, nextSummaryAt } from '../app/summary';
import type { Baton } from '../baton';
import { isLoopback } from '../config';

export const CLOCK_PATH = '/dev/clock';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "9h", "90m", "2d", "1d 4h" as milliseconds of calendar time; undefined when it is not one. */
export function parseClockStep(text: string): number | undefined {
  const parts = [
    ...text
      .trim()
      .toLowerCase()
      .matchAll(/(\d+)\s*([mhd])\s*/gy),
  ];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim().toLowerCase()) return undefined;
  const ms = parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * (UNITS[unit!] ?? 0), 0);
  return ms > 0 ? ms : undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 4096) throw new RangeError('The body is over 4 KB.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text === '' ? {} : (JSON.parse(text) as unknown);
}

/** At most this many stops on the way to a summary: each due step of each open handoff is one. */
const CHECKS_ON_THE_WAY = 50;

/** Moves the clock to each thing due before `until` in turn and runs the overdue check there, as the 15-minute timer would have; the reports added up. */
async function overdueChecksUntil(app: Baton['app'], clock: NonNullable<Baton['devClock']>, until: number): Promise<OverdueReport> {
  const total: OverdueReport = noOverdue();
  for (let i = 0; i < CHECKS_ON_THE_WAY; i += 1) {
    const next = await app.stores.due.next(clock.now(), BACKGROUND);
    if (!next || Date.parse(next.at) + 60_000 >= until) break;
    clock.advance(Math.max(0, Date.parse(next.at) - clock.now()) + 60_000);
    const report = await overdueCheck(app);
    for (const key of Object.keys(total) as (keyof OverdueReport)[]) total[key] += report[key];
  }
  return total;
}

/** The request handler for /dev/clock, over the process's Baton. */
export function devClock(baton: () => Baton): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    };
    const hostname = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    if (!isLoopback(hostname)) return reply(403, { error: 'The dev clock answers on localhost only.' });
    const { app, devClock: clock } = baton();
    if (!clock) return reply(403, { error: "The dev clock is for local mode only: with BOT_ID set, Baton's clock is the real one." });
    const state = (check?: OverdueReport, summary?: EnqueueReport, digests?: DigestReport, away?: AwayReport) => ({
      now: new Date(clock.now()).toISOString(),
      offsetMinutes: Math.round(clock.offset / 60_000),
      ...(check ? { check } : {}),
      ...(summary ? { summary } : {}),
      ...(digests ? { digests } : {}),
      ...(away ? { away } : {}),
    });
    if (req.method === 'GET') return reply(200, state());
    if (req.method !== 'POST') return reply(405, { error: 'GET or POST only.' });
    let body: { by?: unknown; to?: unknown; check?: unknown };
    try {
      body = (await readJson(req)) as typeof body;
    } catch (error) {
      return reply(400, { error: `The body must be JSON such as {"by": "9h"}: ${(error as Error).message}` });
    }
    if (body.to === 'summary') {
      const at = await nextSummaryAt(app);
      if (at === undefined)
        return reply(409, { ...state(), error: 'Nobody gets a weekly summary yet: post a handoff with a stakeholder first.' });
      // What the 15-minute check would have done in the meantime happens first, each at its time, so the summary counts it.
      const check = await overdueChecksUntil(app, clock, at);
      clock.advance(Math.max(0, at - clock.now()) + 60_000);
      return reply(200, state(check, await enqueueDueSummaries(app)));
    }
    if (body.to === 'next') {
      // The next thing due on a handoff, or the next daily digest, whichever comes first.
      const [due, digest] = await Promise.all([app.stores.due.next(clock.now(), BACKGROUND), nextDigestAt(app)]);
      const next = Math.min(due ? Date.parse(due.at) : Infinity, digest ?? Infinity);
      if (!Number.isFinite(next)) return reply(409, { ...state(), error: 'Nothing is due on any open handoff: post one first.' });
      clock.advance(Math.max(0, next - clock.now()) + 60_000);
    } else if (typeof body.by === 'string' && parseClockStep(body.by) !== undefined) {
      clock.advance(parseClockStep(body.by)!);
    } else if (body.by !== undefined || body.to !== undefined) {
      return reply(400, {
        error: 'Say how far: {"by": "9h"} ("90m", "9h", "2d", "1d 4h"), {"to": "next"} or {"to": "summary"}. The clock only moves forward.',
      });
    }
    if (body.check !== true) return reply(200, state());
    // Who is away first: a due time an absence moved is not nudged.
    const away = await awayCheck(app);
    const check = await overdueCheck(app);
    const digests = await sendDigests(app);
    // What the moved clock made due in the outbox (a reminder held for its reader's working hours) goes now, not at the next minute's sweep.
    await app.deliveries.sweep();
    return reply(200, state(check, undefined, digests, away));
  };
}
