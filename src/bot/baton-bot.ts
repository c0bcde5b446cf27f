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
import { myHandoffsCard } from '../cards/my-handoffs-card';
import { ballHolder, type Handoff } from '../domain/handoff';
import { groupMyWork, WAIT_GROUP_TITLES, WAIT_GROUPS } from '../domain/my-work';
import { dispatchCardAction, errorResponse, type Services, UNAVAILABLE } from './card-actions';
import { handoffActions, newHandoffForm } from './handoff-actions';
import { editPreview, ME_COMMANDS, openCreateDialog, searchHandoffs, sendPreview, submitCreateDialog, unfurlLink } from './messaging-extension';
import { handoffsVisibleTo } from './people';
import { type Actor, actorOf } from './turn';

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

const SIGNED_IN = 'Baton needs a signed-in user of a Microsoft 365 organisation.';

const sendForm: Command = async (context) => {
  const card = await newHandoffForm(context, randomUUID());
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
};

const sendHelp: Command = async (context) => {
  await context.sendActivity(MessageFactory.text(HELP_TEXT));
};

/** How many of a person's handoffs `mine` reads at most, newest first: open work older than this is months old. */
const MINE_LIMIT = 200;

const sendMine: Command = async (context, services) => {
  const actor = actorOf(context);
  if (!actor) {
    await context.sendActivity(SIGNED_IN);
    return;
  }
  const groups = groupMyWork(await handoffsVisibleTo(services, actor, MINE_LIMIT), actor.person.aadObjectId);
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
      // The word is echoed into a markdown message: keep letters, digits and hyphens, so it cannot become a link.
      else await context.sendActivity(MessageFactory.text(`I don't know "${word.replace(/[^\p{L}\p{N}-]/gu, '').slice(0, 40)}" yet. ${HELP_TEXT}`));
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
    if (action.commandId !== ME_COMMANDS.create) return { task: { type: 'message', value: `Baton has no command "${action.commandId}".` } };
    return this.inDialog(() => openCreateDialog(context, action));
  }

  protected override async handleTeamsMessagingExtensionSubmitAction(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return this.inDialog((actor) => submitCreateDialog(context, this.services, actor, action), context);
  }

  protected override async handleTeamsMessagingExtensionBotMessagePreviewSend(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return this.inDialog((actor) => sendPreview(context, this.services, actor, action), context);
  }

  protected override async handleTeamsMessagingExtensionBotMessagePreviewEdit(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return this.inDialog(() => editPreview(context, action));
  }

  protected override async handleTeamsMessagingExtensionQuery(context: TurnContext, query: MessagingExtensionQuery): Promise<MessagingExtensionResponse> {
    return this.inResults(context, (actor) => searchHandoffs(this.services, actor, query));
  }

  protected override async handleTeamsAppBasedLinkQuery(context: TurnContext, query: AppBasedLinkQuery): Promise<MessagingExtensionResponse> {
    return this.inResults(context, (actor) => unfurlLink(this.services, actor, query));
  }

  /**
   * Runs a dialog step; a missing user or a failure becomes a message in the
   * dialog instead of Teams' bare "Unable to reach app".
   */
  private async inDialog(
    run: (actor: Actor) => Promise<MessagingExtensionActionResponse>,
    context?: TurnContext,
  ): Promise<MessagingExtensionActionResponse> {
    const actor = context ? actorOf(context) : undefined;
    if (context && !actor) return { task: { type: 'message', value: SIGNED_IN } };
    try {
      return await run(actor!);
    } catch (error) {
      this.services.log(`Messaging extension failed: ${(error as Error).stack ?? String(error)}`);
      return { task: { type: 'message', value: UNAVAILABLE } };
    }
  }

  /** Runs a search or unfurl; a failure becomes a message in the results pane. */
  private async inResults(context: TurnContext, run: (actor: Actor) => Promise<MessagingExtensionResponse>): Promise<MessagingExtensionResponse> {
    const actor = actorOf(context);
    if (!actor) return { composeExtension: { type: 'message', text: SIGNED_IN } };
    try {
      return await run(actor);
    } catch (error) {
      this.services.log(`Messaging extension failed: ${(error as Error).stack ?? String(error)}`);
      return { composeExtension: { type: 'message', text: UNAVAILABLE } };
    }
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const actor = actorOf(context);
    if (!actor) return errorResponse(403, 'Forbidden', SIGNED_IN);
    return dispatchCardAction(
      handoffActions,
      { turn: context, actor, services: this.services, activityId: context.activity.id ?? randomUUID() },
      value.action.verb,
      value.action.data,
    );
  }
}
