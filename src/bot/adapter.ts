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
  type TurnContext,
} from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import type { Config } from '../config';

export class FunctionsAdapter extends CloudAdapter {
  /**
   * Authenticates and runs one activity.
   * @returns the invoke response, or undefined for non-invoke activities
   * @throws AuthenticationError (mapped to 401 by the caller)
   */
  run(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
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
  const adapter = new FunctionsAdapter(auth);
  adapter.onTurnError = onTurnError;
  return adapter;
}
