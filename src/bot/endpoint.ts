/**
 * POST /api/messages: one Bot Framework activity in, the HTTP answer out.
 *
 * Every activity is parsed by one schema before anything runs: a malformed
 * one gets 400 and changes nothing. Then the adapter checks the token (with
 * BOT_ID set) and the router runs the turn.
 *
 * The adapter is Bot Framework's CloudAdapter fed straight from an Azure
 * Functions HTTP request: CloudAdapter.process() wants Express-style request
 * and response objects, Functions v4 gives a fetch-style Request, so rather
 * than fake one this adapter exposes processActivity() and the endpoint maps
 * its result.
 */
import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type InvokeResponse,
  StatusCodes,
  type TurnContext,
} from 'botbuilder';
import { type AuthenticateRequestResult, AuthenticationError, type BotFrameworkAuthentication } from 'botframework-connector';
import * as z from 'zod';
import { type App, type Budget, requestBudget } from '../app/ports';
import { type Config, isLoopback } from '../config';
import { errorText, type Logger } from '../logger';
import { batonRouter } from './bot';
import { keepSigningKeysOutOfLogs, withoutIssuerGrowth } from './connector-guards';
import { precheckAuthHeader, type TokenPolicy, tokenPolicy } from './token-precheck';

export class FunctionsAdapter extends CloudAdapter {
  /**
   * @param policy what a token must look like before the library sees it; undefined in local mode, where no token is checked
   */
  constructor(
    auth: BotFrameworkAuthentication,
    private readonly policy?: TokenPolicy,
  ) {
    super(auth);
  }

  /**
   * Authenticates and runs one activity.
   * @returns the invoke response, or undefined for non-invoke activities
   * @throws AuthenticationError (mapped to 401 by the caller) for any token that does not authenticate;
   *   whatever else is thrown comes from the turn itself (the bot's logic or its onTurnError)
   */
  async run(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    const authenticated = await this.authenticate(authHeader, activity);
    return this.processActivity(authenticated, activity, logic);
  }

  /**
   * Authentication alone, so that everything it throws can be told from the
   * turn's errors: the library lets jsonwebtoken's errors (bad signature, wrong
   * algorithm, not yet valid), jws's JSON errors and node-fetch's errors (OpenID
   * metadata unreachable or not JSON) escape as they are.
   */
  private async authenticate(authHeader: string, activity: Activity): Promise<AuthenticateRequestResult> {
    if (this.policy) precheckAuthHeader(authHeader, this.policy);
    try {
      return await withoutIssuerGrowth(() => this.botFrameworkAuthentication.authenticateRequest(activity, authHeader));
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      // Only the class name: messages of these errors can hold URLs, claims or key ids.
      const kind = error instanceof Error ? error.name : typeof error;
      throw new AuthenticationError(`Unauthorized: the token could not be validated (${kind}).`, StatusCodes.UNAUTHORIZED);
    }
  }
}

/** Builds the adapter; with no bot id it runs unauthenticated (local mode). */
export function createAdapter(config: Config, onTurnError: (context: TurnContext, error: Error) => Promise<void>): FunctionsAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.password,
    MicrosoftAppType: config.bot.type,
    MicrosoftAppTenantId: config.bot.tenantId,
  });
  if (!config.localMode) keepSigningKeysOutOfLogs();
  const adapter = new FunctionsAdapter(auth, config.localMode ? undefined : tokenPolicy(config.bot));
  adapter.onTurnError = onTurnError;
  return adapter;
}

export interface HttpResult {
  status: number;
  body?: unknown;
}

/** Teams' activities are a few kilobytes; a card action with a long form stays far below this. */
export const MAX_ACTIVITY_BYTES = 256 * 1024;

/** How long an activity's Table calls may take in all: inside Teams' 5 seconds, with room to render and answer. */
const REQUEST_STORAGE_BUDGET_MS = 4000;

const idText = z.string().max(1024);
const account = z.object({ id: idText, name: z.string().max(1024).optional(), aadObjectId: z.string().max(64).optional() }).loose();

/**
 * The fields Baton reads, with their types and lengths. Fields it does not
 * read pass through untouched (`loose`), so new ones Teams adds are no problem.
 */
const activitySchema = z
  .object({
    type: z.string().min(1).max(64),
    id: idText.optional(),
    serviceUrl: z.url({ protocol: /^https?$/ }).max(2048),
    channelId: z.string().min(1).max(64),
    from: account,
    recipient: account,
    // Required, except of Outlook's actionable email, whose documented invokes may carry none (docs/outlook-fields.md).
    conversation: z
      .object({
        id: idText.min(1),
        tenantId: z.string().max(64).optional(),
        conversationType: z.string().max(64).optional(),
        isGroup: z.boolean().optional(),
      })
      .loose()
      .optional(),
    replyToId: idText.optional(),
    locale: z.string().max(64).optional(),
    localTimezone: z.string().max(64).optional(),
    localTimestamp: z.string().max(64).optional(),
    timestamp: z.string().max(64).optional(),
    text: z.string().max(28_000).optional(),
    name: z.string().max(256).optional(),
    action: z.string().max(64).optional(),
    channelData: z
      .object({
        tenant: z
          .object({ id: z.string().max(64) })
          .loose()
          .optional(),
      })
      .loose()
      .optional(),
    entities: z
      .array(z.object({ type: z.string().max(64) }).loose())
      .max(64)
      .optional(),
  })
  .loose()
  .refine((activity) => activity.conversation !== undefined || activity.channelId === 'outlook', {
    path: ['conversation'],
    message: 'Invalid input: expected object, received undefined',
  });

/** The first problem zod found, for the 400's message: which field, not its value. */
function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'activity'}: ${issue.message}` : 'not an activity';
}

export interface BotEndpoint {
  adapter: FunctionsAdapter;
  /**
   * Handles one request to the bot endpoint.
   * @param origin the request's Origin header, sent by browsers only
   * @returns 200 with the invoke response body, 400 for a malformed activity,
   *   401 for a bad or missing token, 403 in local mode for a non-loopback connector or web page
   */
  handle(rawBody: string, authHeader: string, origin?: string, invocationId?: string): Promise<HttpResult>;
}

/** What one activity's log line says about it: where it came from and what it asked for, never its content. */
function describeActivity(activity: z.infer<typeof activitySchema>): Record<string, string | undefined> {
  const value = (activity as { value?: { action?: { verb?: unknown; data?: { handoffId?: unknown } }; commandId?: unknown } }).value;
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 128) : undefined);
  return {
    activityId: activity.id,
    type: activity.type,
    name: activity.name,
    verb: text(value?.action?.verb) ?? text(value?.commandId),
    handoffId: text(value?.action?.data?.handoffId),
    channel: activity.channelId,
    tenant: activity.conversation?.tenantId ?? activity.channelData?.tenant?.id,
  };
}

/** How an answer reads in the log: ok, refused (4xx), not implemented (an invoke Baton does not answer) or failed. */
function outcomeOf(status: number): string {
  if (status === 501) return 'notImplemented';
  if (status >= 500) return 'failed';
  if (status === 401) return 'unauthorized';
  return status >= 400 ? 'refused' : 'ok';
}

/**
 * The status an answer means: a card action answers HTTP 200 with its own
 * status inside the Universal Actions envelope (src/bot/router.ts, cardError),
 * which is what the log and the alerts must see.
 */
export function effectiveStatus(result: HttpResult): number {
  const inner = (result.body as { statusCode?: unknown } | undefined)?.statusCode;
  return result.status === 200 && typeof inner === 'number' ? inner : result.status;
}

/** The adapter, built before the app: the messenger the deliverer sends with (src/connector) continues conversations through it. */
export function createBotAdapter(config: Config, log: Logger): FunctionsAdapter {
  return createAdapter(config, async (context: TurnContext, error: Error) => {
    log.error('Turn failed', { type: context.activity.type, activityId: context.activity.id, error: error.stack ?? error.message });
    if (context.activity.type === 'message') {
      await context.sendActivity('Sorry, something went wrong on our side. Please try again in a minute.').catch((sendError: unknown) => {
        log.warn('Could not tell the user that the turn failed', { activityId: context.activity.id, error: errorText(sendError) });
      });
    }
  });
}

/** The bot endpoint over an adapter and the app's use cases. */
export function createBotEndpoint(config: Config, adapter: FunctionsAdapter, app: App): BotEndpoint {
  const router = batonRouter(app);
  return {
    adapter,
    async handle(rawBody, authHeader, origin, invocationId) {
      const started = Date.now();
      // Storage gets what is left of Teams' 5 seconds after the bot's own work; the card says "try again" in time.
      const budget = requestBudget(REQUEST_STORAGE_BUDGET_MS);
      let described: Record<string, string | undefined> = {};
      const logged = (result: HttpResult): HttpResult => {
        const status = effectiveStatus(result);
        const line = {
          invocationId,
          ...described,
          status,
          ...(status !== result.status ? { httpStatus: result.status } : {}),
          outcome: outcomeOf(status),
          durationMs: Date.now() - started,
        };
        // An invoke Baton does not implement (501) is a client's try, not a fault: info, so it raises no alert.
        if (status >= 500 && status !== 501) app.log.error('Activity answered', line);
        else app.log.info('Activity answered', line);
        return result;
      };
      try {
        return logged(await handleOne(rawBody, authHeader, origin, budget, (d) => (described = d)));
      } catch (error) {
        app.log.error('Activity failed', {
          invocationId,
          ...described,
          outcome: 'failed',
          durationMs: Date.now() - started,
          error: errorText(error),
        });
        throw error;
      }
    },
  };

  async function handleOne(
    rawBody: string,
    authHeader: string,
    origin: string | undefined,
    budget: Budget,
    describe: (d: Record<string, string | undefined>) => void,
  ): Promise<HttpResult> {
    // Connectors call server to server; a browser's Origin (even "null", from a sandboxed page) means a web page is posting.
    // Without token checks, refuse any but this machine's.
    if (config.localMode && origin !== undefined && !isLoopback(origin)) {
      return { status: 403, body: { error: 'Local mode refuses requests from web pages on other hosts.' } };
    }
    if (Buffer.byteLength(rawBody, 'utf8') > MAX_ACTIVITY_BYTES)
      return { status: 413, body: { error: `An activity may be at most ${MAX_ACTIVITY_BYTES} bytes.` } };
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return { status: 400, body: { error: 'The body is not JSON.' } };
    }
    const parsed = activitySchema.safeParse(json);
    if (!parsed.success)
      return { status: 400, body: { error: `The body is not a Bot Framework activity Baton can read (${firstProblem(parsed.error)}).` } };
    describe(describeActivity(parsed.data));
    if (config.localMode && !isLoopback(parsed.data.serviceUrl)) {
      // Without credentials Baton must not answer real Teams: replies would go out unauthenticated.
      return { status: 403, body: { error: 'Local mode (no BOT_ID) only talks to a connector on this machine.' } };
    }
    try {
      const invoke = await adapter.run(
        authHeader,
        parsed.data as unknown as Activity,
        async (context) => void (await router.run({ context, budget })),
      );
      return { status: invoke?.status ?? 200, body: invoke?.body };
    } catch (error) {
      if (error instanceof AuthenticationError) return { status: 401, body: { error: 'Unauthorized' } };
      throw error;
    }
  }
}
