/**
 * The overdue check (functions/overdue-check.ts, every 15 minutes): nudges
 * whoever holds the ball once their step is due, tells the owner a goal
 * later or when the needed-by date passed, and closes accepted handoffs the
 * owner left open. What is due comes from src/domain/due.ts.
 *
 * It reads only what is due: the due index's entries up to now, then each
 * of their handoffs (again only when a second action is due on it), and
 * once per holder whether they installed Baton. Every action is a change
 * like a person's: one transaction with its history event (by Baton), its
 * outbox rows and the marker `due:<handoff>:<step>:<kind>`, so a second
 * timer, a second instance or a crash never acts twice, and a crash before
 * the send leaves the message to the outbox.
 */
import { type DueAction, dueActivityId, dueNow, applyDue } from '../domain/due';
import { ConflictError } from '../errors';
import { errorText } from '../logger';
import { type DueEntry, hourPartition } from '../store/due-index';
import { type App, effectsOfChange } from './handoffs';

export interface OverdueReport {
  /** Due-index entries read. */
  entries: number;
  /** Handoffs those entries named. */
  handoffs: number;
  /** What was done, by kind. */
  overdue: number;
  escalate: number;
  neededBy: number;
  autoClose: number;
  /** Entries with nothing due behind them any more (their handoff changed since), removed. */
  stale: number;
  /** Handoffs that could not be settled this time; the next check tries again. */
  failed: number;
}

/** Handoffs settled at once: each is a few Table round trips and a card update. */
const CONCURRENCY = 4;
/** More actions than a handoff can have due at once (overdue, escalate, needed-by, auto-close). */
const MAX_ROUNDS = 6;
const HOUR_MS = 3_600_000;

/**
 * Does everything due by now, then moves the due index's cursor.
 * @param context the Functions invocation, for the log
 */
export async function overdueCheck(app: App, context: { invocationId?: string } = {}): Promise<OverdueReport> {
  const started = Date.now();
  const now = app.clock.now();
  const { entries } = await app.dueIndex.dueBy(now);
  const byHandoff = new Map<string, DueEntry[]>();
  for (const entry of entries) byHandoff.set(entry.handoffId, [...(byHandoff.get(entry.handoffId) ?? []), entry]);
  const report: OverdueReport = { entries: entries.length, handoffs: byHandoff.size, overdue: 0, escalate: 0, neededBy: 0, autoClose: 0, stale: 0, failed: 0 };
  let oldestFailed: string | undefined;
  // Whether a holder installed Baton, asked once per check: one person often holds several due handoffs.
  const reachable = new Map<string, Promise<boolean>>();
  const reaches = (tenantId: string, person: string) => {
    const key = `${tenantId}/${person}`;
    let known = reachable.get(key);
    if (!known) {
      known = app.conversations.find(tenantId, person).then((c) => c !== undefined);
      // A failed lookup is not remembered: the next handoff asks again.
      known.catch(() => reachable.delete(key));
      reachable.set(key, known);
    }
    return known;
  };
  const queue = [...byHandoff];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [handoffId, its] = next;
      try {
        const settled = await settle(app, handoffId, now, reaches);
        for (const kind of settled.done) report[kind] += 1;
        if (settled.done.length === 0) report.stale += its.length;
        // Every entry up to now is spent; the handoff's next one (written by its outbox row) is later.
        await Promise.all(its.filter((e) => e.at !== settled.wakeAt).map((e) => app.dueIndex.remove(e)));
      } catch (error) {
        report.failed += 1;
        for (const e of its) if (!oldestFailed || e.partitionKey < oldestFailed) oldestFailed = e.partitionKey;
        app.log.error('Overdue check could not settle a handoff; the next check tries again', { invocationId: context.invocationId, handoffId, error: errorText(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  // The hour before this one is read again next time: an entry a slow writer put there is not missed.
  const settledUpTo = hourPartition(now - HOUR_MS);
  await app.dueIndex.moveCursor(oldestFailed && oldestFailed < settledUpTo ? oldestFailed : settledUpTo);
  await app.outbox.idle();
  if (report.entries > 0) app.log.info('Overdue check done', { invocationId: context.invocationId, ...report, durationMs: Date.now() - started });
  return report;
}

/**
 * Applies what is due on one handoff, one action per transaction, until
 * nothing is: a check that ran late may owe a nudge and an escalation.
 * @returns the actions done and the handoff's next wake-up
 */
async function settle(app: App, handoffId: string, now: number, reaches: (tenantId: string, person: string) => Promise<boolean>): Promise<{ done: DueAction['kind'][]; wakeAt: string | undefined }> {
  const done: DueAction['kind'][] = [];
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const stored = await app.store.read(handoffId);
    if (!stored) return { done, wakeAt: undefined };
    const { handoff } = stored;
    const action = dueNow(handoff, new Date(now));
    if (!action) return { done, wakeAt: handoff.wakeAt };
    const holder = handoff.clock?.holder;
    const reached = action.kind === 'overdue' && holder ? await reaches(handoff.tenantId, holder.aadObjectId) : false;
    const outcome = applyDue(handoff, action, new Date(now).toISOString(), reached);
    if (!outcome.ok) return { done, wakeAt: handoff.wakeAt };
    // Marked before the transaction, as every change is: a crash after the commit still leaves the sends to the sweep.
    const markEtag = await app.outbox.mark(handoffId);
    let rows;
    try {
      rows = await app.store.save(outcome.handoff, stored.etag, outcome.event, dueActivityId(handoff, action), effectsOfChange(handoff, outcome.handoff, outcome.event), app.outbox.leaseForNewRows());
    } catch (error) {
      // Someone changed it meanwhile, or another check did this very action: read again and see what is still due.
      if (error instanceof ConflictError) continue;
      throw error;
    }
    await app.outbox.deliverFresh(handoffId, rows, markEtag);
    done.push(action.kind);
    // What was just saved says whether more is due: read again only then (a late check may owe a nudge and an escalation).
    if (!dueNow(outcome.handoff, new Date(now))) return { done, wakeAt: outcome.handoff.wakeAt };
  }
  const latest = await app.store.read(handoffId);
  return { done, wakeAt: latest?.handoff.wakeAt };
}
