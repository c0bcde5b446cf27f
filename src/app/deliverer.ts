/**
 * The deliverer: sends what a change's outbox rows ask for (a card update, a
 * card post, a 1:1 message, the listings and the due index brought up to
 * date) and marks each row delivered.
 *
 * - Right after a commit, the process that wrote the rows delivers them
 *   (it holds their lease, so nobody races it).
 * - The sweep (functions/outbox-sweep.ts, every minute) takes rows whose
 *   lease ran out or whose backoff passed: a crash, a hung connector, a
 *   throttled one. It finds them through the pending marks, never by
 *   scanning handoffs.
 * - A row is claimed with its ETag before it is sent, and marked delivered
 *   (or dead, with its reason) after: a second instance, a sweep racing the
 *   inline delivery or a restart never sends a row twice.
 * - Storage that fails during a delivery stops it: once one of its storage
 *   calls failed, it sends nothing more (its later rows wait, under their
 *   lease, for the sweep); a row already sent is marked delivered by trying
 *   again while the row's lease holds, since nobody else may take the row
 *   before it runs out. A blip of storage never sends a message twice.
 *
 * A message can still arrive twice, never zero times, when the connector took
 * it and Baton could not learn or record that: the connector's answer never
 * came (a timeout), the process died between that answer and the mark, or
 * storage stayed away for the rest of the row's lease (about a minute).
 */
import { handoffCard } from '../cards/handoff-cards';
import { notificationCard } from '../cards/notification-card';
import type { Handoff, Person } from '../domain/handoff';
import { nextWorkingInstant } from '../domain/working-hours';
import {
  ConflictError,
  ConnectorError,
  NotFoundError,
  retryOnConflict,
  StorageError,
  ThrottledError,
  UnreadableRecordError,
} from '../errors';
import { LruMap } from '../lru';
import { errorText } from '../logger';
import { registerFollowers } from './followers';
import { mapLimit } from './pool';
import {
  type App,
  type Budget,
  type ConversationAddress,
  type Deliveries,
  DELIVERIES,
  type DeliveryMark,
  type Effect,
  type MarkWritten,
  type OutboxRow,
  personalAddress,
} from './ports';

/** How long a deliverer holds a row: longer than any connector call (they time out first). */
export const LEASE_MS = 60_000;
/** The sweep leaves a fresh mark alone this long: its writer commits and delivers well within it. */
export const GRACE_MS = 30_000;
/** After this many failed attempts a row is dead: kept with its reason, logged, never shown as sent. */
export const MAX_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 30 * 60_000;
/**
 * A row is sent only with this much of its lease left: the send (the
 * connector's 8 s timeout, its client's quick retries) and its mark must be
 * done before anyone else may take the row. Less than that, the sweep takes it.
 */
export const SEND_NEEDS_MS = 30_000;
/** A send's mark is tried again until this long before its row's lease runs out (clocks of instances differ a little). */
export const LEASE_MARGIN_MS = 5_000;
/** Between tries of a send's mark, wall time (storage is back, or not, in real seconds whatever Baton's clock says). */
export const RECORD_PAUSE_MS = 1_000;
/** How many handoffs one sweep delivers at once: the connector allows 50 requests a second per tenant. */
const SWEEP_CONCURRENCY = 4;
/** How many rounds writeUntilSettled makes at most while the handoff keeps changing under it. */
const WRITES_WHILE_CHANGING = 3;
/** Every storage call of a delivery is background work: it runs after the answer. */
const budget = DELIVERIES;

/** What the deliverer needs of the app. */
export type DelivererParts = Pick<App, 'stores' | 'messenger' | 'clock' | 'log' | 'workingHours'>;

/** A message that can never be delivered as addressed (nobody to write to). */
class Undeliverable extends Error {
  override name = 'Undeliverable';
}

/** Storage did not answer, or answered that it is busy: nothing about the row is known to have changed. */
function storageFailed(error: unknown): boolean {
  return error instanceof StorageError || error instanceof ThrottledError;
}

/** A reminder whose reader is not at work now (outside their hours, or away): it waits until `until`, no attempt spent. */
class Held extends Error {
  override name = 'Held';
  constructor(readonly until: string) {
    super(`held until ${until}`);
  }
}

/** A message to someone away with no return date is looked at again this much later (the outbox, the overdue check, the away check). */
export const AWAY_RECHECK_MS = 60 * 60_000;
/** A person whose record this process wrote lately is not written again for this long: one change after another keeps the same holder. */
const WATCHED_FOR_MS = 60 * 60_000;
const WATCHED_KEPT = 10_000;

/** Waits between attempts: 30 s doubling to 30 min, with jitter so a recovering connector is not hit all at once. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const exponential = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

export interface SweepReport {
  /** Handoffs with a mark whose grace had passed. */
  handoffs: number;
  delivered: number;
  failed: number;
  dead: number;
}

type Result = 'delivered' | 'failed' | 'dead' | 'skipped' | 'held';

/** One delivery's state: once one of its storage calls failed, it sends nothing more. */
interface Run {
  storageFailed: boolean;
}

/** Marks a sent row in storage (delivered, or posted with its message id), within this budget. */
type Mark = (budget: Budget) => Promise<void>;

/**
 * Rows whose work nobody receives: the listings and the due index, brought up
 * to date from the handoff (done twice, nobody can tell). A delivery does them
 * after the messages and marks them delivered together, in one transaction; a
 * crash before that makes the sweep do them again. A card update, a post or a
 * 1:1 message is marked the moment it is sent, so a restart never sends it twice.
 */
const REDOABLE: ReadonlySet<Effect['kind']> = new Set(['index', 'due']);

/**
 * The handoff as one delivery last read it (or as its change committed it):
 * the rows of one delivery render from it instead of reading it each.
 */
interface Seen {
  handoff: Handoff | undefined;
}

/** The conversation a handoff's card lives in. */
function conversationOf(handoff: Handoff): ConversationAddress {
  return {
    serviceUrl: handoff.conversation.serviceUrl,
    conversationId: handoff.conversation.id,
    tenantId: handoff.conversation.tenantId ?? handoff.tenantId,
  };
}

export class Deliverer implements Deliveries {
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Whom this process recorded as holding a ball lately, and when: the away check watches them. */
  private readonly watched = new LruMap<string, number>(WATCHED_KEPT);
  /** Deliveries of one handoff run one after another, so an older card never lands after a newer one. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly app: DelivererParts) {}

  private iso(offsetMs = 0): string {
    return new Date(this.app.clock.now() + offsetMs).toISOString();
  }

  /** Until when a writer holds the rows it is about to commit. */
  leaseForNewRows(): string {
    return this.iso(LEASE_MS);
  }

  /**
   * Marks a handoff before a change that will write outbox rows, under the
   * change's own budget (it is on the change's path).
   * @returns the mark as written, for {@link afterCommit}
   */
  mark(handoffId: string, changeBudget: Budget): Promise<MarkWritten> {
    return this.app.stores.marks.mark(handoffId, this.iso(GRACE_MS), this.iso(), changeBudget);
  }

  /**
   * Delivers rows this process just committed, in the background; the sweep
   * delivers whatever this does not.
   * @returns resolves once everyone's card is out (or failed), the moment the
   *   caller may answer: Teams shows the actor the answer's card, and an update
   *   of everyone's card that arrived after it would replace the actor's view
   *   until the card refreshes
   */
  afterCommit(handoffId: string, rows: readonly OutboxRow[], mark: MarkWritten, committed: Handoff): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    let cardDone: () => void = () => undefined;
    const cardOut = new Promise<void>((resolve) => (cardDone = resolve));
    // A message held for its reader's working hours stays pending: the sweep sends it then (the mark stays for it).
    const now = this.iso();
    const ready = rows.filter((r) => r.nextAttemptAt <= now);
    this.track(
      this.serially(handoffId, async () => {
        // A commit slow enough to come near the end of its mark's grace may find the sweep came first (it clears a mark
        // with nothing behind it yet): marked again, these rows are never left without one.
        const current = this.iso(GRACE_MS / 2) >= mark.notBefore ? await this.mark(handoffId, budget) : mark;
        const results = await this.deliverRows(ready, cardDone, committed);
        if (ready.length === rows.length && results.every((r) => r === 'delivered' || r === 'dead'))
          await this.clearUnlessHeld(handoffId, current);
      }).finally(cardDone),
    );
    return cardOut;
  }

  /**
   * Clears a handoff's mark once this delivery is done, unless rows are still
   * pending: a row an earlier change left (held for its reader's working
   * hours, waiting to be tried again, or its writer's, in flight or crashed)
   * shares the mark (a handoff has one), and the sweep finds it only through
   * it. A mark this change made itself had no such row behind it, and any
   * change since has marked it again, so the clear (with this ETag) fails:
   * only a mark found already there needs the handoff's rows read.
   */
  private async clearUnlessHeld(handoffId: string, mark: MarkWritten): Promise<void> {
    if (!mark.fresh && (await this.app.stores.outbox.rows(handoffId, budget)).length > 0) return;
    await this.app.stores.marks.clear(handoffId, mark.etag, budget);
  }

  /** Delivers a handoff's pending rows that nobody holds (a replayed activity asks for its own), in the background. */
  retryPending(handoffId: string): void {
    this.track(this.serially(handoffId, () => this.deliverPending(handoffId)));
  }

  /** Delivers every row left behind, handoff by handoff; see {@link SweepReport}. */
  async sweep(context: { invocationId?: string } = {}): Promise<SweepReport> {
    const started = Date.now();
    const now = this.iso();
    const due = (await this.app.stores.marks.list(budget)).filter((mark) => mark.notBefore <= now);
    const report: SweepReport = { handoffs: due.length, delivered: 0, failed: 0, dead: 0 };
    await mapLimit(due, SWEEP_CONCURRENCY, async (mark) => {
      const results = await this.serially(mark.handoffId, () => this.sweepOne(mark));
      for (const r of results) if (r !== 'skipped' && r !== 'held') report[r] += 1;
    });
    if (report.handoffs > 0)
      this.app.log.info('Outbox sweep done', { invocationId: context.invocationId, ...report, durationMs: Date.now() - started });
    return report;
  }

  /**
   * Puts a handoff's dead rows back to pending, attempts reset, for the next
   * sweep to deliver (an operator's `npm run outbox -- replay`, once the
   * cause is fixed). The handoff is marked first, so the sweep finds them.
   * @returns the rows revived; rows delivered or still pending are left alone
   */
  async replayDead(handoffId: string): Promise<OutboxRow[]> {
    const dead = (await this.app.stores.outbox.rows(handoffId, budget, { all: true })).filter((r) => r.state === 'dead');
    if (dead.length === 0) return [];
    await this.app.stores.marks.mark(handoffId, this.iso(), this.iso(), budget);
    const revived: OutboxRow[] = [];
    for (const row of dead) {
      try {
        revived.push(
          await this.app.stores.outbox.update(
            row,
            { state: 'pending', attempts: 0, leaseUntil: '', nextAttemptAt: '', lastError: `replayed after: ${row.lastError}` },
            budget,
          ),
        );
      } catch (error) {
        // Someone replayed it at the same moment: it is pending either way.
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    // Marked again once they are pending: a sweep that read the handoff before they were revived found nothing behind
    // the first mark and may have cleared it.
    if (revived.length > 0) await this.app.stores.marks.mark(handoffId, this.iso(), this.iso(), budget);
    this.app.log.info('Outbox rows replayed', { handoffId, rows: revived.length });
    return revived;
  }

  /** Resolves once every delivery this process started has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled(this.inFlight);
  }

  private async sweepOne(mark: DeliveryMark): Promise<Result[]> {
    const results = await this.deliverPending(mark.handoffId).catch((error: unknown) => {
      this.app.log.warn("Outbox sweep could not read a handoff's rows", { handoffId: mark.handoffId, error: errorText(error) });
      return undefined;
    });
    if (!results) return [];
    const left = await this.app.stores.outbox.rows(mark.handoffId, budget);
    if (left.length === 0) {
      await this.app.stores.marks.clear(mark.handoffId, mark.etag, budget);
    } else {
      // Come back when the earliest row may be tried again.
      const next = left.map((r) => [r.leaseUntil, r.nextAttemptAt].sort().at(-1) || this.iso()).sort()[0]!;
      await this.app.stores.marks.reschedule(mark, next > this.iso() ? next : this.iso(BACKOFF_BASE_MS), budget);
    }
    return results;
  }

  /** Claims and delivers the pending rows of a handoff that are free and due. */
  private async deliverPending(handoffId: string): Promise<Result[]> {
    const now = this.iso();
    const free = (await this.app.stores.outbox.rows(handoffId, budget)).filter((r) => r.leaseUntil <= now && r.nextAttemptAt <= now);
    const claimed: OutboxRow[] = [];
    for (const row of free) {
      try {
        claimed.push(await this.app.stores.outbox.update(row, { leaseUntil: this.iso(LEASE_MS) }, budget));
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        // Another deliverer claimed it first: it is theirs.
      }
    }
    return this.deliverRows(claimed);
  }

  /**
   * Rows in order: everyone's card (or its post) first, before the messages that link to it.
   * @param cardDone called once the card row (if any) is done
   */
  private async deliverRows(rows: readonly OutboxRow[], cardDone: () => void = () => undefined, committed?: Handoff): Promise<Result[]> {
    const results: Result[] = [];
    const seen: Seen = { handoff: committed };
    const run: Run = { storageFailed: false };
    const unmarked: OutboxRow[] = [];
    // Stable: the card (or its post) first, then the 1:1 messages that link to it, then the redoable rows.
    const ordered = [...rows.filter((r) => !REDOABLE.has(r.effect.kind)), ...rows.filter((r) => REDOABLE.has(r.effect.kind))];
    for (const row of ordered) {
      // The card is out once the connector took it: the answer need not wait for the row to be marked delivered too.
      const shown = row.effect.kind === 'card' || row.effect.kind === 'post' ? cardDone : undefined;
      results.push(await this.deliverOne(row, seen, run, shown, REDOABLE.has(row.effect.kind) ? unmarked : undefined));
      shown?.();
    }
    if (unmarked.length > 0 && !run.storageFailed) {
      try {
        await this.app.stores.outbox.markDelivered(unmarked, this.iso(), budget);
      } catch (error) {
        // Done again once their lease runs out: they only bring what shows the handoff up to date.
        this.app.log.warn('Delivered, but the outbox rows could not be marked delivered; they will be done again', {
          handoffId: unmarked[0]!.handoffId,
          rows: unmarked.map((r) => r.key).join(' '),
          error: errorText(error),
        });
        for (const row of unmarked) results[ordered.indexOf(row)] = 'failed';
      }
    } else if (unmarked.length > 0) {
      for (const row of unmarked) results[ordered.indexOf(row)] = 'skipped';
    }
    return results;
  }

  /**
   * @param run the delivery this row is part of: a storage failure stops its later sends
   * @param later where a redoable row goes once done, to be marked delivered
   *   with the others in one transaction; any other row is marked at once
   */
  private async deliverOne(row: OutboxRow, seen: Seen, run: Run, sent?: () => void, later?: OutboxRow[]): Promise<Result> {
    const log = this.app.log.child({ handoffId: row.handoffId, row: row.key, kind: row.effect.kind });
    // Storage failed earlier in this delivery: a send now might not be recorded. The row waits, under its lease, for the sweep.
    if (run.storageFailed) return 'skipped';
    // Too little of its lease left to send and record it before another deliverer may take it: the sweep does.
    if (!later && Date.parse(row.leaseUntil) - this.app.clock.now() < SEND_NEEDS_MS) {
      log.warn('Outbox row left to the sweep: too little of its lease is left to send it', { leaseUntil: row.leaseUntil });
      return 'skipped';
    }
    let record: Mark | undefined;
    try {
      record = await this.perform(row, seen, run, sent);
    } catch (error) {
      // Nothing was sent: the reminder waits for its reader to be at work.
      if (error instanceof Held) return this.hold(row, error.until, run, log);
      if (!storageFailed(error)) return this.failed(row, error, log);
      // Nothing was sent. The row is no worse for it: the sweep tries it after its lease, without counting an attempt.
      run.storageFailed = true;
      log.warn('Storage failed before the row was sent; it and the rest of its delivery wait for the sweep', { error: errorText(error) });
      return 'skipped';
    }
    sent?.();
    if (!record) {
      later?.push(row);
      return 'delivered';
    }
    if (!(await this.recordSent(row, record, run, log))) return 'failed';
    log.debug('Outbox row delivered', { attempts: row.attempts + 1 });
    return 'delivered';
  }

  /**
   * Marks a row whose message went out. Nobody else takes the row while its
   * lease holds, so a mark storage did not take is tried again until shortly
   * before the lease runs out: a blip of storage does not send the message a
   * second time. A try whose answer was lost may have landed: a conflict is
   * checked against the row as stored.
   * @returns false when the mark could not be made within the lease (the sweep will send it again)
   */
  private async recordSent(row: OutboxRow, record: Mark, run: Run, log: App['log']): Promise<boolean> {
    const deadline = Date.now() + (Date.parse(row.leaseUntil) - this.app.clock.now()) - LEASE_MARGIN_MS;
    const within: Budget = { ...budget, deadline };
    for (let attempt = 1; ; attempt += 1) {
      try {
        await record(within);
        if (attempt > 1) log.info('Delivered, and the outbox row is marked delivered after storage came back', { attempts: attempt });
        return true;
      } catch (error) {
        const conflict = error instanceof ConflictError || error instanceof NotFoundError;
        if (conflict) {
          const stored = await this.app.stores.outbox.rows(row.handoffId, within, { all: true }).then(
            (rows) => rows.find((r) => r.key === row.key),
            () => undefined,
          );
          // An earlier try landed, its answer lost.
          if (stored?.state === 'delivered') return true;
          if (stored) {
            log.error('Delivered, but another deliverer changed the outbox row first; it may be sent again', { error: errorText(error) });
            return false;
          }
        } else if (!storageFailed(error)) {
          log.error('Delivered, but the outbox row could not be marked delivered; it may be sent again', { error: errorText(error) });
          return false;
        }
        run.storageFailed = true;
        if (Date.now() + RECORD_PAUSE_MS >= deadline) {
          // It will be sent again once its lease runs out: say so loudly, it is the one way storage makes a message go twice.
          log.error('Delivered, but the outbox row could not be marked delivered; it may be sent again', {
            attempts: attempt,
            error: errorText(error),
          });
          return false;
        }
        if (attempt === 1)
          log.warn("Delivered, but storage did not take the outbox row's mark; trying again while its lease holds", {
            error: errorText(error),
          });
        await new Promise((resolve) => setTimeout(resolve, RECORD_PAUSE_MS));
      }
    }
  }

  /** A reminder waits for its reader to be at work: back to pending until then, no attempt spent. */
  private async hold(row: OutboxRow, until: string, run: Run, log: App['log']): Promise<Result> {
    try {
      await this.app.stores.outbox.update(row, { leaseUntil: '', nextAttemptAt: until }, budget);
      log.debug("Reminder held for its reader's working hours", { until });
    } catch (error) {
      // Storage failed: like any storage failure, it stops the delivery's later sends.
      if (storageFailed(error)) run.storageFailed = true;
      log.warn('Could not hold a reminder; the sweep looks at it again after its lease', { error: errorText(error) });
    }
    return 'held';
  }

  private async failed(row: OutboxRow, error: unknown, log: App['log']): Promise<Result> {
    const permanent =
      error instanceof Undeliverable || error instanceof UnreadableRecordError || (error instanceof ConnectorError && error.permanent);
    const attempts = row.attempts + 1;
    const dead = permanent || attempts >= MAX_ATTEMPTS;
    const wait =
      error instanceof ConnectorError && error.retryAfterMs ? Math.max(error.retryAfterMs, backoffMs(attempts)) : backoffMs(attempts);
    const reason = errorText(error);
    try {
      await this.app.stores.outbox.update(
        row,
        { state: dead ? 'dead' : 'pending', attempts, leaseUntil: '', nextAttemptAt: dead ? '' : this.iso(wait), lastError: reason },
        budget,
      );
    } catch (updateError) {
      log.warn('Could not record a failed delivery; the sweep tries the row again after its lease', { error: errorText(updateError) });
    }
    // Nobody to write to (never installed Baton) is an everyday fact, not a fault: a warning. A connector that refused or kept failing is an error.
    if (dead && error instanceof Undeliverable) log.warn('Outbox row cannot be delivered', { attempts, error: reason });
    else if (dead)
      log.error(permanent ? 'Outbox row cannot be delivered' : `Outbox row failed ${attempts} times and is dead`, {
        attempts,
        error: reason,
      });
    else log.warn('Outbox row not delivered; will retry', { attempts, retryInMs: wait, error: reason });
    return dead ? 'dead' : 'failed';
  }

  /**
   * Does what the row says, from the handoff as `seen` last (read once per
   * delivery, or the state just committed; a row that shows the state reads
   * it again after writing, which keeps `seen` current).
   * @param sent called once everyone's card is out (the card row)
   * @returns how to mark the row, for a row that sent something; undefined for a redoable row
   * @throws what failed before anything was sent (storage, the connector), or a connector's refusal
   */
  private async perform(row: OutboxRow, seen: Seen, run: Run, sent?: () => void): Promise<Mark | undefined> {
    if (!seen.handoff) {
      const stored = await this.app.stores.handoffs.read(row.handoffId, budget);
      if (!stored) throw new Undeliverable(`handoff ${row.handoffId} no longer exists`);
      seen.handoff = stored.handoff;
    }
    const handoff = seen.handoff;
    const delivered: Mark = (within) =>
      this.app.stores.outbox
        .update(row, { state: 'delivered', attempts: row.attempts + 1, leaseUntil: '', deliveredAt: this.iso() }, within)
        .then(() => undefined);
    switch (row.effect.kind) {
      case 'index': {
        const { former, followers = true } = row.effect;
        await Promise.all([
          this.writeUntilSettled(handoff, seen, run, (state) => this.app.stores.people.add(state, former ?? [], budget)),
          ...(followers ? [registerFollowers(this.app, handoff, budget)] : []),
        ]);
        return undefined;
      }
      case 'card': {
        await this.writeUntilSettled(handoff, seen, run, async (state) => {
          // Not posted yet: the post, when it goes, shows the state of that moment, which includes this change.
          if (!state.conversation.messageId) return;
          await this.app.messenger.update(
            conversationOf(state),
            state.conversation.messageId,
            handoffCard(state, undefined, { now: new Date(this.app.clock.now()) }),
          );
          sent?.();
        });
        return delivered;
      }
      case 'post': {
        if (handoff.conversation.messageId) return delivered;
        const messageId = await this.app.messenger.post(
          conversationOf(handoff),
          handoffCard(handoff, undefined, { now: new Date(this.app.clock.now()) }),
        );
        // The rows after it link to the message: they read the handoff again, with its message id.
        seen.handoff = undefined;
        return (within) => this.recordPosted(row, messageId, within);
      }
      case 'due': {
        const { stores, clock } = this.app;
        if (handoff.wakeAt) await stores.due.schedule(handoff.id, handoff.wakeAt, clock.now(), budget);
        if (row.effect.previous && row.effect.previous !== handoff.wakeAt)
          await stores.due.unschedule(handoff.id, row.effect.previous, budget);
        await this.watch(handoff);
        return undefined;
      }
      case 'message': {
        const { to, headline, quote } = row.effect;
        if (row.effect.inHours) await this.heldUnlessAtWork(handoff.tenantId, to);
        const chat = await this.app.stores.chats.find(handoff.tenantId, to.aadObjectId, budget);
        if (!chat) throw new Undeliverable(`${to.name} has not installed Baton, so there is no personal chat to write to`);
        await this.app.messenger
          .post(personalAddress(chat), notificationCard(handoff, headline, quote, row.effect.buttons))
          .catch((error: unknown) => {
            // The chat may have moved (a reinstall seen by another instance): the retry reads it again.
            this.app.stores.chats.forget(handoff.tenantId, to.aadObjectId);
            throw error;
          });
        return delivered;
      }
    }
  }

  /**
   * A reminder goes only while its reader is at work: outside their hours, or
   * away (an absence seen after the reminder was written, or that grew), it
   * waits for their next working instant.
   * @throws Held until when it waits
   */
  private async heldUnlessAtWork(tenantId: string, person: Person): Promise<void> {
    const now = new Date(this.app.clock.now());
    const next = nextWorkingInstant(await this.app.workingHours(tenantId, person, budget), now);
    if (next === undefined) throw new Held(this.iso(AWAY_RECHECK_MS));
    if (next > now) throw new Held(next.toISOString());
  }

  /**
   * Whoever holds the ball now is watched by the away check, which reads their
   * automatic replies: their record is written once an hour at most per process.
   */
  private async watch(handoff: Handoff): Promise<void> {
    const holder = handoff.clock?.holder;
    if (!holder) return;
    const key = `${handoff.tenantId}/${holder.aadObjectId}`;
    const now = this.app.clock.now();
    if ((this.watched.get(key) ?? -Infinity) > now - WATCHED_FOR_MS) return;
    const { tenantId } = handoff;
    await this.app.stores.away.watch(
      { tenantId, aadObjectId: holder.aadObjectId, name: holder.name, userId: holder.userId },
      this.iso(),
      budget,
    );
    this.watched.set(key, now);
  }

  /**
   * Writes what the handoff's state shows (its card, its listings), then reads
   * the handoff again: another change may have landed meanwhile, and its own
   * row, delivered first by another instance, would be covered by this older
   * state. Writing again until the state did not move leaves the newest
   * (each later change brings its own row too, so a few rounds are enough).
   * The last read is what the delivery's next rows start from.
   */
  private async writeUntilSettled(handoff: Handoff, seen: Seen, run: Run, write: (state: Handoff) => Promise<void>): Promise<void> {
    let written = handoff;
    for (let attempt = 1; ; attempt += 1) {
      await write(written);
      let latest: Awaited<ReturnType<App['stores']['handoffs']['read']>>;
      try {
        latest = await this.app.stores.handoffs.read(written.id, budget);
      } catch (error) {
        if (!storageFailed(error)) throw error;
        // Written, but whether a newer change landed meanwhile is unknown: that change's own row shows it, later.
        run.storageFailed = true;
        seen.handoff = undefined;
        return;
      }
      seen.handoff = latest?.handoff;
      if (!latest || latest.handoff.eventCount === written.eventCount || attempt >= WRITES_WHILE_CHANGING) return;
      written = latest.handoff;
    }
  }

  /** The card is out: record its message id with the row, re-reading while the handoff changes under us. */
  private async recordPosted(row: OutboxRow, messageId: string, within: Budget): Promise<void> {
    await retryOnConflict(
      async () => {
        const stored = await this.app.stores.handoffs.read(row.handoffId, within);
        if (stored) await this.app.stores.outbox.recordPosted(stored, messageId, row, this.iso(), within);
      },
      {
        exhausted: () => {
          throw new ConflictError('The handoff kept changing while its posted card was being recorded');
        },
      },
    );
  }

  private serially<T>(handoffId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(handoffId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.chains.set(handoffId, settled);
    void settled.then(() => {
      if (this.chains.get(handoffId) === settled) this.chains.delete(handoffId);
    });
    return next;
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.app.log.error('Outbox delivery failed', { error: errorText(error) }));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}
