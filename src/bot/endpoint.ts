/**
 * POST /api/messages: one Bot Framework activity in, the HTTP answer out.
 */
import { type Activity, CardFactory, MessageFactory, type TurnContext } from 'botbuilder';
import { z } from 'zod';
import { type Config, getConfig, isLoopback } from '../config';
import { workingMinutesUntilDay } from '../domain/lead-time';
import { createGraphServices, type GraphServices } from '../graph';
import { OUTSIDE_DIRECTORY, workingHoursOf } from './people';
import { ConversationStore } from '../store/conversation-store';
import { HandoffStore } from '../store/handoff-store';
import { PeopleIndex } from '../store/people-index';
import { AuthenticationError, createAdapter, type FunctionsAdapter } from './adapter';
import { BatonBot } from './baton-bot';
import type { Services } from './card-actions';

export interface HttpResult {
  status: number;
  body?: unknown;
}

export type Log = (message: string) => void;

const activityShape = z.object({
  type: z.string().min(1),
  serviceUrl: z.string().url(),
  conversation: z.object({ id: z.string().min(1) }).loose(),
}).loose();


export interface Baton {
  config: Config;
  adapter: FunctionsAdapter;
  bot: BatonBot;
  services: Services;
}

/** Builds the bot and what it needs from validated settings. */
export async function createBaton(
  config: Config,
  log: Log = (message) => console.log(message),
  options: { graph?: Pick<GraphServices, 'directory' | 'tenantId'>; now?: () => Date } = {},
): Promise<Baton> {
  // Card actions must answer within Teams' 5 seconds: Graph gets little time to recover from throttling here.
  const graph = options.graph ?? createGraphServices(config, { retry: { maxAttempts: 2, maxTotalWaitMs: 1500 } });
  const directoryFor = (tenantId: string) => (tenantId === graph.tenantId ? graph.directory : OUTSIDE_DIRECTORY);
  const { connectionString, prefix } = config.tables;
  const adapter = createAdapter(config, async (context: TurnContext, error: Error) => {
    log(`Turn failed (${context.activity.type} ${context.activity.id ?? ''}): ${error.stack ?? error.message}`);
    if (context.activity.type === 'message') {
      await context.sendActivity('Sorry, something went wrong on our side. Please try again in a minute.');
    }
  });
  const [store, people, conversations] = await Promise.all([
    HandoffStore.open(connectionString, prefix),
    PeopleIndex.open(connectionString, prefix),
    ConversationStore.open(connectionString, prefix),
  ]);
  const services: Services = {
    store,
    people,
    conversations,
    sendToPerson: async (chat, card) => {
      if (config.localMode && !isLoopback(chat.serviceUrl)) throw new Error('local mode only writes to a connector on this machine');
      const reference = {
        channelId: 'msteams',
        serviceUrl: chat.serviceUrl,
        conversation: { id: chat.conversationId, conversationType: 'personal', tenantId: chat.tenantId, isGroup: false, name: '' },
        bot: { id: chat.botId, name: 'Baton' },
        user: { id: chat.userId, name: '' },
      };
      await adapter.continueConversationAsync(config.bot.appId, reference, async (context) => {
        await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(card)));
      });
    },
    directoryFor,
    workingMinutesUntil: async (tenantId, person, from, day) => workingMinutesUntilDay(await workingHoursOf(directoryFor(tenantId), person, log), from, day),
    publicBaseUrl: config.publicBaseUrl,
    now: options.now ?? (() => new Date()),
    log,
  };
  return { config, adapter, bot: new BatonBot(services), services };
}

let shared: Promise<Baton> | undefined;

/** The process's bot, built on first use from the environment's settings. */
export function getBaton(): Promise<Baton> {
  shared ??= createBaton(getConfig()).catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
}

/**
 * Handles one request to the bot endpoint.
 * @param origin the request's Origin header, sent by browsers only
 * @returns 200 with the invoke response body, 400 for a malformed activity,
 *   401 for a bad or missing token, 403 in local mode for a non-loopback connector or web page.
 */
export async function handleBotRequest(baton: Baton, rawBody: string, authHeader: string, origin?: string): Promise<HttpResult> {
  // Connectors call server to server; a browser's Origin means a web page is posting. Without token checks, refuse any but this machine's.
  if (baton.config.localMode && origin && origin !== 'null' && !isLoopback(origin)) {
    return { status: 403, body: { error: 'Local mode refuses requests from web pages on other hosts.' } };
  }
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { status: 400, body: { error: 'The body is not JSON.' } };
  }
  const shape = activityShape.safeParse(json);
  if (!shape.success) return { status: 400, body: { error: 'The body is not a Bot Framework activity.' } };
  if (baton.config.localMode && !isLoopback(shape.data.serviceUrl)) {
    // Without credentials Baton must not answer real Teams: replies would go out unauthenticated.
    return { status: 403, body: { error: 'Local mode (no BOT_ID) only talks to a connector on this machine.' } };
  }
  try {
    const invoke = await baton.adapter.run(authHeader, json as Activity, (context) => baton.bot.run(context));
    return { status: invoke?.status ?? 200, body: invoke?.body };
  } catch (error) {
    if (error instanceof AuthenticationError) return { status: 401, body: { error: 'Unauthorized' } };
    throw error;
  }
}
