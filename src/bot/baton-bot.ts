/**
 * Baton's bot: chat commands and card actions, routed by tables.
 */
import { randomUUID } from 'node:crypto';
import {
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type AppBasedLinkQuery,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
  CardFactory,
  MessageFactory,
  TeamsActivityHandler,
  type TurnContext,
} from 'botbuilder';
import { dispatchCardAction, errorResponse, type Services } from './card-actions';
import { handoffActions, newHandoffForm } from './handoff-actions';
import { actorOf } from './turn';
import { editPreview, ME_COMMANDS, openCreateDialog, searchHandoffs, sendPreview, submitCreateDialog, unfurlLink } from './messaging-extension';
import { myHandoffsCard } from '../cards/my-handoffs-card';
import { ballHolder, type Handoff } from '../domain/handoff';
import { groupMyWork, WAIT_GROUP_TITLES, WAIT_GROUPS } from '../domain/my-work';

export const HELP_TEXT = [
  '**Baton** hands work to someone without a meeting.',
  '',
  '- **new** (or **handoff**): fill a handoff form; the receiver is tagged when you post it.',
  '- **mine**: your open handoffs, grouped by what waits on you (to review, to answer, to fix, to close).',
  '- **help**: this list.',
  '',
  'On the card, the receiver accepts (checking off the criteria), asks a question or requests changes;',
  'the sender answers, edits and resubmits, updates the work state or cancels; the owner reassigns,',
  'nudges and closes; stakeholders flag priority changes. "Show history" lists every change.',
  'Install Baton in your personal chat to be told when a handoff needs you.',
].join('\n');

type Command = (context: TurnContext, services: Services) => Promise<void>;

const sendForm: Command = async (context) => {
  const card = await newHandoffForm(context, randomUUID());
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
};

const sendHelp: Command = async (context) => {
  await context.sendActivity(MessageFactory.text(HELP_TEXT));
};

/** How many of a person's handoffs `mine` reads at most (newest first). */
const MINE_LIMIT = 50;

const sendMine: Command = async (context, services) => {
  const actor = actorOf(context);
  if (!actor) {
    await context.sendActivity('Baton needs a signed-in user of a Microsoft 365 organisation.');
    return;
  }
  const rows = await services.people.handoffsOf(actor.tenantId, actor.person.aadObjectId);
  const records = await Promise.all(rows.slice(0, MINE_LIMIT).map((row) => services.store.read(row.handoffId)));
  // The index may list a handoff that was never stored or that belongs elsewhere; the record decides.
  const handoffs = records.flatMap((r) => (r && r.handoff.tenantId === actor.tenantId ? [r.handoff] : []));
  const groups = groupMyWork(handoffs, actor.person.aadObjectId);
  const card = myHandoffsCard(
    WAIT_GROUPS.map((g) => ({
      title: WAIT_GROUP_TITLES[g],
      handoffs: groups[g],
      detail: (h: Handoff) => (g === 'waitingOnOthers' ? `with ${ballHolder(h)?.name ?? 'nobody'}` : `from ${h.sender.name}`),
    })),
  );
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
};

/** Chat commands by their first word. */
export const COMMANDS: Readonly<Record<string, Command>> = { new: sendForm, handoff: sendForm, mine: sendMine, help: sendHelp };

/** The first word of a message, without the bot's @mention. */
export function commandWord(context: TurnContext): string {
  // In channels and group chats the text starts with "<at>Baton</at>".
  const text = (context.activity.text ?? '').replace(/<at>[^<]*<\/at>/gi, ' ');
  return text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
}

export class BatonBot extends TeamsActivityHandler {
  /** People whose personal chat this process already saved, so a chatty user costs one write. */
  private readonly savedChats = new Set<string>();

  constructor(private readonly services: Services) {
    super();
    this.onMessage(async (context, next) => {
      await this.savePersonalChat(context);
      const word = commandWord(context);
      const command = Object.hasOwn(COMMANDS, word) ? COMMANDS[word] : undefined;
      if (command) await command(context, this.services);
      else await context.sendActivity(MessageFactory.text(`I don't know "${word.slice(0, 40)}" yet. ${HELP_TEXT}`));
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.savePersonalChat(context, true);
      await context.sendActivity(MessageFactory.text(HELP_TEXT));
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      await this.savePersonalChat(context, true);
      await next();
    });
  }

  /** Remembers where Baton can write to this person 1:1 (only personal chats qualify). */
  private async savePersonalChat(context: TurnContext, force = false): Promise<void> {
    const { conversation, from, recipient, serviceUrl } = context.activity;
    const actor = actorOf(context);
    if (!actor || conversation.conversationType !== 'personal') return;
    const key = `${actor.tenantId}/${actor.person.aadObjectId}/${conversation.id}`;
    if (this.savedChats.has(key) && !force) return;
    await this.services.conversations.save({
      tenantId: actor.tenantId,
      aadObjectId: actor.person.aadObjectId,
      userId: from.id,
      conversationId: conversation.id,
      serviceUrl,
      botId: recipient.id,
    });
    this.savedChats.add(key);
  }

  protected override async handleTeamsMessagingExtensionFetchTask(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    if (action.commandId !== ME_COMMANDS.create) throw new Error(`Unknown action command "${action.commandId}"`);
    return openCreateDialog(context, action);
  }

  protected override async handleTeamsMessagingExtensionSubmitAction(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return submitCreateDialog(context, this.services, this.requireActor(context), action);
  }

  protected override async handleTeamsMessagingExtensionBotMessagePreviewSend(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return sendPreview(context, this.services, this.requireActor(context), action);
  }

  protected override async handleTeamsMessagingExtensionBotMessagePreviewEdit(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return editPreview(context, action);
  }

  protected override async handleTeamsMessagingExtensionQuery(context: TurnContext, query: MessagingExtensionQuery): Promise<MessagingExtensionResponse> {
    return searchHandoffs(this.services, this.requireActor(context), query);
  }

  protected override async handleTeamsAppBasedLinkQuery(context: TurnContext, query: AppBasedLinkQuery): Promise<MessagingExtensionResponse> {
    return unfurlLink(this.services, this.requireActor(context), query);
  }

  /** Messaging-extension invokes need a signed-in person; botbuilder turns the throw into a 500 that Teams shows as an error. */
  private requireActor(context: TurnContext) {
    const actor = actorOf(context);
    if (!actor) throw new Error('Baton needs a signed-in user of a Microsoft 365 organisation.');
    return actor;
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const actor = actorOf(context);
    if (!actor) return errorResponse(403, 'Forbidden', 'Baton needs a signed-in user of a Microsoft 365 organisation.');
    return dispatchCardAction(
      handoffActions,
      { turn: context, actor, services: this.services, activityId: context.activity.id ?? randomUUID() },
      value.action.verb,
      value.action.data,
    );
  }
}
