/**
 * Team templates (`<prefix>conversations`, one partition per conversation,
 * src/store/keys.ts TEMPLATE_KEYS): a shelf row, each template's latest
 * version, and every version kept with who made it and when. Every change is
 * one transaction that rewrites the shelf with its ETag, so two people
 * changing a conversation's templates at once cannot both win, and the limit
 * of templates per conversation holds.
 */
import { odata, type TransactionAction } from '@azure/data-tables';
import * as z from 'zod';
import type { Budget, TemplateShelf, TemplateStore } from '../app/ports';
import { PRIORITIES } from '../domain/handoff';
import type { Template } from '../domain/templates';
import { UnreadableRecordError } from '../errors';
import type { StorageAccount } from './account';
import { personSchema } from './handoff-entity';
import { json } from './json-property';
import { TEMPLATE_KEYS } from './keys';
import { Table } from './table';

const templateSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  conversationId: z.string(),
  version: z.number().int(),
  author: personSchema,
  createdAt: z.string(),
  changedBy: personSchema,
  changedAt: z.string(),
  change: z.string(),
  deleted: z.boolean(),
  name: z.string(),
  description: z.string(),
  whatIsReady: z.string(),
  acceptanceCriteria: z.array(z.string()),
  assumptions: z.string(),
  links: z.array(z.string()),
  effortMinutes: z.number().optional(),
  priority: z.enum(PRIORITIES),
  receiver: personSchema.optional(),
  owner: personSchema.optional(),
  stakeholders: z.array(personSchema),
  reviewGoalMinutes: z.number().optional(),
  minLeadMinutes: z.number().optional(),
  checklist: z.array(z.string()),
});

/** A template row: the version as JSON (one property: a template is a few KB), and what the queries filter on. */
const rowSchema = z.object({
  rowKey: z.string(),
  kind: z.enum(['latest', 'version']),
  deleted: z.boolean(),
  template: json(templateSchema),
});

function fromRow(entity: unknown): Template {
  const parsed = rowSchema.safeParse(entity);
  if (!parsed.success) {
    const key = String((entity as { rowKey?: unknown }).rowKey ?? '?');
    throw new UnreadableRecordError(key, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const t = parsed.data.template;
  // Optional fields written out, as the domain's type names them.
  return {
    ...t,
    effortMinutes: t.effortMinutes,
    receiver: t.receiver,
    owner: t.owner,
    reviewGoalMinutes: t.reviewGoalMinutes,
    minLeadMinutes: t.minLeadMinutes,
  };
}

export class TableTemplates implements TemplateStore {
  constructor(private readonly table: Table) {}

  static open(account: StorageAccount, prefix: string): TableTemplates {
    return new TableTemplates(Table.open(account, prefix, 'conversations'));
  }

  async shelf(tenantId: string, conversationId: string, budget: Budget): Promise<TemplateShelf> {
    const partition = TEMPLATE_KEYS.partition(tenantId, conversationId);
    const rows = await this.table.query(
      odata`PartitionKey eq ${partition} and (RowKey eq ${TEMPLATE_KEYS.shelf} or (kind eq 'latest' and deleted eq false))`,
      budget,
    );
    const shelf = rows.find((r) => r.rowKey === TEMPLATE_KEYS.shelf);
    const templates = rows.filter((r) => r.rowKey !== TEMPLATE_KEYS.shelf).map(fromRow);
    return { templates: templates.sort((a, b) => a.name.localeCompare(b.name)), etag: shelf?.etag };
  }

  async read(tenantId: string, conversationId: string, id: string, budget: Budget): Promise<Template | undefined> {
    const row = await this.table.find(TEMPLATE_KEYS.partition(tenantId, conversationId), TEMPLATE_KEYS.latest(id), budget);
    return row && fromRow(row);
  }

  async versions(tenantId: string, conversationId: string, id: string, budget: Budget): Promise<Template[]> {
    const partition = TEMPLATE_KEYS.partition(tenantId, conversationId);
    const first = TEMPLATE_KEYS.version(id, 0);
    const rows = await this.table.query(
      odata`PartitionKey eq ${partition} and RowKey gt ${first} and RowKey lt ${`${first.slice(0, -6)}~`}`,
      budget,
    );
    return rows.map(fromRow);
  }

  async save(template: Template, shelfEtag: string | undefined, budget: Budget): Promise<void> {
    const partitionKey = TEMPLATE_KEYS.partition(template.tenantId, template.conversationId);
    const row = (kind: 'latest' | 'version', rowKey: string) => ({
      partitionKey,
      rowKey,
      kind,
      deleted: template.deleted,
      template: JSON.stringify(template),
    });
    const shelf = { partitionKey, rowKey: TEMPLATE_KEYS.shelf, changedAt: template.changedAt, changedTemplate: template.id };
    await this.table.transact(
      [
        shelfEtag === undefined ? ['create', shelf] : ['update', shelf, 'Replace', { etag: shelfEtag }],
        // The shelf's ETag orders every change of the partition, so the latest row is replaced without its own.
        ['upsert', row('latest', TEMPLATE_KEYS.latest(template.id)), 'Replace'],
        ['create', row('version', TEMPLATE_KEYS.version(template.id, template.version))],
      ] satisfies TransactionAction[],
      budget,
    );
  }
}
