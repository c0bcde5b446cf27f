/**
 * The overdue check (functions/overdue-check.ts, every 15 minutes): reads the
 * due index from its cursor to now, settles each handoff named there through
 * the unit of work, and moves the cursor. What is due, and what doing it
 * changes, is src/domain/due.ts.
 *
 * It reads only what is due: the due index's entries up to now, then each of
 * their handoffs (again only when a second action is due on it), and once
 * per person whether they installed Baton and whether they read a daily
 * digest. Every action is a change like a person's, under the marker
 * `due:<handoff>:<step>:<kind>`, so a second timer, a second instance or a
 * crash never acts twice. The spent entries go at the end, an hour's in one
 * transaction, but for those the deliveries of its changes remove.
 */
import { absenceEvent, type DueAction, dueNow, escalateAt, settleDue, withAbsences } from '../domain/due';
import type { Handoff, HandoffEvent } from '../domain/handoff';
import { remindersFor } from '../domain/notifications';
import { nextWorkingInstant } from '../domain/working-hours';
import { errorText } from '../logger';
import { mapLimit } from './pool';
import { type App, BACKGROUND, type DueEntry, type Effect } from './ports';
import { commitChange, effectsOfChange, messageEffect } from './unit-of-work';
import { AWAY_RECHECK_MS } from './deliverer';

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
  /** Handoffs whose due time moved, unsent, for an absence seen since their step began. */
  away: number;
  /** Entries with nothing due behind them any more (their handoff changed since), removed. */
  stale: number;
  /** Handoffs that could not be settled this time; the next check tries again. */
  failed: number;
}

/** Handoffs settled at once: each is a few Table round trips and a card update. */
const CONCURRENCY = 4;
/** A timer has minutes: its Table calls get background work's patience. */
const budget = BACKGROUND;

/** A report of nothing done: what each check adds to. */
export function noOverdue(): OverdueReport {
  return { entries: 0, handoffs: 0, overdue: 0, escalate: 0, neededBy: 0, autoClose: 0, away: 0, stale: 0, failed: 0 };
}

/**
 * Does everything due by now, then moves the due index's cursor.
 * @param context the Functions invocation, for the log
 */
export async function overdueCheck(app: App, context: { invocationId?: string } = {}): Promise<OverdueReport> {
  const started = Date.now();
  const now = app.clock.now();
  const entries = await app.stores.due.dueBy(now, budget);
  const byHandoff = new Map<string, DueEntry[]>();
  for (const entry of entries) byHandoff.set(entry.handoffId, [...(byHandoff.get(entry.handoffId) ?? []), entry]);
  const report: OverdueReport = { ...noOverdue(), entries: entries.length, handoffs: byHandoff.size };
  const unsettled: DueEntry[] = [];
  const spent: DueEntry[] = [];
  const asks: PerCheck = {
    reaches: oncePerCheck((tenantId, person) => app.stores.chats.find(tenantId, person, budget).then((c) => c !== undefined)),
    readsDigest: oncePerCheck((tenantId, person) => app.stores.digests.isOn(tenantId, person, budget)),
  };
  await mapLimit([...byHandoff], CONCURRENCY, async ([handoffId, its]) => {
    try {
      const settled = await settle(app, handoffId, now, asks);
      for (const kind of settled.done) report[kind] += 1;
      if (settled.away) report.away += 1;
      else if (settled.done.length === 0) report.stale += its.length;
      // Every entry up to now is spent; the handoff's next one (written by its outbox row) is later. A written change's
      // delivery removes the entry of the wake-up it moved (its due row): the check removes the others.
      spent.push(...its.filter((e) => e.at !== settled.wakeAt && e.at !== settled.unscheduled));
    } catch (error) {
      report.failed += 1;
      unsettled.push(...its);
      app.log.error('Overdue check could not settle a handoff; the next check tries again', {
        invocationId: context.invocationId,
        handoffId,
        error: errorText(error),
      });
    }
  });
  // Removed together: an hour's entries go in one transaction. Entries not removed keep the cursor at their hour,
  // and the next check finds nothing due behind them (one read each) and removes them then.
  await app.stores.due.remove(spent, budget).catch((error: unknown) => {
    unsettled.push(...spent);
    app.log.warn('Overdue check could not remove its spent due entries; the next check does', {
      invocationId: context.invocationId,
      entries: spent.length,
      error: errorText(error),
    });
  });
  await app.stores.due.moveCursor(now, unsettled, budget);
  await app.deliveries.idle();
  if (report.entries > 0)
    app.log.info('Overdue check done', { invocationId: context.invocationId, ...report, durationMs: Date.now() - started });
  return report;
}

/** A yes-or-no question about a person. */
type PersonAsk = (tenantId: string, person: string) => Promise<boolean>;

/** What a check asks of each person once: one person often holds, owns or reads several due handoffs. */
interface PerCheck {
  /** Whether they installed Baton (a nudge needs their personal chat). */
  reaches: PersonAsk;
  /** Whether they read a daily digest instead of reminders. */
  readsDigest: PersonAsk;
}

function oncePerCheck(ask: PersonAsk): PersonAsk {
  const known = new Map<string, Promise<boolean>>();
  return (tenantId, person) => {
    const key = `${tenantId}/${person}`;
    let answer = known.get(key);
    if (!answer) {
      answer = ask(tenantId, person);
      // A failed lookup is not remembered: the next handoff asks again.
      answer.catch(() => known.delete(key));
      known.set(key, answer);
    }
    return answer;
  };
}

/** The action a timer's event records. */
const ACTION_OF: Partial<Record<HandoffEvent['type'], DueAction['kind']>> = {
  overdue: 'overdue',
  escalated: 'escalate',
  neededByPassed: 'neededBy',
  closed: 'autoClose',
};

/**
 * Does everything due on one handoff in one change (a check that ran late
 * may owe a nudge and an escalation), with one reminder per person, each
 * held until the start of its reader's working hours when the check runs
 * outside them.
 * @returns the actions done and the handoff's next wake-up
 */
async function settle(
  app: App,
  handoffId: string,
  now: number,
  { reaches, readsDigest }: PerCheck,
): Promise<{ done: DueAction['kind'][]; away: boolean; wakeAt: string | undefined; unscheduled?: string }> {
  const at = new Date(now);
  let done: DueAction['kind'][] = [];
  let away = false;
  let unscheduled: string | undefined;
  const outcome = await commitChange(app, {
    handoffId,
    marker: '',
    tenantId: undefined,
    budget,
    decide: async (stored) => {
      if (!stored || !dueNow(stored, at)) return { skip: true };
      // Nobody is nudged or told for time they were away: an absence seen since the step began moves its due time first.
      const noted = await absencesNoted(app, stored, at);
      const handoff = noted?.handoff ?? stored;
      const first = dueNow(handoff, at);
      const clock = handoff.clock;
      const holder = first?.kind === 'overdue' && clock ? await reaches(handoff.tenantId, clock.holder.aadObjectId) : false;
      // The owner is asked only when an escalation is due in this check (a late check may nudge and escalate at once).
      const escalation = clock && clock.level < 2 ? escalateAt(clock) : undefined;
      const owner =
        first && escalation !== undefined && escalation <= now ? await reaches(handoff.tenantId, handoff.owner.aadObjectId) : true;
      const settled = first && settleDue(handoff, at, { holder, owner });
      // Another check did it first, or someone changed the handoff meanwhile: nothing is due any more.
      if (!settled && !noted) return { skip: true };
      const after = settled?.handoff ?? handoff;
      const events = [...(noted ? [noted.event] : []), ...(settled?.events ?? [])];
      done = events.flatMap((e) => ACTION_OF[e.type] ?? []);
      away = noted !== undefined;
      unscheduled = after.wakeAt !== stored.wakeAt ? stored.wakeAt : undefined;
      const messages = settled ? await reminders(app, after, settled.events, at, readsDigest) : [];
      return {
        write: { handoff: after, events },
        markers: [...(noted ? [`away:${stored.id}:${noted.event.seq}`] : []), ...(settled?.markers ?? [])],
        effects: effectsOfChange(stored, after, events, messages),
      };
    },
  });
  if (outcome.kind === 'written') return { done, away, wakeAt: outcome.after.wakeAt, unscheduled };
  if (outcome.kind === 'skipped') return { done: [], away: false, wakeAt: outcome.handoff?.wakeAt };
  if (outcome.kind === 'contended') return { done: [], away: false, wakeAt: outcome.latest?.wakeAt };
  return { done: [], away: false, wakeAt: undefined };
}

/**
 * The handoff with its running step counted in the absences of its holder and
 * owner as they are known now, and Baton's event saying so; undefined when
 * the step already counts them.
 */
export async function absencesNoted(app: App, handoff: Handoff, at: Date): Promise<{ handoff: Handoff; event: HandoffEvent } | undefined> {
  const clock = handoff.clock;
  if (!clock) return undefined;
  const [holder, owner] = await Promise.all([
    app.workingHours(handoff.tenantId, clock.holder, budget),
    app.workingHours(handoff.tenantId, handoff.owner, budget),
  ]);
  const moved = withAbsences(handoff, { holder, owner }, at.toISOString(), app.settings.due);
  if (!moved) return undefined;
  const next = { ...moved, eventCount: handoff.eventCount + 1 };
  return { handoff: next, event: absenceEvent(handoff, next, at.toISOString()) };
}

/**
 * The check's 1:1 reminders: one per person, none sent before the start of
 * its reader's working hours, nor while they are away (held until they are
 * back, inside their hours). Who reads a daily digest gets none of these
 * (the digest lists the handoff at the start of their day), except Baton's
 * automatic close, which is news rather than a reminder.
 */
async function reminders(app: App, handoff: Handoff, events: readonly HandoffEvent[], at: Date, readsDigest: PersonAsk): Promise<Effect[]> {
  const effects = await Promise.all(
    remindersFor(handoff, events).map(async (notice) => {
      if (!notice.about.split('+').includes('closed') && (await readsDigest(handoff.tenantId, notice.to.aadObjectId))) return [];
      // Away with no return date: it waits, looked at again as the outbox retries (the deliverer holds it while they are away).
      const start = nextWorkingInstant(await app.workingHours(handoff.tenantId, notice.to, budget), at);
      return [messageEffect(notice, { notBefore: start === undefined ? heldFor(at) : start > at ? start.toISOString() : undefined })];
    }),
  );
  return effects.flat();
}

const heldFor = (at: Date) => new Date(at.getTime() + AWAY_RECHECK_MS).toISOString();
