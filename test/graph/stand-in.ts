/**
 * A local stand-in for Microsoft Graph v1.0, on a loopback port: users (by
 * id, by UPN, $filter on mail/UPN, $search on displayName with @odata.nextLink
 * paging), mailboxSettings, sendMail and $batch, all answering with Graph's
 * own response and error shapes. Tests script answers (429, 401, 503) ahead
 * of the normal ones, and read what was asked and when.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';

export const TOKEN = 'stand-in-token';

export interface StandInUser {
  id: string;
  displayName: string;
  mail: string | null;
  userPrincipalName: string;
  accountEnabled: boolean;
  /** Graph's mailboxSettings for the user; a default one when left out. */
  mailboxSettings?: Record<string, unknown>;
}

/** One HTTP request that reached the stand-in (batch steps are in `batchSteps`). */
export interface Recorded {
  method: string;
  /** Path without the version, e.g. "/users/abc". */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** performance.now() when the request arrived. */
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

interface Scripted {
  match: (method: string, path: string) => boolean;
  answers: Answer[];
}

export interface GraphStandIn {
  /** The base URL to give the client (no version). */
  url: string;
  users: StandInUser[];
  requests: Recorded[];
  /** Every request inside a $batch, in arrival order. */
  batchSteps: { method: string; url: string; headers: Record<string, string> }[];
  /** The number of requests in each $batch that arrived, over the limit or not. */
  batchSizes: number[];
  /** The `message` of each accepted sendMail. */
  sent: { sender: string; message: any }[];
  /** Largest page for user lists, whatever $top says (small, so paging shows). */
  pageSize: number;
  /** The next requests matching `match` get these answers, one each, before normal service resumes. */
  script(match: (method: string, path: string) => boolean, ...answers: Answer[]): void;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** Graph's error body: code, message and innerError with the request id. */
export function graphError(
  status: number,
  code: string,
  message: string,
  requestId: string = randomUUID(),
  headers: Record<string, string> = {},
): Answer {
  return {
    status,
    headers: { 'request-id': requestId, 'client-request-id': requestId, ...headers },
    body: {
      error: {
        code,
        message,
        innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': requestId },
      },
    },
  };
}

const DEFAULT_MAILBOX = {
  // Graph keeps the last schedule when the replies are off, as its own samples show.
  automaticRepliesSetting: {
    status: 'disabled',
    externalAudience: 'all',
    scheduledStartDateTime: { dateTime: '2026-08-03T07:00:00.0000000', timeZone: 'UTC' },
    scheduledEndDateTime: { dateTime: '2026-08-17T07:00:00.0000000', timeZone: 'UTC' },
    internalReplyMessage: '',
    externalReplyMessage: '',
  },
  timeZone: 'UTC',
  workingHours: {
    daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
    startTime: '08:00:00.0000000',
    endTime: '17:00:00.0000000',
    timeZone: { name: 'UTC' },
  },
};

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function select(user: StandInUser, fields: string | null): Record<string, unknown> {
  const all: Record<string, unknown> = { ...user };
  delete all.mailboxSettings;
  if (!fields) {
    // Like Graph: accountEnabled only comes when asked for.
    delete all.accountEnabled;
    return all;
  }
  return Object.fromEntries(fields.split(',').map((f) => [f, all[f] ?? null]));
}

const unquote = (s: string) => s.replace(/''/g, "'");

export async function startGraphStandIn(users: StandInUser[] = []): Promise<GraphStandIn> {
  const scripted: Scripted[] = [];
  const state: GraphStandIn = {
    url: '',
    users,
    requests: [],
    batchSteps: [],
    batchSizes: [],
    sent: [],
    pageSize: 2,
    script: (match, ...answers) => scripted.push({ match, answers }),
    close: async () => undefined,
  };

  function scriptedAnswer(method: string, path: string): Answer | undefined {
    const entry = scripted.find((s) => s.answers.length > 0 && s.match(method, path));
    return entry?.answers.shift();
  }

  function listUsers(matching: StandInUser[], query: URLSearchParams, path: string): Answer {
    const top = Math.min(Number(query.get('$top') ?? 100), state.pageSize);
    const skip = Number(query.get('$skiptoken') ?? 0);
    const page = matching.slice(skip, skip + top);
    const body: Record<string, unknown> = {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users',
      value: page.map((u) => select(u, query.get('$select'))),
    };
    if (skip + top < matching.length) {
      const next = new URLSearchParams(query);
      next.set('$skiptoken', String(skip + top));
      // Graph's nextLinks are absolute, with the version.
      body['@odata.nextLink'] = `${state.url}/v1.0${path}?${next.toString()}`;
    }
    return { status: 200, body };
  }

  /** Graph's behaviour for one request, batched or not. */
  function serve(method: string, path: string, query: URLSearchParams, headers: Record<string, string>, body: unknown): Answer {
    const canned = scriptedAnswer(method, path);
    if (canned) return canned;
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (method === 'GET' && parts[0] === 'users' && parts.length === 1) {
      const search = query.get('$search');
      if (search !== null) {
        if ((headers.consistencylevel ?? '').toLowerCase() !== 'eventual') {
          return graphError(
            400,
            'Request_UnsupportedQuery',
            "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
          );
        }
        const term = /^"displayName:(.*)"$/.exec(search)?.[1]?.replace(/\\(.)/g, '$1');
        if (term === undefined) return graphError(400, 'Request_BadRequest', `Unsupported $search ${search}`);
        const tokens = term.toLowerCase().split(/\s+/).filter(Boolean);
        const matching = state.users.filter((u) => {
          const words = u.displayName.toLowerCase().split(/\s+/);
          return tokens.every((t) => words.some((w) => w.startsWith(t)));
        });
        return listUsers(matching, query, path);
      }
      const filter = query.get('$filter');
      if (filter !== null) {
        const match = /^mail eq '((?:[^']|'')*)' or userPrincipalName eq '((?:[^']|'')*)'$/.exec(filter);
        if (!match)
          return graphError(
            400,
            'Request_UnsupportedQuery',
            `Unsupported or invalid query filter clause specified for property: ${filter}`,
          );
        const [mail, upn] = [unquote(match[1]!).toLowerCase(), unquote(match[2]!).toLowerCase()];
        return listUsers(
          state.users.filter((u) => u.mail?.toLowerCase() === mail || u.userPrincipalName.toLowerCase() === upn),
          query,
          path,
        );
      }
      return listUsers(state.users, query, path);
    }
    if (parts[0] === 'users' && parts.length >= 2) {
      const key = parts[1]!.toLowerCase();
      const user = state.users.find((u) => u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key);
      if (!user)
        return graphError(
          404,
          'Request_ResourceNotFound',
          `Resource '${parts[1]}' does not exist or one of its queried reference-property objects are not present.`,
        );
      if (method === 'GET' && parts.length === 2)
        return {
          status: 200,
          body: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users/$entity', ...select(user, query.get('$select')) },
        };
      if (method === 'GET' && parts[2] === 'mailboxSettings' && parts.length === 3) {
        return {
          status: 200,
          body: {
            '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#users('${user.id}')/mailboxSettings`,
            ...(user.mailboxSettings ?? DEFAULT_MAILBOX),
          },
        };
      }
      // Sent Items, filtered on a single-value extended property as Graph filters it:
      // singleValueExtendedProperties/any(ep: ep/id eq '<id>' and ep/value eq '<value>').
      if (method === 'GET' && parts[2] === 'mailFolders' && parts[3]?.toLowerCase() === 'sentitems' && parts[4] === 'messages') {
        const filter = /^singleValueExtendedProperties\/any\(ep: ep\/id eq '((?:[^']|'')*)' and ep\/value eq '((?:[^']|'')*)'\)$/.exec(
          query.get('$filter') ?? '',
        );
        if (!filter) return graphError(400, 'ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.');
        const [id, value] = [filter[1]!.replace(/''/g, "'"), filter[2]!.replace(/''/g, "'")];
        const found = state.sent.filter(
          (m) =>
            m.sender.toLowerCase() === key &&
            (m.message.singleValueExtendedProperties ?? []).some((p: { id: string; value: string }) => p.id === id && p.value === value),
        );
        return { status: 200, body: { value: found.slice(0, Number(query.get('$top') ?? 10)).map((_, i) => ({ id: `sent-${i}` })) } };
      }
      if (method === 'POST' && parts[2] === 'sendMail' && parts.length === 3) {
        const message = (body as { message?: { toRecipients?: unknown[] } } | undefined)?.message;
        if (!message?.toRecipients?.length) return graphError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid.');
        state.sent.push({ sender: parts[1]!, message });
        return { status: 202 };
      }
    }
    return graphError(400, 'BadRequest', `Resource not found for the segment '${parts[0] ?? ''}'.`);
  }

  const server = createServer(async (req, res) => {
    const at = performance.now();
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const text = await readBody(req);
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    const path = url.pathname.replace(/^\/v1\.0/, '');
    const method = req.method ?? 'GET';
    state.requests.push({ method, path, query: url.searchParams, headers: req.headers, body, at });
    const write = (answer: Answer) => {
      const requestId = randomUUID();
      const headers = {
        'request-id': requestId,
        'client-request-id': requestId,
        ...(answer.body === undefined ? {} : { 'content-type': JSON_TYPE }),
        ...answer.headers,
      };
      res.writeHead(answer.status, headers).end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return write(graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'));
    }
    if (method === 'POST' && path === '/$batch') {
      const canned = scriptedAnswer(method, path);
      if (canned) return write(canned);
      const requests =
        (body as { requests?: { id: string; method: string; url: string; headers?: Record<string, string> }[] }).requests ?? [];
      state.batchSizes.push(requests.length);
      if (requests.length > 20)
        return write(graphError(400, 'BadRequest', 'Batch request limit exceeded. Maximum limit of requests is 20.'));
      const responses = requests.map((step) => {
        const headers = Object.fromEntries(Object.entries(step.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
        state.batchSteps.push({ method: step.method, url: step.url, headers });
        const inner = new URL(step.url, 'http://stand-in');
        const answer = serve(step.method, inner.pathname, inner.searchParams, headers, undefined);
        return {
          id: step.id,
          status: answer.status,
          headers: { 'Content-Type': 'application/json', ...answer.headers },
          body: answer.body ?? null,
        };
      });
      // Graph does not promise the order of batch responses.
      return write({ status: 200, body: { responses: responses.reverse() } });
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    write(serve(method, path, url.searchParams, headers, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  state.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  state.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** A fake clock: sleeping advances time at once and is recorded. */
export function fakeClock(start = Date.UTC(2026, 2, 24, 9, 0, 0)) {
  const clock = {
    time: start,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}
