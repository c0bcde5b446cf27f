/**
 * Baton's bot: chat commands and card actions, routed by tables.
 */
import { randomUUID } from 'node:crypto';
import {
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  CardFactory,
  MessageFactory,
  TeamsActivityHandler,
  type TurnContext,
} from 'botbuilder';
import { dispatchCardAction, errorResponse, type Services } from './card-actions';
import { handoffActions, newHandoffForm } from './handoff-actions';
import { actorOf } from './turn';

export const HELP_TEXT = [
  '**Baton** hands work to someone without a meeting.',
  '',
  '- **new** (or **handoff**): fill a handoff form; the receiver is tagged when you post it.',
  '- **help**: this list.',
  '',
  'The receiver accepts or requests changes on the card itself.',
].join('\n');

type Command = (context: TurnContext, services: Services) => Promise<void>;

const sendForm: Command = async (context) => {
  const card = await newHandoffForm(context, randomUUID());
  await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
};

const sendHelp: Command = async (context) => {
  await context.sendActivity(MessageFactory.text(HELP_TEXT));
};

/** Chat commands by their first word. */
export const COMMANDS: Readonly<Record<string, Command>> = { new: sendForm, handoff: sendForm, help: sendHelp };

/** The first word of a message, without the bot's @mention. */
export function commandWord(context: TurnContext): string {
  // In channels and group chats the text starts with "<at>Baton</at>".
  const text = (context.activity.text ?? '').replace(/<at>[^<]*<\/at>/gi, ' ');
  return text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
}

export class BatonBot extends TeamsActivityHandler {
  constructor(private readonly services: Services) {
    super();
    this.onMessage(async (context, next) => {
      const word = commandWord(context);
      const command = Object.hasOwn(COMMANDS, word) ? COMMANDS[word] : undefined;
      if (command) await command(context, this.services);
      else await context.sendActivity(MessageFactory.text(`I don't know "${word.slice(0, 40)}" yet. ${HELP_TEXT}`));
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await context.sendActivity(MessageFactory.text(HELP_TEXT));
      await next();
    });
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
