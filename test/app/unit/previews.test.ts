/**
 * The messaging extension's preview drafts on the in-memory stores: kept on
 * Baton's side for a day, for the person who filled the form in, in their
 * tenant; expired ones are never used, and purged.
 */
import { describe, expect, it } from 'vitest';
import { draftOf, keepDraft, PREVIEW_TTL_MS, purgeDrafts } from '../../../src/app/previews';
import { ada, grace } from '../../support/builders';
import { callerFor, memoryApp } from '../../support/memory-app';

const input = {
  formId: 'form-1',
  summary: 'Invoice export runs nightly',
  whatIsReady: 'Scheduled.',
  acceptanceCriteria: 'Totals match',
  assumptions: '',
  links: '',
  effort: '2h',
  workState: 'ready',
  blocker: '',
  neededBy: '',
  receiver: grace.aadObjectId,
  owner: '',
  stakeholders: '',
  priority: 'normal',
  confirmed: true,
};

describe('preview drafts', () => {
  it('give the form back to who filled it in, in their tenant, for a day and no longer', async () => {
    const m = memoryApp({ at: '2026-12-07T10:00:00.000Z' });
    const id = await keepDraft(m.app, callerFor(ada), input);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(await draftOf(m.app, callerFor(ada), id)).toEqual(input);
    expect(await draftOf(m.app, callerFor(grace), id)).toBeUndefined();
    expect(await draftOf(m.app, callerFor(ada, { tenantId: 't2' }), id)).toBeUndefined();
    expect(await draftOf(m.app, callerFor(ada), 'not-an-id')).toBeUndefined();
    m.at(new Date(Date.parse('2026-12-07T10:00:00.000Z') + PREVIEW_TTL_MS - 1).toISOString());
    expect(await draftOf(m.app, callerFor(ada), id)).toEqual(input);
    m.at(new Date(Date.parse('2026-12-07T10:00:00.000Z') + PREVIEW_TTL_MS).toISOString());
    expect(await draftOf(m.app, callerFor(ada), id)).toBeUndefined();
  });

  it('are purged once expired, the others kept', async () => {
    const m = memoryApp({ at: '2026-12-07T10:00:00.000Z' });
    const old = await keepDraft(m.app, callerFor(ada), input);
    m.at('2026-12-08T09:00:00.000Z');
    const fresh = await keepDraft(m.app, callerFor(ada), { ...input, formId: 'form-2' });
    m.at('2026-12-08T10:00:00.000Z');
    expect(await purgeDrafts(m.app)).toBe(1);
    expect(await m.app.stores.drafts.find(old, Date.parse('2026-12-07T11:00:00.000Z'), { kind: 'background' })).toBeUndefined();
    expect(await draftOf(m.app, callerFor(ada), fresh)).toMatchObject({ formId: 'form-2' });
  });
});
