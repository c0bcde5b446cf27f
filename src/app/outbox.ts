/**
 * The outbox's deliverer: sends what a change's outbox rows ask for (a card
 * update, a card post, a 1:1 message) and marks each row delivered.
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
 *
 * A send whose answer never came (a timeout) is the one case where the
 * connector may have delivered without Baton knowing: the row is tried again
 * after its lease, so such a message can arrive twice, never zero times.
 */
import { handoffCard } from '../cards/handoff-cards';
import { notificationCard } from '../cards/notification-card';
import type { Handoff } from '../domain/handoff';
import { ConflictError, ConnectorError, UnreadableRecordError } from '../errors';
import { errorText } from '../logger';
import type { Effect, OutboxRow } from '../store/outbox-rows';
import { countedAsDelivery } from '../store/tables';
import type { PendingMark } from '../store/pending-deliveries';
import { registerFollowers } from './followers';
import { type ConversationAddress, type Messenger, personalAddress, type Services } from './ports';

/** How long a deliverer holds a row: longer than any connector call (they time out first). */
export const LEASE_MS = 60_000;
/** The sweep leaves a fresh mark alone this long: its writer commits and delivers well within it. */
export const GRACE_MS = 30_000;
/** After this many failed attempts a row is dead: kept with its reason, logged, never shown as sent. */
export const MAX_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_MAX_MS = 30 * 60_000;
/** How many handoffs one sweep delivers at once: the connector allows 50 requests a second per tenant. */
const SWEEP_CONCURRENCY = 4;
/** How many rounds writeUntilSettled makes at most while the handoff keeps changing under it. */
const WRITES_WHILE_CHANGING = 3;

/** A message that can never be delivered as addressed (nobody to write to). */
class Undeliverable extends Error {
  override name = 'Undeliverable';
}

/** The message went out, but its row could not be marked: it must not be recorded as a failure (that would send it again sooner). */
class SentButUnmarked extends Error {
  override name = 'SentButUnmarked';
}

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

type Result = 'delivered' | 'failed' | 'dead' | 'skipped';

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
  return { serviceUrl: handoff.conversation.serviceUrl, conversationId: handoff.conversation.id, tenantId: handoff.conversation.tenantId ?? handoff.tenantId };
}

export class Outbox {
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Deliveries of one handoff run one after another, so an older card never lands after a newer one. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly services: Services,
    private readonly messenger: Messenger,
  ) {}

  private iso(offsetMs = 0): string {
    return new Date(this.services.clock.now() + offsetMs).toISOString();
  }

  /** Until when a writer holds the rows it is about to commit. */
  leaseForNewRows(): string {
    return this.iso(LEASE_MS);
  }

  /**
   * Marks a handoff before a change that will write outbox rows.
   * @returns the mark's ETag, for {@link deliverFresh}
   */
  mark(handoffId: string): Promise<string> {
    return this.services.pending.mark(handoffId, this.iso(GRACE_MS), this.iso());
  }

  /**
   * Delivers rows this process just committed, in the background; the sweep
   * delivers whatever this does not.
   * @returns resolves once everyone's card is out (or failed), the moment the
   *   caller may answer: Teams shows the actor the answer's card, and an update
   *   of everyone's card that arrived after it would replace the actor's view
   *   until the card refreshes
   */
  deliverFresh(handoffId: string, rows: readonly OutboxRow[], markEtag: string, committed?: Handoff): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    let cardDone: () => void = () => undefined;
    const cardOut = new Promise<void>((resolve) => (cardDone = resolve));
    this.track(
      this.serially(handoffId, async () => {
        const results = await this.deliverRows(rows, cardDone, committed);
        if (results.every((r) => r === 'delivered' || r === 'dead')) await this.services.pending.clear(handoffId, markEtag);
      }).finally(cardDone),
    );
    return cardOut;
  }

  /** Delivers a handoff's pending rows that nobody holds (a replayed activity asks for its own), in the background. */
  retryPending(handoffId: string): void {
    this.track(this.serially(handoffId, () => this.deliverPending(handoffId)));
  }

  /** Delivers every row left behind, handoff by handoff; see {@link SweepReport}. */
  async sweep(context: { invocationId?: string } = {}): Promise<SweepReport> {
    const started = Date.now();
    const now = this.iso();
    const due = (await this.services.pending.list()).filter((mark) => mark.notBefore <= now);
    const report: SweepReport = { handoffs: due.length, delivered: 0, failed: 0, dead: 0 };
    const queue = [...due];
    const worker = async () => {
      for (let mark = queue.shift(); mark; mark = queue.shift()) {
        const results = await this.serially(mark.handoffId, () => this.sweepOne(mark));
        for (const r of results) if (r !== 'skipped') report[r] += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, queue.length) }, worker));
    if (report.handoffs > 0) this.services.log.info('Outbox sweep done', { invocationId: context.invocationId, ...report, durationMs: Date.now() - started });
    return report;
  }

  /**
   * Puts a handoff's dead rows back to pending, attempts reset, for the next
   * sweep to deliver (an operator's `npm run outbox -- replay`, once the
   * cause is fixed). The handoff is marked first, so the sweep finds them.
   * @returns the rows revived; rows delivered or still pending are left alone
   */
  async replayDead(handoffId: string): Promise<OutboxRow[]> {
    const dead = (await this.services.store.outbox(handoffId, { all: true })).filter((r) => r.state === 'dead');
    if (dead.length === 0) return [];
    await this.services.pending.mark(handoffId, this.iso(), this.iso());
    const revived: OutboxRow[] = [];
    for (const row of dead) {
      try {
        revived.push(await this.services.store.updateRow(row, { state: 'pending', attempts: 0, leaseUntil: '', nextAttemptAt: '', lastError: `replayed after: ${row.lastError}` }));
      } catch (error) {
        // Someone replayed it at the same moment: it is pending either way.
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    this.services.log.info('Outbox rows replayed', { handoffId, rows: revived.length });
    return revived;
  }

  /** Resolves once every delivery this process started has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled(this.inFlight);
  }

  private async sweepOne(mark: PendingMark): Promise<Result[]> {
    const results = await this.deliverPending(mark.handoffId).catch((error: unknown) => {
      this.services.log.warn('Outbox sweep could not read a handoff\'s rows', { handoffId: mark.handoffId, error: errorText(error) });
      return undefined;
    });
    if (!results) return [];
    const left = await this.services.store.outbox(mark.handoffId);
    if (left.length === 0) {
      await this.services.pending.clear(mark.handoffId, mark.etag);
    } else {
      // Come back when the earliest row may be tried again.
      const next = left.map((r) => [r.leaseUntil, r.nextAttemptAt].sort().at(-1) || this.iso()).sort()[0]!;
      await this.services.pending.reschedule(mark, next > this.iso() ? next : this.iso(BACKOFF_BASE_MS));
    }
    return results;
  }

  /** Claims and delivers the pending rows of a handoff that are free and due. */
  private async deliverPending(handoffId: string): Promise<Result[]> {
    const now = this.iso();
    const free = (await this.services.store.outbox(handoffId)).filter((r) => r.leaseUntil <= now && r.nextAttemptAt <= now);
    const claimed: OutboxRow[] = [];
    for (const row of free) {
      try {
        claimed.push(await this.services.store.updateRow(row, { leaseUntil: this.iso(LEASE_MS) }));
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
    const unmarked: OutboxRow[] = [];
    // Stable: the card (or its post) first, then the 1:1 messages that link to it, then the redoable rows.
    const ordered = [...rows.filter((r) => !REDOABLE.has(r.effect.kind)), ...rows.filter((r) => REDOABLE.has(r.effect.kind))];
    for (const row of ordered) {
      // The card is out once the connector took it: the answer need not wait for the row to be marked delivered too.
      const shown = row.effect.kind === 'card' || row.effect.kind === 'post' ? cardDone : undefined;
      results.push(await this.deliverOne(row, seen, shown, REDOABLE.has(row.effect.kind) ? unmarked : undefined));
      shown?.();
    }
    if (unmarked.length > 0) {
      try {
        await this.services.store.markDelivered(unmarked, this.iso());
      } catch (error) {
        // Done again once their lease runs out: they only bring what shows the handoff up to date.
        this.services.log.warn('Delivered, but the outbox rows could not be marked delivered; they will be done again', { handoffId: unmarked[0]!.handoffId, rows: unmarked.map((r) => r.key).join(' '), error: errorText(error) });
        for (const row of unmarked) results[ordered.indexOf(row)] = 'failed';
      }
    }
    return results;
  }

  /**
   * @param later where a redoable row goes once done, to be marked delivered
   *   with the others in one transaction; any other row is marked at once
   */
  private async deliverOne(row: OutboxRow, seen: Seen, sent?: () => void, later?: OutboxRow[]): Promise<Result> {
    const log = this.services.log.child({ handoffId: row.handoffId, row: row.key, kind: row.effect.kind });
    try {
      const recorded = await this.perform(row, seen, sent);
      sent?.();
      if (later && !recorded) later.push(row);
      else if (!recorded) await this.services.store.updateRow(row, { state: 'delivered', leaseUntil: '', deliveredAt: this.iso() }).catch((error: unknown) => {
        throw new SentButUnmarked(errorText(error));
      });
    } catch (error) {
      if (!(error instanceof SentButUnmarked)) return this.failed(row, error, log);
      // It will be sent again once its lease runs out: say so loudly, it is the one way a message goes twice.
      log.error('Delivered, but the outbox row could not be marked delivered; it may be sent again', { error: error.message });
      return 'failed';
    }
    log.debug('Outbox row delivered', { attempts: row.attempts + 1 });
    return 'delivered';
  }

  private async failed(row: OutboxRow, error: unknown, log: Services['log']): Promise<Result> {
    const permanent = error instanceof Undeliverable || error instanceof UnreadableRecordError || (error instanceof ConnectorError && error.permanent);
    const attempts = row.attempts + 1;
    const dead = permanent || attempts >= MAX_ATTEMPTS;
    const wait = error instanceof ConnectorError && error.retryAfterMs ? Math.max(error.retryAfterMs, backoffMs(attempts)) : backoffMs(attempts);
    const reason = errorText(error);
    try {
      await this.services.store.updateRow(row, {
        state: dead ? 'dead' : 'pending',
        attempts,
        leaseUntil: '',
        nextAttemptAt: dead ? '' : this.iso(wait),
        lastError: reason,
      });
    } catch (updateError) {
      log.warn('Could not record a failed delivery; the sweep tries the row again after its lease', { error: errorText(updateError) });
    }
    // Nobody to write to (never installed Baton) is an everyday fact, not a fault: a warning. A connector that refused or kept failing is an error.
    if (dead && error instanceof Undeliverable) log.warn('Outbox row cannot be delivered', { attempts, error: reason });
    else if (dead) log.error(permanent ? 'Outbox row cannot be delivered' : `Outbox row failed ${attempts} times and is dead`, { attempts, error: reason });
    else log.warn('Outbox row not delivered; will retry', { attempts, retryInMs: wait, error: reason });
    return dead ? 'dead' : 'failed';
  }

  /**
   * Does what the row says, from the handoff as `seen` last (read once per
   * delivery, or the state just committed; a row that shows the state reads
   * it again after writing, which keeps `seen` current).
   * @param sent called once everyone's card is out (the card row)
   * @returns true when the row was marked delivered as part of the work (a post records its message id with it)
   */
  private async perform(row: OutboxRow, seen: Seen, sent?: () => void): Promise<boolean> {
    if (!seen.handoff) {
      const stored = await this.services.store.read(row.handoffId);
      if (!stored) throw new Undeliverable(`handoff ${row.handoffId} no longer exists`);
      seen.handoff = stored.handoff;
    }
    const handoff = seen.handoff;
    switch (row.effect.kind) {
      case 'index': {
        const { former, followers = true } = row.effect;
        await Promise.all([this.writeUntilSettled(handoff, seen, (state) => this.services.people.add(state, former)), ...(followers ? [registerFollowers(this.services, handoff)] : [])]);
        return false;
      }
      case 'card': {
        await this.writeUntilSettled(handoff, seen, async (state) => {
          // Not posted yet: the post, when it goes, shows the state of that moment, which includes this change.
          if (!state.conversation.messageId) return;
          await this.messenger.update(conversationOf(state), state.conversation.messageId, handoffCard(state, undefined, { now: new Date(this.services.clock.now()) }));
          sent?.();
        });
        return false;
      }
      case 'post': {
        if (handoff.conversation.messageId) return false;
        const messageId = await this.messenger.post(conversationOf(handoff), handoffCard(handoff, undefined, { now: new Date(this.services.clock.now()) }));
        // The rows after it link to the message: they read the handoff again, with its message id.
        seen.handoff = undefined;
        await this.recordPosted(row, messageId).catch((error: unknown) => {
          throw new SentButUnmarked(errorText(error));
        });
        return true;
      }
      case 'due': {
        const { dueIndex, clock } = this.services;
        if (handoff.wakeAt) await dueIndex.schedule(handoff.id, handoff.wakeAt, clock.now());
        if (row.effect.previous && row.effect.previous !== handoff.wakeAt) await dueIndex.unschedule(handoff.id, row.effect.previous);
        return false;
      }
      case 'message': {
        const { to, headline, quote } = row.effect;
        const chat = await this.services.conversations.find(handoff.tenantId, to.aadObjectId);
        if (!chat) throw new Undeliverable(`${to.name} has not installed Baton, so there is no personal chat to write to`);
        await this.messenger.post(personalAddress(chat), notificationCard(handoff, headline, quote)).catch((error: unknown) => {
          // The chat may have moved (a reinstall seen by another instance): the retry reads it again.
          this.services.conversations.forget(handoff.tenantId, to.aadObjectId);
          throw error;
        });
        return false;
      }
    }
  }

  /**
   * Writes what the handoff's state shows (its card, its listings), then reads
   * the handoff again: another change may have landed meanwhile, and its own
   * row, delivered first by another instance, would be covered by this older
   * state. Writing again until the state did not move leaves the newest
   * (each later change brings its own row too, so a few rounds are enough).
   * The last read is what the delivery's next rows start from.
   */
  private async writeUntilSettled(handoff: Handoff, seen: Seen, write: (state: Handoff) => Promise<void>): Promise<void> {
    let written = handoff;
    for (let attempt = 1; ; attempt += 1) {
      await write(written);
      const latest = await this.services.store.read(written.id);
      seen.handoff = latest?.handoff;
      if (!latest || latest.handoff.eventCount === written.eventCount || attempt >= WRITES_WHILE_CHANGING) return;
      written = latest.handoff;
    }
  }

  /** The card is out: record its message id with the row, re-reading while the handoff changes under us. */
  private async recordPosted(row: OutboxRow, messageId: string): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const stored = await this.services.store.read(row.handoffId);
      if (!stored) return;
      try {
        await this.services.store.recordPosted(stored, messageId, row, this.iso());
        return;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= 5) throw error;
      }
    }
  }

  private serially<T>(handoffId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(handoffId) ?? Promise.resolve();
    const run = () => countedAsDelivery(work);
    const next = previous.then(run, run);
    const settled = next.catch(() => undefined);
    this.chains.set(handoffId, settled);
    void settled.then(() => {
      if (this.chains.get(handoffId) === settled) this.chains.delete(handoffId);
    });
    return next;
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.services.log.error('Outbox delivery failed', { error: errorText(error) }));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}
