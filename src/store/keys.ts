/**
 * Partition and row keys, named in one place.
 *
 * A handoff is one partition of the `handoffs` table: its record, its history
 * events, the markers of the activities that changed it, and its outbox rows
 * (the messages each change causes). One partition is what lets a change, its
 * event and its messages be written in one transaction, and a replayed activity
 * fail that transaction instead of changing the record twice.
 */
import { createHash } from 'node:crypto';

export const HANDOFF_ROW = 'handoff';
export const EVENT_ROW_PREFIX = 'event_';
export const ACTIVITY_ROW_PREFIX = 'activity_';
export const OUTBOX_ROW_PREFIX = 'outbox_';

/** Events sort by sequence number, so a partition query reads the history in order. */
export function eventRowKey(seq: number): string {
  return `${EVENT_ROW_PREFIX}${String(seq).padStart(6, '0')}`;
}

/** A change's side effects sort after its event, in the order the change listed them. */
export function outboxRowKey(seq: number, index: number): string {
  return `${OUTBOX_ROW_PREFIX}${String(seq).padStart(6, '0')}_${String(index).padStart(3, '0')}`;
}

/** Activity ids may hold characters Table keys forbid (`/ \ # ?`), so they are hashed. */
export function activityRowKey(activityId: string): string {
  return `${ACTIVITY_ROW_PREFIX}${digest(activityId, 32)}`;
}

/**
 * The id of the handoff a form creates. Derived from the tenant and the form,
 * so a retried or double-clicked submission of the same form names the same
 * handoff and cannot create a second one.
 */
export function handoffIdForForm(tenantId: string, formId: string): string {
  return digest(`${tenantId}\n${formId}`, 20);
}

function digest(value: string, length: number): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}
