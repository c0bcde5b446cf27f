/**
 * What the use cases need from the outside world, as small interfaces. The
 * bot (src/bot) implements the messenger and describes each request as a
 * Caller; the stores, the directory and the clock come from the composition
 * root (baton.ts). Nothing here knows botbuilder or a TurnContext.
 */
import type { AdaptiveCard } from '../cards/render';
import type { Clock } from '../clock';
import type { DuePolicy } from '../domain/due';
import type { Person } from '../domain/handoff';
import type { WorkingHours } from '../domain/working-hours';
import type { SummarySettings } from '../config';
import type { Directory, Mailer } from '../graph';
import type { Logger } from '../logger';
import type { ConversationStore, PersonalChat } from '../store/conversation-store';
import type { DueIndex } from '../store/due-index';
import type { HandoffStore } from '../store/handoff-store';
import type { PendingDeliveries } from '../store/pending-deliveries';
import type { PeopleIndex } from '../store/people-index';
import type { SummaryStore } from '../store/summary-store';

/** Where a proactive message goes: a conversation on a connector. */
export interface ConversationAddress {
  serviceUrl: string;
  conversationId: string;
  tenantId?: string;
  /** A personal chat needs the person's Teams id and the bot's. */
  userId?: string;
  botId?: string;
  personal?: boolean;
}

/** Where a person's personal chat with Baton is, as the conversation store keeps it. */
export function personalAddress(chat: PersonalChat): ConversationAddress {
  return { serviceUrl: chat.serviceUrl, conversationId: chat.conversationId, tenantId: chat.tenantId, userId: chat.userId, botId: chat.botId, personal: true };
}

/**
 * Sends cards into conversations (Teams' Bot Connector, or the Playground's).
 * Every call has a timeout; failures are ConnectorError (src/errors.ts).
 */
export interface Messenger {
  /** Posts a new message with the card; resolves to the new message's id. */
  post(to: ConversationAddress, card: AdaptiveCard): Promise<string>;
  /** Replaces the card of an existing message. */
  update(to: ConversationAddress, messageId: string, card: AdaptiveCard): Promise<void>;
}

/** Who acts, in which tenant: always from the activity the platform signed, never from card data. */
export interface Actor {
  person: Person;
  tenantId: string;
}

/** One request as the use cases see it, whichever channel it came from. */
export interface Caller {
  actor: Actor;
  /** The activity id: Teams resends an unanswered invoke with the same id, so it makes a change idempotent. */
  activityId: string;
  /** 'msteams', 'outlook', ... */
  channel: string;
  /** The conversation the request came from. */
  conversation: { id: string; serviceUrl: string; personal: boolean };
  /** The message that carries the card the user clicked, when there is one. */
  replyToId: string | undefined;
  /** The viewer's IANA time zone, when the client said it. */
  timeZone: string | undefined;
  /** The viewer's calendar date (YYYY-MM-DD). */
  today: string;
  /**
   * The conversation's members. Empty where the bot is not a member (a
   * messaging extension used elsewhere, Outlook).
   * @throws MembersUnavailableError when the connector could not say
   */
  members(): Promise<Person[]>;
}

/** The conversation's member list could not be read (the connector failed or timed out). */
export class MembersUnavailableError extends Error {
  override name = 'MembersUnavailableError';
}

/** The weekly summary's queue: one message per recipient (an Azure Storage queue, whose trigger sends each). */
export interface SummaryQueue {
  /** @param delaySeconds hides the message this long first (a mailbox at its limit, a claim held elsewhere) */
  send(message: unknown, delaySeconds?: number): Promise<void>;
}

/** Everything the use cases share: the stores, the directory, time and the log. */
export interface Services {
  store: HandoffStore;
  people: PeopleIndex;
  conversations: ConversationStore;
  pending: PendingDeliveries;
  /** When each open handoff next has something due (the overdue check reads it). */
  dueIndex: DueIndex;
  /** Each step's goal and the auto-close, in working minutes. */
  due: DuePolicy;
  /** The weekly summary's records: who gets it, their choices, what was sent. */
  summaries: SummaryStore;
  summaryQueue: SummaryQueue;
  summary: SummarySettings;
  /** Email (Graph's sendMail, or the local outbox). */
  mailer: Mailer;
  /**
   * The directory for a tenant's users. Baton's directory covers one tenant;
   * for any other it knows no one.
   */
  directoryFor(tenantId: string): Directory;
  /** A person's working hours, or Baton's default week when the directory cannot say. */
  workingHours(tenantId: string, person: Person): Promise<WorkingHours>;
  /** Where Baton's own links point. */
  publicBaseUrl: string;
  clock: Clock;
  log: Logger;
}
