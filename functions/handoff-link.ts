/**
 * Baton's own handoff links (https://<host>/api/handoffs/<id>): opening one
 * goes to the handoff's card in Teams. Teams unfurls the same links in the
 * compose box through the messaging extension.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { getBaton } from '../src/bot/endpoint';
import { handoffLink } from '../src/cards/notification-card';
import { registerHttp } from '../src/functions';

export async function handoffRedirect(request: HttpRequest): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  if (!/^[0-9a-f]{20}$/.test(id)) return { status: 404, body: 'No such handoff.' };
  const { services } = await getBaton();
  const stored = await services.store.read(id);
  const target = stored ? handoffLink(stored.handoff) : '';
  // Teams checks who may open the chat. The redirect reveals which chat and message show the card, never its content.
  return target ? { status: 302, headers: { location: target } } : { status: 404, body: 'No such handoff, or its card was never posted.' };
}

registerHttp('handoffLink', { methods: ['GET'], route: 'handoffs/{id}', authLevel: 'anonymous', handler: handoffRedirect });
