/**
 * The Bot Connector, Baton's messages out: the Messenger port the deliverer
 * sends through (proactive posts and card updates, through the adapter of
 * src/bot/endpoint.ts), each with a timeout, and every failure turned into a
 * typed ConnectorError that says whether trying again can help. Activities
 * come in through src/bot; nothing here routes or answers one.
 */
import { type Activity, CardFactory, type CloudAdapter, type ConversationReference, MessageFactory } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { ConversationAddress, Messenger } from '../app/ports';
import type { AdaptiveCard } from '../cards/render';
import { type Config, isLoopback } from '../config';
import { ConnectorError } from '../errors';

/** A delivery runs off the invoke's path; this bounds how long a hung connector holds an outbox row. */
export const DELIVERY_TIMEOUT_MS = 8000;

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** Rejects with a TimeoutError when `work` has not settled in `ms` (the work itself is not cancelled). */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no answer after ${ms} ms ${what}`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function retryAfterMs(error: { response?: { headers?: { get?(name: string): string | undefined } } }): number | undefined {
  const header = error.response?.headers?.get?.('retry-after');
  const seconds = header ? Number(header) : NaN;
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/**
 * What a connector failure means. 403 (the bot was removed from the chat),
 * 404 (no such conversation or message), 400 and 413 (a card Teams refuses)
 * fail the same way every time; 429, 5xx, timeouts and network errors pass.
 */
export function connectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const e = error as { statusCode?: number; code?: string; message?: string; name?: string; response?: { bodyAsText?: string } };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
  let code = e.code ?? e.name ?? 'Error';
  try {
    const body = JSON.parse(e.response?.bodyAsText ?? '') as { error?: { code?: string } };
    code = body.error?.code ?? code;
  } catch {
    // no JSON body: keep the transport's code
  }
  const permanent = [400, 401, 403, 404, 413].includes(status);
  const what = status ? `${status} ${code}` : code;
  return new ConnectorError(
    `The connector answered ${what}: ${(e.message ?? '').slice(0, 300)}`,
    status,
    code,
    permanent,
    status === 429 ? retryAfterMs(e as never) : undefined,
  );
}

/**
 * The Messenger port over the adapter: continueConversation gives a
 * connector client for the conversation's serviceUrl with the bot's
 * credentials, and each call carries its own timeout.
 */
export function createMessenger(adapter: CloudAdapter, config: Config): Messenger {
  async function withClient<T>(to: ConversationAddress, call: (client: ConnectorClient) => Promise<T>): Promise<T> {
    // Without credentials Baton must not talk to real Teams: its messages would go out unauthenticated.
    if (config.localMode && !isLoopback(to.serviceUrl)) {
      throw new ConnectorError('Local mode only writes to a connector on this machine', 0, 'LocalModeRefused', true);
    }
    const reference: Partial<ConversationReference> = {
      channelId: 'msteams',
      serviceUrl: to.serviceUrl,
      conversation: {
        id: to.conversationId,
        tenantId: to.tenantId,
        conversationType: to.personal ? 'personal' : '',
        isGroup: !to.personal,
        name: '',
      },
      bot: { id: to.botId ?? config.bot.appId, name: 'Baton' },
      ...(to.userId ? { user: { id: to.userId, name: '' } } : {}),
    };
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    try {
      await adapter.continueConversationAsync(config.bot.appId, reference, async (context) => {
        // Caught here: an error thrown out of this callback would go to the adapter's onTurnError, which logs it and returns as if all went well.
        try {
          outcome = { ok: true, value: await call(context.turnState.get<ConnectorClient>(context.adapter.ConnectorClientKey)) };
        } catch (error) {
          outcome = { ok: false, error };
        }
      });
    } catch (error) {
      throw connectorError(error);
    }
    if (!outcome) throw new ConnectorError('The adapter never ran the proactive turn', 0, 'NoTurn', false);
    if (!outcome.ok) throw connectorError(outcome.error);
    return outcome.value;
  }
  const options = { timeout: DELIVERY_TIMEOUT_MS };
  const message = (card: AdaptiveCard) => MessageFactory.attachment(CardFactory.adaptiveCard(card)) as Partial<Activity>;
  return {
    post: (to, card) =>
      withClient(to, async (client) => {
        const response = await client.conversations.sendToConversation(to.conversationId, message(card), options);
        if (!response.id) throw new ConnectorError('The connector posted the message but returned no id', 200, 'NoMessageId', false);
        return response.id;
      }),
    update: (to, messageId, card) =>
      withClient(to, async (client) => {
        await client.conversations.updateActivity(
          to.conversationId,
          messageId,
          { ...message(card), id: messageId, type: 'message' },
          options,
        );
      }),
  };
}
