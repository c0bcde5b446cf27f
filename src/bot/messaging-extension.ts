/**
 * The messaging extension: create a handoff from the compose box or from any
 * message (action command `createHandoff`), find handoffs (search command
 * `findHandoffs`), and unfurl Baton's own links. Each handler converts the
 * invoke to a use-case call and the answer back to Teams' response shapes.
 */
import {
  type Activity,
  type AppBasedLinkQuery,
  CardFactory,
  MessageFactory,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
  type MessagingExtensionAttachment,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
} from 'botbuilder';
import { createHandoff, draftHandoff } from '../app/handoffs';
import { applyTemplate, shownTemplate, templateChoices } from '../app/templates';
import { draftOf, isPreviewId, keepDraft, type PreviewForm } from '../app/previews';
import { findHandoffs, handoffForLink } from '../app/my-work';
import type { App, Caller } from '../app/ports';
import { handoffCard, handoffFormCard } from '../cards/handoff-cards';
import { handoffResultCard } from '../cards/handoff-result-card';
import { batonLink } from '../cards/notification-card';
import type { AdaptiveCard } from '../cards/render';
import type { Handoff, Listing, Person } from '../domain/handoff';
import { searchLine } from '../domain/search';
import { type HandoffFormInput, handoffFormInput, SUMMARY_MAX } from '../domain/handoff-form';
import { templateChoiceInput } from '../domain/templates';
import { plainText } from '../domain/text';
import { TEMPLATE_VERBS } from '../cards/verbs';

export const ME_COMMANDS = { create: 'createHandoff', find: 'findHandoffs' } as const;

/** Teams shows at most 25 results a page. */
const PAGE_MAX = 25;

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
  return {
    task: { type: 'continue', value: { title, card: CardFactory.adaptiveCard(asDialogCard(card)), width: 'large', height: 'large' } },
  };
}

const createDialog = (card: AdaptiveCard) => dialog('Create handoff', card);

/**
 * The form's starting values from a message: its first sentence, its text,
 * its links, and its author as the receiver. From your own message you cannot
 * be the receiver (the form refuses it): the receiver is left to choose, and
 * you are the owner, as the form has it when left empty.
 */
export function prefillFromMessage(action: MessagingExtensionAction, members: readonly Person[], you: Person): Partial<HandoffFormInput> {
  const payload = action.messagePayload;
  if (!payload) return {};
  const body = plainText(payload.body?.content ?? '');
  const firstSentence = (body.split(/(?<=[.!?])\s+|\n/)[0] ?? '').slice(0, SUMMARY_MAX);
  const links = [
    ...(payload.linkToMessage?.startsWith('https://') ? [payload.linkToMessage] : []),
    ...(body.match(/https:\/\/[^\s<>"]+/g) ?? []),
  ];
  const authorId = payload.from?.user?.id;
  const author = members.find((m) => m.aadObjectId === authorId);
  const own = authorId === you.aadObjectId;
  return {
    summary: firstSentence,
    whatIsReady: body.slice(0, 4000),
    links: [...new Set(links)].join('\n'),
    ...(own ? { receiver: '', owner: you.aadObjectId } : author ? { receiver: author.aadObjectId } : {}),
  };
}

/**
 * The form's starting values from the command's parameters, as Microsoft 365
 * Copilot sends them ("hand the payments work to Grace": `data.taskParameters`,
 * the manifest's parameters of createHandoff). Copilot may send a parameter
 * empty or null; a receiver is prefilled only when the name is one member's
 * (the picker then shows them chosen), never the person asking.
 */
export function prefillFromParameters(
  action: MessagingExtensionAction,
  members: readonly Person[],
  you: Person,
): Partial<HandoffFormInput> {
  const parameters = (action.data as { taskParameters?: unknown } | undefined)?.taskParameters;
  if (!Array.isArray(parameters)) return {};
  const value = (name: string) => {
    const found = parameters.find((p: { name?: unknown }) => p?.name === name) as { value?: unknown } | undefined;
    return typeof found?.value === 'string' ? found.value.trim() : '';
  };
  const summary = value('summary').slice(0, SUMMARY_MAX);
  const whatIsReady = value('whatIsReady').slice(0, 4000);
  const neededBy = /^\d{4}-\d{2}-\d{2}$/.test(value('neededBy')) ? value('neededBy') : '';
  const name = value('receiver').toLowerCase();
  const others = members.filter((m) => m.aadObjectId !== you.aadObjectId);
  const byName = name
    ? [others.filter((m) => m.name.toLowerCase() === name), others.filter((m) => m.name.toLowerCase().split(/\s+/)[0] === name)].find(
        (matches) => matches.length === 1,
      )?.[0]
    : undefined;
  return {
    ...(summary ? { summary } : {}),
    ...(whatIsReady ? { whatIsReady } : {}),
    ...(neededBy ? { neededBy } : {}),
    ...(byName ? { receiver: byName.aadObjectId } : {}),
  };
}

/**
 * composeExtension/fetchTask: the handoff form as a dialog, prefilled when
 * opened from a message or by Copilot with parameters, with the
 * conversation's team templates to start from, as `new` offers them.
 */
export async function openCreateDialog(
  app: App,
  caller: Caller,
  action: MessagingExtensionAction,
): Promise<MessagingExtensionActionResponse> {
  if (action.commandId !== ME_COMMANDS.create)
    return { task: { type: 'message', value: `Baton has no command "${String(action.commandId).slice(0, 60)}".` } };
  // The connector lists members only where the bot is; elsewhere the people picker searches the organisation.
  const [members, templates] = await Promise.all([caller.members().catch(() => []), templateChoices(app, caller)]);
  const values = {
    ...(action.commandContext === 'message' ? prefillFromMessage(action, members, caller.actor.person) : {}),
    ...prefillFromParameters(action, members, caller.actor.person),
  };
  return createDialog(handoffFormCard({ formId: crypto.randomUUID(), members, values, templates }));
}

/** What the dialog's form sends: its fields, and its template's part (the one in use, the one picked, the checklist's ticks). */
const dialogFormInput = handoffFormInput.extend(templateChoiceInput.shape);

/** The id of a hidden element of the preview card: Teams keeps element ids, which its inputs need, whatever else it re-serialises. */
const PREVIEW_ELEMENT = 'batonPreview-';

/**
 * The preview's id, wherever the card Teams sent back still has it: the
 * refresh action's data, or the hidden element's id. Teams re-serialises the
 * preview it sends with Send and Edit, adding nulls and defaults; nothing
 * documents which fields it keeps, so both are looked for.
 */
function previewIdOf(action: MessagingExtensionAction): string | undefined {
  const content = action.botActivityPreview?.[0]?.attachments?.[0]?.content as unknown;
  let found: string | undefined;
  const visit = (node: unknown, depth: number): void => {
    if (found || depth > 32 || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((item) => visit(item, depth + 1));
    const record = node as Record<string, unknown>;
    if (isPreviewId(record.previewId)) found = record.previewId;
    else if (typeof record.id === 'string' && record.id.startsWith(PREVIEW_ELEMENT) && isPreviewId(record.id.slice(PREVIEW_ELEMENT.length)))
      found = record.id.slice(PREVIEW_ELEMENT.length);
    else for (const value of Object.values(record)) visit(value, depth + 1);
  };
  visit(content, 0);
  return found;
}

/** The form a preview holds (kept on Baton's side), for the person who made it; undefined when gone or not theirs. */
async function draftFromPreview(app: App, caller: Caller, action: MessagingExtensionAction): Promise<PreviewForm | undefined> {
  const id = previewIdOf(action);
  return id ? draftOf(app, caller, id) : undefined;
}

/** composeExtension/submitAction: a wrong form stays in the dialog; a valid one becomes a preview. */
export async function submitCreateDialog(
  app: App,
  caller: Caller,
  action: MessagingExtensionAction,
): Promise<MessagingExtensionActionResponse> {
  const input = dialogFormInput.safeParse(action.data ?? {});
  if (!input.success)
    return createDialog(
      handoffFormCard({ formId: crypto.randomUUID(), members: [], message: 'The form came back unreadable; please fill it again.' }),
    );
  // "Use this template": the dialog again, started from the template chosen (the card's verb travels in the data).
  if ((action.data as { verb?: unknown } | undefined)?.verb === TEMPLATE_VERBS.apply) {
    const applied = await applyTemplate(app, caller, input.data);
    if ('card' in applied) return createDialog(applied.card);
  }
  const draft = await draftHandoff(app, caller, input.data);
  if (!draft.ok) return createDialog(draft.card);
  // The draft keeps the template and version the form showed, and the ticks: Send checks them again and stamps the handoff.
  const { templateChoice: _picked, ...form } = input.data;
  const previewId = await keepDraft(app, caller, { ...form, confirmed: true });
  const preview = handoffCard(draft.handoff, undefined, { now: new Date(app.clock.now()) }) as AdaptiveCard & {
    refresh: { action: { data: Record<string, unknown> } };
    body: unknown[];
  };
  preview.refresh.action.data.previewId = previewId;
  preview.body.push({ type: 'TextBlock', id: `${PREVIEW_ELEMENT}${previewId}`, text: 'Preview', isVisible: false });
  return {
    composeExtension: {
      type: 'botMessagePreview',
      activityPreview: MessageFactory.attachment(CardFactory.adaptiveCard(preview)) as Activity,
    },
  };
}

/** What Send or Edit says when the preview's draft is gone (a day passed) or is not the person's. */
const PREVIEW_GONE = 'This preview is no longer available (a preview keeps for a day); please fill the form again.';

/** The preview's "Edit": back to the form with the draft's values, and its template with the checklist as ticked. */
export async function editPreview(app: App, caller: Caller, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
  const draft = await draftFromPreview(app, caller, action);
  const [members, templates, template] = await Promise.all([
    caller.members().catch(() => []),
    templateChoices(app, caller),
    draft ? shownTemplate(app, caller, draft) : undefined,
  ]);
  return createDialog(
    handoffFormCard({
      formId: draft?.formId ?? crypto.randomUUID(),
      members,
      values: { ...draft, confirmed: false },
      templates,
      ...(template ? { template } : {}),
      ...(draft ? {} : { message: PREVIEW_GONE }),
    }),
  );
}

/**
 * The preview's "Send": store the handoff with an outbox row that posts its
 * live card. A resent "Send" (Teams retries, a double click) finds the stored
 * handoff and posts nothing; if the first attempt died before its card went
 * out, the outbox posts it (once).
 */
export async function sendPreview(app: App, caller: Caller, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
  const input = await draftFromPreview(app, caller, action);
  if (!input) return createDialog(handoffFormCard({ formId: crypto.randomUUID(), members: [], message: PREVIEW_GONE }));
  const created = await createHandoff(app, caller, input, 'post');
  if (created.outcome === 'form') return createDialog(created.card);
  if (created.outcome === 'forbidden') return { task: { type: 'message', value: created.error.message } };
  return {};
}

/** A result's title in the list: one line of it, cut at a word with "…" (the chosen card shows all of it). */
const RESULT_TITLE_MAX = 80;
function resultTitle(summary: string): string {
  if (summary.length <= RESULT_TITLE_MAX) return summary;
  const cut = summary.slice(0, RESULT_TITLE_MAX - 1);
  const atWord = cut.lastIndexOf(' ');
  return `${(atWord > RESULT_TITLE_MAX / 2 ? cut.slice(0, atWord) : cut).trimEnd()}…`;
}

/**
 * A search result, from the index's listing alone: the preview (summary and
 * status line) and, once chosen, a small card whose refresh shows each
 * person on the handoff the live card.
 */
function resultOf(app: App, caller: Caller, listing: Listing): MessagingExtensionAttachment {
  const line = searchLine(listing, caller.timeZone, new Date(app.clock.now()));
  const card = handoffResultCard(listing, line, batonLink(app.settings.publicBaseUrl, listing.id));
  return { ...CardFactory.adaptiveCard(card), preview: CardFactory.thumbnailCard(resultTitle(listing.summary), line) };
}

/** A link unfurled for someone on the handoff: its live card, with the same preview a search result has. */
function unfurledOf(app: App, caller: Caller, handoff: Handoff): MessagingExtensionAttachment {
  const now = new Date(app.clock.now());
  return {
    ...CardFactory.adaptiveCard(handoffCard(handoff, undefined, { now })),
    preview: CardFactory.thumbnailCard(resultTitle(handoff.summary), searchLine(handoff, caller.timeZone, now)),
  };
}

/** composeExtension/query: the person's handoffs matching the typed words and filters. */
export async function searchHandoffs(app: App, caller: Caller, query: MessagingExtensionQuery): Promise<MessagingExtensionResponse> {
  const typed = query.parameters?.find((p) => p.name !== 'initialRun')?.value;
  const text = typeof typed === 'string' ? typed.slice(0, 200) : '';
  const skip = Math.max(0, Math.trunc(Number(query.queryOptions?.skip ?? 0)) || 0);
  const count = Math.min(PAGE_MAX, Math.max(1, Math.trunc(Number(query.queryOptions?.count ?? PAGE_MAX)) || PAGE_MAX));
  const found = await findHandoffs(app, caller, text, { skip, count });
  return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: found.map((h) => resultOf(app, caller, h)) } };
}

/** composeExtension/queryLink: the live card for people on the handoff, a plain preview for others. */
export async function unfurlLink(app: App, caller: Caller, query: AppBasedLinkQuery): Promise<MessagingExtensionResponse> {
  const handoff = await handoffForLink(app, caller, query.url ?? '');
  if (handoff) return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [unfurledOf(app, caller, handoff)] } };
  const plain = CardFactory.thumbnailCard('Baton handoff', 'Only the people on this handoff can see its details.');
  return { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [{ ...plain, preview: plain }] } };
}
