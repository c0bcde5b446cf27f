/**
 * What a handoff's partition holds, counted by kind of row: how the tests
 * prove that a retry, a replay or a race wrote nothing twice.
 */
import { odata } from '@azure/data-tables';
import { BACKGROUND } from '../../src/app/ports';
import { EVENT_ROW_PREFIX, HANDOFF_ROW, MARKER_ROW_PREFIX, OUTBOX_ROW_PREFIX } from '../../src/store/keys';
import { Table } from '../../src/store/table';

export interface RowCounts {
  handoff: number;
  events: number;
  activities: number;
  outbox: number;
}

export async function countRows(connectionString: string, prefix: string, handoffId: string): Promise<RowCounts> {
  const counts: RowCounts = { handoff: 0, events: 0, activities: 0, outbox: 0 };
  for (const { rowKey } of await Table.open(connectionString, prefix, 'handoffs').query(odata`PartitionKey eq ${handoffId}`, BACKGROUND, {
    select: ['RowKey'],
  })) {
    if (rowKey === HANDOFF_ROW) counts.handoff += 1;
    else if (rowKey?.startsWith(EVENT_ROW_PREFIX)) counts.events += 1;
    else if (rowKey?.startsWith(MARKER_ROW_PREFIX)) counts.activities += 1;
    else if (rowKey?.startsWith(OUTBOX_ROW_PREFIX)) counts.outbox += 1;
  }
  return counts;
}
