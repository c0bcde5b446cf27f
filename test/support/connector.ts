/**
 * A local Bot Connector: the `serviceUrl` of test activities. It records what
 * the bot sends (new messages and updates) and answers member look-ups with
 * the Bot Connector's own response shapes.
 */
import { createServer, type IncomingMessage } from 'node:http';

export interface Member {
  id: string;
  name: string;
  aadObjectId: string;
  email?: string;
}

export interface Sent {
  method: 'POST' | 'PUT';
  conversationId: string;
  activityId: string | undefined;
  activity: Record<string, unknown> & { text?: string; attachments?: { contentType: string; content: Record<string, unknown> }[] };
}

export interface Connector {
  url: string;
  sent: Sent[];
  members: Member[];
  /** How many times the bot read the member list (GET pagedmembers). */
  memberReads: number;
  /** How many of the next POSTed activities to refuse with 403, as when the bot was removed from the chat (not retried). */
  failNextPosts: number;
  /** How many of the next POSTed activities to answer 503, as a connector having a bad minute (the client retries, then the outbox later). */
  throttleNextPosts: number;
  /**
   * Requests whose path matches are held and never answered, as a hung
   * connector does; `held` counts them. Nothing held is recorded as sent.
   */
  hang: RegExp | undefined;
  held: number;
  /** Answers every held request with 503 (without recording it as sent), as a connector that wakes up failing. */
  release(): void;
  /**
   * Called as a message or an update arrives (`arrived`, awaited before it is
   * taken) and once its answer has gone back (`answered`): a test does
   * something at that moment of a delivery.
   */
  onActivity: ((phase: 'arrived' | 'answered', request: { method: 'POST' | 'PUT'; conversationId: string }) => unknown) | undefined;
  close(): Promise<void>;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
  });
}

export async function startConnector(members: Member[]): Promise<Connector> {
  const sent: Sent[] = [];
  let next = 1;
  const holding: import('node:http').ServerResponse[] = [];
  const state: Connector = {
    url: '',
    sent,
    members,
    failNextPosts: 0,
    throttleNextPosts: 0,
    hang: undefined,
    held: 0,
    onActivity: undefined,
    memberReads: 0,
    release: () => {
      for (const res of holding.splice(0))
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"ServiceUnavailable"}}');
    },
    close: async () => undefined,
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    // /v3/conversations/{id}/...
    const [, , conversationId = '', resource, item] = parts;
    const reply = (status: number, json: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    if (state.hang?.test(`${req.method} ${url.pathname}`)) {
      state.held += 1;
      holding.push(res);
      return;
    }
    if (req.method === 'GET' && resource === 'pagedmembers') {
      state.memberReads += 1;
      const size = Number(url.searchParams.get('pageSize') ?? 100);
      const start = Number(url.searchParams.get('continuationToken') ?? 0);
      const page = state.members.slice(start, start + size);
      return reply(200, { members: page, ...(start + size < state.members.length ? { continuationToken: String(start + size) } : {}) });
    }
    if (req.method === 'GET' && resource === 'members') {
      if (item) {
        const member = state.members.find((m) => m.id === item || m.aadObjectId === item);
        return member ? reply(200, member) : reply(404, { error: { code: 'MemberNotFoundInConversation' } });
      }
      return reply(200, state.members);
    }
    if ((req.method === 'POST' || req.method === 'PUT') && resource === 'activities') {
      if (req.method === 'POST' && state.throttleNextPosts > 0) {
        state.throttleNextPosts -= 1;
        await body(req);
        // Retry-After 0: the connector client's own pipeline retries at once (three times) before it gives up.
        return res
          .writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' })
          .end(JSON.stringify({ error: { code: 'ServiceUnavailable', message: 'The connector is busy (test).' } }));
      }
      if (req.method === 'POST' && state.failNextPosts > 0) {
        state.failNextPosts -= 1;
        await body(req);
        return reply(403, {
          error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster (test).' },
        });
      }
      const activity = JSON.parse(await body(req)) as Sent['activity'];
      const method = req.method;
      await state.onActivity?.('arrived', { method, conversationId });
      const id = method === 'PUT' ? item : `sent-${next++}`;
      sent.push({ method, conversationId, activityId: id, activity });
      res.on('finish', () => void state.onActivity?.('answered', { method, conversationId }));
      return reply(200, { id });
    }
    reply(404, { error: { code: 'NotFound', message: `${req.method} ${url.pathname}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  state.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
