/**
 * The in-memory twin of the template store (src/store/templates.ts): one
 * shelf per conversation whose ETag every change checks, each template's
 * versions kept. Held to the same contract (test/store/templates-contract.test.ts).
 */
import type { Budget, TemplateShelf, TemplateStore } from '../../src/app/ports';
import type { Template } from '../../src/domain/templates';
import { ConflictError } from '../../src/errors';

const copy = <T>(value: T): T => structuredClone(value);
let etags = 0;

interface Shelf {
  etag: string;
  /** Every version of every template, by template id, oldest first. */
  versions: Map<string, Template[]>;
}

export class MemoryTemplates implements TemplateStore {
  private readonly shelves = new Map<string, Shelf>();

  async shelf(tenantId: string, conversationId: string, _budget: Budget): Promise<TemplateShelf> {
    const shelf = this.shelves.get(`${tenantId}|${conversationId}`);
    const latest = [...(shelf?.versions.values() ?? [])].map((versions) => versions.at(-1)!).filter((t) => !t.deleted);
    return { templates: copy(latest.sort((a, b) => a.name.localeCompare(b.name))), etag: shelf?.etag };
  }

  async read(tenantId: string, conversationId: string, id: string, _budget: Budget): Promise<Template | undefined> {
    return copy(this.shelves.get(`${tenantId}|${conversationId}`)?.versions.get(id)?.at(-1));
  }

  async versions(tenantId: string, conversationId: string, id: string, _budget: Budget): Promise<Template[]> {
    return copy(this.shelves.get(`${tenantId}|${conversationId}`)?.versions.get(id) ?? []);
  }

  async save(template: Template, shelfEtag: string | undefined, _budget: Budget): Promise<void> {
    const key = `${template.tenantId}|${template.conversationId}`;
    const shelf = this.shelves.get(key);
    if (shelfEtag === undefined ? shelf !== undefined : shelf?.etag !== shelfEtag)
      throw new ConflictError('the shelf changed since it was read');
    const versions = shelf?.versions.get(template.id) ?? [];
    if (versions.some((v) => v.version === template.version)) throw new ConflictError('the version exists');
    const next: Shelf = shelf ?? { etag: '', versions: new Map() };
    next.versions.set(template.id, [...versions, copy(template)]);
    next.etag = `W/"t${(etags += 1)}"`;
    this.shelves.set(key, next);
  }
}
