/**
 * Outbox rows: the messages a change causes (the card update in its
 * conversation, each 1:1 message), stored in the handoff's partition and
 * written in the same transaction as the change. A row is delivered after the
 * commit and marked delivered, so a crash, a retry or a second instance never
 * loses one or sends it twice (transactional outbox).
 */
import * as z from 'zod';
import { json } from './json-property';
import { outboxRowKey } from './keys';

const person = z.object({ aadObjectId: z.string(), userId: z.string(), name: z.string() });

/** What a row asks the outbox to do; the outbox renders cards from the handoff when it delivers. */
export const effectSchema = z.discriminatedUnion('kind', [
  /**
   * Write the handoff's rows in the person index (its people's `mine` and
   * search), with its listing, from the current record; remove them for
   * `former` people; and, when `followers` (absent means yes), record its
   * stakeholders as followers of the weekly summary.
   */
  z.object({ kind: z.literal('index'), former: z.array(z.string()).optional(), followers: z.boolean().optional() }),
  /** Replace the handoff's card in its conversation with everyone's view of the current state. */
  z.object({ kind: z.literal('card') }),
  /** Post the handoff's card in its conversation (the messaging extension's Send) and record the message. */
  z.object({ kind: z.literal('post') }),
  /** Record the handoff's next wake-up in the due index, from the current record, and remove the one before (`previous`, '' for none). */
  z.object({ kind: z.literal('due'), previous: z.string() }),
  /** A card in one person's personal chat. `about` names the event, for logs. */
  z.object({ kind: z.literal('message'), to: person, headline: z.string(), quote: z.string(), about: z.string() }),
]);
export type Effect = z.infer<typeof effectSchema>;

export const ROW_STATES = ['pending', 'delivered', 'dead'] as const;
export type RowState = (typeof ROW_STATES)[number];

export interface OutboxRow {
  handoffId: string;
  /** The row key: `outbox_<event seq>_<index>`. */
  key: string;
  effect: Effect;
  state: RowState;
  /** Delivery attempts that failed so far. */
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

const entity = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  etag: z.string(),
  effect: json(effectSchema),
  state: z.enum(ROW_STATES),
  attempts: z.number().int(),
  createdAt: z.string(),
  leaseUntil: z.string(),
  nextAttemptAt: z.string(),
  lastError: z.string(),
  deliveredAt: z.string(),
});

/** New rows for a change's effects, held by the writer until `leaseUntil` so its inline delivery is not raced by the sweep. */
export function newRowEntities(handoffId: string, seq: number, effects: readonly Effect[], at: string, leaseUntil: string) {
  return effects.map((effect, index) => ({
    partitionKey: handoffId,
    rowKey: outboxRowKey(seq, index),
    effect: JSON.stringify(effect),
    state: 'pending' as RowState,
    attempts: 0,
    createdAt: at,
    leaseUntil,
    nextAttemptAt: '',
    lastError: '',
    deliveredAt: '',
  }));
}

/** Parses a stored row; throws (zod) on a row Baton did not write. */
export function rowFromEntity(value: unknown): OutboxRow {
  const { partitionKey, rowKey, ...rest } = entity.parse(value);
  return { handoffId: partitionKey, key: rowKey, ...rest };
}

/** A Table string property holds 64 KiB; a reason longer than this is cut. */
export const MAX_ERROR_LENGTH = 1000;
