/**
 * Baton's bot: chat commands and card actions, routed by tables. Each handler
 * turns the activity into a Caller, calls one use case (src/app) and turns
 * its answer into what Teams (or Outlook) expects.
 */
import {
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type AppBasedLinkQuery,
  CardFactory,
  MessageFactory,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
  TeamsActivityHandler,
  type TurnContext,
} from 'botbuilder';
import type { App } from '../app/handoffs';
import { newHandoffForm } from '../app/handoffs';
import { myHandoffsPrivately, privately } from '../app/my-work';
import { summaryNow } from '../app/summary';
import type { Caller } from '../app/ports';
import { LruMap } from '../lru';
import { errorText } from '../logger';
import { dispatchCardAction, errorResponse, handoffActions, UNAVAILABLE } from './card-actions';
import { editPreview, ME_COMMANDS, openCreateDialog, searchHandoffs, sendPreview, submitCreateDialog, unfurlLink } from './messaging-extension';
import { callerOf } from './turn';

export const HELP_TEXT = [
  '**Baton** hands work to someone without a meeting.',
  '',
  'In a group chat or channel, start with **@Baton**; in your personal chat with Baton, just type the word.',
  '',
  '- **new** (or **handoff**): fill a handoff form; the receiver is tagged when you post it.',
  '- **mine**: your open handoffs, grouped by what waits on you (to review, to answer, to fix, to close).',
  '- **summary**: your week in handoffs (cycle time, first-pass acceptance, what needs attention); **summary stop** or **summary start** for the weekly one.',
  '- **help**: this list.',
  '',
  'On the card, the receiver accepts (checking off the criteria), asks a question or requests changes;',
  'the sender answers, edits and resubmits, updates the work state or cancels; the owner reassigns,',
  'nudges and closes; stakeholders flag priority changes. "Show history" lists every change.',
  'Under the message box, Baton\'s **Create handoff** starts one from any chat (or from a message\'s',
  '**...** menu, quoting it), and **Find handoffs** searches yours by summary or person.',
  'Install Baton in your personal chat to be told when a handoff needs you.',
].join('\n');

const SIGNED_IN = 'Baton needs a signed-in user of a Microsoft 365 organisation.';

type Command = (context: TurnContext, app: App, caller: Caller) => Promise<void>;

const sendCard = (context: TurnContext, card: object) => context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));

const sendForm: Command = async (context, app, caller) => {
  await sendCard(context, await newHandoffForm(app, caller, crypto.randomUUID()));
};

const sendHelp: Command = async (context) => {
  await context.sendActivity(MessageFactory.text(HELP_TEXT));
};

/** Nobody but the person sees their list: in a group chat or channel it goes to their personal chat. */
const sendMine: Command = async (context, app, caller) => {
  const answer = await myHandoffsPrivately(app, caller);
  if ('card' in answer) await sendCard(context, answer.card);
  else await context.sendActivity(MessageFactory.text(answer.reply));
};

/** Your summary now (the seven days up to now), privately like `mine`; "summary stop" and "summary start" set the weekly one. */
const sendSummary: Command = async (context, app, caller) => {
  const second = commandWords(context)[1];
  const answer = await privately(app, caller, () => summaryNow(app, caller, second), { label: 'your summary', command: 'summary' });
  if ('card' in answer) await sendCard(context, answer.card);
  else await context.sendActivity(MessageFactory.text(answer.reply));
};

/** Chat commands by their first word; a bare @Baton is asking for help. */
export const COMMANDS: Readonly<Record<string, Command>> = { new: sendForm, handoff: sendForm, mine: sendMine, summary: sendSummary, help: sendHelp, '': sendHelp };

/** What an unknown word gets: one short line, not the whole help. */
const UNKNOWN = (word: string) => `I don't know "${word}". Try **new** (a handoff form), **mine** (your open handoffs), **summary** or **help**.`;

/** The words of a message, lower case, without the bot's @mention. */
function commandWords(context: TurnContext): string[] {
  // In channels and group chats the text starts with "<at>Baton</at>".
  const text = (context.activity.text ?? '').replace(/<at>[^<]*<\/at>/gi, ' ');
  return text.trim().toLowerCase().split(/\s+/);
}

/** The first word of a message, without the bot's @mention. */
export function commandWord(context: TurnContext): string {
  return commandWords(context)[0] ?? '';
}

/** How many personal chats this process remembers having saved, so a chatty user costs one write. */
const SAVED_CHATS_KEPT = 10_000;

export class BatonBot extends TeamsActivityHandler {
  private readonly savedChats = new LruMap<string, true>(SAVED_CHATS_KEPT);

  constructor(private readonly app: App) {
    super();
    this.onMessage(async (context, next) => {
      const caller = callerOf(context, app.clock.now());
      if (!caller) {
        await context.sendActivity(SIGNED_IN);
        return next();
      }
      await this.savePersonalChat(context, caller);
      const word = commandWord(context);
      const command = Object.hasOwn(COMMANDS, word) ? COMMANDS[word] : undefined;
      if (command) await command(context, app, caller);
      // The word is echoed into a markdown message: keep letters, digits and hyphens, so it cannot become a link.
      else await context.sendActivity(MessageFactory.text(UNKNOWN(word.replace(/[^\p{L}\p{N}-]/gu, '').slice(0, 40))));
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      const caller = callerOf(context, app.clock.now());
      if (caller) await this.savePersonalChat(context, caller, true);
      await context.sendActivity(MessageFactory.text(HELP_TEXT));
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const caller = callerOf(context, app.clock.now());
      if (caller) await this.savePersonalChat(context, caller, true);
      await next();
    });
  }

  /** Remembers where Baton can write to this person 1:1 (only personal chats qualify). */
  private async savePersonalChat(context: TurnContext, caller: Caller, force = false): Promise<void> {
    const { conversation, from, recipient, serviceUrl } = context.activity;
    if (!caller.conversation.personal) return;
    const { tenantId, person } = caller.actor;
    const key = `${tenantId}/${person.aadObjectId}/${conversation.id}`;
    if (this.savedChats.has(key) && !force) return;
    await this.app.conversations.save({ tenantId, aadObjectId: person.aadObjectId, userId: from.id, conversationId: conversation.id, serviceUrl, botId: recipient.id });
    this.savedChats.set(key, true);
  }

  protected override async handleTeamsMessagingExtensionFetchTask(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    if (action.commandId !== ME_COMMANDS.create) return { task: { type: 'message', value: `Baton has no command "${String(action.commandId).slice(0, 60)}".` } };
    return this.inDialog(context, (caller) => openCreateDialog(caller, action));
  }

  protected override async handleTeamsMessagingExtensionSubmitAction(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return this.inDialog(context, (caller) => submitCreateDialog(this.app, caller, action));
  }

  protected override async handleTeamsMessagingExtensionBotMessagePreviewSend(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return this.inDialog(context, (caller) => sendPreview(this.app, caller, action));
  }

  protected override async handleTeamsMessagingExtensionBotMessagePreviewEdit(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return this.inDialog(context, (caller) => editPreview(caller, action));
  }

  protected override async handleTeamsMessagingExtensionQuery(context: TurnContext, query: MessagingExtensionQuery): Promise<MessagingExtensionResponse> {
    return this.inResults(context, (caller) => searchHandoffs(this.app, caller, query));
  }

  protected override async handleTeamsAppBasedLinkQuery(context: TurnContext, query: AppBasedLinkQuery): Promise<MessagingExtensionResponse> {
    return this.inResults(context, (caller) => unfurlLink(this.app, caller, query));
  }

  /**
   * Runs a dialog step; a missing user or a failure becomes a message in the
   * dialog instead of Teams' bare "Unable to reach app".
   */
  private async inDialog(context: TurnContext, run: (caller: Caller) => Promise<MessagingExtensionActionResponse>): Promise<MessagingExtensionActionResponse> {
    const caller = callerOf(context, this.app.clock.now());
    if (!caller) return { task: { type: 'message', value: SIGNED_IN } };
    try {
      return await run(caller);
    } catch (error) {
      this.app.log.error('Messaging extension failed', { activityId: caller.activityId, error: error instanceof Error ? (error.stack ?? error.message) : errorText(error) });
      return { task: { type: 'message', value: UNAVAILABLE } };
    }
  }

  /** Runs a search or unfurl; a failure becomes a message in the results pane. */
  private async inResults(context: TurnContext, run: (caller: Caller) => Promise<MessagingExtensionResponse>): Promise<MessagingExtensionResponse> {
    const caller = callerOf(context, this.app.clock.now());
    if (!caller) return { composeExtension: { type: 'message', text: SIGNED_IN } };
    try {
      return await run(caller);
    } catch (error) {
      this.app.log.error('Messaging extension failed', { activityId: caller.activityId, error: error instanceof Error ? (error.stack ?? error.message) : errorText(error) });
      return { composeExtension: { type: 'message', text: UNAVAILABLE } };
    }
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, _value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const caller = callerOf(context, this.app.clock.now());
    if (!caller) return errorResponse(403, 'Forbidden', SIGNED_IN);
    // The raw value, not botbuilder's typed one: its verb is checked to be a string, never coerced.
    return dispatchCardAction(handoffActions, this.app, caller, context.activity.value);
  }
}
