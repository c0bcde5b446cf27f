/**
 * The handoff repository. Every change is written with its history event and
 * the marker of the activity that caused it, in one ETag-checked transaction:
 * never a change without its event, never one activity applied twice.
 */
import { odata, RestError, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import type { Handoff, HandoffEvent, Person } from '../domain/handoff';
import { EVENT_TYPES, PRIORITIES, STATUSES, WORK_STATES } from '../domain/handoff';
import { ConflictError, ThrottledError } from '../errors';
import { ACTIVITY_ROW_PREFIX, activityRowKey, EVENT_ROW_PREFIX, eventRowKey, HANDOFF_ROW } from './keys';
import { openTable } from './tables';

const person = z.object({ aadObjectId: z.string(), userId: z.string(), name: z.string() });
const remark = z.object({ by: person, at: z.string(), text: z.string() });
const json = <T extends z.ZodType>(schema: T) => z.string().transform((s) => JSON.parse(s) as unknown).pipe(schema);
const optionalJson = <T extends z.ZodType>(schema: T) =>
  z.string().optional().transform((s) => (s ? (JSON.parse(s) as unknown) : undefined)).pipe(schema.optional());
const optionalString = z.string().optional().transform((s) => (s === '' ? undefined : s));

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
  conversation: json(z.object({ id: z.string(), serviceUrl: z.string(), messageId: z.string().optional(), postingClaim: z.string().optional() })),
  createdAt: z.string(),
  updatedAt: z.string(),
  decision: optionalJson(remark.extend({ status: z.enum(['accepted', 'changesRequested']), checked: z.array(z.boolean()) })),
  question: optionalJson(remark),
  answer: optionalJson(remark),
  ending: optionalJson(remark),
  metrics: json(
    z.object({
      questions: z.number(),
      changeRequests: z.number(),
      blockedIncidents: z.number(),
      late: z.boolean(),
      acceptedAt: z.string().optional(),
      acceptedVersion: z.number().optional(),
    }),
  ),
  eventCount: z.number().int(),
});

const eventEntity = z.object({
  partitionKey: z.string(),
  seq: z.number().int(),
  type: z.enum(EVENT_TYPES),
  actor: json(person),
  at: z.string(),
  comment: z.string(),
  detail: z.string().optional().default(''),
});

export interface StoredHandoff {
  handoff: Handoff;
  etag: string;
  /** The activity named in the read was already applied to this handoff. */
  replayed: boolean;
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
    ending: jsonOrEmpty(h.ending),
    metrics: JSON.stringify(h.metrics),
    eventCount: h.eventCount,
  };
}

function fromEntity(entity: unknown): { handoff: Handoff; etag: string } {
  const { partitionKey, etag, ...rest } = handoffEntity.parse(entity);
  const handoff: Handoff = {
    ...rest,
    id: partitionKey,
    effortMinutes: rest.effortMinutes,
    neededBy: rest.neededBy,
    decision: rest.decision,
    question: rest.question,
    answer: rest.answer,
    ending: rest.ending,
    metrics: { ...rest.metrics, acceptedAt: rest.metrics.acceptedAt, acceptedVersion: rest.metrics.acceptedVersion },
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
  };
}

function markerEntity(handoffId: string, activityId: string, at: string) {
  return { partitionKey: handoffId, rowKey: activityRowKey(activityId), at };
}

/** Maps a Table Storage failure to what it means for the caller. */
function translate(error: unknown): unknown {
  if (error instanceof RestError) {
    if (error.statusCode === 409 || error.statusCode === 412) return new ConflictError(error.message);
    if (error.statusCode === 429 || error.statusCode === 503) {
      const header = error.response?.headers.get('retry-after');
      return new ThrottledError(error.message, header ? Number(header) * 1000 : undefined);
    }
  }
  return error;
}

export class HandoffStore {
  constructor(private readonly table: TableClient) {}

  /** Opens (and creates when missing) the handoffs table named by the prefix. */
  static async open(connectionString: string, prefix: string): Promise<HandoffStore> {
    return new HandoffStore(await openTable(connectionString, `${prefix}handoffs`));
  }

  /**
   * Stores a new handoff with its first event.
   * @throws ConflictError when the handoff already exists (a replayed or repeated submission).
   */
  async insert(handoff: Handoff, event: HandoffEvent, activityId: string): Promise<void> {
    await this.submit([
      ['create', toEntity(handoff)],
      ['create', eventToEntity(event)],
      ['create', markerEntity(handoff.id, activityId, event.at)],
    ]);
  }

  /**
   * Reads a handoff, and in the same round trip whether `activityId` was already applied to it.
   */
  async read(id: string, activityId?: string): Promise<StoredHandoff | undefined> {
    const filter = activityId
      ? odata`PartitionKey eq ${id} and (RowKey eq ${HANDOFF_ROW} or RowKey eq ${activityRowKey(activityId)})`
      : odata`PartitionKey eq ${id} and RowKey eq ${HANDOFF_ROW}`;
    let found: { handoff: Handoff; etag: string } | undefined;
    let replayed = false;
    try {
      for await (const entity of this.table.listEntities({ queryOptions: { filter } })) {
        if (entity.rowKey === HANDOFF_ROW) found = fromEntity(entity);
        else if (entity.rowKey?.startsWith(ACTIVITY_ROW_PREFIX)) replayed = true;
      }
    } catch (error) {
      throw translate(error);
    }
    return found ? { ...found, replayed } : undefined;
  }

  /**
   * Replaces a handoff read with `etag`, adding its event and the activity marker.
   * @throws ConflictError when someone changed it since, or the activity was already applied.
   */
  async save(next: Handoff, etag: string, event: HandoffEvent, activityId: string): Promise<void> {
    await this.submit([
      ['update', toEntity(next), 'Replace', { etag }],
      ['create', eventToEntity(event)],
      ['create', markerEntity(next.id, activityId, event.at)],
    ]);
  }

  /**
   * Changes where a handoff's card is being posted, or records the posted
   * message, if the posting claim is still `expectedClaim` (ETag-checked). Where
   * the card lives is not a change of the handoff, so no event is written.
   * @returns false when another attempt changed the claim first
   */
  async setPosting(id: string, expectedClaim: string, next: { postingClaim?: string; messageId?: string }): Promise<boolean> {
    const stored = await this.read(id);
    if (!stored || stored.handoff.conversation.postingClaim !== expectedClaim) return false;
    const { postingClaim: _old, ...conversation } = stored.handoff.conversation;
    const handoff = { ...stored.handoff, conversation: { ...conversation, ...next } };
    try {
      await this.table.updateEntity(toEntity(handoff), 'Replace', { etag: stored.etag });
      return true;
    } catch (error) {
      const translated = translate(error);
      if (translated instanceof ConflictError) return false;
      throw translated;
    }
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
  async countRows(id: string): Promise<{ handoff: number; events: number; activities: number }> {
    const counts = { handoff: 0, events: 0, activities: 0 };
    for await (const entity of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${id}`, select: ['RowKey'] } })) {
      if (entity.rowKey === HANDOFF_ROW) counts.handoff += 1;
      else if (entity.rowKey?.startsWith(EVENT_ROW_PREFIX)) counts.events += 1;
      else if (entity.rowKey?.startsWith(ACTIVITY_ROW_PREFIX)) counts.activities += 1;
    }
    return counts;
  }

  private async submit(actions: TransactionAction[]): Promise<void> {
    try {
      await this.table.submitTransaction(actions);
    } catch (error) {
      throw translate(error);
    }
  }
}
