/**
 * The handoff repository. Every change is written with its history event, the
 * marker of the activity that caused it and the outbox rows of what it sends,
 * in one ETag-checked transaction: never a change without its event or its
 * messages, never one activity applied twice.
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import * as z from 'zod';
import type { Handoff, HandoffEvent, Person } from '../domain/handoff';
import { STEPS } from '../domain/due';
import { EVENT_TYPES, PRIORITIES, STATUSES, WORK_STATES } from '../domain/handoff';
import { WEEKDAYS } from '../domain/working-hours';
import { UnreadableRecordError } from '../errors';
import { ACTIVITY_ROW_PREFIX, activityRowKey, EVENT_ROW_PREFIX, eventRowKey, HANDOFF_ROW, OUTBOX_ROW_PREFIX } from './keys';
import { type Effect, MAX_ERROR_LENGTH, newRowEntities, type OutboxRow, rowFromEntity, type RowUpdate } from './outbox-rows';
import { json, optionalJson } from './json-property';
import { findEntity, openTable, translate } from './tables';
import type { StorageAccount } from './account';

const person = z.object({ aadObjectId: z.string(), userId: z.string(), name: z.string() });
const remark = z.object({ by: person, at: z.string(), text: z.string() });
const conversation = z.object({ id: z.string(), serviceUrl: z.string(), messageId: z.string().optional(), tenantId: z.string().optional() });
const optionalString = z.string().optional().transform((s) => (s === '' ? undefined : s));
const hours = z.object({ days: z.array(z.enum(WEEKDAYS)), start: z.string(), end: z.string(), timeZone: z.string() });
const level = z.union([z.literal(0), z.literal(1), z.literal(2)]);
const stepClock = z.object({
  step: z.enum(STEPS),
  startedBy: z.number().int(),
  holder: person,
  holderHours: hours,
  ownerHours: hours,
  runStartedAt: z.string(),
  usedMinutes: z.number(),
  goalMinutes: z.number(),
  dueAt: z.string(),
  level,
  autoCloseAt: z.string().optional(),
});
const reviewClock = z.object({
  startedBy: z.number().int(),
  receiverId: z.string(),
  usedMinutes: z.number(),
  level,
  cycles: z.array(z.object({ startedAt: z.string(), pausedAt: z.string().optional(), elapsedMinutes: z.number(), breached: z.boolean() })),
});

/** A person-index row's copy of the handoff's listing (src/domain/handoff.ts Listing), as JSON. */
export const listingSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  summary: z.string(),
  status: z.enum(STATUSES),
  workState: z.enum(WORK_STATES),
  priority: z.enum(PRIORITIES),
  // A row written before these were listed does not parse: the reader then reads the handoff, until its next change rewrites the row.
  version: z.number().int(),
  sender: person,
  receiver: person,
  owner: person,
  stakeholders: z.array(person),
  conversation,
  question: z.object({ by: person }).optional(),
  decision: z.object({ by: person }).optional(),
  neededBy: z.string().optional(),
  neededByAt: z.string().optional(),
  clock: stepClock.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  eventCount: z.number().int(),
});

/** What a handoff row holds; parsed on every read so a bad row fails loudly, not later. */
const handoffEntity = z.object({
  partitionKey: z.string(),
  etag: z.string(),
  tenantId: z.string(),
  version: z.number().int(),
  status: z.enum(STATUSES),
  summary: z.string(),
  whatIsReady: z.string(),
  acceptanceCriteria: json(z.array(z.string())),
  assumptions: z.string(),
  links: json(z.array(z.string())),
  effortMinutes: z.number().int().optional(),
  workState: z.enum(WORK_STATES),
  blocker: z.string(),
  neededBy: optionalString,
  priority: z.enum(PRIORITIES),
  changes: json(z.array(z.string())),
  sender: json(person),
  receiver: json(person),
  owner: json(person),
  stakeholders: json(z.array(person)),
  conversation: json(conversation),
  createdAt: z.string(),
  updatedAt: z.string(),
  decision: optionalJson(remark.extend({ status: z.enum(['accepted', 'changesRequested']), checked: z.array(z.boolean()) })),
  question: optionalJson(remark),
  answer: optionalJson(remark),
  changeRequest: optionalJson(remark.extend({ version: z.number().int() })),
  priorityFlag: optionalJson(remark.extend({ from: z.enum(PRIORITIES), to: z.enum(PRIORITIES) })),
  lastNudge: optionalJson(z.object({ at: z.string(), by: person, to: person, reached: z.boolean() })),
  ending: optionalJson(remark),
  late: z.boolean(),
  eventCount: z.number().int(),
  // Due times (src/domain/due.ts); a handoff stored before them has none until its next change.
  clock: optionalJson(stepClock),
  review: optionalJson(reviewClock),
  neededByAt: optionalString,
  neededByTold: z.boolean().optional().default(false),
  wakeAt: optionalString,
});

const eventEntity = z.object({
  partitionKey: z.string(),
  seq: z.number().int(),
  type: z.enum(EVENT_TYPES),
  actor: json(person),
  at: z.string(),
  comment: z.string(),
  detail: z.string().optional().default(''),
  version: z.number().int(),
  workState: z.enum(WORK_STATES),
});

export interface StoredHandoff {
  handoff: Handoff;
  etag: string;
}

const jsonOrEmpty = (value: unknown) => (value === undefined ? '' : JSON.stringify(value));

function toEntity(h: Handoff) {
  return {
    partitionKey: h.id,
    rowKey: HANDOFF_ROW,
    tenantId: h.tenantId,
    version: h.version,
    status: h.status,
    summary: h.summary,
    whatIsReady: h.whatIsReady,
    acceptanceCriteria: JSON.stringify(h.acceptanceCriteria),
    assumptions: h.assumptions,
    links: JSON.stringify(h.links),
    ...(h.effortMinutes === undefined ? {} : { effortMinutes: h.effortMinutes }),
    workState: h.workState,
    blocker: h.blocker,
    neededBy: h.neededBy ?? '',
    priority: h.priority,
    changes: JSON.stringify(h.changes),
    sender: JSON.stringify(h.sender),
    receiver: JSON.stringify(h.receiver),
    owner: JSON.stringify(h.owner),
    stakeholders: JSON.stringify(h.stakeholders),
    conversation: JSON.stringify(h.conversation),
    createdAt: h.createdAt,
    updatedAt: h.updatedAt,
    decision: jsonOrEmpty(h.decision),
    question: jsonOrEmpty(h.question),
    answer: jsonOrEmpty(h.answer),
    changeRequest: jsonOrEmpty(h.changeRequest),
    priorityFlag: jsonOrEmpty(h.priorityFlag),
    lastNudge: jsonOrEmpty(h.lastNudge),
    ending: jsonOrEmpty(h.ending),
    late: h.late,
    eventCount: h.eventCount,
    clock: jsonOrEmpty(h.clock),
    review: jsonOrEmpty(h.review),
    neededByAt: h.neededByAt ?? '',
    neededByTold: h.neededByTold,
    wakeAt: h.wakeAt ?? '',
  };
}

function fromEntity(entity: unknown): { handoff: Handoff; etag: string } {
  const parsed = handoffEntity.safeParse(entity);
  if (!parsed.success) {
    const id = String((entity as { partitionKey?: unknown }).partitionKey ?? '?');
    throw new UnreadableRecordError(id, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const { partitionKey, etag, ...rest } = parsed.data;
  const handoff: Handoff = {
    ...rest,
    id: partitionKey,
    effortMinutes: rest.effortMinutes,
    neededBy: rest.neededBy,
    decision: rest.decision,
    question: rest.question,
    answer: rest.answer,
    changeRequest: rest.changeRequest,
    priorityFlag: rest.priorityFlag,
    lastNudge: rest.lastNudge,
    ending: rest.ending,
    clock: rest.clock,
    review: rest.review,
    neededByAt: rest.neededByAt,
    wakeAt: rest.wakeAt,
  };
  return { handoff, etag };
}

function eventToEntity(e: HandoffEvent) {
  return {
    partitionKey: e.handoffId,
    rowKey: eventRowKey(e.seq),
    seq: e.seq,
    type: e.type,
    actor: JSON.stringify(e.actor satisfies Person),
    at: e.at,
    comment: e.comment,
    detail: e.detail,
    version: e.version,
    workState: e.workState,
  };
}

function rowEntity(row: OutboxRow) {
  const { handoffId, key, effect, etag: _etag, ...rest } = row;
  return { partitionKey: handoffId, rowKey: key, effect: JSON.stringify(effect), ...rest };
}

function markerEntity(handoffId: string, activityId: string, at: string) {
  return { partitionKey: handoffId, rowKey: activityRowKey(activityId), at };
}

export class HandoffStore {
  constructor(private readonly table: TableClient) {}

  /** Opens (and creates when missing) the handoffs table named by the prefix. */
  static async open(account: StorageAccount, prefix: string): Promise<HandoffStore> {
    return new HandoffStore(openTable(account, prefix, 'handoffs'));
  }

  /**
   * Stores a new handoff with its first event and its outbox rows.
   * @param leaseUntil until when the caller holds the new rows (it delivers them right after)
   * @returns the outbox rows as stored, ETags included
   * @throws ConflictError when the handoff already exists (a replayed or repeated submission).
   */
  async insert(handoff: Handoff, event: HandoffEvent, activityId: string, effects: readonly Effect[] = [], leaseUntil = ''): Promise<OutboxRow[]> {
    return this.commit(['create', toEntity(handoff)], event, activityId, effects, leaseUntil);
  }

  /** A handoff: the handoff row alone, a point read, the cheapest request Table Storage serves. */
  async read(id: string): Promise<StoredHandoff | undefined> {
    const entity = await findEntity(this.table, id, HANDOFF_ROW);
    return entity && fromEntity(entity);
  }

  /**
   * Whether `activityId` was already applied to the handoff (its marker row
   * exists). A change asks only when it is refused, which is where a replay
   * shows, so the usual path is the one point read of {@link read}.
   */
  async applied(id: string, activityId: string): Promise<boolean> {
    return (await findEntity(this.table, id, activityRowKey(activityId), { queryOptions: { select: ['RowKey'] } })) !== undefined;
  }

  /**
   * Replaces a handoff read with `etag`, adding its event, the activity marker and its outbox rows.
   * @returns the outbox rows as stored, ETags included
   * @throws ConflictError when someone changed it since, or the activity was already applied.
   */
  async save(next: Handoff, etag: string, event: HandoffEvent, activityId: string, effects: readonly Effect[] = [], leaseUntil = ''): Promise<OutboxRow[]> {
    return this.commit(['update', toEntity(next), 'Replace', { etag }], event, activityId, effects, leaseUntil);
  }

  /** The handoff's outbox rows, oldest first; only those not delivered yet unless `all`. */
  async outbox(id: string, options: { all?: boolean } = {}): Promise<OutboxRow[]> {
    const range = odata`PartitionKey eq ${id} and RowKey ge ${OUTBOX_ROW_PREFIX} and RowKey lt ${`${OUTBOX_ROW_PREFIX}~`}`;
    const filter = options.all ? range : `${range} and state eq 'pending'`;
    const rows: OutboxRow[] = [];
    try {
      for await (const entity of this.table.listEntities({ queryOptions: { filter } })) rows.push(rowFromEntity(entity));
    } catch (error) {
      throw translate(error);
    }
    return rows;
  }

  /**
   * Changes an outbox row read with its ETag (a claim, a delivery, a failure).
   * @returns the row as now stored
   * @throws ConflictError when another deliverer changed it first
   */
  async updateRow(row: OutboxRow, update: RowUpdate): Promise<OutboxRow> {
    const next = { ...row, ...update, lastError: (update.lastError ?? row.lastError).slice(0, MAX_ERROR_LENGTH) };
    try {
      const response = await this.table.updateEntity(rowEntity(next), 'Merge', { etag: row.etag });
      return { ...next, etag: response.etag ?? '' };
    } catch (error) {
      throw translate(error);
    }
  }

  /**
   * Marks outbox rows of one handoff delivered, in one transaction, each ETag-checked.
   * @throws ConflictError when another deliverer changed one of them first (none is marked then)
   */
  async markDelivered(rows: readonly OutboxRow[], deliveredAt: string): Promise<void> {
    await this.submit(rows.map((row): TransactionAction => ['update', rowEntity({ ...row, state: 'delivered', leaseUntil: '', deliveredAt }), 'Merge', { etag: row.etag }]));
  }

  /**
   * Records where the card was posted, and that its `post` row is delivered,
   * in one transaction: the handoff row is ETag-checked, so a change made
   * meanwhile is never overwritten (the caller re-reads and tries again).
   * @throws ConflictError when the handoff or the row changed since they were read
   */
  async recordPosted(stored: { handoff: Handoff; etag: string }, messageId: string, row: OutboxRow, deliveredAt: string): Promise<void> {
    const handoff = { ...stored.handoff, conversation: { ...stored.handoff.conversation, messageId } };
    await this.submit([
      ['update', toEntity(handoff), 'Replace', { etag: stored.etag }],
      ['update', rowEntity({ ...row, state: 'delivered', leaseUntil: '', deliveredAt }), 'Merge', { etag: row.etag }],
    ]);
  }

  /**
   * The handoff and its history, oldest event first, in one query of its
   * partition (the summary reads many handoffs: one request each, not two).
   */
  async readWithHistory(id: string): Promise<{ handoff: Handoff; events: HandoffEvent[] } | undefined> {
    const filter = odata`PartitionKey eq ${id} and (RowKey eq ${HANDOFF_ROW} or (RowKey ge ${EVENT_ROW_PREFIX} and RowKey lt ${`${EVENT_ROW_PREFIX}~`}))`;
    let handoff: Handoff | undefined;
    const events: HandoffEvent[] = [];
    try {
      for await (const entity of this.table.listEntities({ queryOptions: { filter } })) {
        if (entity.rowKey === HANDOFF_ROW) handoff = fromEntity(entity).handoff;
        else {
          const { partitionKey, ...rest } = eventEntity.parse(entity);
          events.push({ handoffId: partitionKey, ...rest });
        }
      }
    } catch (error) {
      throw translate(error);
    }
    return handoff ? { handoff, events } : undefined;
  }

  /** The handoff's history, oldest first. */
  async history(id: string): Promise<HandoffEvent[]> {
    const filter = odata`PartitionKey eq ${id} and RowKey ge ${EVENT_ROW_PREFIX} and RowKey lt ${`${EVENT_ROW_PREFIX}~`}`;
    const events: HandoffEvent[] = [];
    for await (const entity of this.table.listEntities({ queryOptions: { filter } })) {
      const { partitionKey, ...rest } = eventEntity.parse(entity);
      events.push({ handoffId: partitionKey, ...rest });
    }
    return events;
  }

  /** Counts the rows of a handoff's partition by kind; used by tests to prove nothing was duplicated. */
  async countRows(id: string): Promise<{ handoff: number; events: number; activities: number; outbox: number }> {
    const counts = { handoff: 0, events: 0, activities: 0, outbox: 0 };
    for await (const entity of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${id}`, select: ['RowKey'] } })) {
      if (entity.rowKey === HANDOFF_ROW) counts.handoff += 1;
      else if (entity.rowKey?.startsWith(EVENT_ROW_PREFIX)) counts.events += 1;
      else if (entity.rowKey?.startsWith(ACTIVITY_ROW_PREFIX)) counts.activities += 1;
      else if (entity.rowKey?.startsWith(OUTBOX_ROW_PREFIX)) counts.outbox += 1;
    }
    return counts;
  }

  /** The handoff row, its event, the activity marker and the outbox rows: one entity-group transaction. */
  private async commit(handoffAction: TransactionAction, event: HandoffEvent, activityId: string, effects: readonly Effect[], leaseUntil: string): Promise<OutboxRow[]> {
    const rows = newRowEntities(event.handoffId, event.seq, effects, event.at, leaseUntil);
    const response = await this.submit([
      handoffAction,
      ['create', eventToEntity(event)],
      ['create', markerEntity(event.handoffId, activityId, event.at)],
      ...rows.map((row): TransactionAction => ['create', row]),
    ]);
    return rows.map((row) => ({ ...rowFromEntity({ ...row, etag: response.find((r) => r.rowKey === row.rowKey)?.etag ?? '' }) }));
  }

  private async submit(actions: TransactionAction[]) {
    try {
      return (await this.table.submitTransaction(actions)).subResponses;
    } catch (error) {
      throw translate(error);
    }
  }
}
