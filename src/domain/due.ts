/**
 * Due times: every step of a handoff has a goal in the working time of the
 * person who holds the ball, and the overdue check acts when one passes.
 *
 * - review: the receiver; its clock pauses while the sender answers a
 *   question or makes requested changes, and resumes on the answer or the
 *   resubmit (a service desk's "waiting for customer"). Each run is a cycle.
 * - answer, fix: the sender, after a question or a change request.
 * - close: the owner, once accepted; an accepted handoff left open closes
 *   itself after a quiet period.
 *
 * First miss: the holder is nudged, inside their working hours (level 1).
 * Second miss, one more goal later: the owner is told (level 2). A passed
 * needed-by date tells the owner once. Pure: the application layer fetches
 * working hours and writes what `applyDue` returns like any other change.
 */
import {
  BATON,
  batonEvent,
  ballHolder,
  type DueState,
  type Handoff,
  type HandoffEvent,
  type Person,
  type Priority,
  type ReviewClock,
  type ReviewCycle,
  isBlocked,
  STATUS,
  type Step,
  type StepClock,
  turnOf,
} from './handoff';
import { endOfDay } from './lead-time';
import type { Outcome } from './process';
import { asWorkingTime, formatDay, formatWhenIn, formatWorkingTime, workingTimeOf } from './time-format';
import { absenceAt, absencesDuring, awayText, localDay, mergeAbsences, sameAbsences, withAway } from './away';
import { addWorkingMinutes, nextWorkingInstant, type WorkingHours, workingMinutesBetween, zoneForText } from './working-hours';

/** Goals, in working minutes of whoever holds the ball (settings; see src/config.ts). */
export interface DuePolicy {
  /** The receiver's review, by priority. */
  review: Readonly<Record<Priority, number>>;
  /** The sender's answer to a question, or their fix after a change request, by priority. */
  respond: Readonly<Record<Priority, number>>;
  /** Whoever unblocks Blocked work (the sender), by priority: the receiver's clock does not run meanwhile. */
  unblock: Readonly<Record<Priority, number>>;
  /** The owner's close, once accepted. */
  close: number;
  /** An accepted handoff closes itself after this much of the owner's working time. */
  autoClose: number;
}

export const DEFAULT_DUE_POLICY: DuePolicy = {
  review: { urgent: 2 * 60, high: 4 * 60, normal: 8 * 60 },
  respond: { urgent: 2 * 60, high: 4 * 60, normal: 8 * 60 },
  // Unblocking waits on another party (access, a decision, a vendor): longer than an answer.
  unblock: { urgent: 4 * 60, high: 8 * 60, normal: 2 * 8 * 60 },
  close: 8 * 60,
  autoClose: 3 * 8 * 60,
};

export const NO_DUE_STATE: DueState = {
  clock: undefined,
  review: undefined,
  neededByAt: undefined,
  neededByTold: false,
  wakeAt: undefined,
};

/** A review's cycles beyond this are folded into the first: a handoff that ping-pongs a hundred times stays one small row. */
export const MAX_CYCLES = 20;

const iso = (ms: number) => new Date(ms).toISOString();

function goalOf(step: Step, priority: Priority, policy: DuePolicy): number {
  if (step === 'review') return policy.review[priority];
  if (step === 'close') return policy.close;
  if (step === 'unblock') return policy.unblock[priority];
  return policy.respond[priority];
}

/** The step's due time: its goal's working time left, counted from the run's start (undefined while away with no known return). */
function withDue(clock: Omit<StepClock, 'dueAt'>): StepClock {
  const left = Math.max(0, clock.goalMinutes - clock.usedMinutes);
  return { ...clock, dueAt: addWorkingMinutes(clock.holderHours, new Date(clock.runStartedAt), left)?.toISOString() } as StepClock;
}

/** Absences over before the run started say nothing about it: the clock keeps the rest. */
function forRun(hours: WorkingHours, runStartedAt: string): WorkingHours {
  const from = new Date(runStartedAt);
  return hours.away ? withAway(hours, absencesDuring(hours, from, undefined)) : hours;
}

/** Ends the running review cycle at `at`, adding its working minutes to the review. */
function pauseReview(review: ReviewClock, clock: StepClock, at: string): ReviewClock {
  const elapsed = workingMinutesBetween(clock.holderHours, new Date(clock.runStartedAt), new Date(at));
  const usedMinutes = review.usedMinutes + elapsed;
  const cycles = review.cycles.map((c, i) =>
    i === review.cycles.length - 1 && c.pausedAt === undefined
      ? { ...c, pausedAt: at, elapsedMinutes: elapsed, breached: usedMinutes > clock.goalMinutes }
      : c,
  );
  return { ...review, usedMinutes, level: clock.level, cycles };
}

function addCycle(cycles: readonly ReviewCycle[], at: string): ReviewCycle[] {
  const next = [...cycles, { startedAt: at, elapsedMinutes: 0, breached: false }];
  if (next.length <= MAX_CYCLES) return next;
  const [first, second, ...rest] = next;
  return [
    {
      startedAt: first!.startedAt,
      pausedAt: second!.pausedAt,
      elapsedMinutes: first!.elapsedMinutes + second!.elapsedMinutes,
      breached: first!.breached || second!.breached,
    },
    ...rest,
  ];
}

/** Whose working hours a change needs for the due state it leaves: nobody when the step carries on as it was. */
export function hoursNeeded(before: Handoff | undefined, after: Handoff): Person[] {
  const holder = ballHolder(after);
  if (!holder) return [];
  const clock = before?.clock;
  const unchanged =
    clock !== undefined &&
    clock.step === turnOf(after)?.step &&
    clock.holder.aadObjectId === holder.aadObjectId &&
    before!.owner.aadObjectId === after.owner.aadObjectId &&
    before!.receiver.aadObjectId === after.receiver.aadObjectId &&
    before!.neededBy === after.neededBy;
  if (unchanged) return [];
  const seen = new Set<string>();
  return [holder, after.owner, after.receiver].filter((p) => !seen.has(p.aadObjectId) && seen.add(p.aadObjectId));
}

/**
 * The due state a change leaves: the step's clock started, carried on,
 * paused or resumed; the needed-by instant; the next wake-up.
 * @param hours working hours of the people {@link hoursNeeded} named, by object id
 */
export function nextDueState(
  before: Handoff | undefined,
  after: Handoff,
  event: HandoffEvent,
  hours: ReadonlyMap<string, WorkingHours>,
  policy: DuePolicy,
): DueState {
  const at = event.at;
  const step = turnOf(after)?.step;
  const holder = ballHolder(after);
  let review = before?.review;
  let clock = before?.clock;
  const hoursOf = (p: Person) => hours.get(p.aadObjectId) ?? (clock?.holder.aadObjectId === p.aadObjectId ? clock.holderHours : undefined);

  // The running review pauses (or ends) when the receiver no longer holds the ball.
  if (clock?.step === 'review' && review && (step !== 'review' || holder?.aadObjectId !== clock.holder.aadObjectId))
    review = pauseReview(review, clock, at);

  if (!step || !holder || STATUS[after.status].final) {
    return { ...NO_DUE_STATE, review };
  }
  const carriesOn = clock && clock.step === step && clock.holder.aadObjectId === holder.aadObjectId;
  // A team template's review goal overrides the priority's (issue 26).
  const goalOfStep = (s: Step) => (s === 'review' && after.template?.reviewGoalMinutes) || goalOf(s, after.priority, policy);
  if (carriesOn) {
    // A due time already passed stays as it was (someone may have been told of it): a new goal applies only before it.
    const passed = clock!.dueAt !== undefined && clock!.dueAt <= at;
    const goalMinutes = passed ? clock!.goalMinutes : goalOfStep(step);
    const ownerHours = hours.get(after.owner.aadObjectId) ?? clock!.ownerHours;
    if (goalMinutes !== clock!.goalMinutes || ownerHours !== clock!.ownerHours)
      clock = withDue({ ...clock!, goalMinutes, ownerHours: forRun(ownerHours, clock!.runStartedAt) });
  } else {
    const holderHours = hoursOf(holder);
    const ownerHours = hours.get(after.owner.aadObjectId);
    if (!holderHours || !ownerHours) throw new Error(`nextDueState needs the working hours of ${holder.name} and ${after.owner.name}`);
    const goalMinutes = goalOfStep(step);
    if (step === 'review') {
      // The same receiver's review resumes; a new receiver (or the first) starts one.
      const resumes = review && review.receiverId === holder.aadObjectId && before?.receiver.aadObjectId === after.receiver.aadObjectId;
      review = resumes
        ? { ...review!, cycles: addCycle(review!.cycles, at) }
        : { startedBy: event.seq, receiverId: holder.aadObjectId, usedMinutes: 0, level: 0, cycles: addCycle([], at) };
      clock = withDue({
        step,
        startedBy: review.startedBy,
        holder,
        holderHours: forRun(holderHours, at),
        ownerHours: forRun(ownerHours, at),
        runStartedAt: at,
        usedMinutes: review.usedMinutes,
        goalMinutes,
        level: review.level,
      });
    } else {
      clock = withDue({
        step,
        startedBy: event.seq,
        holder,
        holderHours: forRun(holderHours, at),
        ownerHours: forRun(ownerHours, at),
        runStartedAt: at,
        usedMinutes: 0,
        goalMinutes,
        level: 0,
      });
      if (step === 'close')
        clock = { ...clock, autoCloseAt: addWorkingMinutes(clock.ownerHours, new Date(at), policy.autoClose)?.toISOString() };
    }
  }
  const receiverHours = hours.get(after.receiver.aadObjectId);
  const neededByChanged = !before || before.neededBy !== after.neededBy || before.receiver.aadObjectId !== after.receiver.aadObjectId;
  const neededByAt = !after.neededBy
    ? undefined
    : neededByChanged && receiverHours
      ? endOfDay(after.neededBy, receiverHours.timeZone).toISOString()
      : before?.neededByAt;
  const neededByTold = neededByChanged ? false : (before?.neededByTold ?? false);
  const state = { clock, review, neededByAt, neededByTold };
  return { ...state, wakeAt: wakeOf({ ...after, ...state }) };
}

export type DueAction =
  | { kind: 'overdue'; at: string }
  | { kind: 'escalate'; at: string }
  | { kind: 'neededBy'; at: string }
  | { kind: 'autoClose'; at: string };

/** When the holder is nudged: the due time, or the start of their next working period when it falls outside one (or in an absence). */
function nudgeAt(clock: StepClock): number | undefined {
  return clock.dueAt === undefined ? undefined : nextWorkingInstant(clock.holderHours, new Date(clock.dueAt))?.getTime();
}

/**
 * When the owner is told: one more goal of the holder's working time after
 * the due time, inside the owner's hours; undefined while someone's absence
 * has no known end.
 */
export function escalateAt(clock: StepClock): number | undefined {
  if (clock.dueAt === undefined) return undefined;
  const late = addWorkingMinutes(clock.holderHours, new Date(clock.dueAt), clock.goalMinutes);
  return late && nextWorkingInstant(clock.ownerHours, late)?.getTime();
}

const isoOr = (ms: number | undefined) => (ms === undefined ? undefined : iso(ms));

/** What the overdue check will do for a handoff, each with its instant, in no particular order. */
export function pendingActions(handoff: Pick<Handoff, 'status' | 'owner'> & Omit<DueState, 'wakeAt'>): DueAction[] {
  const { clock } = handoff;
  if (!clock || STATUS[handoff.status].final) return [];
  const actions: DueAction[] = [];
  const nudge = isoOr(nudgeAt(clock));
  if (clock.level === 0 && nudge) actions.push({ kind: 'overdue', at: nudge });
  // Someone who owns what they hold has nobody above them to tell; the owner's own close has no escalation.
  const escalate = isoOr(escalateAt(clock));
  if (clock.level === 1 && escalate && clock.step !== 'close' && clock.holder.aadObjectId !== handoff.owner.aadObjectId)
    actions.push({ kind: 'escalate', at: escalate });
  if (handoff.neededByAt && !handoff.neededByTold && handoff.status !== 'accepted')
    actions.push({ kind: 'neededBy', at: handoff.neededByAt });
  if (clock.step === 'close' && clock.autoCloseAt) actions.push({ kind: 'autoClose', at: clock.autoCloseAt });
  return actions;
}

/** The earliest instant the overdue check has something to do. */
export function wakeOf(handoff: Pick<Handoff, 'status' | 'owner'> & Omit<DueState, 'wakeAt'>): string | undefined {
  return pendingActions(handoff)
    .map((a) => a.at)
    .sort()[0];
}

/** The first thing due at `now`, earliest first; undefined when nothing is. */
export function dueNow(handoff: Handoff, now: Date): DueAction | undefined {
  const at = now.toISOString();
  return pendingActions(handoff)
    .filter((a) => a.at <= at)
    .sort((a, b) => a.at.localeCompare(b.at))[0];
}

/** The marker of an action: one per step, level and kind, so no timer, instance or retry acts twice. */
export function dueActivityId(handoff: Handoff, action: DueAction): string {
  const clock = handoff.clock;
  const step = action.kind === 'neededBy' ? `neededBy:${handoff.neededByAt}` : `${clock?.step}:${clock?.startedBy}`;
  return `due:${handoff.id}:${step}:${action.kind}`;
}

const STEP_WORDS: Record<Step, string> = {
  review: 'review',
  answer: 'answer to the question',
  fix: 'changes',
  close: 'close',
  unblock: 'unblocking',
};

/** "Grace Hopper's review", "Ada Lovelace's answer to the question", "Ada Lovelace's unblocking". */
function stepOfHolder(clock: StepClock): string {
  return `${clock.holder.name}'s ${STEP_WORDS[clock.step]}`;
}

/** More than a handoff can have due at once (overdue, escalate, needed-by, auto-close). */
const MAX_DUE_AT_ONCE = 6;

/**
 * Does everything due on a handoff at `now`, in order (a check that ran late
 * may owe a nudge and an escalation): the handoff it leaves, one event per
 * action, and each action's marker. Undefined when nothing is due.
 * @param reach whether Baton can write to the holder and to the owner (they installed it)
 */
export function settleDue(
  handoff: Handoff,
  now: Date,
  reach: { holder: boolean; owner: boolean },
): { handoff: Handoff; events: HandoffEvent[]; markers: string[] } | undefined {
  let current = handoff;
  const events: HandoffEvent[] = [];
  const markers: string[] = [];
  for (let i = 0; i < MAX_DUE_AT_ONCE; i += 1) {
    const action = dueNow(current, now);
    if (!action) break;
    const outcome = applyDue(current, action, now.toISOString(), reach);
    if (!outcome.ok) break;
    markers.push(dueActivityId(current, action));
    events.push(outcome.event);
    current = outcome.handoff;
  }
  return events.length > 0 ? { handoff: current, events, markers } : undefined;
}

/**
 * Applies a due action at `at`: the next handoff with its due state and one
 * history event by Baton, or why nothing is due (a second timer, an instance
 * that lost the race, a change made meanwhile).
 * @param reach whether Baton can write to the holder and to the owner (they installed it)
 */
export function applyDue(handoff: Handoff, action: DueAction, at: string, reach: { holder: boolean; owner: boolean }): Outcome {
  const reached = reach.holder;
  const clock = handoff.clock;
  const current = dueNow(handoff, new Date(at));
  if (!clock || !current || current.kind !== action.kind)
    return { ok: false, refusal: { code: 'wrongState', message: 'Nothing is due on this handoff now.' } };
  const seq = handoff.eventCount + 1;
  const base = { ...handoff, eventCount: seq };
  const event = (type: HandoffEvent['type'], detail: string, next: Handoff): Outcome => {
    const { wakeAt: _old, ...state } = next;
    const done: Handoff = { ...next, wakeAt: wakeOf(state) };
    return {
      ok: true,
      handoff: done,
      event: batonEvent(next, seq, type, at, detail),
    };
  };
  // History is read by everyone in their own zone: a time written into it says whose zone it is in.
  const inZone = (instant: string, hours: WorkingHours) => {
    const zone = zoneForText(hours);
    return formatWhenIn(instant, zone, new Date(at));
  };
  const due = inZone(clock.dueAt ?? at, clock.holderHours);
  switch (action.kind) {
    case 'overdue': {
      const next: Handoff = { ...base, clock: { ...clock, level: 1 }, lastNudge: { at, by: BATON, to: clock.holder, reached } };
      return event(
        'overdue',
        `${stepOfHolder(clock)} was due ${due}${reached ? '' : `; ${clock.holder.name} has not installed Baton and was not told`}`,
        next,
      );
    }
    case 'escalate': {
      const held = asWorkingTime(
        Math.max(1, workingMinutesBetween(clock.holderHours, new Date(clock.runStartedAt), new Date(at)) + clock.usedMinutes),
      );
      const told = reach.owner ? '' : `; ${handoff.owner.name} has not installed Baton and was not told`;
      return event('escalated', `${stepOfHolder(clock)}, due ${due}, held ${held}${told}`, {
        ...base,
        clock: { ...clock, level: 2, ownerReached: reach.owner },
      });
    }
    case 'neededBy':
      return event('neededByPassed', formatDay(handoff.neededBy ?? '', new Date(at)), { ...base, neededByTold: true });
    case 'autoClose': {
      const open = formatWorkingTime(
        workingMinutesBetween(clock.ownerHours, new Date(clock.runStartedAt), new Date(clock.autoCloseAt ?? at)),
      );
      const text = `Accepted ${inZone(clock.runStartedAt, clock.ownerHours)} and not closed within ${open}${open.includes('working day') ? '' : " of the owner's working time"}.`;
      const next: Handoff = { ...base, status: 'closed', updatedAt: at, ending: { by: BATON, at, text }, clock: undefined };
      return event('closed', 'automatically', next);
    }
  }
}

/** Where a step stands, for the card, `mine` and search. */
export type DueView =
  | { state: 'due'; dueAt: string; leftMinutes: number; holder: Person }
  | { state: 'overdue'; dueAt: string; overdueMinutes: number; holder: Person }
  | { state: 'escalated'; dueAt: string; overdueMinutes: number; holder: Person; owner: Person }
  /**
   * The holder is away now: nothing is counted and nobody is nudged until they
   * are back. `away`: "away until Wed 16 Dec"; `dueAt`: when it is due after
   * the return (undefined with no return date), `leftMinutes` the working time
   * left until then.
   */
  | { state: 'away'; away: string; dueAt: string | undefined; leftMinutes: number; holder: Person }
  /** Not away yet, but an absence with no return date begins before the goal is used up: no due time. */
  | { state: 'waits'; away: string; holder: Person };

/** The running step's due state at `now`; undefined without a running step. */
export function dueView(handoff: Pick<Handoff, 'clock' | 'status' | 'owner'>, now: Date): DueView | undefined {
  const clock = handoff.clock;
  if (!clock || STATUS[handoff.status].final) return undefined;
  const { holder, holderHours } = clock;
  const absence = absenceAt(holderHours, now);
  if (absence) {
    const leftMinutes = clock.dueAt ? workingMinutesBetween(holderHours, now, new Date(clock.dueAt)) : 0;
    return { state: 'away', away: awayText(holderHours, absence, now), dueAt: clock.dueAt, leftMinutes, holder };
  }
  if (clock.dueAt === undefined) {
    const upcoming = absencesDuring(holderHours, now, undefined).find((a) => a.end === undefined);
    const from = upcoming ? ` from ${formatDay(localDay(new Date(upcoming.start), holderHours.timeZone), now)}` : '';
    return { state: 'waits', away: `away${from} with no return date set`, holder };
  }
  const dueAt = new Date(clock.dueAt);
  if (now < dueAt) return { state: 'due', dueAt: clock.dueAt, leftMinutes: workingMinutesBetween(holderHours, now, dueAt), holder };
  const overdueMinutes = workingMinutesBetween(holderHours, dueAt, now);
  return clock.level === 2
    ? { state: 'escalated', dueAt: clock.dueAt, overdueMinutes, holder, owner: handoff.owner }
    : { state: 'overdue', dueAt: clock.dueAt, overdueMinutes, holder };
}

/** Whether whoever holds the ball is away now: the handoff waits on someone away, and is neither due nor overdue meanwhile. */
export function waitsOnSomeoneAway(handoff: Pick<Handoff, 'clock' | 'status' | 'owner' | 'workState'>, now: Date): boolean {
  return !isBlocked(handoff) && dueView(handoff, now)?.state === 'away';
}

/**
 * The handoff with its running step counted in the holder's and the owner's
 * absences as known now (`fresh`: their working hours as read now, absences
 * included): the due time, the escalation and the automatic close move by the
 * time away. What already happened stays as the clock saw it. Undefined when
 * no absence changed.
 */
export function withAbsences(
  handoff: Handoff,
  fresh: { holder?: WorkingHours; owner?: WorkingHours },
  at: string,
  policy: DuePolicy,
): Handoff | undefined {
  const clock = handoff.clock;
  if (!clock || STATUS[handoff.status].final) return undefined;
  const merged = (hours: WorkingHours, now: WorkingHours | undefined) =>
    now ? forRun(withAway(hours, mergeAbsences(hours.away ?? [], now.away ?? [], at)), clock.runStartedAt) : hours;
  const holderHours = merged(clock.holderHours, fresh.holder);
  const ownerHours = merged(clock.ownerHours, clock.holder.aadObjectId === handoff.owner.aadObjectId ? fresh.holder : fresh.owner);
  if (sameAbsences(holderHours.away, clock.holderHours.away) && sameAbsences(ownerHours.away, clock.ownerHours.away)) return undefined;
  let next = withDue({ ...clock, holderHours, ownerHours });
  if (clock.step === 'close')
    next = { ...next, autoCloseAt: addWorkingMinutes(ownerHours, new Date(clock.runStartedAt), policy.autoClose)?.toISOString() };
  const { wakeAt: _old, ...state } = { ...handoff, clock: next };
  return { ...handoff, clock: next, wakeAt: wakeOf(state) };
}

/**
 * Baton's history event for a clock that {@link withAbsences} moved: 'away'
 * ("Grace Hopper is away until Wed 16 Dec; her review is due Wed 16 Dec,
 * 12:00 Kolkata time"), or 'back' when the holder was away and no longer is.
 */
export function absenceEvent(before: Handoff, after: Handoff, at: string): HandoffEvent {
  const seq = after.eventCount;
  const clock = after.clock!;
  const now = new Date(at);
  const zone = zoneForText(clock.holderHours);
  const when = (iso: string) => formatWhenIn(iso, zone, now);
  const due = clock.dueAt ? `${stepOfHolder(clock)} is due ${when(clock.dueAt)}` : `${stepOfHolder(clock)} waits for the return`;
  const awayNow = absenceAt(clock.holderHours, now);
  const wasAway = before.clock && absenceAt(before.clock.holderHours, now);
  const holderChanged = !sameAbsences(before.clock?.holderHours.away, clock.holderHours.away);
  let type: HandoffEvent['type'] = 'away';
  let detail: string;
  if (awayNow) detail = `${clock.holder.name} is ${awayText(clock.holderHours, awayNow, now)}; ${due}`;
  else if (wasAway) {
    type = 'back';
    detail = `${clock.holder.name} is back; ${due}`;
  } else if (holderChanged) {
    const next = absencesDuring(clock.holderHours, now, undefined)[0];
    const from = next ? ` from ${formatDay(localDay(new Date(next.start), clock.holderHours.timeZone), now)}` : '';
    detail = next
      ? `${clock.holder.name} will be away${from}${next.end ? ` until ${awayText(clock.holderHours, next, now).replace(/^away until /, '')}` : ' with no return date set'}; ${due}`
      : `${clock.holder.name}'s absence was called off; ${due}`;
  } else {
    const absence = absencesDuring(clock.ownerHours, now, undefined)[0];
    detail = `${after.owner.name} (owner) is ${absence ? awayText(clock.ownerHours, absence, now) : 'back'}; escalations wait for their working hours`;
  }
  return batonEvent(after, seq, type, at, detail);
}

/**
 * Baton's 'back' event for a holder whose absence ended by its own date (no
 * setting changed, so {@link withAbsences} moves nothing): the card everyone
 * sees is drawn again and stops saying they are away.
 * @returns undefined when nobody holds the ball, or the holder is still away
 */
export function returnEvent(handoff: Handoff, at: string): { handoff: Handoff; event: HandoffEvent } | undefined {
  const clock = handoff.clock;
  const now = new Date(at);
  if (!clock || STATUS[handoff.status].final || absenceAt(clock.holderHours, now)) return undefined;
  const next = { ...handoff, eventCount: handoff.eventCount + 1 };
  const zone = zoneForText(clock.holderHours);
  const due = clock.dueAt
    ? `${stepOfHolder(clock)} is due ${formatWhenIn(clock.dueAt, zone, now)}`
    : `${stepOfHolder(clock)} waits for the return`;
  return { handoff: next, event: batonEvent(handoff, next.eventCount, 'back', at, `${clock.holder.name} is back; ${due}`) };
}

/**
 * Since when whoever holds the ball has had it: the start of the running
 * step (a review that resumed after an answer: since it resumed); undefined
 * once final. "Waiting since" means this on every screen (the card, `mine`,
 * search, the summary, the email): a priority flag, a nudge or anything else
 * that leaves the ball where it is does not move it.
 */
export function waitingSince(handoff: Pick<Handoff, 'clock' | 'status'>): string | undefined {
  return STATUS[handoff.status].final ? undefined : handoff.clock?.runStartedAt;
}

/**
 * Overdue: a step past its due time, or not accepted by the end of its
 * needed-by date. Blocked work is blocked, not overdue: nobody can move it
 * but whoever unblocks it, and it says so everywhere instead.
 */
export function isOverdue(
  handoff: Pick<Handoff, 'clock' | 'status' | 'workState' | 'owner' | 'neededBy' | 'neededByAt'>,
  now: Date,
): boolean {
  if (STATUS[handoff.status].final || isBlocked(handoff)) return false;
  const view = dueView(handoff, now);
  // Time away is never overdue: the handoff waits on someone away instead.
  if (view?.state === 'away') return false;
  if (view && (view.state === 'overdue' || view.state === 'escalated')) return true;
  return handoff.status !== 'accepted' && neededByPassed(handoff, now);
}

/** Whether the needed-by date is over: its end in the receiver's zone, or (zone unknown) the UTC day. */
export function neededByPassed(handoff: Pick<Handoff, 'neededBy' | 'neededByAt'>, now: Date): boolean {
  if (!handoff.neededBy) return false;
  return handoff.neededByAt ? now.toISOString() >= handoff.neededByAt : handoff.neededBy < now.toISOString().slice(0, 10);
}

/**
 * One clause for the turn line, `mine` and search. Seen now (a viewer's own
 * card, which Teams draws when it is seen, and `mine`), it says how much
 * working time is left or past: "due Thu 4 Dec, 10:00 (in 3h 10m of Grace's
 * working time)", "overdue by 2h of Grace's working time (due Thu 4 Dec,
 * 10:00)". A message that stays in the chat (the shared card, a search
 * result) says only what stays true: "due Thu 4 Dec, 10:00", "overdue since
 * Thu 4 Dec, 10:00", "..., escalated to Ada Lovelace (owner)".
 * @param relative the viewer's own view, seen now
 */
export function dueClause(view: DueView, when: (iso: string) => string, relative: boolean, viewerId?: string): string {
  const mine = view.holder.aadObjectId === viewerId;
  const name = view.holder.name.split(' ')[0] ?? view.holder.name;
  const first = mine ? 'your' : `${name}'s`;
  const past = (minutes: number, dueAt: string) =>
    relative && minutes > 0 ? `overdue by ${workingTimeOf(minutes, first)}` : `overdue since ${when(dueAt)}`;
  switch (view.state) {
    case 'away': {
      const left = relative && view.dueAt && view.leftMinutes > 0 ? ` (${workingTimeOf(view.leftMinutes, first)} left)` : '';
      const due = !view.dueAt ? 'due once back' : view.leftMinutes > 0 ? `due ${when(view.dueAt)}${left}` : `was due ${when(view.dueAt)}`;
      return `${view.away} · ${due}`;
    }
    case 'waits':
      return `due once ${mine ? 'you are' : `${name} is`} back (${view.away})`;
    case 'due':
      return `due ${when(view.dueAt)}${relative ? ` (in ${workingTimeOf(view.leftMinutes, first)})` : ''}`;
    case 'overdue':
      return relative && view.overdueMinutes > 0
        ? `${past(view.overdueMinutes, view.dueAt)} (due ${when(view.dueAt)})`
        : past(0, view.dueAt);
    case 'escalated':
      return `${past(view.overdueMinutes, view.dueAt)}, escalated to ${view.owner.aadObjectId === viewerId ? 'you' : `${view.owner.name} (owner)`}`;
  }
}
