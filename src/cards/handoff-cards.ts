/**
 * The handoff's cards: the form, and the handoff as each viewer sees it.
 * Each card is a template from cards/ and the typed data built here.
 */
import formTemplate from '../../cards/handoff-form.json';
import handoffTemplate from '../../cards/handoff.json';
import { formatEffort } from '../domain/effort';
import type { FieldErrors, FormField, HandoffFormInput } from '../domain/handoff-form';
import { type Handoff, type Person, rolesOf, type Status, type WorkState } from '../domain/handoff';
import { type AdaptiveCard, renderCard } from './render';

export const FORM_FIELDS: readonly FormField[] = [
  'summary', 'whatIsReady', 'acceptanceCriteria', 'assumptions', 'links', 'effort',
  'workState', 'blocker', 'neededBy', 'receiver', 'owner',
];

export interface HandoffFormData {
  formId: string;
  values: Record<FormField, string>;
  errors: Record<FormField, string>;
  message: string;
  members: { name: string; aadObjectId: string }[];
}

/** The handoff form, with the user's values and a message at each wrong field. */
export function handoffFormCard(input: {
  formId: string;
  members: readonly Person[];
  values?: Partial<HandoffFormInput>;
  errors?: FieldErrors;
  message?: string;
}): AdaptiveCard {
  const values = Object.fromEntries(FORM_FIELDS.map((f) => [f, input.values?.[f] ?? ''])) as Record<FormField, string>;
  values.workState ||= 'ready';
  const data: HandoffFormData = {
    formId: input.formId,
    values,
    errors: Object.fromEntries(FORM_FIELDS.map((f) => [f, input.errors?.[f] ?? ''])) as Record<FormField, string>,
    message: input.message ?? '',
    members: input.members.map(({ name, aadObjectId }) => ({ name, aadObjectId })),
  };
  return renderCard(formTemplate, data);
}

const STATUS_TEXT: Record<Status, { text: string; color: string }> = {
  inReview: { text: 'In review', color: 'Accent' },
  accepted: { text: 'Accepted', color: 'Good' },
  changesRequested: { text: 'Changes requested', color: 'Warning' },
};

const WORK_STATE_TEXT: Record<WorkState, string> = { ready: 'Ready', inProgress: 'In progress', blocked: 'Blocked' };

export interface HandoffCardData {
  id: string;
  summary: string;
  statusText: string;
  statusColor: string;
  workStateText: string;
  blocker: string;
  effortText: string;
  neededByText: string;
  whatIsReady: string;
  acceptanceCriteria: string[];
  assumptions: string;
  links: string[];
  sender: Person;
  receiver: Person;
  owner: Person;
  /** RFC 3339 without fractions, the form the card's DATE() and TIME() functions read. */
  createdAt: string;
  decisionText: string;
  decisionStyle: string;
  decisionComment: string;
  notice: string;
  canReview: boolean;
  /** Teams refreshes the card for these users, so each sees the view of their role. */
  refreshUserIds: string[];
}

/** Teams auto-refreshes a card for at most 60 listed users. */
export const MAX_REFRESH_USERS = 60;

/**
 * The handoff card as one viewer sees it.
 * @param viewer the person looking, or undefined for the shared view posted to everyone
 * @param notice a one-line explanation shown on the card (why an action changed nothing)
 */
export function handoffCard(handoff: Handoff, viewer: Person | undefined, notice = ''): AdaptiveCard {
  const roles = viewer ? rolesOf(handoff, viewer.aadObjectId) : new Set();
  const decision = handoff.decision;
  const refreshUserIds = [...new Set([handoff.receiver, handoff.sender, handoff.owner].map((p) => p.userId))].slice(0, MAX_REFRESH_USERS);
  const data: HandoffCardData = {
    id: handoff.id,
    summary: handoff.summary,
    statusText: STATUS_TEXT[handoff.status].text,
    statusColor: STATUS_TEXT[handoff.status].color,
    workStateText: WORK_STATE_TEXT[handoff.workState],
    blocker: handoff.workState === 'blocked' ? handoff.blocker : '',
    effortText: handoff.effortMinutes === undefined ? 'Not estimated' : formatEffort(handoff.effortMinutes),
    neededByText: handoff.neededBy ?? 'No date',
    whatIsReady: handoff.whatIsReady,
    acceptanceCriteria: handoff.acceptanceCriteria,
    assumptions: handoff.assumptions,
    links: handoff.links,
    sender: handoff.sender,
    receiver: handoff.receiver,
    owner: handoff.owner,
    createdAt: handoff.createdAt.replace(/\.\d+Z$/, 'Z'),
    decisionText: decision
      ? `${decision.status === 'accepted' ? 'Accepted' : 'Changes requested'} by ${decision.by.name} on ${decision.at.slice(0, 16).replace('T', ' ')} UTC`
      : '',
    decisionStyle: decision?.status === 'accepted' ? 'good' : 'warning',
    decisionComment: decision?.comment ?? '',
    notice,
    canReview: handoff.status === 'inReview' && roles.has('receiver'),
    refreshUserIds,
  };
  return renderCard(handoffTemplate, data);
}
