/**
 * The handoff's cards: the form, and the handoff as each viewer sees it.
 * Each card is a template from cards/ and the typed data built here.
 */
import formTemplate from '../../cards/handoff-form.json';
import handoffTemplate from '../../cards/handoff.json';
import { formatEffort } from '../domain/effort';
import type { FieldErrors, FormField, HandoffFormInput } from '../domain/handoff-form';
import { ballHolder, type Handoff, type HandoffEvent, participants, type Person, type Status, type WorkState } from '../domain/handoff';
import { ACTION_TYPES, type ActionType, allowedActions } from '../domain/process';
import { type AdaptiveCard, renderCard } from './render';

export const FORM_FIELDS: readonly FormField[] = [
  'summary', 'whatIsReady', 'acceptanceCriteria', 'assumptions', 'links', 'effort',
  'workState', 'blocker', 'neededBy', 'receiver', 'owner', 'stakeholders', 'priority',
];

export interface HandoffFormData {
  formId: string;
  title: string;
  subtitle: string;
  editing: boolean;
  handoffId: string;
  values: Record<FormField, string>;
  errors: Record<FormField, string>;
  message: string;
  hints: string[];
  members: { name: string; aadObjectId: string }[];
}

/**
 * The handoff form, with the user's values, a message at each wrong field and
 * the quality hints. With `editing`, it edits a posted handoff (no people fields).
 */
export function handoffFormCard(input: {
  formId: string;
  members: readonly Person[];
  values?: Partial<HandoffFormInput>;
  errors?: FieldErrors;
  message?: string;
  hints?: string[];
  editing?: { handoffId: string; version: number };
}): AdaptiveCard {
  const values = Object.fromEntries(FORM_FIELDS.map((f) => [f, input.values?.[f] ?? ''])) as Record<FormField, string>;
  values.workState ||= 'ready';
  values.priority ||= 'normal';
  const data: HandoffFormData = {
    formId: input.formId,
    title: input.editing ? `Edit handoff (becomes version ${input.editing.version + 1})` : 'New handoff',
    subtitle: input.editing
      ? 'The receiver sees what changed. Fields marked * are required.'
      : 'Hand work to someone without a meeting. Fields marked * are required.',
    editing: input.editing !== undefined,
    handoffId: input.editing?.handoffId ?? '',
    values,
    errors: Object.fromEntries(FORM_FIELDS.map((f) => [f, input.errors?.[f] ?? ''])) as Record<FormField, string>,
    message: input.message ?? '',
    hints: input.hints ?? [],
    members: input.members.map(({ name, aadObjectId }) => ({ name, aadObjectId })),
  };
  return renderCard(formTemplate, data);
}

/** The form's values for a posted handoff, for editing it. */
export function formValuesOf(handoff: Handoff): Partial<HandoffFormInput> {
  return {
    summary: handoff.summary,
    whatIsReady: handoff.whatIsReady,
    acceptanceCriteria: handoff.acceptanceCriteria.join('\n'),
    assumptions: handoff.assumptions,
    links: handoff.links.join('\n'),
    effort: handoff.effortMinutes === undefined ? '' : formatEffort(handoff.effortMinutes),
    workState: handoff.workState,
    blocker: handoff.blocker,
    neededBy: handoff.neededBy ?? '',
    priority: handoff.priority,
  };
}

const STATUS_TEXT: Record<Status, { text: string; color: string }> = {
  inReview: { text: 'In review', color: 'Accent' },
  questionAsked: { text: 'Question asked', color: 'Warning' },
  changesRequested: { text: 'Changes requested', color: 'Warning' },
  accepted: { text: 'Accepted', color: 'Good' },
  closed: { text: 'Closed', color: 'Default' },
  cancelled: { text: 'Cancelled', color: 'Default' },
};

const WORK_STATE_TEXT: Record<WorkState, string> = { ready: 'Ready', inProgress: 'In progress', blocked: 'Blocked' };

const EVENT_WORDS: Record<HandoffEvent['type'], string> = {
  posted: 'posted the handoff',
  accepted: 'accepted it',
  changesRequested: 'requested changes',
  questionAsked: 'asked a question',
  answered: 'answered',
  resubmitted: 'resubmitted',
  workStateChanged: 'changed the work state',
  cancelled: 'cancelled it',
  reassigned: 'reassigned it',
  nudged: 'nudged',
  closed: 'closed it',
  priorityFlagged: 'flagged a priority change',
};

/** Teams auto-refreshes a card for at most 60 listed users. */
export const MAX_REFRESH_USERS = 60;
/** The owner's "Reassign to" list: beyond this the card grows past what Teams shows well; the people picker searches the rest. */
export const MAX_REASSIGN_CHOICES = 50;

type Can = Record<ActionType, boolean>;

export interface HandoffCardData {
  id: string;
  headerText: string;
  summary: string;
  statusText: string;
  statusColor: string;
  priority: string;
  priorityText: string;
  workState: WorkState;
  workStateText: string;
  blocker: string;
  effortText: string;
  neededByText: string;
  whatIsReady: string;
  criteria: { text: string; mark: string }[];
  assumptions: string;
  links: string[];
  sender: Person;
  receiver: Person;
  owner: Person;
  stakeholderNames: string;
  receiverTime: string;
  lateText: string;
  changesText: string;
  /** RFC 3339 without fractions, the form the card's DATE() and TIME() functions read. */
  createdAt: string;
  /** Questions, answers, decisions and endings, oldest first. */
  remarks: { title: string; text: string; style: string }[];
  notice: string;
  can: Can;
  members: { name: string; aadObjectId: string }[];
  nudgeTitle: string;
  showHistory: boolean;
  historyTitle: string;
  history: { when: string; who: string; what: string }[];
  /** Teams refreshes the card for these users, so each sees the view of their role. */
  refreshUserIds: string[];
}

export interface ViewOptions {
  /** A one-line explanation shown on the card (why an action changed nothing). */
  notice?: string;
  /** Conversation members, for the owner's "Reassign to" list. */
  members?: readonly Person[];
  /** The history to show; omitted, the card shows none. */
  history?: readonly HandoffEvent[];
  /** The viewer's IANA time zone for the history's times (UTC when unknown). */
  timeZone?: string;
  /** The receiver's local time, shown when it differs from the viewer's. */
  receiverTime?: string;
}

/** Formats an instant in a time zone, falling back to UTC for a zone the runtime does not know. */
export function formatInstant(iso: string, timeZone = 'UTC'): string {
  const options: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' };
  try {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat('en-GB', { ...options, timeZone: 'UTC' }).format(new Date(iso));
  }
}

function remarksOf(handoff: Handoff, timeZone: string | undefined): HandoffCardData['remarks'] {
  const at = (iso: string) => formatInstant(iso, timeZone);
  const remarks: (HandoffCardData['remarks'][number] & { at: string })[] = [];
  if (handoff.question) remarks.push({ at: handoff.question.at, title: `${handoff.question.by.name} asked (${at(handoff.question.at)})`, text: handoff.question.text, style: 'emphasis' });
  if (handoff.answer) remarks.push({ at: handoff.answer.at, title: `${handoff.answer.by.name} answered (${at(handoff.answer.at)})`, text: handoff.answer.text, style: 'emphasis' });
  const { decision, ending } = handoff;
  if (decision) {
    const verb = decision.status === 'accepted' ? 'Accepted' : 'Changes requested';
    remarks.push({ at: decision.at, title: `${verb} by ${decision.by.name} (${at(decision.at)})`, text: decision.text, style: decision.status === 'accepted' ? 'good' : 'warning' });
  }
  if (ending) {
    const verb = handoff.status === 'closed' ? 'Closed' : 'Cancelled';
    remarks.push({ at: ending.at, title: `${verb} by ${ending.by.name} (${at(ending.at)})`, text: ending.text, style: 'emphasis' });
  }
  return remarks.sort((a, b) => a.at.localeCompare(b.at)).map(({ at: _, ...r }) => r);
}

/**
 * The handoff card as one viewer sees it: every section and button follows
 * from what the viewer may do now ({@link allowedActions}), the same rules the
 * server checks when the button is clicked.
 * @param viewer the person looking, or undefined for the shared view posted to everyone
 */
export function handoffCard(handoff: Handoff, viewer: Person | undefined, options: ViewOptions = {}): AdaptiveCard {
  const allowed = viewer ? allowedActions(handoff, viewer.aadObjectId) : new Set<ActionType>();
  const can = Object.fromEntries(ACTION_TYPES.map((a) => [a, allowed.has(a)])) as Can;
  const decidedChecks = handoff.decision?.status === 'accepted' ? handoff.decision.checked : [];
  const holder = ballHolder(handoff);
  const refreshUserIds = participants(handoff).map((p) => p.userId).filter((id, i, all) => all.indexOf(id) === i).slice(0, MAX_REFRESH_USERS);
  const data: HandoffCardData = {
    id: handoff.id,
    headerText: handoff.version > 1 ? `Handoff · version ${handoff.version}` : 'Handoff',
    summary: handoff.summary,
    statusText: STATUS_TEXT[handoff.status].text,
    statusColor: STATUS_TEXT[handoff.status].color,
    priority: handoff.priority,
    priorityText: handoff.priority === 'normal' ? '' : handoff.priority === 'high' ? 'High priority' : 'Urgent',
    workState: handoff.workState,
    workStateText: WORK_STATE_TEXT[handoff.workState],
    blocker: handoff.workState === 'blocked' ? handoff.blocker : '',
    effortText: handoff.effortMinutes === undefined ? 'Not estimated' : formatEffort(handoff.effortMinutes),
    neededByText: handoff.neededBy ?? 'No date',
    whatIsReady: handoff.whatIsReady,
    criteria: handoff.acceptanceCriteria.map((text, i) => ({ text, mark: decidedChecks[i] ? '☑' : '☐' })),
    assumptions: handoff.assumptions,
    links: handoff.links,
    sender: handoff.sender,
    receiver: handoff.receiver,
    owner: handoff.owner,
    stakeholderNames: handoff.stakeholders.map((p) => p.name).join(', '),
    receiverTime: options.receiverTime ?? '',
    lateText: handoff.late
      ? `Late: posted with less than ${handoff.effortMinutes === undefined ? 'the needed' : formatEffort(handoff.effortMinutes)} of ${handoff.receiver.name}'s working time before ${handoff.neededBy}.`
      : '',
    changesText: handoff.version > 1 && handoff.changes.length > 0 ? `Changed in version ${handoff.version}: ${handoff.changes.join(', ')}.` : '',
    createdAt: handoff.createdAt.replace(/\.\d+Z$/, 'Z'),
    remarks: remarksOf(handoff, options.timeZone),
    notice: options.notice ?? '',
    can,
    members: (options.members ?? [])
      .filter((m) => m.aadObjectId !== handoff.receiver.aadObjectId)
      .slice(0, MAX_REASSIGN_CHOICES)
      .map(({ name, aadObjectId }) => ({ name, aadObjectId })),
    nudgeTitle: holder && can.nudge ? `Nudge ${holder.name}` : 'Nudge',
    showHistory: options.history !== undefined,
    historyTitle: options.history !== undefined ? 'Hide history' : 'Show history',
    history: (options.history ?? []).map((e) => ({
      when: formatInstant(e.at, options.timeZone),
      who: e.actor.name,
      what: `${EVENT_WORDS[e.type]}${e.detail ? ` (${e.detail})` : ''}${e.comment ? `: "${e.comment}"` : ''}`,
    })),
    refreshUserIds,
  };
  return renderCard(handoffTemplate, data);
}
