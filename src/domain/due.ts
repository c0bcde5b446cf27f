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
import { formatEffort } from './effort';
import {
  BATON,
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
import { formatDay, formatWhen } from './time-format';
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

function withDue(clock: Omit<StepClock, 'dueAt'>): StepClock {
  const left = Math.max(0, clock.goalMinutes - clock.usedMinutes);
  return { ...clock, dueAt: addWorkingMinutes(clock.holderHours, new Date(clock.runStartedAt), left).toISOString() } as StepClock;
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
    const goalMinutes = goalOfStep(step);
    const ownerHours = hours.get(after.owner.aadObjectId) ?? clock!.ownerHours;
    if (goalMinutes !== clock!.goalMinutes || ownerHours !== clock!.ownerHours) clock = withDue({ ...clock!, goalMinutes, ownerHours });
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
        holderHours,
        ownerHours,
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
        holderHours,
        ownerHours,
        runStartedAt: at,
        usedMinutes: 0,
        goalMinutes,
        level: 0,
      });
      if (step === 'close') clock = { ...clock, autoCloseAt: addWorkingMinutes(ownerHours, new Date(at), policy.autoClose).toISOString() };
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

/** When the holder is nudged: the due time, or the start of their next working period when it falls outside one. */
function nudgeAt(clock: StepClock): number {
  return nextWorkingInstant(clock.holderHours, new Date(clock.dueAt)).getTime();
}

/** When the owner is told: one more goal of the holder's working time after the due time, inside the owner's hours. */
export function escalateAt(clock: StepClock): number {
  const late = addWorkingMinutes(clock.holderHours, new Date(clock.dueAt), clock.goalMinutes);
  return nextWorkingInstant(clock.ownerHours, late).getTime();
}

/** What the overdue check will do for a handoff, each with its instant, in no particular order. */
export function pendingActions(handoff: Pick<Handoff, 'status' | 'owner'> & Omit<DueState, 'wakeAt'>): DueAction[] {
  const { clock } = handoff;
  if (!clock || STATUS[handoff.status].final) return [];
  const actions: DueAction[] = [];
  if (clock.level === 0) actions.push({ kind: 'overdue', at: iso(nudgeAt(clock)) });
  // Someone who owns what they hold has nobody above them to tell; the owner's own close has no escalation.
  if (clock.level === 1 && clock.step !== 'close' && clock.holder.aadObjectId !== handoff.owner.aadObjectId)
    actions.push({ kind: 'escalate', at: iso(escalateAt(clock)) });
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
      event: { handoffId: handoff.id, seq, type, actor: BATON, at, comment: '', detail, version: next.version, workState: next.workState },
    };
  };
  // History is read by everyone in their own zone: a time written into it says whose zone it is in.
  const inZone = (instant: string, hours: WorkingHours) => {
    const zone = zoneForText(hours);
    return `${formatWhen(instant, zone, new Date(at))}${zone ? ` ${zone.split('/').pop()!.replace(/_/g, ' ')} time` : ''}`;
  };
  const due = inZone(clock.dueAt, clock.holderHours);
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
      const held = formatEffort(
        Math.max(1, workingMinutesBetween(clock.holderHours, new Date(clock.runStartedAt), new Date(at)) + clock.usedMinutes),
      );
      const told = reach.owner ? '' : `; ${handoff.owner.name} has not installed Baton and was not told`;
      return event('escalated', `${stepOfHolder(clock)}, due ${due}, held ${held} of working time${told}`, {
        ...base,
        clock: { ...clock, level: 2, ownerReached: reach.owner },
      });
    }
    case 'neededBy':
      return event('neededByPassed', formatDay(handoff.neededBy ?? '', new Date(at)), { ...base, neededByTold: true });
    case 'autoClose': {
      const text = `Accepted ${inZone(clock.runStartedAt, clock.ownerHours)} and not closed within ${formatEffort(workingMinutesBetween(clock.ownerHours, new Date(clock.runStartedAt), new Date(clock.autoCloseAt ?? at)))} of the owner's working time.`;
      const next: Handoff = { ...base, status: 'closed', updatedAt: at, ending: { by: BATON, at, text }, clock: undefined };
      return event('closed', 'automatically', next);
    }
  }
}

/** Where a step stands, for the card, `mine` and search. */
export type DueView =
  | { state: 'due'; dueAt: string; leftMinutes: number; holder: Person }
  | { state: 'overdue'; dueAt: string; overdueMinutes: number; holder: Person }
  | { state: 'escalated'; dueAt: string; overdueMinutes: number; holder: Person; owner: Person };

/** The running step's due state at `now`; undefined without a running step. */
export function dueView(handoff: Pick<Handoff, 'clock' | 'status' | 'owner'>, now: Date): DueView | undefined {
  const clock = handoff.clock;
  if (!clock || STATUS[handoff.status].final) return undefined;
  const dueAt = new Date(clock.dueAt);
  if (now < dueAt)
    return { state: 'due', dueAt: clock.dueAt, leftMinutes: workingMinutesBetween(clock.holderHours, now, dueAt), holder: clock.holder };
  const overdueMinutes = workingMinutesBetween(clock.holderHours, dueAt, now);
  return clock.level === 2
    ? { state: 'escalated', dueAt: clock.dueAt, overdueMinutes, holder: clock.holder, owner: handoff.owner }
    : { state: 'overdue', dueAt: clock.dueAt, overdueMinutes, holder: clock.holder };
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
  if (view && view.state !== 'due') return true;
  return handoff.status !== 'accepted' && neededByPassed(handoff, now);
}

/** Whether the needed-by date is over: its end in the receiver's zone, or (zone unknown) the UTC day. */
export function neededByPassed(handoff: Pick<Handoff, 'neededBy' | 'neededByAt'>, now: Date): boolean {
  if (!handoff.neededBy) return false;
  return handoff.neededByAt ? now.toISOString() >= handoff.neededByAt : handoff.neededBy < now.toISOString().slice(0, 10);
}

/** "3h 10m" of working time, or "under a minute". */
function workingTime(minutes: number): string {
  return minutes < 1 ? 'under a minute' : formatEffort(minutes);
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
  const first = view.holder.aadObjectId === viewerId ? 'your' : `${view.holder.name.split(' ')[0] ?? view.holder.name}'s`;
  const past = (minutes: number) =>
    relative && minutes > 0 ? `overdue by ${formatEffort(minutes)} of ${first} working time` : `overdue since ${when(view.dueAt)}`;
  switch (view.state) {
    case 'due':
      return `due ${when(view.dueAt)}${relative ? ` (in ${workingTime(view.leftMinutes)} of ${first} working time)` : ''}`;
    case 'overdue':
      return relative && view.overdueMinutes > 0 ? `${past(view.overdueMinutes)} (due ${when(view.dueAt)})` : past(0);
    case 'escalated':
      return `${past(view.overdueMinutes)}, escalated to ${view.owner.aadObjectId === viewerId ? 'you' : `${view.owner.name} (owner)`}`;
  }
}
