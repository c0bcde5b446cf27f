/**
 * The messaging extension (issue #4): create a handoff from the compose box
 * or from any message (action command `createHandoff`), find handoffs (search
 * command `findHandoffs`), and unfurl Baton's own links.
 */
import {
  type AppBasedLinkQuery,
  type Activity,
  CardFactory,
  MessageFactory,
  type MessagingExtensionAction,
  type MessagingExtensionAttachment,
  type MessagingExtensionActionResponse,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
  type TurnContext,
} from 'botbuilder';
import { z } from 'zod';
import { handoffCard, handoffFormCard } from '../cards/handoff-cards';
import type { AdaptiveCard } from '../cards/render';
import type { Handoff, Person } from '../domain/handoff';
import { type HandoffFormInput, handoffFormInput, SUMMARY_MAX } from '../domain/handoff-form';
import { matches, maySee, parseSearchQuery, searchOrder } from '../domain/search';
import { plainText } from '../domain/text';
import type { Services } from './card-actions';
import { handoffFromForm, storeNewHandoff } from './handoff-actions';
import { notifyPosted } from './notify';
import { handoffsVisibleTo } from './people';
import { conversationMembers } from './members';
import type { Actor } from './turn';

export const ME_COMMANDS = { create: 'createHandoff', find: 'findHandoffs' } as const;

/** Teams shows at most 25 results a page. */
const PAGE_MAX = 25;
/** How many of a person's handoffs one search reads at most (newest first). */
const SEARCH_CANDIDATES = 200;

/**
 * Dialogs (task modules) do not run Universal Actions: their buttons must be
 * Action.Submit. The verb travels in the data so one form template serves both.
 */
export function asDialogCard(card: AdaptiveCard): AdaptiveCard {
  const convert = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(convert);
    if (!node || typeof node !== 'object') return node;
    const record = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, convert(v)]));
    if (record.type === 'Action.Execute') {
      const { verb, data, ...rest } = record as { verb: string; data?: Record<string, unknown> };
      return { ...rest, type: 'Action.Submit', data: { ...data, verb } };
    }
    return record;
  };
  return convert(card) as AdaptiveCard;
}

function dialog(title: string, card: AdaptiveCard): MessagingExtensionActionResponse {
  return { task: { type: 'continue', value: { title, card: CardFactory.adaptiveCard(asDialogCard(card)), width: 'large', height: 'large' } } };
}

/** The form's starting values from a message: its first sentence, its text, its links, its author. */
export function prefillFromMessage(action: MessagingExtensionAction, members: readonly Person[]): Partial<HandoffFormInput> {
  const payload = action.messagePayload;
  if (!payload) return {};
  const body = plainText(payload.body?.content ?? '');
  const firstSentence = (body.split(/(?<=[.!?])\s+|\n/)[0] ?? '').slice(0, SUMMARY_MAX);
  const links = [...(payload.linkToMessage?.startsWith('https://') ? [payload.linkToMessage] : []), ...(body.match(/https:\/\/[^\s<>"]+/g) ?? [])];
  const authorId = payload.from?.user?.id;
  const author = members.find((m) => m.aadObjectId === authorId);
  return {
    summary: firstSentence,
    whatIsReady: body.slice(0, 4000),
    links: [...new Set(links)].join('\n'),
    ...(author ? { receiver: author.aadObjectId } : {}),
  };
}

/** composeExtension/fetchTask: the handoff form as a dialog, prefilled when opened from a message. */
export async function openCreateDialog(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
  // The connector lists members only where the bot is; elsewhere the people picker searches the organisation.
  const members = await conversationMembers(context).catch(() => []);
  const values = action.commandContext === 'message' ? prefillFromMessage(action, members) : {};
  return dialog('Create handoff', handoffFormCard({ formId: crypto.randomUUID(), members, values }));
}

/** The draft travels inside the preview card, and is validated again when it comes back. */
const previewDraft = z.object({ refresh: z.object({ action: z.object({ data: z.object({ draft: handoffFormInput }) }) }) });

/** composeExtension/submitAction: a wrong form stays in the dialog; a valid one becomes a preview. */
export async function submitCreateDialog(context: TurnContext, services: Services, actor: Actor, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
  const input = handoffFormInput.safeParse(action.data ?? {});
  if (!input.success) return dialog('Create handoff', handoffFormCard({ formId: crypto.randomUUID(), members: [], message: 'The form came back unreadable; please fill it again.' }));
  const draft = await handoffFromForm(context, services, actor, input.data);
  if (!draft.ok) return dialog('Create handoff', draft.card);
  const preview = handoffCard(draft.handoff, undefined) as AdaptiveCard & { refresh: { action: { data: Record<string, unknown> } } };
  preview.refresh.action.data.draft = { ...input.data, confirmed: true };
  return { composeExtension: { type: 'botMessagePreview', activityPreview: MessageFactory.attachment(CardFactory.adaptiveCard(preview)) as Activity } };
}

function draftFromPreview(action: MessagingExtensionAction): HandoffFormInput | undefined {
  const content = action.botActivityPreview?.[0]?.attachments?.[0]?.content as unknown;
  const parsed = previewDraft.safeParse(content);
  return parsed.success ? parsed.data.refresh.action.data.draft : undefined;
}

/** The preview's "Edit": back to the form with the draft's values. */
export async function editPreview(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
  const draft = draftFromPreview(action);
  const members = await conversationMembers(context).catch(() => []);
  return dialog('Create handoff', handoffFormCard({ formId: draft?.formId ?? crypto.randomUUID(), members, values: { ...draft, confirmed: false } }));
}

/** A posting attempt that has not finished in this long died: a resent "Send" may take over. */
export const POSTING_CLAIM_MS = 20_000;

/**
 * The preview's "Send": store the handoff with a claim to post it, post its
 * live card as the bot, and record the message. A resent "Send" (Teams retries,
 * a double click) finds the stored handoff and posts nothing, unless the
 * attempt that claimed the posting died before it finished: then it takes the
 * claim over (ETag-checked, so only one resend does) and posts.
 */
export async function sendPreview(context: TurnContext, services: Services, actor: Actor, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
  const input = draftFromPreview(action);
  if (!input) return dialog('Create handoff', handoffFormCard({ formId: crypto.randomUUID(), members: [], message: 'The preview came back unreadable; please fill the form again.' }));
  const now = services.now().getTime();
  const claim = `${now}:${context.activity.id ?? crypto.randomUUID()}`;
  const draft = await handoffFromForm(context, services, actor, input, { postingClaim: claim });
  if (!draft.ok) return dialog('Create handoff', draft.card);
  const stored = await storeNewHandoff(services, actor, draft.handoff, draft.event, claim);
  if (stored === 'forbidden') return { task: { type: 'message', value: 'This form was already used by someone else.' } };
  const handoff = stored === 'stored' ? draft.handoff : stored.existing;
  if (stored !== 'stored') {
    const current = handoff.conversation.postingClaim;
    const claimedAt = Number(current?.split(':')[0]);
    if (!current || now - claimedAt < POSTING_CLAIM_MS) return {}; // posted already, or being posted now
    if (!(await services.store.setPosting(handoff.id, current, { postingClaim: claim }))) return {};
  }
  const sent = await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(handoffCard(handoff, undefined))));
  if (sent?.id) await services.store.setPosting(handoff.id, claim, { messageId: sent.id });
  if (stored === 'stored') await notifyPosted(services, handoff, draft.members);
  return {};
}

/** What a search result shows before it is chosen: the summary and one status line. */
function resultOf(handoff: Handoff): MessagingExtensionAttachment {
  const status = { inReview: 'In review', questionAsked: 'Question asked', changesRequested: 'Changes requested', accepted: 'Accepted', closed: 'Closed', cancelled: 'Cancelled' }[handoff.status];
  const line = [status, `${handoff.sender.name} -> ${handoff.receiver.name}`, handoff.neededBy ? `needed by ${handoff.neededBy}` : '', handoff.workState === 'blocked' ? 'Blocked' : '']
    .filter(Boolean)
    .join(' · ');
  return { ...CardFactory.adaptiveCard(handoffCard(handoff, undefined)), preview: CardFactory.thumbnailCard(handoff.summary, line) };
}

/**
 * composeExtension/query: the handoffs the person takes part in, matching the
 * words and filters, open ones first; an empty query lists their open handoffs.
 */
export async function searchHandoffs(services: Services, actor: Actor, query: MessagingExtensionQuery): Promise<MessagingExtensionResponse> {
  const typed = query.parameters?.find((p) => p.name !== 'initialRun')?.value;
  const textQuery = typeof typed === 'string' ? typed : '';
  const parsed = parseSearchQuery(textQuery.trim() === '' ? 'open' : textQuery);
  const skip = Math.max(0, query.queryOptions?.skip ?? 0);
  const count = Math.min(PAGE_MAX, Math.max(1, query.queryOptions?.count ?? PAGE_MAX));
  const today = services.now().toISOString().slice(0, 10);
  const found = (await handoffsVisibleTo(services, actor, SEARCH_CANDIDATES))
    .filter((h) => matches(h, parsed, actor.person.aadObjectId, today))
    .sort(searchOrder);
  return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: found.slice(skip, skip + count).map(resultOf) } };
}

/** Baton's own handoff links: <publicBaseUrl>/api/handoffs/<id>. */
export function handoffIdFromLink(url: string, publicBaseUrl: string): string | undefined {
  try {
    const link = new URL(url);
    const base = new URL(publicBaseUrl);
    if (link.host.toLowerCase() !== base.host.toLowerCase()) return undefined;
    return /^\/api\/handoffs\/([0-9a-f]{20})\/?$/.exec(link.pathname)?.[1];
  } catch {
    return undefined;
  }
}

/** composeExtension/queryLink: the live card for people on the handoff, a plain preview for others. */
export async function unfurlLink(services: Services, actor: Actor, query: AppBasedLinkQuery): Promise<MessagingExtensionResponse> {
  const id = handoffIdFromLink(query.url ?? '', services.publicBaseUrl);
  const stored = id ? await services.store.read(id) : undefined;
  if (stored && maySee(stored.handoff, actor.tenantId, actor.person.aadObjectId)) {
    return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [resultOf(stored.handoff)] } };
  }
  const plain = CardFactory.thumbnailCard('Baton handoff', 'Only the people on this handoff can see its details.');
  return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [{ ...plain, preview: plain }] } };
}
