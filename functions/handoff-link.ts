/**
 * Baton's own handoff links (https://<host>/api/handoffs/<id>): opening one
 * goes to the handoff's card in Teams. Teams unfurls the same links in the
 * compose box through the messaging extension.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { requestBudget } from '../src/app/ports';
import { getBaton } from '../src/baton';
import { handoffRedirect } from '../src/app/my-work';
import { registerHttp } from '../src/functions';

/** A browser waits on this redirect: a point read has a few seconds, not a timer's minutes. */
const LINK_BUDGET_MS = 4000;

export async function handoffLink(request: HttpRequest): Promise<HttpResponseInit> {
  const target = await handoffRedirect(getBaton().app, request.params.id ?? '', requestBudget(LINK_BUDGET_MS));
  // Teams checks who may open the chat. The redirect reveals which chat and message show the card, never its content.
  return target ? { status: 302, headers: { location: target } } : { status: 404, body: 'No such handoff, or its card was never posted.' };
}

registerHttp('handoffLink', { methods: ['GET'], route: 'handoffs/{id}', authLevel: 'anonymous', handler: handoffLink });
