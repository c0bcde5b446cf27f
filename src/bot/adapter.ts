/**
 * The Bot Framework adapter, fed straight from an Azure Functions HTTP request.
 *
 * CloudAdapter.process() wants Express-style request and response objects;
 * Functions v4 gives a fetch-style Request. Rather than fake one, this adapter
 * exposes processActivity() and lets the function map its result.
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
import type { Config } from '../config';
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

export { AuthenticationError };

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
