/**
 * The handoff's cards: the form, and the handoff as each viewer sees it.
 * Each card is a template from cards/ and the typed data built here.
 */
import formTemplate from '../../cards/handoff-form.json';
import handoffTemplate from '../../cards/handoff.json';
import { formatEffort } from '../domain/effort';
import { dueClause, dueView, escalateAt, neededByPassed } from '../domain/due';
import {
  ASSUMPTIONS_MAX,
  BLOCKER_MAX,
  CRITERIA_MAX,
  CRITERION_MAX,
  type FieldErrors,
  type FormField,
  type HandoffFormInput,
  LINK_MAX,
  LINKS_MAX,
  READY_MAX,
  STAKEHOLDERS_MAX,
  SUMMARY_MAX,
} from '../domain/handoff-form';
import {
  ballHolder,
  type Handoff,
  type HandoffEvent,
  isBlocked,
  participants,
  type Person,
  STATUS,
  WORK_STATE_LABELS,
  type WorkState,
} from '../domain/handoff';
import { ACTION_TYPES, type ActionType, allowedActions, MAX_COMMENT_LENGTH, nudgeAgainAt } from '../domain/process';
import { formatDay, formatWhen } from '../domain/time-format';
import { type AdaptiveCard, renderCard } from './render';
import { type FormTemplate, type FormTemplateData, formTemplateData, stampLines } from './template-cards';

export const FORM_FIELDS: readonly FormField[] = [
  'summary',
  'whatIsReady',
  'acceptanceCriteria',
  'assumptions',
  'links',
  'effort',
  'workState',
  'blocker',
  'neededBy',
  'receiver',
  'owner',
  'stakeholders',
  'priority',
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
  /** The change request a new version answers, on top of the edit form; empty title for none. */
  banner: { title: string; text: string };
  /** The conversation's templates to start from (issue 26), and the one in use with its checklist. */
  templates: { id: string; name: string }[];
  template: FormTemplateData;
  /** Each field's cap, as the labels state it ("1,500"). */
  limits: Record<'summary' | 'whatIsReady' | 'criteria' | 'criterion' | 'assumptions' | 'links' | 'blocker' | 'stakeholders', string>;
}

/**
 * The chat members each people picker lists before anyone types; typing
 * searches the organisation (Teams' people picker), so a large chat is not
 * listed three times over in one message.
 */
const FORM_MEMBERS_MAX = 12;

/** The caps of the free-text fields, to bound what a refused form echoes back. */
const TEXT_CAPS: Partial<Record<FormField, number>> = {
  summary: SUMMARY_MAX,
  whatIsReady: READY_MAX,
  acceptanceCriteria: CRITERIA_MAX * (CRITERION_MAX + 1),
  assumptions: ASSUMPTIONS_MAX,
  links: LINKS_MAX * (LINK_MAX + 1),
  blocker: BLOCKER_MAX,
};

/** 12000 -> "12,000", as en-US writes it (without starting Intl's number formatting at load). */
const withThousands = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ',');

/** What the form's labels say of each field's cap: the same numbers the rules check. */
const FORM_LIMITS: HandoffFormData['limits'] = Object.fromEntries(
  Object.entries({
    summary: SUMMARY_MAX,
    whatIsReady: READY_MAX,
    criteria: CRITERIA_MAX,
    criterion: CRITERION_MAX,
    assumptions: ASSUMPTIONS_MAX,
    links: LINKS_MAX,
    blocker: BLOCKER_MAX,
    stakeholders: STAKEHOLDERS_MAX,
  }).map(([field, cap]) => [field, withThousands(cap)]),
) as HandoffFormData['limits'];

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
  /** Editing a posted handoff; `banner` is the change request its next version answers. */
  editing?: { handoffId: string; version: number; banner?: { title: string; text: string } };
  /** The conversation's templates to choose from, and the one in use (issue 26). */
  templates?: readonly { id: string; name: string }[];
  template?: FormTemplate;
}): AdaptiveCard {
  // A value far over its cap comes back cut to twice the cap (its error says the limit): enough to edit, never a message Teams refuses.
  const echo = (field: FormField, value: string) => (TEXT_CAPS[field] !== undefined ? value.slice(0, 2 * TEXT_CAPS[field]) : value);
  const values = Object.fromEntries(FORM_FIELDS.map((f) => [f, echo(f, input.values?.[f] ?? '')])) as Record<FormField, string>;
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
    members: input.members.slice(0, FORM_MEMBERS_MAX).map(({ name, aadObjectId }) => ({ name, aadObjectId })),
    banner: input.editing?.banner ?? { title: '', text: '' },
    templates: (input.templates ?? []).map(({ id, name }) => ({ id, name })),
    template: formTemplateData(input.template),
    limits: FORM_LIMITS,
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

/**
 * A status shows as a pill: the host config's container style as the fill,
 * its own default text colour on it. Coloured text on the card's background
 * would not do: Teams' light theme draws "warning" text #f8d22a on white
 * (1.5:1). Every text on the card keeps 4.5:1 in Teams' light and dark host
 * configs; the card tests compute the ratios.
 */

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
  overdue: 'sent an overdue nudge',
  escalated: 'told the owner',
  neededByPassed: 'told the owner the needed-by date passed',
};

/** Teams auto-refreshes a card for at most 60 listed users. */
export const MAX_REFRESH_USERS = 60;

/** Whom Teams refreshes a handoff's card for, so each sees the view of their role: everyone on it, once each. */
export function refreshUserIdsOf(handoff: Pick<Handoff, 'sender' | 'receiver' | 'owner' | 'stakeholders'>): string[] {
  return [...new Set(participants(handoff).map((p) => p.userId))].slice(0, MAX_REFRESH_USERS);
}
/** The owner's "Hand it to" list: the people picker searches the organisation beyond it. */
const MAX_REASSIGN_CHOICES = 10;
/** The history shows the newest events; older ones are counted, not listed, so the card stays inside Teams' size. */
const HISTORY_SHOWN = 8;
/** In the history a comment is cut here; the card's remarks show the latest in full. */
const HISTORY_COMMENT = 60;
/** "What is ready" shows this many lines (or characters) before "Show more". */
const READY_PREVIEW_LINES = 4;
const READY_PREVIEW_CHARS = 280;
/** A link reads as its host and path, cut here; the whole URL is what opens. */
const LINK_LABEL = 70;

type Can = Record<ActionType, boolean>;

interface Alert {
  style: 'warning' | 'attention' | 'accent' | 'emphasis' | 'good';
  title: string;
  text: string;
}

export interface HandoffCardData {
  id: string;
  headerText: string;
  summary: string;
  statusText: string;
  statusStyle: string;
  priority: string;
  priorityText: string;
  /** Whose turn it is and when it is due, in one line; it mentions the receiver while the receiver holds the ball; in an 'attention' box once overdue. */
  turn: { text: string; mention: boolean; style: string };
  /** The people mentioned in the card's text (Teams refuses a mention entity with no text that shows it). */
  mentions: { name: string; userId: string }[];
  sender: Person;
  owner: Person;
  stakeholderNames: string;
  receiverTime: string;
  /** Late, blocked, the change request a new version answers, a priority flag, the last nudge: each one line, only when it applies. */
  alerts: Alert[];
  /** Only rows with something to say. */
  facts: { title: string; value: string }[];
  readyPreview: string;
  /** The rest of "What is ready", behind "Show more"; '' when the preview is all of it. */
  readyMore: string;
  criteria: { text: string; mark: string; value: 'true' | 'false' }[];
  assumptions: string;
  links: { label: string; url: string }[];
  /** "Show details (assumptions, 3 links)"; '' when there are none. */
  detailsTitle: string;
  /** Questions, answers, decisions and endings that still matter, oldest first. */
  remarks: { title: string; text: string; style: string }[];
  notice: string;
  can: Can;
  members: { name: string; aadObjectId: string }[];
  /** The owner's Nudge: shown while it can be used, and (disabled, saying when) in the hour after a nudge. */
  nudge: { show: boolean; enabled: boolean; title: string };
  resubmitStyle: string;
  workState: WorkState;
  workStateText: string;
  blocker: string;
  blockTitle: string;
  comment: string;
  commentMax: number;
  blockerMax: number;
  showHistory: boolean;
  historyTitle: string;
  history: { when: string; who: string; what: string }[];
  olderEvents: string;
  /** The template it was posted from and the checklist its sender ticked (issue 26); '' and none without one. */
  templateLine: string;
  templateChecklist: string[];
  /** Teams refreshes the card for these users, so each sees the view of their role. */
  refreshUserIds: string[];
}

export interface ViewOptions {
  /** A one-line explanation shown on the card (why an action changed nothing). */
  notice?: string;
  /** Conversation members, for the owner's "Hand it to" list. */
  members?: readonly Person[];
  /** The history to show; omitted, the card shows none. */
  history?: readonly HandoffEvent[];
  /** The viewer's IANA time zone (UTC, said so, when unknown). */
  timeZone?: string;
  /** The receiver's local time, shown when it differs from the viewer's. */
  receiverTime?: string;
  /** What a refused Accept sent, so the receiver's ticks and note come back as they were. */
  draft?: { checked: readonly boolean[]; comment: string };
  /** Baton's now, for relative times and time-bound rules (a second nudge too soon); required where a card is drawn. */
  now?: Date;
}

/**
 * The turn line with its due clause: "..., this handoff is for you to review
 * · due Thu 4 Dec, 10:00 (in 3h 10m of Grace's working time)." The working
 * time left is given only in a viewer's own view, which Teams renders when
 * it is seen; the shared card says the due time alone, which stays true.
 */
function turnWithDue(handoff: Handoff, when: (iso: string) => string, now: Date, perViewer: boolean): HandoffCardData['turn'] {
  if (isBlocked(handoff)) return blockedTurn(handoff, when);
  const turn = turnOf(handoff, when);
  const view = dueView(handoff, now);
  if (!view) return { ...turn, style: 'default' };
  return {
    text: `${turn.text.replace(/\.$/, '')} · ${dueClause(view, when, perViewer)}.`,
    mention: turn.mention,
    style: view.state === 'due' ? 'default' : 'attention',
  };
}

/**
 * Blocked means blocked: the review waits, and the line names who is on it
 * and when the owner hears of it. "Blocked: waiting for finance to grant read
 * access. Ada Lovelace (sender) is on it; Alan Turing (owner) is told if it
 * is still blocked on Tue 8 Dec, 10:00."
 */
function blockedTurn(handoff: Handoff, when: (iso: string) => string): HandoffCardData['turn'] {
  const { sender, owner, clock } = handoff;
  const blocker = handoff.blocker.replace(/[.\s]+$/, '');
  const senderOwns = sender.aadObjectId === owner.aadObjectId;
  const onIt = `${sender.name} (${senderOwns ? 'sender and owner' : 'sender'}) is on it`;
  const watch =
    !clock || clock.step !== 'unblock'
      ? ''
      : senderOwns
        ? `; unblocking it is due ${when(clock.dueAt)}`
        : clock.level === 2
          ? `; it is escalated to ${owner.name} (owner)`
          : `; ${owner.name} (owner) is told if it is still blocked on ${when(new Date(escalateAt(clock)).toISOString())}`;
  return { text: `Blocked: ${blocker}. ${onIt}${watch}.`, mention: false, style: 'attention' };
}

/** Whose turn it is, in one line. */
function turnOf(handoff: Handoff, when: (iso: string) => string): Omit<HandoffCardData['turn'], 'style'> {
  const { receiver, sender, owner, decision, ending, question } = handoff;
  switch (handoff.status) {
    case 'inReview':
      return { text: `<at>${receiver.name}</at>, this handoff is for you to review.`, mention: true };
    case 'questionAsked':
      return { text: `Waiting on ${sender.name} to answer ${question?.by.name ?? receiver.name}'s question.`, mention: false };
    case 'changesRequested':
      return {
        text: `Waiting on ${sender.name} to make the changes ${decision?.by.name ?? receiver.name} asked for and resubmit.`,
        mention: false,
      };
    case 'accepted':
      return { text: `Accepted by ${decision?.by.name ?? receiver.name}. Waiting on ${owner.name} (owner) to close it.`, mention: false };
    case 'closed':
      return { text: `Closed by ${ending?.by.name ?? owner.name} on ${when(ending?.at ?? handoff.updatedAt)}.`, mention: false };
    case 'cancelled':
      return { text: `Cancelled by ${ending?.by.name ?? sender.name} on ${when(ending?.at ?? handoff.updatedAt)}.`, mention: false };
  }
}

/** "and" between the last two: "added one criterion and changed the summary". */
function sentence(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function alertsOf(handoff: Handoff, when: (iso: string) => string, now: Date): Alert[] {
  const alerts: Alert[] = [];
  if (handoff.late) {
    const effort = handoff.effortMinutes === undefined ? 'the needed time' : formatEffort(handoff.effortMinutes);
    alerts.push({
      style: 'warning',
      title: 'Late: ',
      text: `posted with less than ${effort} of the receiver's working time before ${handoff.neededBy ? formatDay(handoff.neededBy, now) : 'the date'}.`,
    });
  }
  const request = handoff.changeRequest;
  // On a new version the receiver checks it against what she asked: the request stays until the next decision.
  if (request && handoff.version > request.version && handoff.status === 'inReview') {
    alerts.push({
      style: 'emphasis',
      title: `${request.by.name} asked for changes to version ${request.version} (${when(request.at)}): `,
      text: request.text,
    });
  }
  if (handoff.version > 1 && handoff.changes.length > 0 && handoff.status === 'inReview') {
    alerts.push({ style: 'accent', title: `What changed in version ${handoff.version}: `, text: `${sentence(handoff.changes)}.` });
  }
  const flag = handoff.priorityFlag;
  if (flag && flag.to === handoff.priority && handoff.priority !== 'normal' && !STATUS[handoff.status].final) {
    alerts.push({ style: 'attention', title: `${flag.by.name} flagged the priority ${flag.to} (${when(flag.at)}): `, text: flag.text });
  }
  const nudge = handoff.lastNudge;
  // Only a nudge of the step now running: once the ball moved on (an answer, an Accept), it is history.
  if (nudge && ballHolder(handoff)?.aadObjectId === nudge.to.aadObjectId && (!handoff.clock || nudge.at >= handoff.clock.runStartedAt)) {
    alerts.push(
      nudge.reached
        ? { style: 'emphasis', title: `Nudged ${nudge.to.name} `, text: `on ${when(nudge.at)}.` }
        : {
            style: 'warning',
            title: `${nudge.to.name} has not installed Baton: `,
            text: `they were not told of the nudge on ${when(nudge.at)}.`,
          },
    );
  }
  // Escalated to an owner Baton could not write to: the card says so, as for a nudge.
  if (handoff.clock?.level === 2 && handoff.clock.ownerReached === false && !STATUS[handoff.status].final)
    alerts.push({
      style: 'warning',
      title: `${handoff.owner.name} has not installed Baton: `,
      text: 'they were not told of the escalation.',
    });
  return alerts;
}

/**
 * Questions, answers, decisions and endings that still matter, oldest first:
 * a question and its answer until the next decision (the history keeps the
 * rest), the decision, and why it ended.
 */
function remarksOf(handoff: Handoff, when: (iso: string) => string): HandoffCardData['remarks'] {
  const remarks: (HandoffCardData['remarks'][number] & { at: string })[] = [];
  const { question, answer, decision, ending, changeRequest } = handoff;
  const decidedAt = [decision?.at, changeRequest?.at]
    .filter((at): at is string => at !== undefined)
    .sort()
    .at(-1);
  const current = question && (!decidedAt || question.at > decidedAt);
  if (question && current)
    remarks.push({ at: question.at, title: `${question.by.name} asked (${when(question.at)})`, text: question.text, style: 'emphasis' });
  if (answer && question && current && answer.at >= question.at)
    remarks.push({ at: answer.at, title: `${answer.by.name} answered (${when(answer.at)})`, text: answer.text, style: 'emphasis' });
  if (decision) {
    const verb = decision.status === 'accepted' ? 'Accepted' : 'Changes requested';
    remarks.push({
      at: decision.at,
      title: `${verb} by ${decision.by.name} (${when(decision.at)})`,
      text: decision.text,
      style: decision.status === 'accepted' ? 'good' : 'warning',
    });
  }
  if (ending && ending.text !== '') {
    remarks.push({
      at: ending.at,
      title: handoff.status === 'closed' ? 'Closing note' : 'Why it was cancelled',
      text: ending.text,
      style: 'emphasis',
    });
  }
  return remarks.sort((a, b) => a.at.localeCompare(b.at)).map(({ at: _, ...r }) => r);
}

/** The first lines of "What is ready", and the rest. */
function splitReady(text: string): { readyPreview: string; readyMore: string } {
  const lines = text.split('\n');
  let preview = lines.slice(0, READY_PREVIEW_LINES).join('\n');
  if (preview.length > READY_PREVIEW_CHARS) {
    const cut = preview.lastIndexOf(' ', READY_PREVIEW_CHARS);
    preview = preview.slice(0, cut > READY_PREVIEW_CHARS / 2 ? cut : READY_PREVIEW_CHARS);
  }
  const rest = text.slice(preview.length).replace(/^[ \n]+/, '');
  return { readyPreview: preview, readyMore: rest };
}

/** "github.com/contoso/payments/pull/42" for https://github.com/contoso/payments/pull/42. */
function linkLabel(url: string): string {
  try {
    const { host, pathname, search } = new URL(url);
    const label = `${host}${pathname === '/' ? '' : pathname}${search}`;
    return label.length > LINK_LABEL ? `${label.slice(0, LINK_LABEL - 1)}…` : label;
  } catch {
    return url.slice(0, LINK_LABEL);
  }
}

function detailsTitleOf(handoff: Handoff): string {
  const parts = [
    handoff.assumptions !== '' ? 'assumptions' : '',
    handoff.links.length > 0 ? `${handoff.links.length} link${handoff.links.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? `Show details (${parts.join(', ')})` : '';
}

function historyOf(events: readonly HandoffEvent[], when: (iso: string) => string): Pick<HandoffCardData, 'history' | 'olderEvents'> {
  const shown = events.slice(-HISTORY_SHOWN);
  const older = events.length - shown.length;
  return {
    history: shown.map((e) => {
      const comment = e.comment.length > HISTORY_COMMENT ? `${e.comment.slice(0, HISTORY_COMMENT - 1)}…` : e.comment;
      return {
        when: when(e.at),
        who: e.actor.name,
        what: `${EVENT_WORDS[e.type]}${e.detail ? ` (${e.detail})` : ''}${comment ? `: "${comment}"` : ''}`,
      };
    }),
    olderEvents: older > 0 ? `${older} earlier event${older === 1 ? '' : 's'} not shown.` : '',
  };
}

function nudgeButton(
  handoff: Handoff,
  viewer: Person | undefined,
  can: Can,
  when: (iso: string) => string,
  now: Date,
): Pick<HandoffCardData, 'nudge'> {
  const holder = ballHolder(handoff);
  if (can.nudge) return { nudge: { show: true, enabled: true, title: holder ? `Nudge ${holder.name}` : 'Nudge' } };
  const again = viewer && nudgeAgainAt(handoff, viewer.aadObjectId, now.toISOString());
  return { nudge: { show: again !== undefined, enabled: false, title: again ? `Nudge again after ${when(again)}` : '' } };
}

/**
 * The handoff card as one viewer sees it: every section and button follows
 * from what the viewer may do now ({@link allowedActions}), the same rules the
 * server checks when the button is clicked.
 * @param viewer the person looking, or undefined for the shared view posted to everyone
 */
export function handoffCard(handoff: Handoff, viewer: Person | undefined, options: ViewOptions & { now: Date }): AdaptiveCard {
  const now = options.now;
  const when = (iso: string) => formatWhen(iso, options.timeZone, now);
  const allowed = viewer ? allowedActions(handoff, viewer.aadObjectId, now.toISOString()) : new Set<ActionType>();
  const can = Object.fromEntries(ACTION_TYPES.map((a) => [a, allowed.has(a)])) as Can;
  const decidedChecks = handoff.decision?.status === 'accepted' ? handoff.decision.checked : [];
  const turn = turnWithDue(handoff, when, now, viewer !== undefined);
  const final = STATUS[handoff.status].final;
  const refreshUserIds = refreshUserIdsOf(handoff);
  const facts = [
    { title: 'Work state', value: WORK_STATE_LABELS[handoff.workState] },
    ...(handoff.effortMinutes === undefined ? [] : [{ title: 'Effort', value: formatEffort(handoff.effortMinutes) }]),
    ...(handoff.neededBy === undefined
      ? []
      : [
          {
            title: 'Needed by',
            value: `${formatDay(handoff.neededBy, now)}${STATUS[handoff.status].open && neededByPassed(handoff, now) ? ' (passed)' : ''}`,
          },
        ]),
    { title: 'Posted', value: when(handoff.createdAt) },
  ];
  const data: HandoffCardData = {
    id: handoff.id,
    headerText: handoff.version > 1 ? `Handoff · version ${handoff.version}` : 'Handoff',
    summary: handoff.summary,
    statusText: STATUS[handoff.status].label,
    statusStyle: STATUS[handoff.status].style,
    priority: handoff.priority,
    // Once closed or cancelled, how urgent it was no longer matters.
    priorityText: final || handoff.priority === 'normal' ? '' : handoff.priority === 'high' ? 'High priority' : 'Urgent',
    turn,
    mentions: turn.mention ? [{ name: handoff.receiver.name, userId: handoff.receiver.userId }] : [],
    sender: handoff.sender,
    owner: handoff.owner,
    stakeholderNames: handoff.stakeholders.map((p) => p.name).join(', '),
    receiverTime: final ? '' : (options.receiverTime ?? ''),
    alerts: alertsOf(handoff, when, now),
    facts,
    ...splitReady(handoff.whatIsReady),
    criteria: handoff.acceptanceCriteria.map((text, i) => ({
      text,
      mark: decidedChecks[i] ? '☑' : '☐',
      value: options.draft?.checked[i] ? 'true' : 'false',
    })),
    assumptions: handoff.assumptions,
    links: handoff.links.map((url) => ({ label: linkLabel(url), url })),
    detailsTitle: detailsTitleOf(handoff),
    remarks: remarksOf(handoff, when),
    notice: options.notice ?? '',
    can,
    members: (options.members ?? [])
      .filter((m) => m.aadObjectId !== handoff.receiver.aadObjectId)
      .slice(0, MAX_REASSIGN_CHOICES)
      .map(({ name, aadObjectId }) => ({ name, aadObjectId })),
    ...nudgeButton(handoff, viewer, can, when, now),
    resubmitStyle: handoff.status === 'changesRequested' ? 'positive' : 'default',
    workState: handoff.workState,
    workStateText: WORK_STATE_LABELS[handoff.workState],
    blocker: handoff.workState === 'blocked' ? handoff.blocker : '',
    blockTitle: handoff.workState === 'blocked' ? 'Change the blocker' : 'Mark blocked',
    comment: options.draft?.comment ?? '',
    commentMax: MAX_COMMENT_LENGTH,
    blockerMax: BLOCKER_MAX,
    showHistory: options.history !== undefined,
    historyTitle: options.history !== undefined ? 'Hide history' : 'Show history',
    ...historyOf(options.history ?? [], when),
    ...stampLines(handoff),
    refreshUserIds,
  };
  return renderCard(handoffTemplate, data);
}
