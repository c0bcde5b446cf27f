/**
 * The bot endpoint: Teams, Outlook and the Agents Playground post activities here.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { getBaton, handleBotRequest } from '../src/bot/endpoint';
import { registerHttp } from '../src/functions';

export async function messages(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const baton = await getBaton();
  const result = await handleBotRequest(baton, await request.text(), request.headers.get('authorization') ?? '', request.headers.get('origin') ?? undefined);
  if (result.status >= 500) context.error(`messages answered ${result.status}`);
  return result.body === undefined ? { status: result.status } : { status: result.status, jsonBody: result.body };
}

registerHttp('messages', { methods: ['POST'], route: 'messages', authLevel: 'anonymous', handler: messages });
