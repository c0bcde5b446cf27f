/**
 * The messaging extension's preview: a valid form becomes a preview card in
 * the compose box, and its "Send" posts the live card. Teams sends the preview
 * back with Send, re-serialised (nulls and defaults added, and nothing says
 * which of the card's fields it keeps), so the draft stays on Baton's side,
 * keyed by a random id the preview carries: Send and Edit need only that id.
 * A draft lives a day; only who filled it in, in their tenant, may use it.
 */
import { randomBytes } from 'node:crypto';
import type { HandoffFormInput } from '../domain/handoff-form';
import type { TemplateChoice } from '../domain/templates';
import { BACKGROUND, type App, type Caller } from './ports';

/** A previewed form: its fields, and the template it was filled from with the checklist's ticks. */
export type PreviewForm = HandoffFormInput & Partial<TemplateChoice>;

/** A preview's id: 32 random hex digits. */
const PREVIEW_ID = /^[0-9a-f]{32}$/;

/** Whether a string found in a preview card is a preview's id. */
export function isPreviewId(text: unknown): text is string {
  return typeof text === 'string' && PREVIEW_ID.test(text);
}

/** How long a preview can wait in the compose box before its Send asks for the form again. */
export const PREVIEW_TTL_MS = 24 * 3600_000;

/** Keeps a previewed form. @returns the preview's id, for the preview card */
export async function keepDraft(app: App, caller: Caller, input: PreviewForm): Promise<string> {
  const id = randomBytes(16).toString('hex');
  const { tenantId, person } = caller.actor;
  const expiresAt = new Date(app.clock.now() + PREVIEW_TTL_MS).toISOString();
  await app.stores.drafts.save(id, { tenantId, aadObjectId: person.aadObjectId, input, expiresAt }, caller.budget);
  return id;
}

/** The form a preview holds, for the person who filled it in; undefined when it expired or is someone else's. */
export async function draftOf(app: App, caller: Caller, previewId: string): Promise<PreviewForm | undefined> {
  if (!isPreviewId(previewId)) return undefined;
  const draft = await app.stores.drafts.find(previewId, app.clock.now(), caller.budget);
  const { tenantId, person } = caller.actor;
  return draft && draft.tenantId === tenantId && draft.aadObjectId === person.aadObjectId ? draft.input : undefined;
}

/** Deletes the drafts that expired (the hourly `purgeDrafts` timer). @returns how many */
export function purgeDrafts(app: App): Promise<number> {
  return app.stores.drafts.purge(app.clock.now(), BACKGROUND);
}
