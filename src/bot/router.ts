/**
 * One registry turns each activity into a call to src/app: a route per kind
 * of activity, invoke names under readable aliases (as microsoft/teams.ts
 * `Router.on` does), chat commands by their first word and card actions by
 * their verb. Each handler answers; the router sends an invoke's answer back
 * as Teams expects it (an `invokeResponse` activity).
 */
import { type Activity, ActivityTypes, type InvokeResponse, type TurnContext } from 'botbuilder';
import * as z from 'zod';
import type { Budget } from '../app/ports';

/** Invoke names as routes (microsoft/teams.ts `INVOKE_ALIASES`, the ones Baton answers). */
export const INVOKE_ALIASES = {
  'adaptiveCard/action': 'card.action',
  'composeExtension/fetchTask': 'message.ext.open',
  'composeExtension/submitAction': 'message.ext.submit',
  'composeExtension/query': 'message.ext.query',
  'composeExtension/queryLink': 'message.ext.query-link',
} as const;

export type RouteName =
  | 'message'
  | 'install.add'
  | 'members.added'
  /** A team or a channel renamed: Teams says so in a conversationUpdate, with the new name. */
  | 'conversation.renamed'
  | (typeof INVOKE_ALIASES)[keyof typeof INVOKE_ALIASES]
  /** The messaging extension's preview: Send and Edit arrive as submitAction with `botMessagePreviewAction`. */
  | 'message.ext.send'
  | 'message.ext.edit';

/** The route an activity takes, or undefined when Baton does not answer it. */
export function routeOf(
  activity: Pick<Activity, 'type' | 'name' | 'action' | 'membersAdded' | 'value' | 'channelData'>,
): RouteName | undefined {
  switch (activity.type) {
    case ActivityTypes.Message:
      return 'message';
    case ActivityTypes.InstallationUpdate:
      // 'add' and 'add-upgrade' (a reinstall): both put Baton in the person's chat.
      return activity.action?.startsWith('add') ? 'install.add' : undefined;
    case ActivityTypes.ConversationUpdate: {
      if ((activity.membersAdded?.length ?? 0) > 0) return 'members.added';
      const event = (activity.channelData as { eventType?: unknown } | undefined)?.eventType;
      return event === 'teamRenamed' || event === 'channelRenamed' ? 'conversation.renamed' : undefined;
    }
    case ActivityTypes.Invoke: {
      const preview = (activity.value as { botMessagePreviewAction?: unknown } | undefined)?.botMessagePreviewAction;
      if (activity.name === 'composeExtension/submitAction' && (preview === 'send' || preview === 'edit')) return `message.ext.${preview}`;
      return Object.hasOwn(INVOKE_ALIASES, activity.name ?? '') ? INVOKE_ALIASES[activity.name as keyof typeof INVOKE_ALIASES] : undefined;
    }
    default:
      return undefined;
  }
}

/** A turn: the activity's context, and the storage budget of its request (what is left of Teams' 5 seconds). */
export interface Turn {
  context: TurnContext;
  budget: Budget;
}

type Handler = (turn: Turn) => Promise<InvokeResponse | undefined | void>;
type CommandHandler = (turn: Turn, words: string[]) => Promise<void>;
type VerbHandler = (turn: Turn, data: Record<string, unknown>) => Promise<InvokeResponse>;

/**
 * An `adaptiveCard/action` error answer: HTTP 200, with the error's status
 * inside the Universal Actions envelope. The Adaptive Cards documentation,
 * "Universal Action Model", section "Response format"
 * (MicrosoftDocs/AdaptiveCards, AdaptiveCards/authoring-cards/universal-action-model.md,
 * https://learn.microsoft.com/adaptive-cards/authoring-cards/universal-action-model#response-format),
 * which msteams-docs' "Work with Universal Actions for Adaptive Cards" and the
 * Outlook channel's page point to:
 *
 *   "If the Bot did process an incoming `adaptiveCard/action` Invoke activity
 *   (i.e. if the Bot's code was involved at all in processing the request), the
 *   HTTP response's status code returned by the Bot must be equal to 200 and the
 *   body of the HTTP response must be formatted as follows: { "statusCode":
 *   <number (200 – 599)>, "type": "<string>", "value": "<object>" }"
 *   "A client application MUST always look at the `statucCode` property in the
 *   response's body to know how the Bot processed the request."
 *   | 400 | `application/vnd.microsoft.error` | Error Object | The incoming request was invalid. |
 *   | 500 | `application/vnd.microsoft.error` | Error Object | An unexpected error occurred. |
 *
 * (botbuilder-js's ActivityHandler copies the body's statusCode into the HTTP
 * status instead; the .NET SDK and the Teams SDK answer 200, as here. The
 * Error Object is `{ code, message }`, as every SDK writes it.)
 */
export function cardError(status: 400 | 403 | 404 | 500 | 503, code: string, message: string): InvokeResponse {
  return { status: 200, body: { statusCode: status, type: 'application/vnd.microsoft.error', value: { code, message } } };
}

/** The invoke's value as Universal Actions send it: a string verb (never coerced) and an object of data. */
const cardActionValue = z.object({
  action: z.object({ verb: z.string().min(1).max(100), data: z.record(z.string(), z.unknown()).optional() }),
});

/** The words of a message, lower case, without the bot's @mention ("<at>Baton</at>" in channels and group chats). */
export function commandWords(text: string | undefined): string[] {
  return (text ?? '')
    .replace(/<at>[^<]*<\/at>/gi, ' ')
    .trim()
    .toLowerCase()
    .split(/\s+/);
}

export class Router {
  private readonly routes = new Map<RouteName, Handler>();
  private readonly commands = new Map<string, CommandHandler>();
  private readonly verbs = new Map<string, VerbHandler>();

  constructor(private readonly otherwise: { command: CommandHandler; invoke: (name: string) => void }) {}

  /** What an activity of `route` runs. */
  on(route: Exclude<RouteName, 'message' | 'card.action'>, handler: Handler): this {
    this.routes.set(route, handler);
    return this;
  }

  /** What a chat message whose first word is one of `words` runs ('' for a bare @mention). */
  command(words: readonly string[], handler: CommandHandler): this {
    for (const word of words) this.commands.set(word, handler);
    return this;
  }

  /** The chat commands registered, by their first word. */
  commandNames(): string[] {
    return [...this.commands.keys()];
  }

  /** What a card action (`Action.Execute`) with this verb runs, given the action's data. */
  verb(verb: string, handler: VerbHandler): this {
    this.verbs.set(verb, handler);
    return this;
  }

  /**
   * Runs the activity's route. An invoke always gets an answer: its handler's,
   * or 501 for one Baton does not implement (Teams then shows its own message;
   * the log says so at info: a client trying an invoke is no fault of Baton's).
   * @returns the route taken, for the log
   */
  async run(turn: Turn): Promise<RouteName | undefined> {
    const { context } = turn;
    const route = routeOf(context.activity);
    const handler =
      route === 'message'
        ? () => this.message(turn)
        : route === 'card.action'
          ? () => this.cardAction(turn)
          : route && this.routes.get(route);
    const answer = handler ? await handler(turn) : undefined;
    if (context.activity.type === ActivityTypes.Invoke) {
      if (!handler) this.otherwise.invoke(context.activity.name ?? '');
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: answer ?? { status: handler ? 200 : 501 } });
    }
    return route;
  }

  private async message(turn: Turn): Promise<undefined> {
    const words = commandWords(turn.context.activity.text);
    const command = this.commands.get(words[0] ?? '') ?? this.otherwise.command;
    await command(turn, words);
    return undefined;
  }

  /** Finds the verb and runs it; an action Baton cannot read, or does not know, answers 400 and changes nothing. */
  private async cardAction(turn: Turn): Promise<InvokeResponse> {
    // The raw value, not botbuilder's typed one: the verb must be a string, never coerced.
    const value = cardActionValue.safeParse(turn.context.activity.value);
    if (!value.success)
      return cardError(400, 'BadRequest', 'The card sent an action Baton cannot read (it needs a verb and an object of data).');
    const { verb, data } = value.data.action;
    const handler = this.verbs.get(verb);
    if (!handler) return cardError(400, 'BadRequest', `Baton does not know the action "${verb.slice(0, 60)}".`);
    return handler(turn, data ?? {});
  }
}
