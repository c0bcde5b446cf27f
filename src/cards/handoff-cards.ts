/**
 * The handoff's cards: the form, and the handoff as each viewer sees it.
 * Each card is a template from cards/ and the typed data built here.
 */
import formTemplate from '../../cards/handoff-form.json';
import handoffTemplate from '../../cards/handoff.json';
import { formatEffort } from '../domain/effort';
import { absenceAt } from '../domain/away';
import { dueView, escalateAt, neededByPassed } from '../domain/due';
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
  PRIORITY_LABELS,
  STATUS,
  WORK_STATE_LABELS,
  type WorkState,
} from '../domain/handoff';
import { ACTION_TYPES, type ActionType, allowedActions, MAX_COMMENT_LENGTH, nudgeAgainAt } from '../domain/process';
import { asWorkingTime, formatDay, formatWhen, formatWorkingTime, workingTimeOf } from '../domain/time-format';
import { cardDate, cardInstant } from './card-time';
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

/** The fields behind "More fields": the form asks for the rest first. */
const MORE_FIELDS: readonly FormField[] = ['workState', 'blocker', 'owner', 'stakeholders', 'priority', 'assumptions'];

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
  /** Who on it is away while the review runs, each with their successor offered in one click ('' offer for none). */
  away: FormAway[];
  members: { name: string; aadObjectId: string }[];
  /** The change request a new version answers, on top of the edit form; empty title for none. */
  banner: { title: string; text: string };
  /** The optional fields wait behind "More fields" unless one of them has something to show (a value, an error). */
  moreOpen: boolean;
  /** "owner, stakeholders, priority, work state, assumptions". */
  moreTitle: string;
  /** The conversation's templates to start from (issue 26), and the one in use with its checklist. */
  templates: { id: string; name: string }[];
  template: FormTemplateData;
  /** Each field's cap, as the labels state it ("1,500"). */
  limits: Record<'summary' | 'whatIsReady' | 'criteria' | 'criterion' | 'assumptions' | 'links' | 'blocker' | 'stakeholders', string>;
}

/** One person on a form who is away while the review would run: what the form says, and their successor to pick instead. */
export interface FormAway {
  text: string;
  /** "Hand it to Alan Turing instead"; '' with nobody to offer. */
  offer: string;
  /** The successor's id in the field it replaces; '' in the other. */
  useReceiver: string;
  useOwner: string;
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
  away?: FormAway[];
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
  const errors = Object.fromEntries(FORM_FIELDS.map((f) => [f, input.errors?.[f] ?? ''])) as Record<FormField, string>;
  const data: HandoffFormData = {
    formId: input.formId,
    title: input.editing ? `Edit handoff (becomes version ${input.editing.version + 1})` : 'New handoff',
    subtitle: input.editing
      ? 'The receiver sees what changed. Fields marked * are required.'
      : 'Hand work to someone without a meeting. Fields marked * are required.',
    editing: input.editing !== undefined,
    handoffId: input.editing?.handoffId ?? '',
    values,
    errors,
    message: input.message ?? '',
    hints: input.hints ?? [],
    away: input.away ?? [],
    members: input.members.slice(0, FORM_MEMBERS_MAX).map(({ name, aadObjectId }) => ({ name, aadObjectId })),
    banner: input.editing?.banner ?? { title: '', text: '' },
    moreOpen: MORE_FIELDS.some(
      (f) =>
        errors[f] !== '' ||
        (values[f] !== '' && !(f === 'workState' && values[f] === 'ready') && !(f === 'priority' && values[f] === 'normal')),
    ),
    moreTitle: input.editing ? 'Work state, priority, assumptions' : 'Owner, stakeholders, priority, work state, assumptions',
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
/** "What is ready" shows this much on the card (at a word); the rest is behind "Show details". */
const READY_PREVIEW_CHARS = 100;
/** A remark (a question, an answer, a decision) shows this much; the whole is in the history and behind "Show details". */
const REMARK_PREVIEW_CHARS = 120;
/** A link reads as its host and path, cut here; the whole URL is what opens. */
const LINK_LABEL = 70;

type Can = Record<ActionType, boolean>;

/** A line of the card in bold and plain, with its instant when it has one (a TextBlock of its own, for DATE and TIME). */
interface Note {
  title: string;
  text: string;
  when: string;
}

export interface HandoffCardData {
  id: string;
  summary: string;
  /** "In review", "In review · v2". */
  statusText: string;
  statusStyle: string;
  /** The priority, for a stakeholder's Flag priority choice. */
  priority: string;
  /**
   * Whose turn it is, in one line (`text`, names as text runs; the receiver
   * mentioned while the review waits on them), and when (`when`, a TextBlock
   * of Baton's words and DATE/TIME); an attention box when it is blocked,
   * overdue or escalated.
   */
  turn: { text: string; mention: boolean; style: string; when: string };
  /** At most one more attention box, the most severe fact the turn line does not already say. */
  attention: { style: string; title: string; text: string };
  /** The people mentioned in the card's text (Teams refuses a mention entity with no text that shows it). */
  mentions: { name: string; userId: string }[];
  /** Names, "you" for the viewer. */
  people: { sender: string; receiver: string; owner: string };
  /** The local time of whoever holds the ball, when it differs from the viewer's. */
  holderTime: string;
  /** "Ready · effort 4 h · needed by Fri 11 Dec · posted {{DATE}} {{TIME}}". */
  factsLine: string;
  /** The other attention facts, and what a new version answers, one line each. */
  notes: Note[];
  readyPreview: string;
  /** The rest of "What is ready", behind "Show details"; '' when the preview is all of it. */
  readyMore: string;
  criteria: { text: string; mark: string; value: 'true' | 'false' }[];
  /** Questions, answers, decisions and endings that still matter, oldest first. */
  /** "Grace Hopper asked: ...", the first 120 characters (the history has them whole, with when). */
  remarks: { title: string; text: string }[];
  assumptions: string;
  links: { label: string; url: string }[];
  stakeholderNames: string;
  /** A closed or cancelled handoff is one line: its content waits behind "Show details" too. */
  compact: boolean;
  /** What "Show details" and "Hide details" toggle. */
  detailsTargets: string[];
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
  /** The viewer's IANA time zone, for what Baton must write itself (a date); instants are the client's. */
  timeZone?: string;
  /** The local time of whoever holds the ball, shown when it differs from the viewer's. */
  holderTime?: string;
  /** What a refused Accept sent, so the receiver's ticks and note come back as they were. */
  draft?: { checked: readonly boolean[]; comment: string };
  /** Baton's now, for relative times and time-bound rules (a second nudge too soon); required where a card is drawn. */
  now?: Date;
}

/** How the card names people: "you" for the viewer, in their own view. */
type Namer = (person: Person, capital?: boolean) => string;

function namerFor(viewer: Person | undefined): Namer {
  return (person, capital = false) => (viewer && person.aadObjectId === viewer.aadObjectId ? (capital ? 'You' : 'you') : person.name);
}

/** "Grace Hopper's" or "your". */
const possessive = (name: Namer, person: Person) => {
  const n = name(person);
  return n === 'you' ? 'your' : `${n}'s`;
};

/** The role of whoever holds the ball, as the card names it: the receiver, the sender, the owner. */
function roleOf(handoff: Handoff, person: Person): string {
  if (person.aadObjectId === handoff.receiver.aadObjectId) return 'receiver';
  return person.aadObjectId === handoff.sender.aadObjectId ? 'sender' : 'owner';
}

/** When the step is due, or how late it is, in Baton's words around the client's DATE and TIME. */
function dueWhen(handoff: Handoff, now: Date, name: Namer, perViewer: boolean): string {
  const view = dueView(handoff, now);
  if (!view) return '';
  // A TextBlock reads markdown: it names no one, only a role ("the receiver's") or "your".
  // The role the step asks of them: who closes is the owner, even when the owner is also the sender.
  const role = handoff.clock?.step === 'review' ? 'receiver' : handoff.clock?.step === 'close' ? 'owner' : roleOf(handoff, view.holder);
  const whose = name(view.holder) === 'you' ? 'your' : `the ${role}'s`;
  switch (view.state) {
    case 'away':
      // Time away is not working time: nothing is overdue while they are away.
      return !view.dueAt
        ? `Due once ${name(view.holder) === 'you' ? 'you are' : 'they are'} back`
        : view.leftMinutes > 0
          ? `Due ${cardInstant(view.dueAt)}${perViewer ? `, with ${workingTimeOf(view.leftMinutes, whose)} left` : ''}`
          : `Was due ${cardInstant(view.dueAt)}, before the absence`;
    case 'waits':
      return `Due once ${name(view.holder) === 'you' ? 'you are' : `${view.holder.name} is`} back (${view.away})`;
    case 'due':
      return `Due ${cardInstant(view.dueAt)}${perViewer ? `, in ${workingTimeOf(view.leftMinutes, whose)}` : ''}`;
    case 'overdue':
    case 'escalated':
      // The shared card is not drawn again as time passes: it says since when, which stays true.
      return perViewer && view.overdueMinutes > 0
        ? `Overdue by ${workingTimeOf(view.overdueMinutes, whose)}; it was due ${cardInstant(view.dueAt)}`
        : `Overdue since ${cardInstant(view.dueAt)}`;
  }
}

/**
 * Whose turn it is. Blocked means blocked: the line says what blocks it and
 * who is on it, and when the owner hears of it, never that the receiver is
 * late.
 */
function turnOf(handoff: Handoff, now: Date, name: Namer, perViewer: boolean): HandoffCardData['turn'] {
  const { receiver, sender, owner, decision, ending, question, clock } = handoff;
  const view = dueView(handoff, now);
  const late = view !== undefined && (view.state === 'overdue' || view.state === 'escalated');
  const escalated = view?.state === 'escalated' ? ` Escalated to ${name(owner)} (owner).` : '';
  const line = (text: string, mention = false) => ({
    text,
    mention,
    style: late ? 'attention' : 'default',
    when: dueWhen(handoff, now, name, perViewer),
  });
  // A clock that waits for an absence with no return has no due time, and nothing to escalate yet.
  const blockedWhen = () => {
    if (!clock) return '';
    const escalation = escalateAt(clock);
    if (watched && clock.level < 2)
      return escalation === undefined
        ? ''
        : `The owner is told if it is still blocked on ${cardInstant(new Date(escalation).toISOString())}`;
    if (!clock.dueAt) return '';
    // Not yet due (the sender owns it, so nobody else is told): "is due"; past it: "was due".
    const tense = now < new Date(clock.dueAt) ? 'is' : 'was';
    return `${watched ? `Escalated to ${name(owner) === 'you' ? 'you' : 'the owner'}; u` : 'U'}nblocking ${tense} due ${cardInstant(clock.dueAt)}`;
  };
  const watched = clock?.step === 'unblock' && sender.aadObjectId !== owner.aadObjectId;
  if (isBlocked(handoff)) {
    // The sender may be away: "Ada Lovelace, away until Mon 14 Dec, is on it".
    const away = view?.state === 'away' ? `, ${view.away},` : '';
    const on = name(sender) === 'you' ? `You${away} are on it` : `${sender.name}${away} is on it`;
    return {
      text: `Blocked: ${handoff.blocker.replace(/[.\s]+$/, '')}. ${on}.`,
      mention: false,
      style: 'attention',
      when: blockedWhen(),
    };
  }
  // Away: nobody is tagged, nothing is overdue; "Waiting on Grace Hopper, away until Mon 14 Dec."
  if (view?.state === 'away' && !STATUS[handoff.status].final)
    return {
      text: `Waiting on ${name(view.holder)}, ${view.away}.`,
      mention: false,
      style: 'default',
      when: dueWhen(handoff, now, name, perViewer),
    };
  switch (handoff.status) {
    case 'inReview':
      return name(receiver) === 'you'
        ? line(`It is your turn: review this handoff.${escalated}`)
        : line(`<at>${receiver.name}</at>, this handoff is for you to review.${escalated}`, true);
    case 'questionAsked':
      return line(
        `Waiting on ${name(sender)} to answer ${question ? possessive(name, question.by) : possessive(name, receiver)} question.${escalated}`,
      );
    case 'changesRequested':
      return line(`Waiting on ${name(sender)} to make the changes ${name(decision?.by ?? receiver)} asked for and resubmit.${escalated}`);
    case 'accepted':
      return line(
        `Accepted by ${name(decision?.by ?? receiver)}. Waiting on ${name(owner)}${name(owner) === 'you' ? '' : ' (owner)'} to close it.`,
      );
    case 'closed':
      return {
        text: `Closed by ${name(ending?.by ?? owner)}.`,
        mention: false,
        style: 'default',
        when: cardInstant(ending?.at ?? handoff.updatedAt),
      };
    case 'cancelled':
      return {
        text: `Cancelled by ${name(ending?.by ?? sender)}.`,
        mention: false,
        style: 'default',
        when: cardInstant(ending?.at ?? handoff.updatedAt),
      };
  }
}

/** "and" between the last two: "added one criterion and changed the summary". */
function sentence(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Cut at a word, with "…". */
function preview(text: string, max: number): { shown: string; rest: string } {
  if (text.length <= max) return { shown: text, rest: '' };
  const cut = text.lastIndexOf(' ', max);
  const end = cut > max / 2 ? cut : max;
  return { shown: `${text.slice(0, end).replace(/[\s,;:]+$/, '')}…`, rest: text };
}

/**
 * The attention facts, most severe first (blocked and overdue are the turn
 * line's): a flagged priority, a handoff posted late, a nudge that reached
 * nobody. The first becomes the one attention box when the turn line is not
 * one already; the others are a line each.
 */
function attentionFactsOf(handoff: Handoff, now: Date, name: Namer): (Note & { style: string })[] {
  const facts: (Note & { style: string })[] = [];
  const flag = handoff.priorityFlag;
  if (flag && flag.to === handoff.priority && handoff.priority !== 'normal' && !STATUS[handoff.status].final)
    facts.push({
      style: 'attention',
      title: `Priority flagged ${flag.to} by ${name(flag.by)}: `,
      text: preview(flag.text, REMARK_PREVIEW_CHARS).shown,
      when: '',
    });
  if (handoff.late && !STATUS[handoff.status].final)
    facts.push({
      style: 'warning',
      title: LATE,
      text: `less than ${handoff.effortMinutes === undefined ? 'the needed working time' : asWorkingTime(handoff.effortMinutes)} before ${handoff.neededBy ? formatDay(handoff.neededBy, now) : 'the date'}.`,
      when: '',
    });
  // Escalated to an owner Baton could not write to: said as a nudge that reached nobody is.
  if (handoff.clock?.level === 2 && handoff.clock.ownerReached === false && !STATUS[handoff.status].final)
    facts.push({
      style: 'warning',
      title: 'Not told of the escalation: ',
      text: `${name(handoff.owner, true)} ${name(handoff.owner) === 'you' ? 'have' : 'has'} not installed Baton.`,
      when: '',
    });
  // The owner never heard that the holder is away: said while they still are.
  const untold = handoff.awayUntold;
  if (untold && handoff.clock?.holder.aadObjectId === untold.away.aadObjectId && absenceAt(handoff.clock.holderHours, now))
    facts.push({
      style: 'warning',
      title: `Not told that ${name(untold.away)} ${name(untold.away) === 'you' ? 'are' : 'is'} away: `,
      text: `${name(untold.owner, true)} ${name(untold.owner) === 'you' ? 'have' : 'has'} not installed Baton.`,
      when: '',
    });
  const nudge = handoff.lastNudge;
  if (nudge && !nudge.reached && isCurrentNudge(handoff))
    facts.push({
      style: 'warning',
      title: 'Not told of the nudge: ',
      text: `${name(nudge.to, true)} ${name(nudge.to) === 'you' ? 'have' : 'has'} not installed Baton.`,
      when: '',
    });
  return facts;
}

/** A fact as a line among the others: one short line, its reason left to the history. */
function asLine(fact: Note): Note {
  return fact.title.startsWith('Priority flagged') ? { title: fact.title.replace(/: $/, '.'), text: '', when: '' } : fact;
}

const LATE = 'Posted late: ';

/** A nudge of the step now running: once the ball moved on (an answer, an Accept), it is history. */
function isCurrentNudge(handoff: Handoff): boolean {
  const nudge = handoff.lastNudge;
  return (
    nudge !== undefined &&
    ballHolder(handoff)?.aadObjectId === nudge.to.aadObjectId &&
    (!handoff.clock || nudge.at >= handoff.clock.runStartedAt)
  );
}

/** What a new version answers, and a nudge that reached its person: news, not attention. */
function infoNotesOf(handoff: Handoff, name: Namer): Note[] {
  const notes: Note[] = [];
  const request = handoff.changeRequest;
  // On a new version the receiver checks it against what she asked: the request stays until the next decision.
  if (request && handoff.version > request.version && handoff.status === 'inReview') {
    const changed = handoff.changes.length > 0 ? ` Changed: ${sentence(handoff.changes)}.` : '';
    notes.push({
      title: `Version ${handoff.version} answers ${possessive(name, request.by)} change request: `,
      text: `${preview(request.text, REMARK_PREVIEW_CHARS).shown}${changed}`,
      when: '',
    });
  } else if (handoff.version > 1 && handoff.changes.length > 0 && handoff.status === 'inReview') {
    notes.push({ title: `What changed in version ${handoff.version}: `, text: `${sentence(handoff.changes)}.`, when: '' });
  }
  const nudge = handoff.lastNudge;
  if (nudge?.reached && isCurrentNudge(handoff))
    notes.push({
      title: name(nudge.to) === 'you' ? `${name(nudge.by, true)} nudged you` : `Nudged ${nudge.to.name}`,
      text: '',
      when: cardInstant(nudge.at),
    });
  return notes;
}

/**
 * Questions, answers, decisions and endings that still matter, oldest first:
 * a question and its answer until the next decision (the history keeps the
 * rest), the decision, and why it ended. Each is cut at 200 characters; the
 * whole is in the history.
 */
function remarksOf(handoff: Handoff, name: Namer): HandoffCardData['remarks'] {
  const remarks: (HandoffCardData['remarks'][number] & { at: string })[] = [];
  const { question, answer, decision, ending } = handoff;
  const decidedAt = [decision?.at, handoff.changeRequest?.at]
    .filter((at): at is string => at !== undefined)
    .sort()
    .at(-1);
  const current = question && (!decidedAt || question.at > decidedAt);
  const push = (at: string, title: string, text: string) =>
    remarks.push({ at, title: text ? `${title}: ` : `${title}.`, text: preview(text, REMARK_PREVIEW_CHARS).shown });
  if (question && current) push(question.at, `${name(question.by, true)} asked`, question.text);
  if (answer && question && current && answer.at >= question.at) push(answer.at, `${name(answer.by, true)} answered`, answer.text);
  // A new version in review says what it answers in its notes; the request itself is history.
  // Who decided is on the turn line; the remark carries what they said, when they said something.
  if (decision && decision.text !== '' && !(decision.status === 'changesRequested' && handoff.status === 'inReview'))
    push(decision.at, `${decision.status === 'accepted' ? 'Accepted' : 'Changes requested'} by ${name(decision.by)}`, decision.text);
  if (ending && ending.text !== '') push(ending.at, handoff.status === 'closed' ? 'Closing note' : 'Why it was cancelled', ending.text);
  return remarks.sort((a, b) => a.at.localeCompare(b.at)).map(({ at: _, ...r }) => r);
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
  away: 'noted an absence',
  back: 'noted a return',
};

function historyOf(events: readonly HandoffEvent[], name: Namer): Pick<HandoffCardData, 'history' | 'olderEvents'> {
  const shown = events.slice(-HISTORY_SHOWN);
  const older = events.length - shown.length;
  return {
    history: shown.map((e) => {
      const comment = e.comment.length > HISTORY_COMMENT ? `${e.comment.slice(0, HISTORY_COMMENT - 1)}…` : e.comment;
      return {
        when: cardInstant(e.at),
        who: name(e.actor, true),
        what: `${EVENT_WORDS[e.type]}${e.detail ? ` (${e.detail})` : ''}${comment ? `: "${comment}"` : ''}`,
      };
    }),
    olderEvents: older > 0 ? `${older} earlier event${older === 1 ? '' : 's'} not shown.` : '',
  };
}

/** "Grace" of "Grace Hopper"; a one-word name whole. */
const firstName = (person: Person) => person.name.split(/\s+/)[0] ?? person.name;

function nudgeButton(
  handoff: Handoff,
  viewer: Person | undefined,
  can: Can,
  when: (iso: string) => string,
  now: Date,
): Pick<HandoffCardData, 'nudge'> {
  const holder = ballHolder(handoff);
  // A button is one short line: the first name ("Nudge Grace"), the card says whose turn it is in full.
  if (can.nudge) return { nudge: { show: true, enabled: true, title: holder ? `Nudge ${firstName(holder)}` : 'Nudge' } };
  const again = viewer && nudgeAgainAt(handoff, viewer.aadObjectId, now.toISOString());
  // A button title is not a TextBlock: no DATE() there, so the viewer's own zone, from Teams.
  return { nudge: { show: again !== undefined, enabled: false, title: again ? `Nudge again after ${when(again)}` : '' } };
}

/**
 * "Ready · effort 4 h · needed by Fri 11 Dec · posted {{DATE}}": Baton's
 * words only, for a TextBlock. A late handoff says so here ("posted late")
 * unless it is the card's attention box.
 */
function factsLineOf(handoff: Handoff, now: Date, lateHere: boolean): string {
  const passed = STATUS[handoff.status].open && neededByPassed(handoff, now) ? ' (passed)' : '';
  const neededBy = handoff.neededBy ? `needed by ${formatDay(handoff.neededBy, now)}${passed}${lateHere ? ', posted late' : ''}` : '';
  return [
    // Once it ended, what state the work was in no longer matters (a blocked handoff that was cancelled is cancelled).
    STATUS[handoff.status].final ? '' : WORK_STATE_LABELS[handoff.workState],
    handoff.effortMinutes === undefined ? '' : `effort ${formatWorkingTime(handoff.effortMinutes)}`,
    neededBy,
    `posted ${cardDate(handoff.createdAt)}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

/**
 * The handoff card as one viewer sees it: every section and button follows
 * from what the viewer may do now ({@link allowedActions}), the same rules the
 * server checks when the button is clicked. Read in two seconds: one turn
 * line, at most one attention box, one line of facts, the first words of
 * what is ready, the criteria, the remarks that matter, the buttons; the rest
 * behind "Show details". A closed or cancelled handoff is its turn line.
 * @param viewer the person looking, or undefined for the shared view posted to everyone
 */
export function handoffCard(handoff: Handoff, viewer: Person | undefined, options: ViewOptions & { now: Date }): AdaptiveCard {
  const now = options.now;
  const name = namerFor(viewer);
  const when = (iso: string) => formatWhen(iso, options.timeZone, now);
  const allowed = viewer ? allowedActions(handoff, viewer.aadObjectId, now.toISOString()) : new Set<ActionType>();
  const can = Object.fromEntries(ACTION_TYPES.map((a) => [a, allowed.has(a)])) as Can;
  const decidedChecks = handoff.decision?.status === 'accepted' ? handoff.decision.checked : [];
  const turn = turnOf(handoff, now, name, viewer !== undefined);
  const final = STATUS[handoff.status].final;
  const facts = attentionFactsOf(handoff, now, name);
  // One attention box: the turn line when it is one, else the most severe fact; the rest are lines.
  const box = turn.style === 'attention' ? undefined : facts.shift();
  // Posted late, when not the box, is a word in the facts line rather than a line of its own.
  const lateHere = facts.some((f) => f.title === LATE);
  const lines = facts.filter((f) => f.title !== LATE);
  const ready = preview(handoff.whatIsReady, READY_PREVIEW_CHARS);
  // The whole text when the preview cut it ('' when it did not).
  const readyMore = ready.rest;
  const details =
    readyMore !== '' ||
    handoff.assumptions !== '' ||
    handoff.links.length > 0 ||
    handoff.stakeholders.length > 0 ||
    (handoff.template?.checklist.length ?? 0) > 0;
  const data: HandoffCardData = {
    id: handoff.id,
    summary: handoff.summary,
    // One pill: the status, the version once there is a second, and a priority above normal, which turns it red.
    // Once closed or cancelled, how urgent it was no longer matters.
    statusText: [
      STATUS[handoff.status].label,
      handoff.version > 1 && !final ? `v${handoff.version}` : '',
      final || handoff.priority === 'normal' ? '' : PRIORITY_LABELS[handoff.priority],
    ]
      .filter(Boolean)
      .join(' · '),
    // The pill says the priority in words; colour is for the one attention box, not a second block beside it.
    statusStyle: STATUS[handoff.status].style,
    priority: handoff.priority,
    turn,
    attention: box ? { style: box.style, title: box.title, text: box.text } : { style: 'default', title: '', text: '' },
    mentions: turn.mention ? [{ name: handoff.receiver.name, userId: handoff.receiver.userId }] : [],
    people: { sender: name(handoff.sender), receiver: name(handoff.receiver), owner: name(handoff.owner) },
    holderTime: final ? '' : (options.holderTime ?? ''),
    factsLine: factsLineOf(handoff, now, lateHere),
    notes: [...lines.map(asLine), ...infoNotesOf(handoff, name)],
    readyPreview: ready.shown,
    readyMore,
    criteria: handoff.acceptanceCriteria.map((text, i) => ({
      text,
      mark: decidedChecks[i] ? '☑' : '☐',
      value: options.draft?.checked[i] ? 'true' : 'false',
    })),
    remarks: remarksOf(handoff, name),
    assumptions: handoff.assumptions,
    links: handoff.links.map((url) => ({ label: linkLabel(url), url })),
    stakeholderNames: handoff.stakeholders.map((p) => name(p)).join(', '),
    compact: final,
    // The whole "what is ready" replaces its preview, rather than repeating it under it.
    detailsTargets:
      final || details
        ? [...(final ? ['content'] : []), ...(readyMore !== '' ? ['ready'] : []), 'details', 'showDetails', 'hideDetails']
        : [],
    notice: options.notice ?? '',
    can,
    members: (options.members ?? [])
      .filter((m) => m.aadObjectId !== handoff.receiver.aadObjectId)
      .slice(0, MAX_REASSIGN_CHOICES)
      .map(({ name: memberName, aadObjectId }) => ({ name: memberName, aadObjectId })),
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
    ...historyOf(options.history ?? [], name),
    ...stampLines(handoff, name),
    refreshUserIds: refreshUserIdsOf(handoff),
  };
  return renderCard(handoffTemplate, data);
}
