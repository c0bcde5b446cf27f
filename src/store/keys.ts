/**
 * Baton's tables and their partition and row keys, named in one place. Each
 * key is chosen for the query that reads it.
 */
import { createHash } from 'node:crypto';

/** Baton's tables, each named `<BATON_TABLE_PREFIX><name>`; infra/azure.bicep creates the same ones (test/infra/template.test.ts). */
export const TABLE_NAMES = ['handoffs', 'people', 'conversations', 'deliveries', 'due', 'summaries', 'drafts'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/** Table keys may not hold / \ # ? or control characters. */
export function keySafe(text: string): string {
  // oxlint-disable-next-line no-control-regex
  return text.replace(/[/\\#?\u0000-\u001f\u007f-\u009f]/g, '');
}

// ---- handoffs: one partition per handoff (its id), so a change, its event,
// its marker and its outbox rows are written in one transaction, and a
// replayed activity fails that transaction on its marker.

export const HANDOFF_ROW = 'handoff';
export const EVENT_ROW_PREFIX = 'event_';
export const MARKER_ROW_PREFIX = 'activity_';
export const OUTBOX_ROW_PREFIX = 'outbox_';

/** Events sort by sequence number, so a partition query reads the history in order. */
export function eventRowKey(seq: number): string {
  return `${EVENT_ROW_PREFIX}${String(seq).padStart(6, '0')}`;
}

/** A change's outbox rows sort after its event, in the order the change listed them. */
export function outboxRowKey(seq: number, index: number): string {
  return `${OUTBOX_ROW_PREFIX}${String(seq).padStart(6, '0')}_${String(index).padStart(3, '0')}`;
}

/** Activity ids may hold characters Table keys forbid, so markers are hashed. */
export function markerRowKey(marker: string): string {
  return `${MARKER_ROW_PREFIX}${digest(marker, 32)}`;
}

function digest(value: string, length: number): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

// ---- people: one partition per person, and one per conversation, each row a handoff's listing.

/** A person's partition: `mine` and search read it alone. */
export function personPartition(tenantId: string, aadObjectId: string): string {
  return keySafe(`${tenantId}_${aadObjectId}`);
}

/** A conversation's handoffs (a team's, for the summary's per-team metrics). */
export function conversationPartition(tenantId: string, conversationId: string): string {
  return keySafe(`conv_${tenantId}_${conversationId}`).slice(0, 500);
}

/** Larger than any epoch millisecond count until the year 2286, so inverted ticks stay positive and 13 digits wide. */
const TICKS_CEILING = 9_999_999_999_999;

/**
 * Newest first: inverted creation time, then the handoff id. A partition is
 * read in row-key order, so a read can stop at its limit and still have the
 * newest rows (Company Communicator's TableRowKeyGenerator). The creation
 * time never changes, so rewriting a handoff's listing hits the same row.
 */
export function indexRowKey(handoff: { id: string; createdAt: string }): string {
  return `${String(TICKS_CEILING - Date.parse(handoff.createdAt)).padStart(13, '0')}_${handoff.id}`;
}

/** The handoff an index row is for. */
export function handoffOfIndexRow(rowKey: string): string {
  return rowKey.slice(rowKey.indexOf('_') + 1);
}

// ---- deliveries: one mark per handoff with rows in flight, 16 partitions by the id's first hex digit.

export const MARK_PARTITIONS = { from: 'p', to: 'q' } as const;
export function markPartition(handoffId: string): string {
  return `p${handoffId.slice(0, 1)}`;
}

// ---- due: one partition per UTC hour; a row per handoff and instant, in time order.

/** "h2026-12-03T14": the partition of an instant's UTC hour. */
export function hourPartition(ms: number): string {
  return `h${new Date(ms).toISOString().slice(0, 13)}`;
}
/** The partition after every hour's: `h...` sorts below it. */
export const AFTER_HOURS = 'i';

export function dueRowKey(at: string, handoffId: string): string {
  return `${at}_${handoffId}`;
}

/** The overdue check's cursor: the oldest hour that may still hold entries. */
export const DUE_CURSOR = { partitionKey: 'cursor', rowKey: 'overdueCheck' } as const;

// ---- conversations: each person's personal chat, partition the tenant, row the person; who reads a daily digest;
// and each person's absences.

export function chatKeys(tenantId: string, aadObjectId: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: keySafe(tenantId), rowKey: keySafe(aadObjectId) };
}

/** The people who chose a daily digest: one partition (a tenant id is a GUID, never this), a row each. */
export function digestKeys(tenantId: string, aadObjectId: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: DIGEST_PARTITION, rowKey: keySafe(`${tenantId}_${aadObjectId}`) };
}
export const DIGEST_PARTITION = 'digest';

/** The names a tenant's teams and channels were renamed to: one partition per tenant (read whole), a row per id. */
export function namePartition(tenantId: string): string {
  return `names_${keySafe(tenantId)}`;
}
/** Conversation ids hold characters Table keys forbid: the row is keyed by a hash, the id kept in it. */
export function nameRowKey(id: string): string {
  return digest(id, 40);
}
/** What Baton keeps of each person's absences, and whom the away check watches: one partition, a row each. */
export function awayKeys(tenantId: string, aadObjectId: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: AWAY_PARTITION, rowKey: keySafe(`${tenantId}_${aadObjectId}`) };
}
export const AWAY_PARTITION = 'away';

// ---- summaries: one kind per partition.

/** Time zone names hold '/': it becomes '~'. */
function zoneKey(timeZone: string): string {
  return keySafe(timeZone.replace(/\//g, '~'));
}

export const SUMMARY_KEYS = {
  /** Every zone a subscriber lives in, with the last week enqueued: the hourly run reads this one partition. */
  zones: 'zones',
  zone: (timeZone: string) => zoneKey(timeZone),
  /** The people of a zone. */
  subscribers: (timeZone: string) => `z_${zoneKey(timeZone)}`,
  /** Each person's choice. */
  preferences: (tenantId: string) => `pref_${keySafe(tenantId)}`,
  /** The idempotency record per person and week. */
  sent: (week: string) => `sent_${keySafe(week)}`,
  /** One row per sending mailbox with its latest sends. */
  rate: 'rate',
  mailbox: (mailbox: string) => keySafe(mailbox.toLowerCase()),
  person: (tenantId: string, aadObjectId: string) => keySafe(`${tenantId}_${aadObjectId}`),
} as const;

// ---- drafts: the messaging extension's previewed forms, a row per preview, 16 partitions by the id's first hex digit.

export function draftKeys(previewId: string): { partitionKey: string; rowKey: string } {
  return { partitionKey: `d${previewId.slice(0, 1)}`, rowKey: previewId };
}

// ---- conversations: each conversation's team templates (issue 26), one partition per conversation:
// a shelf row every change rewrites (its ETag orders them), each template's latest version, and every version.

export const TEMPLATE_KEYS = {
  partition: (tenantId: string, conversationId: string) => keySafe(`tpl_${tenantId}_${conversationId}`).slice(0, 500),
  shelf: 'shelf',
  latest: (id: string) => `t_${keySafe(id)}`,
  /** Versions sort in order after their template's latest row. */
  version: (id: string, version: number) => `t_${keySafe(id)}_v${String(version).padStart(6, '0')}`,
} as const;
