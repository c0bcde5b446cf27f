/**
 * The messaging extension's previewed forms (`<prefix>drafts`): a row per
 * preview, keyed by its random id, with the form, who filled it in and when
 * it expires. Table Storage has no time to live of its own: a draft past its
 * `expiresAt` is never returned, and `purge` (the hourly `purgeDrafts` timer)
 * deletes what expired.
 */
import { odata } from '@azure/data-tables';
import * as z from 'zod';
import type { Budget, PreviewDraft, PreviewDrafts } from '../app/ports';
import { handoffFormInput } from '../domain/handoff-form';
import { CHECKLIST_MAX } from '../domain/templates';
import type { StorageAccount } from './account';
import { json } from './json-property';
import { draftKeys } from './keys';
import { Table } from './table';

/**
 * The form with its template's part, as kept: a preview from a template is
 * sent with the version and the ticks it showed. What was not kept reads back
 * absent (no tick defaults to false here: the rules read a missing tick as
 * unticked anyway), so a draft reads back as it was saved.
 */
const templatePart = z.object({
  templateId: z.string().max(100).optional(),
  templateVersion: z.string().max(12).optional(),
  ...Object.fromEntries(Array.from({ length: CHECKLIST_MAX }, (_, i) => [`check${i}`, z.boolean().optional()])),
});
const row = z.object({
  tenantId: z.string(),
  aadObjectId: z.string(),
  input: json(handoffFormInput.extend(templatePart.shape)),
  expiresAt: z.string(),
});

export class TablePreviewDrafts implements PreviewDrafts {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TablePreviewDrafts {
    return new TablePreviewDrafts(Table.open(account, prefix, 'drafts'));
  }

  async save(id: string, draft: PreviewDraft, budget: Budget): Promise<void> {
    await this.table.upsert({ ...draftKeys(id), ...draft, input: JSON.stringify(draft.input) }, budget);
  }

  async find(id: string, now: number, budget: Budget): Promise<PreviewDraft | undefined> {
    const { partitionKey, rowKey } = draftKeys(id);
    const parsed = row.safeParse(await this.table.find(partitionKey, rowKey, budget));
    if (!parsed.success || parsed.data.expiresAt <= new Date(now).toISOString()) return undefined;
    return parsed.data;
  }

  async purge(now: number, budget: Budget): Promise<number> {
    const expired = await this.table.query(odata`expiresAt le ${new Date(now).toISOString()}`, budget, {
      select: ['PartitionKey', 'RowKey'],
    });
    await this.table.deleteAll(
      expired.map(({ partitionKey = '', rowKey = '' }) => ({ partitionKey, rowKey })),
      budget,
    );
    return expired.length;
  }
}
