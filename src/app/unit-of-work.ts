/**
 * The one unit of work: every change to a handoff, whoever asks (a card
 * action in Teams or Outlook, the messaging extension's Send, the overdue
 * check, an automatic close, a priority flagged from the summary), is
 * committed by {@link commitChange}:
 *
 *   1. read the handoff (not for a new one: its id is new);
 *   2. let the caller decide what the change is: only a change that writes
 *      goes on, so a refused action, a handoff that does not exist or one of
 *      another tenant writes nothing anywhere;
 *   3. mark the handoff's pending deliveries, so a crash after the commit
 *      still leaves its messages to the sweep;
 *   4. save it with the ETag: the handoff, its event, its marker and its
 *      outbox rows in one transaction; losing a race to another writer reads
 *      and decides again;
 *   5. hand the outbox rows to the deliverer, and wait (briefly) for
 *      everyone's card to be out.
 *
 * Its time budget is an argument of the change: a request's (what is left of
 * Teams' 5 seconds) or background work's.
 */
import type { AdaptiveCard } from '../cards/render';
import { hoursNeeded, nextDueState } from '../domain/due';
import { type Handoff, type HandoffEvent, participants } from '../domain/handoff';
import { type Notice, noticesFor } from '../domain/notifications';
import { CONFLICT_TRIES, retryOnConflict } from '../errors';
import type { App, Budget, Effect } from './ports';

/** What a change makes of the handoff as it stands. */
export type Decision =
  /**
   * Write this: the next handoff and its events (and, when not the usual ones,
   * the outbox rows, and the markers of what caused it).
   */
  | { write: { handoff: Handoff; events: readonly HandoffEvent[] }; effects?: Effect[]; markers?: readonly string[] }
  /** Change nothing; say why on the card. */
  | { refuse: string }
  /** Change nothing; show this card instead (the form again, with what is wrong). */
  | { show: AdaptiveCard }
  /** Nothing to do (nothing due any more, a form whose handoff exists). */
  | { skip: true };

export interface Change {
  handoffId: string;
  /** The marker the transaction writes (the activity's id, a timer action's), unless the decision names one. */
  marker: string;
  /** Only a handoff of this tenant is found: another tenant's reads as missing. Undefined for the timers, which act on any. */
  tenantId: string | undefined;
  /** A new handoff (its id comes from its form): no read first; losing the race means it exists, and `decide` sees it. */
  creates?: boolean;
  budget: Budget;
  decide(current: Handoff | undefined): Decision | Promise<Decision>;
}

export type Outcome =
  | { kind: 'written'; before: Handoff | undefined; after: Handoff; events: readonly HandoffEvent[] }
  /** `replayed`: the activity was already applied (Teams resent it): answer as if it had just been. */
  | { kind: 'refused'; handoff: Handoff; message: string; replayed: boolean }
  | { kind: 'shown'; card: AdaptiveCard }
  | { kind: 'skipped'; handoff: Handoff | undefined }
  | { kind: 'notFound' }
  /** Others kept changing it under every try: its state now. */
  | { kind: 'contended'; latest: Handoff | undefined };

/**
 * How long a request waits for everyone's card to be updated before it
 * answers. Teams shows the actor the answer's card; an update of the shared
 * card landing after it would cover the actor's view until it refreshes. A
 * slow connector does not hold the answer up longer: the update then goes
 * out after it.
 */
const CARD_FIRST_MS = 1500;

function cardFirst(cardOut: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, CARD_FIRST_MS)));
  return Promise.race([cardOut, waited]).finally(() => clearTimeout(timer));
}

/** The due index's row of a change whose next wake-up moved. */
function dueEffect(before: Handoff | undefined, after: Handoff): Effect[] {
  return after.wakeAt === before?.wakeAt ? [] : [{ kind: 'due', previous: before?.wakeAt ?? '' }];
}

/**
 * The person index's row of a change: every change moves what search filters
 * on (status, due time), so each one rewrites the listings; a change of people
 * also removes the rows of those it took off and records new followers.
 */
function indexEffect(before: Handoff, after: Handoff): Effect {
  const still = new Set(participants(after).map((p) => p.aadObjectId));
  const former = participants(before)
    .filter((p) => !still.has(p.aadObjectId))
    .map((p) => p.aadObjectId);
  const followersChanged = after.stakeholders.map((p) => p.aadObjectId).join() !== before.stakeholders.map((p) => p.aadObjectId).join();
  return { kind: 'index', ...(former.length > 0 ? { former } : {}), followers: followersChanged };
}

/**
 * A 1:1 message's outbox row.
 * @param held a reminder: not before `notBefore`, and only while its reader is at work (the deliverer checks again when it sends)
 */
export function messageEffect(notice: Notice, held?: { notBefore: string | undefined }): Effect {
  const { to, headline, quote, about, buttons } = notice;
  return {
    kind: 'message',
    to,
    headline,
    quote,
    about,
    ...(buttons.length > 0 ? { buttons } : {}),
    ...(held?.notBefore ? { notBefore: held.notBefore } : {}),
    ...(held ? { inHours: true } : {}),
  };
}

/**
 * The outbox rows of a change to a handoff: everyone's card, the person
 * index, the 1:1 messages, the due index.
 * @param messages the 1:1 messages, when not those the events tell (the overdue check's reminders)
 */
export function effectsOfChange(before: Handoff, after: Handoff, events: readonly HandoffEvent[], messages?: readonly Effect[]): Effect[] {
  const told = messages ?? events.flatMap((event) => noticesFor(after, event)).map((notice) => messageEffect(notice));
  return [{ kind: 'card' }, indexEffect(before, after), ...told, ...dueEffect(before, after)];
}

/** The outbox rows of a new handoff: its card (replacing the form's message, or posted), its listings, its 1:1s, its due time. */
export function effectsOfCreation(handoff: Handoff, card: 'post' | 'card' | 'none', messages: readonly Effect[]): Effect[] {
  return [...(card === 'none' ? [] : [{ kind: card } as const]), { kind: 'index' }, ...messages, ...dueEffect(undefined, handoff)];
}

/** The handoff with the due state a change leaves (src/domain/due.ts), reading the working hours a new step needs. */
export async function withDueState(
  app: Pick<App, 'workingHours' | 'settings'>,
  before: Handoff | undefined,
  after: Handoff,
  event: HandoffEvent,
  budget: Budget,
): Promise<Handoff> {
  const people = hoursNeeded(before, after);
  const hours = new Map(
    await Promise.all(people.map(async (p) => [p.aadObjectId, await app.workingHours(after.tenantId, p, budget)] as const)),
  );
  return { ...after, ...nextDueState(before, after, event, hours, app.settings.due) };
}

/**
 * Commits one change (see the top of this file). A replayed activity changes
 * nothing: its change was already made, so it is refused (no change is
 * allowed twice in a row; a nudge waits an hour), and only a refusal asks
 * whether the activity's marker exists, so the usual path reads one row. A
 * replay whose read came before the first commit conflicts, reads again and
 * is refused then. Either way the marker, written in the change's
 * transaction, never lets it apply twice.
 */
export async function commitChange(app: App, change: Change): Promise<Outcome> {
  const { handoffId, budget } = change;
  const read = async (): Promise<{ handoff: Handoff; etag: string } | undefined> => {
    const stored = await app.stores.handoffs.read(handoffId, budget);
    // A handoff of another tenant is reported exactly like a missing one.
    return stored && (change.tenantId === undefined || stored.handoff.tenantId === change.tenantId) ? stored : undefined;
  };
  return retryOnConflict<Outcome>(
    async (attempt) => {
      const fresh = change.creates && attempt === 1;
      const stored = fresh ? undefined : await read();
      if (!stored && !fresh && !change.creates) return { kind: 'notFound' };
      const decision = await change.decide(stored?.handoff);
      if ('show' in decision) return { kind: 'shown', card: decision.show };
      if ('skip' in decision) return { kind: 'skipped', handoff: stored?.handoff };
      if ('refuse' in decision) {
        if (!stored) return { kind: 'notFound' };
        const replayed = await app.stores.handoffs.applied(handoffId, change.marker, budget);
        if (replayed) app.deliveries.retryPending(handoffId);
        return { kind: 'refused', handoff: stored.handoff, message: decision.refuse, replayed };
      }
      const { handoff, events } = decision.write;
      // Only now, once the handoff exists in the caller's tenant and the change is allowed: no action, refused or
      // forged, makes Baton write a mark for an id it names. The mark precedes the transaction: a crash after the
      // commit still leaves it for the sweep. (It costs a request one round trip after its read, not beside it.)
      const mark = await app.deliveries.mark(handoffId, budget);
      const before = stored?.handoff;
      const effects = decision.effects ?? (before ? effectsOfChange(before, handoff, events) : []);
      const rows = await app.stores.handoffs.commit(
        {
          handoff,
          etag: stored?.etag,
          events,
          markers: decision.markers ?? [change.marker],
          effects,
          leaseUntil: app.deliveries.leaseForNewRows(),
        },
        budget,
      );
      await cardFirst(app.deliveries.afterCommit(handoffId, rows, mark, handoff));
      return { kind: 'written', before, after: handoff, events };
    },
    {
      tries: CONFLICT_TRIES,
      exhausted: async () => ({ kind: 'contended', latest: (await read())?.handoff }),
    },
  );
}
