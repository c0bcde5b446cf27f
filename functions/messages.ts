/**
 * The bot endpoint: Teams, Outlook and the Agents Playground post activities here.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { getBaton, MAX_ACTIVITY_BYTES } from '../src/baton';
import { registerHttp } from '../src/functions';

export async function messages(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  // Refuse an oversized body before reading it: a clear 413, not a reset connection.
  if (Number(request.headers.get('content-length') ?? 0) > MAX_ACTIVITY_BYTES)
    return { status: 413, jsonBody: { error: `An activity may be at most ${MAX_ACTIVITY_BYTES} bytes.` } };
  const baton = getBaton();
  const result = await baton.bot.handle(
    await request.text(),
    request.headers.get('authorization') ?? '',
    request.headers.get('origin') ?? undefined,
    context.invocationId,
  );
  // 501 is an invoke Baton does not implement: the bot's own log line says so at info, and no alert should fire.
  if (result.status >= 500 && result.status !== 501) context.error(`messages answered ${result.status}`);
  return result.body === undefined ? { status: result.status } : { status: result.status, jsonBody: result.body };
}

registerHttp('messages', { methods: ['POST'], route: 'messages', authLevel: 'anonymous', handler: messages });
