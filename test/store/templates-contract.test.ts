/**
 * The template store's contract (issue 26), one suite run against the Table
 * store on a real Azurite and against its in-memory twin: every version kept,
 * the shelf's ETag ordering every change of a conversation, conversations and
 * tenants apart, and a template at every cap round-tripping.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { BACKGROUND, type TemplateStore } from '../../src/app/ports';
import { tableStores } from '../../src/baton';
import { loadConfig } from '../../src/config';
import {
  CHECK_ITEM_MAX,
  CHECKLIST_MAX,
  createTemplate,
  deletedVersion,
  nextVersion,
  type Template,
  type TemplateFields,
} from '../../src/domain/templates';
import { ConflictError } from '../../src/errors';
import { memoryStores } from '../support/memory-stores';
import { uniquePrefix } from '../support/stack';

const b = BACKGROUND;
const ada = { aadObjectId: 'aad-ada', userId: '29:ada', name: 'Ada Lovelace' };
const grace = { aadObjectId: 'aad-grace', userId: '29:grace', name: 'Grace Hopper' };
const TENANT = '11111111-1111-1111-1111-111111111111';

const FIELDS: TemplateFields = {
  name: 'Release to QA',
  description: 'A build for QA to test',
  whatIsReady: 'The build is on staging.',
  acceptanceCriteria: ['All smoke tests pass'],
  assumptions: '',
  links: ['https://example.com/runbook'],
  effortMinutes: 240,
  priority: 'high',
  receiver: grace,
  owner: undefined,
  stakeholders: [],
  reviewGoalMinutes: 120,
  minLeadMinutes: undefined,
  checklist: ['Release notes written', 'Feature flag off by default'],
};

const implementations: [string, () => TemplateStore][] = [
  ['in memory', () => memoryStores().templates],
  [
    'on Table Storage',
    () =>
      tableStores(loadConfig({ TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: uniquePrefix() })).templates,
  ],
];

describe.each(implementations)('the template store %s', (_name, make) => {
  let store: TemplateStore;
  beforeAll(() => {
    store = make();
  });
  const conversation = () => `19:${crypto.randomUUID()}@thread.v2`;
  const first = (conversationId: string, fields: Partial<TemplateFields> = {}, id: string = crypto.randomUUID()): Template =>
    createTemplate({ id, tenantId: TENANT, conversationId, fields: { ...FIELDS, ...fields }, by: ada, at: '2026-05-04T09:00:00.000Z' });

  it("keeps a template and lists it on its conversation's shelf, by name", async () => {
    const c = conversation();
    const release = first(c);
    await store.save(release, undefined, b);
    const design = first(c, { name: 'Design review', receiver: undefined, effortMinutes: undefined });
    await store.save(design, (await store.shelf(TENANT, c, b)).etag, b);
    const shelf = await store.shelf(TENANT, c, b);
    expect(shelf.templates.map((t) => t.name)).toEqual(['Design review', 'Release to QA']);
    expect(shelf.templates[1]).toEqual(release);
    expect(await store.read(TENANT, c, design.id, b)).toEqual(design);
  });

  it('keeps every version with who and when; the latest is what is read', async () => {
    const c = conversation();
    const v1 = first(c);
    await store.save(v1, undefined, b);
    const v2 = nextVersion(v1, { ...v1, checklist: [...v1.checklist, 'Rollback tested'] }, grace, '2026-05-05T10:00:00.000Z');
    await store.save(v2, (await store.shelf(TENANT, c, b)).etag, b);
    expect(v2.change).toBe('changed the checklist');
    expect((await store.versions(TENANT, c, v1.id, b)).map((t) => [t.version, t.changedBy.name, t.changedAt, t.change])).toEqual([
      [1, 'Ada Lovelace', '2026-05-04T09:00:00.000Z', 'created'],
      [2, 'Grace Hopper', '2026-05-05T10:00:00.000Z', 'changed the checklist'],
    ]);
    expect((await store.read(TENANT, c, v1.id, b))?.checklist).toHaveLength(3);
  });

  it('refuses a change made against a shelf that changed since it was read, and writes nothing of it', async () => {
    const c = conversation();
    const v1 = first(c);
    await store.save(v1, undefined, b);
    const { etag } = await store.shelf(TENANT, c, b);
    await store.save(nextVersion(v1, { ...v1, name: 'Release to QA, v2' }, grace, '2026-05-05T10:00:00.000Z'), etag, b);
    const late = nextVersion(v1, { ...v1, description: 'Something else' }, ada, '2026-05-05T10:00:01.000Z');
    await expect(store.save(late, etag, b)).rejects.toBeInstanceOf(ConflictError);
    // A first template written as if the shelf were empty loses too.
    await expect(store.save(first(c, { name: 'Other' }), undefined, b)).rejects.toBeInstanceOf(ConflictError);
    expect((await store.read(TENANT, c, v1.id, b))?.name).toBe('Release to QA, v2');
    expect(await store.versions(TENANT, c, v1.id, b)).toHaveLength(2);
    expect((await store.shelf(TENANT, c, b)).templates).toHaveLength(1);
  });

  it('takes a deleted template off the shelf and keeps its versions', async () => {
    const c = conversation();
    const v1 = first(c);
    await store.save(v1, undefined, b);
    await store.save(deletedVersion(v1, grace, '2026-05-06T10:00:00.000Z'), (await store.shelf(TENANT, c, b)).etag, b);
    expect((await store.shelf(TENANT, c, b)).templates).toEqual([]);
    expect(await store.read(TENANT, c, v1.id, b)).toMatchObject({ deleted: true, version: 2, change: 'deleted' });
    expect(await store.versions(TENANT, c, v1.id, b)).toHaveLength(2);
  });

  it('keeps conversations and tenants apart', async () => {
    const c = conversation();
    const t = first(c, {}, 'same-id');
    await store.save(t, undefined, b);
    expect((await store.shelf(TENANT, conversation(), b)).templates).toEqual([]);
    expect((await store.shelf('22222222-2222-2222-2222-222222222222', c, b)).templates).toEqual([]);
    expect(await store.read('22222222-2222-2222-2222-222222222222', c, 'same-id', b)).toBeUndefined();
  });

  it('round-trips a template at every cap, in multi-byte text', async () => {
    const c = conversation();
    const long = (n: number) => 'é'.repeat(n);
    const full = first(c, {
      name: long(60),
      description: long(200),
      whatIsReady: long(1000),
      acceptanceCriteria: Array.from({ length: 10 }, () => long(160)),
      assumptions: long(800),
      links: Array.from({ length: 6 }, (_, i) => `https://example.com/${i}/${'a'.repeat(230)}`),
      stakeholders: Array.from({ length: 10 }, (_, i) => ({ aadObjectId: `aad-${i}`, userId: `29:${i}`, name: long(64) })),
      checklist: Array.from({ length: CHECKLIST_MAX }, () => long(CHECK_ITEM_MAX)),
    });
    await store.save(full, undefined, b);
    expect(await store.read(TENANT, c, full.id, b)).toEqual(full);
  });
});
