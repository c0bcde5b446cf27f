/**
 * The handoff: what a sender gives a receiver, and where it stands.
 * Plain data, so that the store, the cards and the tests all speak it.
 */
import type { WorkingHours } from './working-hours';

export const WORK_STATES = ['ready', 'inProgress', 'blocked'] as const;
export type WorkState = (typeof WORK_STATES)[number];
/** How a work state reads on a card, in a message or in the history. */
export const WORK_STATE_LABELS: Readonly<Record<WorkState, string>> = { ready: 'Ready', inProgress: 'In progress', blocked: 'Blocked' };

export const PRIORITIES = ['normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** How a priority reads where a person picks one. */
export const PRIORITY_LABELS: Readonly<Record<Priority, string>> = { normal: 'Normal', high: 'High', urgent: 'Urgent' };

/**
 * The steps of a handoff, each with its due time: the receiver's review, the
 * sender's answer or fix, the owner's close; and, while the work is Blocked,
 * the unblocking of whoever must unblock it.
 */
export const STEPS = ['review', 'answer', 'fix', 'close', 'unblock'] as const;
export type Step = (typeof STEPS)[number];

/**
 * Where the handoff is in Prepare -> Notify -> Review -> Resolve -> Close.
 * inReview: the receiver holds the ball; questionAsked and changesRequested:
 * the sender does (Resolve); accepted: the owner closes it; closed and
 * cancelled are final.
 */
export const STATUSES = ['inReview', 'questionAsked', 'changesRequested', 'accepted', 'closed', 'cancelled'] as const;
export type Status = (typeof STATUSES)[number];

export interface StatusFacts {
  /** How it reads on a card, in search results and in `mine`. */
  label: string;
  /** The status pill's container style (a filled box, so its text keeps the host config's contrast). */
  style: 'accent' | 'warning' | 'good' | 'emphasis';
  /** The role that holds the ball, or undefined once final. */
  holder: 'receiver' | 'sender' | 'owner' | undefined;
  /** The step whose due time runs. */
  step: Step | undefined;
  /** Still being worked on: not accepted, not final. */
  open: boolean;
  /** Nothing more can happen. */
  final: boolean;
}

/** Every status's facts, in one table: the card, `mine`, search, the due times and the rules all read it. */
export const STATUS: Readonly<Record<Status, StatusFacts>> = {
  inReview: { label: 'In review', style: 'accent', holder: 'receiver', step: 'review', open: true, final: false },
  questionAsked: { label: 'Question asked', style: 'warning', holder: 'sender', step: 'answer', open: true, final: false },
  changesRequested: { label: 'Changes requested', style: 'warning', holder: 'sender', step: 'fix', open: true, final: false },
  accepted: { label: 'Accepted', style: 'good', holder: 'owner', step: 'close', open: false, final: false },
  closed: { label: 'Closed', style: 'emphasis', holder: undefined, step: undefined, open: false, final: true },
  cancelled: { label: 'Cancelled', style: 'emphasis', holder: undefined, step: undefined, open: false, final: true },
};

/** The statuses whose facts hold `which`, in process order. */
export function statusesWhere(which: (facts: StatusFacts) => boolean): Status[] {
  return STATUSES.filter((s) => which(STATUS[s]));
}

/**
 * A display name as Baton keeps it: trimmed, and cut to 64 characters (Teams
 * and Entra allow 256), so no name can push a card past Teams' message size.
 */
export function displayName(name: string | undefined, fallback = 'Someone'): string {
  const trimmed = (name ?? '').trim().replace(/\s+/g, ' ');
  if (trimmed === '') return fallback;
  return trimmed.length > 64 ? `${trimmed.slice(0, 63)}…` : trimmed;
}

/** A person as the platform names them: Entra object id, Teams user id, display name. */
export interface Person {
  aadObjectId: string;
  /** Teams user id (29:...), what `refresh.userIds` and mentions use. */
  userId: string;
  name: string;
}

/** Baton itself, as the actor of what its timers do (an overdue nudge, an escalation, an automatic close). */
export const BATON: Person = { aadObjectId: 'baton', userId: '', name: 'Baton' };

/** One of Baton's own history events, numbered `seq`, with the version and work state of `of` (the handoff it leaves). */
export function batonEvent(
  of: Pick<Handoff, 'id' | 'version' | 'workState'>,
  seq: number,
  type: HandoffEvent['type'],
  at: string,
  detail: string,
): HandoffEvent {
  return { handoffId: of.id, seq, type, actor: BATON, at, comment: '', detail, version: of.version, workState: of.workState };
}

/** What the sender fills in: PRODUCT.md's table, parsed. */
export interface HandoffFields {
  summary: string;
  whatIsReady: string;
  acceptanceCriteria: string[];
  assumptions: string;
  links: string[];
  /** Working minutes; undefined when the sender gave no estimate. */
  effortMinutes: number | undefined;
  workState: WorkState;
  blocker: string;
  /** Calendar date, YYYY-MM-DD. */
  neededBy: string | undefined;
  priority: Priority;
}

/** What a handoff keeps of the team template it was posted from (issue 26): the version, and the checklist the sender ticked. */
export interface TemplateStamp {
  id: string;
  name: string;
  version: number;
  checklist: string[];
  /** The template's review goal, in working minutes, instead of the priority's. */
  reviewGoalMinutes?: number;
}

/** Where the handoff's card lives, so later changes can update it in place. */
export interface ConversationRef {
  id: string;
  serviceUrl: string;
  /** Id of the message that shows the card; unset until the card is posted (the outbox posts it). */
  messageId?: string;
  /** The tenant of the conversation, as proactive messages to it need. */
  tenantId?: string;
  /** Where it was posted: a channel of a team, a group chat, a personal chat (unset on handoffs from before it was kept). */
  kind?: 'channel' | 'groupChat' | 'personal';
  /** What Teams called it when the handoff was posted, when it said: a group chat's topic. */
  name?: string;
  /** A channel's team and channel, with their names when Teams gave them (a rename updates them; see ConversationNames). */
  team?: { id: string; name?: string };
  channel?: { id: string; name?: string };
}

/** Something a person said at a moment: a question, an answer, a decision's comment. */
export interface Remark {
  by: Person;
  at: string;
  text: string;
}

/** A change request, kept after the resubmit it asked for so the receiver can check the new version against it. */
export interface ChangeRequest extends Remark {
  /** The version it was made on. */
  version: number;
}

/** A stakeholder's priority change, shown on the card with its reason. */
export interface PriorityFlag extends Remark {
  from: Priority;
  to: Priority;
}

/** The last nudge: who was nudged, by whom, and whether Baton could reach them. */
export interface Nudge {
  at: string;
  by: Person;
  to: Person;
  /** False when the person has not installed Baton: nobody told them. */
  reached: boolean;
}

export interface Decision extends Remark {
  status: 'accepted' | 'changesRequested';
  /** For an acceptance: which acceptance criteria the receiver checked, by index. */
  checked: boolean[];
}

/** 0: on time; 1: due passed, the holder was nudged; 2: a goal later, the owner was told. */
export type Level = 0 | 1 | 2;

/** The running step: who holds the ball, since when, until when. */
export interface StepClock {
  step: Step;
  /** The history event that started this step; a nudge's marker names it, so each step and level acts once. */
  startedBy: number;
  holder: Person;
  /** The holder's working hours when the step started: due times are counted in them. */
  holderHours: WorkingHours;
  /** The owner's: escalations and the auto-close happen inside them. */
  ownerHours: WorkingHours;
  /** When the current run began (the step started, or the review resumed). */
  runStartedAt: string;
  /** Working minutes of the step used before this run (a review paused while the sender held the ball). */
  usedMinutes: number;
  goalMinutes: number;
  /** When the goal is used up, time away skipped; undefined while the holder is away with no known return (the clock does not run). */
  dueAt?: string;
  level: Level;
  /** The close step: when the handoff closes itself. */
  autoCloseAt?: string;
  /** Once escalated: whether Baton could tell the owner (they installed it); false, the card says they were not told. */
  ownerReached?: boolean;
}

/** One run of the review clock: the receiver held the ball from startedAt until pausedAt. */
export interface ReviewCycle {
  startedAt: string;
  pausedAt?: string;
  /** The receiver's working minutes in this run. */
  elapsedMinutes: number;
  /** The review's goal had been used up by the end of this run. */
  breached: boolean;
}

/** The review clock across its pauses; kept after the review, for the weekly summary. */
export interface ReviewClock {
  startedBy: number;
  /** Whose review it is: a new receiver starts a new review. */
  receiverId: string;
  usedMinutes: number;
  /** The level reached before a pause, so a resumed review does not nudge twice. */
  level: Level;
  cycles: ReviewCycle[];
}

/** What the overdue check may do, and the state it leaves. */
export interface DueState {
  clock: StepClock | undefined;
  review: ReviewClock | undefined;
  /** When the needed-by date ends in the receiver's time zone. */
  neededByAt: string | undefined;
  /** The owner was told that the needed-by date passed. */
  neededByTold: boolean;
  /** The next instant the overdue check has something to do; the due index holds it. */
  wakeAt: string | undefined;
}

export interface Handoff extends HandoffFields, DueState {
  id: string;
  tenantId: string;
  version: number;
  /** What changed in the latest version, in words for the card ("changed the summary", "added one acceptance criterion"). */
  changes: string[];
  status: Status;
  sender: Person;
  receiver: Person;
  owner: Person;
  stakeholders: Person[];
  conversation: ConversationRef;
  createdAt: string;
  updatedAt: string;
  decision: Decision | undefined;
  /** The open question while status is questionAsked, then the last one asked. */
  question: Remark | undefined;
  answer: Remark | undefined;
  /** The latest change request. */
  changeRequest: ChangeRequest | undefined;
  /** The latest priority change. */
  priorityFlag: PriorityFlag | undefined;
  lastNudge: Nudge | undefined;
  /** The owner could not be told that whoever holds the ball is away (they never installed Baton): the card says so while the absence lasts. */
  awayUntold?: { owner: Person; away: Person; at: string };
  /** The latest reassignment: whom the review was taken from, and when; `whileAway`: they were away then. */
  reassigned: { from: Person; to: Person; at: string; whileAway?: boolean } | undefined;
  /** Who closed or cancelled it, and why. */
  ending: Remark | undefined;
  /** Posted inside the minimum lead time that its effort needs before the needed-by date (the summary's "late handoffs"). */
  late: boolean;
  /** Number of events in the history; the next event's sequence number is eventCount + 1. */
  eventCount: number;
  /** The team template it was posted from, as it was then (issue 26): its version and the checklist the sender ticked. */
  template?: TemplateStamp;
}

export const EVENT_TYPES = [
  'posted',
  'accepted',
  'changesRequested',
  'questionAsked',
  'answered',
  'resubmitted',
  'workStateChanged',
  'cancelled',
  'reassigned',
  'nudged',
  'closed',
  'priorityFlagged',
  // Baton's overdue check: the holder nudged when a step is due, the owner told a goal later, the needed-by date passed.
  'overdue',
  'escalated',
  'neededByPassed',
  // Baton noted that whoever holds the ball is away (or will be), or back: the due time moved by the time away.
  'away',
  'back',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One line of a handoff's history: who did what, when. */
export interface HandoffEvent {
  handoffId: string;
  seq: number;
  type: EventType;
  actor: Person;
  at: string;
  /** What the person wrote (a comment, a question, a reason). */
  comment: string;
  /** What changed, in words ("Blocked: staging database", "v2: summary, links"). */
  detail: string;
  /** The handoff's version after the event: metrics tell a first-pass acceptance by it. */
  version: number;
  /** The work state after the event: metrics count the times work went Blocked by it. */
  workState: WorkState;
}

export type Role = 'sender' | 'receiver' | 'owner' | 'stakeholder';

/** The roles a person holds on a handoff (several at once when one person fills several). */
export function rolesOf(handoff: Pick<Handoff, 'sender' | 'receiver' | 'owner' | 'stakeholders'>, aadObjectId: string): Set<Role> {
  const roles = new Set<Role>();
  if (handoff.sender.aadObjectId === aadObjectId) roles.add('sender');
  if (handoff.receiver.aadObjectId === aadObjectId) roles.add('receiver');
  if (handoff.owner.aadObjectId === aadObjectId) roles.add('owner');
  if (handoff.stakeholders.some((s) => s.aadObjectId === aadObjectId)) roles.add('stakeholder');
  return roles;
}

/** Whether the work waits on whoever unblocks it: Blocked, while the handoff is still being worked on. */
export function isBlocked(handoff: Pick<Handoff, 'status' | 'workState'>): boolean {
  return handoff.workState === 'blocked' && STATUS[handoff.status].open;
}

/**
 * The step that runs now and the role that holds the ball: the status's
 * (STATUS), except that Blocked means blocked: while the work is Blocked
 * nobody reviews it, and the ball is with the sender, who must unblock it
 * (the owner watching). Undefined once final.
 */
export function turnOf(handoff: Pick<Handoff, 'status' | 'workState'>): { step: Step; role: 'receiver' | 'sender' | 'owner' } | undefined {
  if (isBlocked(handoff)) return { step: 'unblock', role: 'sender' };
  const { step, holder } = STATUS[handoff.status];
  return step && holder ? { step, role: holder } : undefined;
}

/** The person who must act next, or undefined once the handoff is final. */
export function ballHolder(handoff: Pick<Handoff, 'status' | 'workState' | 'sender' | 'receiver' | 'owner'>): Person | undefined {
  const turn = turnOf(handoff);
  return turn && handoff[turn.role];
}

/** Everyone with a role, once each, in role order. */
export function participants(handoff: Pick<Handoff, 'sender' | 'receiver' | 'owner' | 'stakeholders'>): Person[] {
  const seen = new Set<string>();
  return [handoff.receiver, handoff.sender, handoff.owner, ...handoff.stakeholders].filter((p) => {
    if (seen.has(p.aadObjectId)) return false;
    seen.add(p.aadObjectId);
    return true;
  });
}

/**
 * What search and `mine` filter on and show: the part of a handoff its
 * person-index rows carry (src/store/indexes.ts), so each is one index
 * query and reads no handoff. Of the open question and the decision only who
 * made them: `mine` says "Grace Hopper asked you a question".
 */
/** The fields of a handoff its listing carries. */
const LISTED = [
  'id',
  'tenantId',
  'summary',
  'status',
  'workState',
  'blocker',
  'priority',
  'version',
  'sender',
  'receiver',
  'owner',
  'stakeholders',
  'conversation',
  'neededBy',
  'neededByAt',
  'clock',
  'createdAt',
  'updatedAt',
  'eventCount',
] as const satisfies readonly (keyof Handoff)[];

export type Listing = Pick<Handoff, (typeof LISTED)[number]> & { question?: { by: Person }; decision?: { by: Person } };

export function listingOf(h: Listing): Listing {
  const listed = Object.fromEntries(LISTED.map((key) => [key, h[key]])) as Pick<Handoff, (typeof LISTED)[number]>;
  return {
    ...listed,
    ...(h.question ? { question: { by: h.question.by } } : {}),
    ...(h.decision ? { decision: { by: h.decision.by } } : {}),
  };
}

/** Builds the posted handoff and its first event. */
export function postHandoff(input: {
  id: string;
  tenantId: string;
  fields: HandoffFields;
  sender: Person;
  receiver: Person;
  owner: Person;
  stakeholders: Person[];
  conversation: ConversationRef;
  at: string;
  late: boolean;
  template?: TemplateStamp;
}): { handoff: Handoff; event: HandoffEvent } {
  const { fields, at } = input;
  const handoff: Handoff = {
    ...fields,
    id: input.id,
    tenantId: input.tenantId,
    version: 1,
    changes: [],
    status: 'inReview',
    sender: input.sender,
    receiver: input.receiver,
    owner: input.owner,
    stakeholders: input.stakeholders,
    conversation: input.conversation,
    createdAt: at,
    updatedAt: at,
    decision: undefined,
    question: undefined,
    answer: undefined,
    changeRequest: undefined,
    priorityFlag: undefined,
    lastNudge: undefined,
    reassigned: undefined,
    ending: undefined,
    late: input.late,
    eventCount: 1,
    // Its due times are set once the receiver's working hours are known (src/domain/due.ts).
    clock: undefined,
    review: undefined,
    neededByAt: undefined,
    neededByTold: false,
    wakeAt: undefined,
    ...(input.template ? { template: input.template } : {}),
  };
  const notes = [
    input.late ? 'posted inside the minimum lead time' : '',
    fields.workState === 'blocked' ? `Blocked: ${fields.blocker}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const event: HandoffEvent = {
    handoffId: input.id,
    seq: 1,
    type: 'posted',
    actor: input.sender,
    at,
    comment: '',
    detail: notes,
    version: 1,
    workState: fields.workState,
  };
  return { handoff, event };
}
