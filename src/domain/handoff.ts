/**
 * The handoff: what a sender gives a receiver, and where it stands.
 * Plain data, so that the store, the cards and the tests all speak it.
 */

export const WORK_STATES = ['ready', 'inProgress', 'blocked'] as const;
export type WorkState = (typeof WORK_STATES)[number];

/** Where the handoff is in the Review step. Decided statuses end the review. */
export const STATUSES = ['inReview', 'accepted', 'changesRequested'] as const;
export type Status = (typeof STATUSES)[number];
export const DECIDED: ReadonlySet<Status> = new Set(['accepted', 'changesRequested']);

/** A person as the platform names them: Entra object id, Teams user id, display name. */
export interface Person {
  aadObjectId: string;
  /** Teams user id (29:...), what `refresh.userIds` and mentions use. */
  userId: string;
  name: string;
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
}

/** Where the handoff's card lives, so later changes can update it in place. */
export interface ConversationRef {
  id: string;
  serviceUrl: string;
  /** Id of the message that shows the card. */
  messageId?: string;
}

export interface Decision {
  status: Exclude<Status, 'inReview'>;
  by: Person;
  at: string;
  comment: string;
}

export interface Handoff extends HandoffFields {
  id: string;
  tenantId: string;
  version: number;
  status: Status;
  sender: Person;
  receiver: Person;
  owner: Person;
  conversation: ConversationRef;
  createdAt: string;
  updatedAt: string;
  decision: Decision | undefined;
  /** Number of events in the history; the next event's sequence number is eventCount + 1. */
  eventCount: number;
}

export const EVENT_TYPES = ['posted', 'accepted', 'changesRequested'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One line of a handoff's history: who did what, when. */
export interface HandoffEvent {
  handoffId: string;
  seq: number;
  type: EventType;
  actor: Person;
  at: string;
  comment: string;
}

export type Role = 'sender' | 'receiver' | 'owner';

/** The roles a person holds on a handoff (several at once when one person fills several). */
export function rolesOf(handoff: Handoff, aadObjectId: string): Set<Role> {
  const roles = new Set<Role>();
  if (handoff.sender.aadObjectId === aadObjectId) roles.add('sender');
  if (handoff.receiver.aadObjectId === aadObjectId) roles.add('receiver');
  if (handoff.owner.aadObjectId === aadObjectId) roles.add('owner');
  return roles;
}

/** Builds the posted handoff and its first event. */
export function postHandoff(input: {
  id: string;
  tenantId: string;
  fields: HandoffFields;
  sender: Person;
  receiver: Person;
  owner: Person;
  conversation: ConversationRef;
  at: string;
}): { handoff: Handoff; event: HandoffEvent } {
  const { fields, ...rest } = input;
  const handoff: Handoff = {
    ...fields,
    id: rest.id,
    tenantId: rest.tenantId,
    version: 1,
    status: 'inReview',
    sender: rest.sender,
    receiver: rest.receiver,
    owner: rest.owner,
    conversation: rest.conversation,
    createdAt: rest.at,
    updatedAt: rest.at,
    decision: undefined,
    eventCount: 1,
  };
  const event: HandoffEvent = { handoffId: rest.id, seq: 1, type: 'posted', actor: rest.sender, at: rest.at, comment: '' };
  return { handoff, event };
}
