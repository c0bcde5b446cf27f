/**
 * How a handoff, its history events and its outbox rows are kept as rows of
 * the handoffs table (one partition per handoff), and read back: every read
 * is parsed, so a bad row fails loudly where it is read, not later.
 */
import * as z from 'zod';
import type { Effect, OutboxRow, StoredHandoff } from '../app/ports';
import { EVENT_TYPES, type Handoff, type HandoffEvent, PRIORITIES, STATUSES, STEPS, WORK_STATES } from '../domain/handoff';
import { WEEKDAYS } from '../domain/working-hours';
import { UnreadableRecordError } from '../errors';
import { json, optionalJson } from './json-property';
import { eventRowKey, HANDOFF_ROW, outboxRowKey } from './keys';

export const personSchema = z.object({ aadObjectId: z.string(), userId: z.string(), name: z.string() });
const remark = z.object({ by: personSchema, at: z.string(), text: z.string() });
const named = z.object({ id: z.string(), name: z.string().optional() });
const conversation = z.object({
  id: z.string(),
  serviceUrl: z.string(),
  messageId: z.string().optional(),
  tenantId: z.string().optional(),
  kind: z.enum(['channel', 'groupChat', 'personal']).optional(),
  name: z.string().optional(),
  team: named.optional(),
  channel: named.optional(),
});
const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === '' ? undefined : s));
/** A time away, as the stores keep it: its start and, when known, its end. */
export const absenceSchema = z.object({ start: z.string(), end: z.string().optional() });
const hours = z.object({
  days: z.array(z.enum(WEEKDAYS)),
  start: z.string(),
  end: z.string(),
  timeZone: z.string(),
  away: z.array(absenceSchema).optional(),
});
const level = z.union([z.literal(0), z.literal(1), z.literal(2)]);
const stepClock = z.object({
  step: z.enum(STEPS),
  startedBy: z.number().int(),
  holder: personSchema,
  holderHours: hours,
  ownerHours: hours,
  runStartedAt: z.string(),
  usedMinutes: z.number(),
  goalMinutes: z.number(),
  dueAt: z.string().optional(),
  level,
  autoCloseAt: z.string().optional(),
  ownerReached: z.boolean().optional(),
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
  blocker: z.string(),
  priority: z.enum(PRIORITIES),
  version: z.number().int(),
  sender: personSchema,
  receiver: personSchema,
  owner: personSchema,
  stakeholders: z.array(personSchema),
  conversation,
  question: z.object({ by: personSchema }).optional(),
  decision: z.object({ by: personSchema }).optional(),
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
  sender: json(personSchema),
  receiver: json(personSchema),
  owner: json(personSchema),
  stakeholders: json(z.array(personSchema)),
  conversation: json(conversation),
  createdAt: z.string(),
  updatedAt: z.string(),
  decision: optionalJson(remark.extend({ status: z.enum(['accepted', 'changesRequested']), checked: z.array(z.boolean()) })),
  question: optionalJson(remark),
  answer: optionalJson(remark),
  changeRequest: optionalJson(remark.extend({ version: z.number().int() })),
  priorityFlag: optionalJson(remark.extend({ from: z.enum(PRIORITIES), to: z.enum(PRIORITIES) })),
  lastNudge: optionalJson(z.object({ at: z.string(), by: personSchema, to: personSchema, reached: z.boolean() })),
  awayUntold: optionalJson(z.object({ owner: personSchema, away: personSchema, at: z.string() })),
  reassigned: optionalJson(z.object({ from: personSchema, to: personSchema, at: z.string(), whileAway: z.boolean().optional() })),
  ending: optionalJson(remark),
  late: z.boolean(),
  eventCount: z.number().int(),
  clock: optionalJson(stepClock),
  review: optionalJson(reviewClock),
  neededByAt: optionalString,
  neededByTold: z.boolean(),
  wakeAt: optionalString,
  template: optionalJson(
    z.object({
      id: z.string(),
      name: z.string(),
      version: z.number().int(),
      checklist: z.array(z.string()),
      reviewGoalMinutes: z.number().optional(),
    }),
  ),
});

const eventEntity = z.object({
  partitionKey: z.string(),
  seq: z.number().int(),
  type: z.enum(EVENT_TYPES),
  actor: json(personSchema),
  at: z.string(),
  comment: z.string(),
  detail: z.string(),
  version: z.number().int(),
  workState: z.enum(WORK_STATES),
});

const jsonOrEmpty = (value: unknown) => (value === undefined ? '' : JSON.stringify(value));

/** The handoff row of a handoff. */
export function handoffToEntity(h: Handoff) {
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
    awayUntold: jsonOrEmpty(h.awayUntold),
    reassigned: jsonOrEmpty(h.reassigned),
    ending: jsonOrEmpty(h.ending),
    late: h.late,
    eventCount: h.eventCount,
    clock: jsonOrEmpty(h.clock),
    review: jsonOrEmpty(h.review),
    neededByAt: h.neededByAt ?? '',
    neededByTold: h.neededByTold,
    wakeAt: h.wakeAt ?? '',
    template: jsonOrEmpty(h.template),
  };
}

export function handoffFromEntity(entity: unknown): StoredHandoff {
  const parsed = handoffEntity.safeParse(entity);
  if (!parsed.success) {
    const id = String((entity as { partitionKey?: unknown }).partitionKey ?? '?');
    throw new UnreadableRecordError(id, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const { partitionKey, etag, template, awayUntold, ...rest } = parsed.data;
  // Optional fields written out: a parsed property that is absent is still one the Handoff names.
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
    // Kept only once an owner could not be told someone was away.
    ...(awayUntold ? { awayUntold } : {}),
    reassigned: rest.reassigned,
    ending: rest.ending,
    clock: rest.clock,
    review: rest.review,
    neededByAt: rest.neededByAt,
    wakeAt: rest.wakeAt,
    // A handoff posted from no template has no stamp at all (issue 26).
    ...(template ? { template } : {}),
  };
  return { handoff, etag };
}

export function eventFromEntity(entity: unknown): HandoffEvent {
  const { partitionKey, ...rest } = eventEntity.parse(entity);
  return { handoffId: partitionKey, ...rest };
}

export function eventToEntity(e: HandoffEvent) {
  return {
    partitionKey: e.handoffId,
    rowKey: eventRowKey(e.seq),
    seq: e.seq,
    type: e.type,
    actor: JSON.stringify(e.actor),
    at: e.at,
    comment: e.comment,
    detail: e.detail,
    version: e.version,
    workState: e.workState,
  };
}

const effectSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('index'), former: z.array(z.string()).optional(), followers: z.boolean().optional() }),
  z.object({ kind: z.literal('card') }),
  z.object({ kind: z.literal('post') }),
  z.object({ kind: z.literal('due'), previous: z.string() }),
  z.object({
    kind: z.literal('message'),
    to: personSchema,
    headline: z.string(),
    quote: z.string(),
    about: z.string(),
    buttons: z.array(z.enum(['open', 'close', 'nudge', 'reassign'])).optional(),
    notBefore: z.string().optional(),
    inHours: z.boolean().optional(),
  }),
]) satisfies z.ZodType<Effect>;

const entity = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  etag: z.string(),
  effect: json(effectSchema),
  state: z.enum(['pending', 'delivered', 'dead']),
  attempts: z.number().int(),
  createdAt: z.string(),
  leaseUntil: z.string(),
  nextAttemptAt: z.string(),
  lastError: z.string(),
  deliveredAt: z.string(),
});

/** A Table string property holds 64 KiB; a reason longer than this is cut. */
export const MAX_ERROR_LENGTH = 1000;

/** New rows for a change's effects, held by the writer until `leaseUntil` so its own delivery is not raced by the sweep. */
export function newRowEntities(handoffId: string, seq: number, effects: readonly Effect[], at: string, leaseUntil: string) {
  return effects.map((effect, index) => ({
    partitionKey: handoffId,
    rowKey: outboxRowKey(seq, index),
    effect: JSON.stringify(effect),
    state: 'pending',
    attempts: 0,
    createdAt: at,
    leaseUntil,
    // A message that must wait (for its reader's working hours) is not tried before then.
    nextAttemptAt: effect.kind === 'message' ? (effect.notBefore ?? '') : '',
    lastError: '',
    deliveredAt: '',
  }));
}

/** Parses a stored row; throws (zod) on a row Baton did not write. */
export function rowFromEntity(value: unknown): OutboxRow {
  const { partitionKey, rowKey, ...rest } = entity.parse(value);
  return { handoffId: partitionKey, key: rowKey, ...rest };
}

export function outboxRowToEntity(row: OutboxRow) {
  const { handoffId, key, effect, etag: _etag, ...rest } = row;
  return {
    partitionKey: handoffId,
    rowKey: key,
    effect: JSON.stringify(effect),
    ...rest,
    lastError: rest.lastError.slice(0, MAX_ERROR_LENGTH),
  };
}
