/**
 * What the use cases need from the outside world, as interfaces: the stores
 * (src/store implements them on Table Storage; the tests have in-memory
 * twins), the messenger (src/connector, the Bot Connector), the directory and the
 * mailer (src/graph, or src/local in local mode), the queue, the clock and
 * the log. Nothing here knows botbuilder, a TurnContext or a Table client.
 *
 * Every storage call names its time budget: 'request' inside Teams' 5
 * seconds, 'background' for timers, queue messages and deliveries.
 */
import type { AdaptiveCard } from '../cards/render';
import type { Clock } from '../clock';
import type { SummarySettings } from '../config';
import type { AutomaticReplies } from '../domain/away';
import type { DuePolicy } from '../domain/due';
import type { ConversationRef, Handoff, HandoffEvent, Listing, Person } from '../domain/handoff';
import type { HandoffFormInput } from '../domain/handoff-form';
import type { NoticeButton } from '../domain/notifications';
import type { Template, TemplateChoice } from '../domain/templates';
import type { Absence, WorkingHours } from '../domain/working-hours';
import type { Logger } from '../logger';

// ---- Time budgets

/**
 * How long the storage calls of one piece of work may take. A request
 * answers a person inside Teams' 5 seconds: each try gets what is left of its
 * deadline, and one quick retry. Background work (a timer, a queue message,
 * the deliveries after an answer) has minutes: a slow moment of storage must
 * not fail it, so each try waits longer and is retried more.
 */
export type Budget =
  | { kind: 'request'; deadline: number }
  /** `deadline` (wall time): background work that must be done by then, or not at all (a delivery recording a send within its lease). */
  | { kind: 'background'; deliveries?: boolean; deadline?: number };

/** A request's budget: `ms` from now (wall time, not Baton's clock, which a test may move). */
export function requestBudget(ms: number): Budget {
  return { kind: 'request', deadline: Date.now() + ms };
}

/** Timers and queue messages. */
export const BACKGROUND: Budget = { kind: 'background' };
/** The outbox's deliveries: background work, counted apart by `npm run bench`. */
export const DELIVERIES: Budget = { kind: 'background', deliveries: true };

// ---- Handoffs and what their changes send (the transactional outbox)

export interface StoredHandoff {
  handoff: Handoff;
  etag: string;
}

/** What an outbox row asks the deliverer to do; cards are rendered from the handoff when it is delivered. */
export type Effect =
  /**
   * Write the handoff's listing in the person index for its people (their
   * `mine` and search) and its conversation, remove it for `former` people,
   * and, when `followers` (absent means yes), record its stakeholders for the
   * weekly summary.
   */
  | { kind: 'index'; former?: string[]; followers?: boolean }
  /** Replace the handoff's card in its conversation with everyone's view of the current state. */
  | { kind: 'card' }
  /** Post the handoff's card in its conversation (the messaging extension's Send) and record the message. */
  | { kind: 'post' }
  /** Record the handoff's next wake-up in the due index, from the current record, and remove the one before (`previous`, '' for none). */
  | { kind: 'due'; previous: string }
  /**
   * A card in one person's personal chat. `about` names the event, for logs;
   * `buttons`, what the card offers the reader to do; `notBefore`, the
   * earliest instant it may go (a reminder waits for the reader's working
   * hours); `inHours`, a reminder: it goes only while its reader is at work,
   * never while they are away, and waits otherwise.
   */
  | {
      kind: 'message';
      to: Person;
      headline: string;
      quote: string;
      about: string;
      buttons?: NoticeButton[];
      notBefore?: string;
      inHours?: boolean;
    };

export type RowState = 'pending' | 'delivered' | 'dead';

/** One outbox row: an effect of a change, stored in the handoff's partition in the change's transaction. */
export interface OutboxRow {
  handoffId: string;
  /** The row key: `outbox_<event seq>_<index>`. */
  key: string;
  effect: Effect;
  state: RowState;
  /** Delivery attempts so far, the one that delivered it included. */
  attempts: number;
  createdAt: string;
  /** ISO instant until which one deliverer holds the row; '' when nobody does. */
  leaseUntil: string;
  /** ISO instant before which the row is not tried again (backoff); '' for now. */
  nextAttemptAt: string;
  /** Why the last attempt failed, or why the row is dead. */
  lastError: string;
  deliveredAt: string;
  etag: string;
}

/** The fields a deliverer changes; the rest are fixed when the row is written. */
export type RowUpdate = Partial<Pick<OutboxRow, 'state' | 'attempts' | 'leaseUntil' | 'nextAttemptAt' | 'lastError' | 'deliveredAt'>>;

/**
 * One change as it is written: the handoff (new, or replacing the one read
 * with `etag`), its events (one for a person's action; the overdue check may
 * do several things at once), the markers of what caused it, its outbox rows.
 */
export interface HandoffWrite {
  handoff: Handoff;
  /** The ETag it was read with; undefined for a new handoff. */
  etag: string | undefined;
  /** Oldest first; the outbox rows follow the last. */
  events: readonly HandoffEvent[];
  /** The activity (or each timer action) that caused it: written as markers, so it never applies twice. */
  markers: readonly string[];
  effects: readonly Effect[];
  /** Until when the writer holds the new rows (it delivers them right after the commit). */
  leaseUntil: string;
}

/** The handoffs table: a handoff, its history, its markers and its outbox rows, one partition each. */
export interface HandoffStore {
  /** The handoff row alone: a point read. */
  read(id: string, budget: Budget): Promise<StoredHandoff | undefined>;
  /** The handoff and its history, oldest event first, in one query. */
  readWithHistory(id: string, budget: Budget): Promise<{ handoff: Handoff; events: HandoffEvent[] } | undefined>;
  history(id: string, budget: Budget): Promise<HandoffEvent[]>;
  /** Whether a marker was written: the change it names was applied. */
  applied(id: string, marker: string, budget: Budget): Promise<boolean>;
  /**
   * Writes a change in one entity-group transaction.
   * @returns the outbox rows as stored, ETags included
   * @throws ConflictError when the handoff changed since it was read (or exists, for a new one), or the marker exists
   */
  commit(write: HandoffWrite, budget: Budget): Promise<OutboxRow[]>;
}

/** The outbox rows of a handoff, as the deliverer reads and marks them. */
export interface OutboxStore {
  /** The rows not delivered yet (or every row with `all`), oldest first. */
  rows(handoffId: string, budget: Budget, options?: { all?: boolean }): Promise<OutboxRow[]>;
  /**
   * Changes a row read with its ETag (a claim, a delivery, a failure).
   * @throws ConflictError when another deliverer changed it first
   */
  update(row: OutboxRow, update: RowUpdate, budget: Budget): Promise<OutboxRow>;
  /**
   * Marks rows of one handoff delivered in one transaction, each ETag-checked.
   * @throws ConflictError when one changed first (none is marked then)
   */
  markDelivered(rows: readonly OutboxRow[], deliveredAt: string, budget: Budget): Promise<void>;
  /**
   * Records where the card was posted and marks its `post` row delivered, in one transaction.
   * @throws ConflictError when the handoff or the row changed since they were read
   */
  recordPosted(stored: StoredHandoff, messageId: string, row: OutboxRow, deliveredAt: string, budget: Budget): Promise<void>;
}

/** A handoff that may have undelivered outbox rows: what the sweep reads instead of scanning handoffs. */
export interface DeliveryMark {
  handoffId: string;
  /** The sweep leaves the handoff alone until then: its writer is still delivering. */
  notBefore: string;
  /** When a change last marked it. */
  markedAt: string;
  etag: string;
}

/**
 * A mark as a change wrote it. `fresh`: the change made it, no mark was
 * there, so no row of an earlier change was pending (a pending row always has
 * its mark); a delivery that sent all its own rows may then clear it without
 * reading the handoff's rows.
 */
export interface MarkWritten {
  etag: string;
  fresh: boolean;
  /** The sweep leaves the mark alone until then. */
  notBefore: string;
}

/** The pending deliveries: one mark per handoff in flight. */
export interface DeliveryMarks {
  /** Marks a handoff before a change that writes outbox rows: creates the mark, or marks it again when it is there. */
  mark(handoffId: string, notBefore: string, markedAt: string, budget: Budget): Promise<MarkWritten>;
  /** Every mark: the table holds only handoffs in flight. */
  list(budget: Budget): Promise<DeliveryMark[]>;
  /** Moves a mark's next sweep, if nobody marked it since. @returns false when the mark changed */
  reschedule(mark: DeliveryMark, notBefore: string, budget: Budget): Promise<boolean>;
  /** Removes a mark, if nobody marked it since `etag`. @returns false when it changed or is gone */
  clear(handoffId: string, etag: string, budget: Budget): Promise<boolean>;
}

// ---- Projections: the person index, the due index

/** A person's (or a conversation's) row for one handoff, with the listing search and `mine` show. */
export interface IndexRow {
  handoffId: string;
  createdAt: string;
  /** Undefined when the row cannot be read (its readers skip it, and log it). */
  listing: Listing | undefined;
}

export interface PeopleIndex {
  /** Writes the handoff's rows for its people and its conversation, and removes those of `former` people. */
  add(handoff: Handoff, former: readonly string[], budget: Budget): Promise<void>;
  /** The handoffs a person is or was on, newest first, at most `limit`: one partition. */
  handoffsOf(tenantId: string, aadObjectId: string, limit: number, budget: Budget): Promise<IndexRow[]>;
  /** The handoffs whose card lives in a conversation, newest first, at most `limit`. */
  handoffsInConversation(tenantId: string, conversationId: string, limit: number, budget: Budget): Promise<IndexRow[]>;
}

export interface DueEntry {
  handoffId: string;
  /** When something is due. */
  at: string;
  partitionKey: string;
  rowKey: string;
}

/** When each open handoff next has something due: the overdue check reads what is due, never every open handoff. */
export interface DueIndex {
  /** @param now the writer's clock: an instant already past goes where the next check looks */
  schedule(handoffId: string, at: string, now: number, budget: Budget): Promise<void>;
  /** Removes entries, a few round trips for many; one already gone is no error. */
  remove(entries: readonly Pick<DueEntry, 'partitionKey' | 'rowKey'>[], budget: Budget): Promise<void>;
  unschedule(handoffId: string, at: string, budget: Budget): Promise<void>;
  /** Every entry due by `now`, from the cursor's hour on. */
  dueBy(now: number, budget: Budget): Promise<DueEntry[]>;
  /**
   * After a check at `now`: the next one reads from the hour before `now`
   * (an entry a slow writer put there is not missed), or from the oldest
   * entry this check could not settle.
   */
  moveCursor(now: number, unsettled: readonly DueEntry[], budget: Budget): Promise<void>;
  /** The earliest entry after `now` (the local dev clock's "next"). */
  next(now: number, budget: Budget): Promise<DueEntry | undefined>;
}

// ---- People's personal chats

export interface PersonalChat {
  tenantId: string;
  aadObjectId: string;
  /** Teams user id (29:...). */
  userId: string;
  conversationId: string;
  serviceUrl: string;
  botId: string;
}

/** Where Baton can write to a person 1:1 (they installed it). */
export interface PersonalChats {
  save(chat: PersonalChat, budget: Budget): Promise<void>;
  /** Undefined when the person never installed Baton. */
  find(tenantId: string, aadObjectId: string, budget: Budget): Promise<PersonalChat | undefined>;
  /** Reads the chat afresh next time (a send to the remembered one failed). */
  forget(tenantId: string, aadObjectId: string): void;
}

/** Someone who chose a daily digest of their reminders instead of one message each. */
export interface DigestReader {
  tenantId: string;
  aadObjectId: string;
  name: string;
  /** The start of the working day whose digest was last sent ('' before the first). */
  lastStart: string;
  /** While a digest is being sent: until when that run holds it. */
  leaseUntil: string;
  etag: string;
}

/** Who reads a daily digest; each reader's row also says which day they last got, so no day is sent twice. */
export interface Digests {
  isOn(tenantId: string, aadObjectId: string, budget: Budget): Promise<boolean>;
  /** Turns a person's digest on (keeping what was sent) or off: idempotent. */
  set(person: Pick<DigestReader, 'tenantId' | 'aadObjectId' | 'name'>, on: boolean, budget: Budget): Promise<void>;
  /** Every reader, a page at a time. */
  readers(budget: Budget): AsyncIterable<DigestReader[]>;
  /** ETag-checked. @returns the reader as changed, or undefined when another run (or the person) changed it first */
  update(
    reader: DigestReader,
    change: Partial<Pick<DigestReader, 'lastStart' | 'leaseUntil'>>,
    budget: Budget,
  ): Promise<DigestReader | undefined>;
}

/**
 * The names Teams gave a team or a channel when it was renamed, by id: the
 * weekly summary names a team by its name now, not by the one a handoff kept.
 */
export interface ConversationNames {
  rename(tenantId: string, id: string, name: string, budget: Budget): Promise<void>;
  /** Every name a tenant's teams and channels were renamed to, by id. */
  all(tenantId: string, budget: Budget): Promise<Map<string, string>>;
}

// ---- The weekly summary's records

export interface Subscriber {
  tenantId: string;
  aadObjectId: string;
  name: string;
  timeZone: string;
}

export interface Zone {
  timeZone: string;
  /** The week (its key) whose summaries were last enqueued for this zone; '' when none yet. */
  lastWeek: string;
  etag: string;
}

/** The time zones people who get the summary live in, and the last week enqueued for each. */
export interface Zones {
  list(budget: Budget): Promise<Zone[]>;
  /** @returns false when another run marked it first */
  markEnqueued(zone: Zone, week: string, budget: Budget): Promise<boolean>;
}

/** Who gets the summary, by the zone they live in. */
export interface Subscribers {
  /** Records a person in their zone (and the zone in the list): idempotent. */
  subscribe(subscriber: Subscriber, budget: Budget): Promise<void>;
  unsubscribe(timeZone: string, tenantId: string, aadObjectId: string, budget: Budget): Promise<void>;
  /** The people in a zone, a page at a time. */
  inZone(timeZone: string, budget: Budget): AsyncIterable<Subscriber[]>;
}

export interface Preference {
  /** The person stopped their summary. */
  stopped: boolean;
  /** The person asked for it without being a stakeholder (an owner, a sender). */
  optedIn: boolean;
}

export interface Preferences {
  get(tenantId: string, aadObjectId: string, budget: Budget): Promise<Preference>;
  set(tenantId: string, aadObjectId: string, preference: Preference, at: string, budget: Budget): Promise<void>;
}

export type SendState = 'sending' | 'sent' | 'skipped';

export interface SendRecord {
  state: SendState;
  /** While `sending`: until when the claim holds. */
  leaseUntil: string;
  /** Channels already done: 'email', 'teams' ('email?:<mailbox>' while an email's send is in flight). */
  done: string[];
  /** Why it was skipped, or what the last failure was. */
  reason: string;
  attempts: number;
  etag: string;
}

/** One record per person and week: nobody gets two summaries for one week. */
export interface SendRecords {
  get(week: string, tenantId: string, aadObjectId: string, budget: Budget): Promise<SendRecord | undefined>;
  /** Creates the record, or takes over one whose lease ran out. @returns undefined when someone else holds it or it is finished */
  claim(
    week: string,
    tenantId: string,
    aadObjectId: string,
    leaseUntil: string,
    earlier: SendRecord | undefined,
    budget: Budget,
  ): Promise<SendRecord | undefined>;
  /** ETag-checked: a claim taken over meanwhile fails. */
  update(
    week: string,
    tenantId: string,
    aadObjectId: string,
    record: SendRecord,
    change: Partial<Omit<SendRecord, 'etag'>>,
    budget: Budget,
  ): Promise<SendRecord>;
}

/** Each sending mailbox's latest sends, shared by every instance (Exchange accepts 30 a minute). */
export interface MailboxBudget {
  /** @returns 0 when the send may go (counted at `now`), else ms until the oldest send leaves the window */
  take(mailbox: string, now: number, limit: number, budget: Budget, windowMs?: number): Promise<number>;
  /** Moves a send counted at `taken` to when it went (`sent`). */
  went(mailbox: string, taken: number, sent: number, budget: Budget): Promise<void>;
}

// ---- The messaging extension's previews

/** A form the messaging extension previewed: kept on Baton's side until it expires, so "Send" needs only the preview's id. */
export interface PreviewDraft {
  tenantId: string;
  /** Who filled it in: nobody else may send or edit it. */
  aadObjectId: string;
  /** The form as submitted, with its template and checklist ticks (the rules run on it again when it is sent). */
  input: HandoffFormInput & Partial<TemplateChoice>;
  /** When it is gone: "Send" after that asks for the form again. */
  expiresAt: string;
}

/** The previews' drafts, one row per preview, each with its time to live. */
export interface PreviewDrafts {
  save(id: string, draft: PreviewDraft, budget: Budget): Promise<void>;
  /** The draft, unless there never was one or it expired by `now`. */
  find(id: string, now: number, budget: Budget): Promise<PreviewDraft | undefined>;
  /** Deletes every draft that expired by `now`. @returns how many */
  purge(now: number, budget: Budget): Promise<number>;
}

// ---- Who is away, and who takes over

/** One handoff an away message lists. */
export interface AwayItem {
  handoffId: string;
  summary: string;
  /** For the return message: to whom it was handed on, and by whom. */
  to?: Person;
  by?: Person;
}

/**
 * A message about an absence, sent once inside its reader's working hours:
 * to an owner when someone their handoffs wait on goes away (`owner`), or to
 * the person back from an absence with what was handed on meanwhile (`return`).
 */
export interface AwayNotice {
  /** `<kind>:<absence start>:<reader>`: one per reader and absence. */
  id: string;
  kind: 'owner' | 'return';
  to: Person;
  /** Not before the start of the reader's working hours. */
  notBefore: string;
  items: AwayItem[];
  state: 'pending' | 'sent';
  /** While one run sends it: until when that run holds it ('' when none). */
  leaseUntil: string;
  /** The owner's answers from the message: handoff id to "kept" (Keep waiting) or the name it was reassigned to. */
  answers?: Record<string, string>;
}

/**
 * What Baton keeps of one person's absences: the ones it saw (so the past
 * stays true after automatic replies are turned off), the one they told Baton,
 * their successor, and the messages of the absence it announced.
 */
export interface AwayRecord {
  tenantId: string;
  aadObjectId: string;
  name: string;
  /** Teams user id, when known (the successor's 1:1, a mention). */
  userId: string;
  /** Absences seen, oldest first (src/domain/away.ts mergeAbsences). */
  absences: Absence[];
  /** The absence they told Baton (`away`), if any. */
  declared?: Absence;
  /** Who takes over their reviews while they are away. */
  successor?: Person;
  /** Hand their reviews to the successor at once, without asking the owners. */
  handOver: boolean;
  /** The start of the absence whose beginning was announced ('' when none is). */
  announced: string;
  /** What was handed on during the announced absence: the return message lists it. */
  handedOn: AwayItem[];
  notices: AwayNotice[];
  /** When a change last made them hold a ball: the away check watches them while they do. */
  heldAt: string;
  etag: string;
}

/** The away records (`<prefix>conversations`, partition `away`). */
export interface AwayRecords {
  get(tenantId: string, aadObjectId: string, budget: Budget): Promise<AwayRecord | undefined>;
  /** Notes that a person holds a ball, creating their record or keeping all of it but `heldAt` and their name: idempotent. */
  watch(person: Pick<AwayRecord, 'tenantId' | 'aadObjectId' | 'name' | 'userId'>, at: string, budget: Budget): Promise<void>;
  /** Every record, a page at a time. */
  all(budget: Budget): AsyncIterable<AwayRecord[]>;
  /**
   * Writes a record read with its ETag ('' for a new one).
   * @returns the record as written, or undefined when someone changed (or created) it first
   */
  save(record: AwayRecord, budget: Budget): Promise<AwayRecord | undefined>;
  /** Removes a record, if nobody changed it since it was read. @returns false when it changed */
  remove(record: AwayRecord, budget: Budget): Promise<boolean>;
}

/** Every store the use cases use. */
export interface Stores {
  handoffs: HandoffStore;
  outbox: OutboxStore;
  marks: DeliveryMarks;
  people: PeopleIndex;
  due: DueIndex;
  chats: PersonalChats;
  digests: Digests;
  names: ConversationNames;
  zones: Zones;
  subscribers: Subscribers;
  preferences: Preferences;
  sendRecords: SendRecords;
  mailboxes: MailboxBudget;
  drafts: PreviewDrafts;
  away: AwayRecords;
  templates: TemplateStore;
}

// ---- Team templates (issue 26)

/** A conversation's live templates, by name, and the ETag every change to them is checked against. */
export interface TemplateShelf {
  templates: Template[];
  /** The shelf's ETag; undefined before its first template. */
  etag: string | undefined;
}

/** Each conversation's templates, one partition each: every version kept, with who and when. */
export interface TemplateStore {
  /** The live templates (deleted ones are not), by name. */
  shelf(tenantId: string, conversationId: string, budget: Budget): Promise<TemplateShelf>;
  /** A template's latest version, deleted or not. */
  read(tenantId: string, conversationId: string, id: string, budget: Budget): Promise<Template | undefined>;
  /** Every version of a template, oldest first. */
  versions(tenantId: string, conversationId: string, id: string, budget: Budget): Promise<Template[]>;
  /**
   * Writes a template's next version (or its first) in one transaction with the shelf, checked against the shelf's ETag.
   * @throws ConflictError when the shelf changed since it was read (someone else changed a template of the conversation)
   */
  save(template: Template, shelfEtag: string | undefined, budget: Budget): Promise<void>;
}

// ---- Messages, people and mail

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

/** Where a person's personal chat with Baton is. */
export function personalAddress(chat: PersonalChat): ConversationAddress {
  return {
    serviceUrl: chat.serviceUrl,
    conversationId: chat.conversationId,
    tenantId: chat.tenantId,
    userId: chat.userId,
    botId: chat.botId,
    personal: true,
  };
}

/** Sends cards into conversations (Teams' Bot Connector, or the Playground's). Failures are ConnectorError. */
export interface Messenger {
  /** Posts a new message with the card; resolves to its id. */
  post(to: ConversationAddress, card: AdaptiveCard): Promise<string>;
  /** Replaces the card of an existing message. */
  update(to: ConversationAddress, messageId: string, card: AdaptiveCard): Promise<void>;
}

export interface DirectoryPerson {
  aadObjectId: string;
  name: string;
  /** Where mail reaches them: `mail`, or the UPN when the account has no mail address. */
  mail: string;
  userPrincipalName: string;
}

export type Resolution =
  | { ok: true; query: string; person: DirectoryPerson }
  | { ok: false; query: string; reason: 'unknown' | 'ambiguous' | 'disabled'; message: string };

/** People of one organisation: Microsoft Graph, or the local directory. */
export interface Directory {
  /** Resolves each query (object id, email, UPN or display name) to one person, in the order asked. */
  resolvePeople(queries: readonly string[]): Promise<Resolution[]>;
  /** The person's working days, hours and IANA time zone. @throws for an unknown person */
  getWorkingHours(aadObjectId: string): Promise<WorkingHours>;
  /** A group chat's topic, when it has one and the directory may read it; undefined otherwise. */
  chatTopic(chatId: string): Promise<string | undefined>;
  /** The person's automatic replies (the same mailbox settings): whether, and until when, they are away. @throws for an unknown person */
  getAutomaticReplies(aadObjectId: string): Promise<AutomaticReplies>;
}

export interface OutgoingMail {
  to: readonly string[];
  subject: string;
  /** The body: a whole HTML document or a fragment. */
  html: string;
  /** An Adaptive Card for Outlook to show; its actions reach the bot when it carries the Outlook channel's `originator`. */
  card?: object;
  /** Idempotency key: a second message with a key already sent is not sent again. */
  key?: string;
  /** The sending mailbox, when not the default. */
  from?: string;
  /** Who the message is for, as Teams knows them (the local mailbox acts as them in its Outlook page). */
  actor?: { tenantId: string; aadObjectId: string; name: string };
}

export interface SendReceipt {
  /** False when a message with the same key was already sent by this process. */
  sent: boolean;
  key: string | undefined;
  id: string;
}

/** Email: Graph's sendMail, or the local mailbox. */
export interface Mailer {
  readonly defaultSender: string;
  /** Whether a message with this key is in the mailbox's sent mail (asked before sending an interrupted one again). */
  wasSent(key: string, from: string): Promise<boolean>;
  /** @throws RangeError for a message that cannot be sent */
  sendMail(mail: OutgoingMail): Promise<SendReceipt>;
}

/** The weekly summary's queue: one message per recipient. */
export interface SummaryQueue {
  /** @param delaySeconds hides the message this long first */
  send(message: unknown, delaySeconds?: number): Promise<void>;
}

// ---- Who asks

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
  /** Where the activity came from; names only when Teams said them (it often does not). */
  conversation: { id: string; serviceUrl: string; personal: boolean } & Pick<ConversationRef, 'kind' | 'name' | 'team' | 'channel'>;
  /** Whether the person is an owner of the channel's team (the roster's `userRole`); absent outside channels. */
  teamOwner?: () => Promise<boolean>;
  /** The message that carries the card the user clicked, when there is one. */
  replyToId: string | undefined;
  /** The viewer's IANA time zone, when the client said it. */
  timeZone: string | undefined;
  /** The viewer's calendar date (YYYY-MM-DD). */
  today: string;
  /** The request's storage budget: what is left of Teams' 5 seconds. */
  budget: Budget;
  /**
   * The conversation's members; empty where the bot is not a member.
   * @throws MembersUnavailableError when the connector could not say
   */
  members(): Promise<Person[]>;
}

/** The conversation's member list could not be read (the connector failed or timed out). */
export class MembersUnavailableError extends Error {
  override name = 'MembersUnavailableError';
}

// ---- What the use cases answer

export interface AnswerError {
  status: 400 | 403 | 404 | 503;
  code: string;
  message: string;
}

/** What a use case answers: a card (with why, when the change was refused), or an error. */
export type Answer = { card: AdaptiveCard; refusal?: string } | { error: AnswerError };

// ---- The app

/** The deliverer of outbox rows (src/app/deliveries.ts). */
export interface Deliveries {
  /** Until when a writer holds the rows it is about to commit. */
  leaseForNewRows(): string;
  /** Marks a handoff before a change that writes rows. */
  mark(handoffId: string, budget: Budget): Promise<MarkWritten>;
  /**
   * Delivers rows just committed, in the background.
   * @returns resolves once everyone's card is out (or failed)
   */
  afterCommit(handoffId: string, rows: readonly OutboxRow[], mark: MarkWritten, committed: Handoff): Promise<void>;
  /** Delivers a handoff's pending rows nobody holds (a replayed activity asks for its own). */
  retryPending(handoffId: string): void;
  /** Resolves once every delivery this process started has finished. */
  idle(): Promise<void>;
}

/** Settings the use cases read. */
export interface AppSettings {
  due: DuePolicy;
  summary: SummarySettings;
  /** Where Baton's own links point. */
  publicBaseUrl: string;
  /** The one tenant this deployment serves (its directory's): an Outlook action that names no tenant is this one's. */
  readonly tenantId: string;
}

/** Everything the use cases share. */
export interface App {
  stores: Stores;
  deliveries: Deliveries;
  messenger: Messenger;
  /** The directory for a tenant's users: Baton's covers one tenant; for any other it knows no one. */
  directoryFor(tenantId: string): Directory;
  /**
   * A person's working hours with their absences (src/app/working-hours.ts),
   * or Baton's default week when the directory cannot say.
   */
  workingHours(tenantId: string, person: Person, budget: Budget): Promise<WorkingHours>;
  mailer: Mailer;
  summaryQueue: SummaryQueue;
  settings: AppSettings;
  clock: Clock;
  log: Logger;
}
