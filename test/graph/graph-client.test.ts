/**
 * The real Graph SDK client with Baton's middleware, against the local
 * stand-in: tokens, retries on 429/503/504 with Retry-After, the ceiling,
 * typed errors with Graph's code and request-id, and nextLink paging.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GraphAuthError, GraphError, GraphThrottledError, ThrottledError } from '../../src/errors';
import { DEFAULT_RETRY_POLICY, GraphApi, retryDelayMs } from '../../src/graph/graph-client';
import { fakeClock, type GraphStandIn, graphError, startGraphStandIn, TOKEN } from './stand-in';

const people = Array.from({ length: 5 }, (_, i) => ({
  id: `20000000-0000-0000-0000-00000000000${i}`,
  displayName: `Person ${i}`,
  mail: `person${i}@contoso.example`,
  userPrincipalName: `person${i}@contoso.example`,
  accountEnabled: true,
}));

let standIn: GraphStandIn;
const logs: string[] = [];

function api(options: { token?: string; clock?: ReturnType<typeof fakeClock>; retry?: Partial<typeof DEFAULT_RETRY_POLICY> } = {}) {
  return new GraphApi({
    baseUrl: standIn.url,
    authProvider: { getAccessToken: async () => options.token ?? TOKEN },
    log: (m) => logs.push(m),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  });
}

beforeAll(async () => {
  standIn = await startGraphStandIn(people);
});
afterAll(async () => {
  await standIn.close();
});
afterEach(() => {
  standIn.requests.length = 0;
  logs.length = 0;
});

describe('GraphApi against the stand-in', () => {
  it('sends the bearer token to the configured base URL and reads the answer', async () => {
    const user = await api().get<{ id: string; displayName: string }>(`/users/${people[2]!.id}?$select=id,displayName`);
    expect(user).toMatchObject({ id: people[2]!.id, displayName: 'Person 2' });
    expect(standIn.requests).toHaveLength(1);
    expect(standIn.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(standIn.requests[0]!.path).toBe(`/users/${people[2]!.id}`);
    expect(standIn.requests[0]!.query.get('$select')).toBe('id,displayName');
  });

  it('follows @odata.nextLink until the list ends', async () => {
    const users = await api().getAll<{ id: string }>('/users?$select=id');
    expect(users.map((u) => u.id)).toEqual(people.map((p) => p.id));
    // Page size 2: pages of 2, 2 and 1, each asked with the previous page's skiptoken.
    expect(standIn.requests.map((r) => r.query.get('$skiptoken'))).toEqual([null, '2', '4']);
    expect(standIn.requests.every((r) => r.query.get('$select') === 'id')).toBe(true);
  });

  it('stops paging once it has maxItems', async () => {
    const users = await api().getAll<{ id: string }>('/users?$select=id', { maxItems: 3 });
    expect(users).toHaveLength(3);
    expect(standIn.requests).toHaveLength(2);
  });

  it('waits as Retry-After says on a 429, then succeeds', async () => {
    standIn.script(
      (m, p) => m === 'GET' && p === `/users/${people[0]!.id}`,
      graphError(429, 'TooManyRequests', 'Too many requests', 'req-429', { 'Retry-After': '1' }),
    );
    const started = performance.now();
    const user = await api().get<{ id: string }>(`/users/${people[0]!.id}`);
    const took = performance.now() - started;
    expect(user.id).toBe(people[0]!.id);
    expect(standIn.requests).toHaveLength(2);
    const gap = standIn.requests[1]!.at - standIn.requests[0]!.at;
    // Measured by the stand-in's own arrival times: at least the second Retry-After asked for.
    expect(gap).toBeGreaterThanOrEqual(1000);
    expect(logs.some((l) => l.includes('429, retry 1 in 1000 ms (Retry-After 1; request-id req-429)'))).toBe(true);
    console.log(`429 with Retry-After: 1 -> second request ${gap.toFixed(0)} ms after the first; the call took ${took.toFixed(0)} ms`);
  });

  it('retries a 503 without Retry-After after a jittered backoff, then succeeds', async () => {
    standIn.script((m, p) => m === 'GET' && p === `/users/${people[1]!.id}`, graphError(503, 'ServiceUnavailable', 'Service unavailable'));
    const clock = fakeClock();
    const user = await api({ clock }).get<{ id: string }>(`/users/${people[1]!.id}`);
    expect(user.id).toBe(people[1]!.id);
    expect(standIn.requests).toHaveLength(2);
    // Equal jitter on the first attempt: between half and all of the 500 ms base.
    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(250);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(500);
  });

  it('retries a 504 too', async () => {
    standIn.script(
      (m, p) => m === 'GET' && p === `/users/${people[1]!.id}`,
      graphError(504, 'GatewayTimeout', 'Gateway timeout'),
      graphError(504, 'GatewayTimeout', 'Gateway timeout'),
    );
    const clock = fakeClock();
    await api({ clock }).get(`/users/${people[1]!.id}`);
    expect(standIn.requests).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('gives up after maxAttempts with a typed, retry-after-carrying error', async () => {
    const answers = Array.from({ length: 4 }, () => graphError(429, 'TooManyRequests', 'Slow down', 'req-slow', { 'Retry-After': '2' }));
    standIn.script((m, p) => m === 'GET' && p === '/users/slow', ...answers);
    const clock = fakeClock();
    const error = await api({ clock, retry: { maxAttempts: 4 } })
      .get('/users/slow')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphThrottledError);
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ status: 429, code: 'TooManyRequests', requestId: 'req-slow', retryAfterMs: 2000 });
    expect(standIn.requests).toHaveLength(4);
    expect(clock.sleeps).toEqual([2000, 2000, 2000]);
    expect(logs.some((l) => l.includes('still 429 after 4 attempts and 6000 ms of waiting; giving up'))).toBe(true);
  });

  it('stops before the total wait would pass its ceiling', async () => {
    const answers = Array.from({ length: 3 }, () => graphError(503, 'ServiceUnavailable', 'Down', 'req-down', { 'Retry-After': '25' }));
    standIn.script((m, p) => m === 'GET' && p === '/users/down', ...answers);
    const clock = fakeClock();
    const error = await api({ clock, retry: { maxAttempts: 10, maxTotalWaitMs: 60_000 } })
      .get('/users/down')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphThrottledError);
    // 25 s + 25 s = 50 s; a third wait would make 75 s.
    expect(clock.sleeps).toEqual([25_000, 25_000]);
    expect(standIn.requests).toHaveLength(3);
  });

  it('answers a 401 with a clear GraphAuthError after exactly one request', async () => {
    const error = await api({ token: 'expired' })
      .get(`/users/${people[0]!.id}`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphAuthError);
    expect(error).toBeInstanceOf(GraphError);
    const auth = error as GraphAuthError;
    expect(auth.status).toBe(401);
    expect(auth.code).toBe('InvalidAuthenticationToken');
    expect(auth.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(auth.message).toContain(
      "Microsoft Graph refused Baton's app token (401 InvalidAuthenticationToken: Access token validation failure. Invalid audience.)",
    );
    expect(auth.message).toContain('GRAPH_CLIENT_SECRET');
    expect(standIn.requests).toHaveLength(1);
    expect(logs).toEqual([
      expect.stringContaining(
        `failed: 401 InvalidAuthenticationToken: Access token validation failure. Invalid audience. (request-id ${auth.requestId})`,
      ),
    ]);
  });

  it('turns a credential that cannot get a token into GraphAuthError, without a request', async () => {
    const failing = new GraphApi({
      baseUrl: standIn.url,
      authProvider: { getAccessToken: async () => Promise.reject(new Error('AADSTS7000215: Invalid client secret provided.')) },
      log: (m) => logs.push(m),
    });
    const error = await failing.get('/users').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphAuthError);
    expect((error as GraphAuthError).code).toBe('TokenRequestFailed');
    expect((error as Error).message).toContain('AADSTS7000215: Invalid client secret provided.');
    expect(standIn.requests).toHaveLength(0);
  });

  it("logs and types other errors with Graph's code and request-id", async () => {
    const error = await api()
      .get('/users/nobody@contoso.example')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).not.toBeInstanceOf(GraphAuthError);
    expect(error).toMatchObject({ status: 404, code: 'Request_ResourceNotFound' });
    const requestId = (error as GraphError).requestId!;
    expect(logs).toEqual([
      `Graph GET /users/nobody@contoso.example failed: 404 Request_ResourceNotFound: Resource 'nobody@contoso.example' does not exist or one of its queried reference-property objects are not present. (request-id ${requestId})`,
    ]);
    expect(standIn.requests).toHaveLength(1);
  });

  it('names the permissions on a 403', async () => {
    standIn.script(
      (_m, p) => p === '/users/forbidden',
      graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
    );
    const error = await api()
      .get('/users/forbidden')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).status).toBe(403);
    expect((error as Error).message).toContain('User.Read.All, MailboxSettings.Read and Mail.Send');
    expect(standIn.requests).toHaveLength(1);
  });

  it('gives a NetworkError when nothing answers', async () => {
    const closed = await startGraphStandIn();
    await closed.close();
    const offline = new GraphApi({ baseUrl: closed.url, authProvider: { getAccessToken: async () => TOKEN }, log: (m) => logs.push(m) });
    const error = await offline.get('/users').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphError);
    expect(error).toMatchObject({ status: 0, code: 'NetworkError' });
    expect((error as Error).message).toBe('Microsoft Graph could not be reached for GET /users: fetch failed (ECONNREFUSED)');
  });

  it('refuses a nextLink to another host, which would get the token', async () => {
    standIn.script((_m, p) => p === '/users', {
      status: 200,
      body: { value: [], '@odata.nextLink': 'https://evil.example/v1.0/users?$skiptoken=1' },
    });
    await expect(api().getAll('/users')).rejects.toThrow('Graph sent a nextLink to another host (https://evil.example)');
    expect(standIn.requests).toHaveLength(1);
  });
});

describe('$batch', () => {
  it('sends at most 20 requests per batch and maps answers by id, whatever their order', async () => {
    standIn.batchSizes.length = 0;
    const steps = Array.from({ length: 45 }, (_, i) => ({
      id: `s${i}`,
      method: 'GET' as const,
      url: `/users/${people[i % 5]!.id}?$select=id`,
    }));
    const answers = await api().batch(steps);
    expect(standIn.batchSizes).toEqual([20, 20, 5]);
    expect(answers.size).toBe(45);
    for (const [i, step] of steps.entries()) {
      expect(answers.get(step.id)).toMatchObject({ status: 200, body: { id: people[i % 5]!.id } });
    }
  });

  it('sends throttled steps again after their Retry-After, and only those', async () => {
    standIn.batchSizes.length = 0;
    standIn.script(
      (_m, p) => p === `/users/${people[3]!.id}`,
      graphError(429, 'TooManyRequests', 'Slow down', 'r', { 'Retry-After': '3' }),
    );
    const clock = fakeClock();
    const answers = await api({ clock }).batch([
      { id: 'a', method: 'GET', url: `/users/${people[2]!.id}` },
      { id: 'b', method: 'GET', url: `/users/${people[3]!.id}` },
    ]);
    expect(standIn.batchSizes).toEqual([2, 1]);
    expect(clock.sleeps).toEqual([3000]);
    expect(answers.get('a')).toMatchObject({ status: 200, body: { id: people[2]!.id } });
    expect(answers.get('b')).toMatchObject({ status: 200, body: { id: people[3]!.id } });
  });
});

describe('retryDelayMs', () => {
  const policy = DEFAULT_RETRY_POLICY;
  it('honours Retry-After in seconds and as an HTTP date', () => {
    expect(retryDelayMs('1', 1, policy, () => 0.5, 0)).toBe(1000);
    expect(retryDelayMs('0.5', 3, policy, () => 0.5, 0)).toBe(500);
    const now = Date.UTC(2026, 2, 24, 10, 0, 0);
    expect(retryDelayMs('Tue, 24 Mar 2026 10:00:07 GMT', 1, policy, () => 0.5, now)).toBe(7000);
    expect(retryDelayMs('Tue, 24 Mar 2026 09:59:00 GMT', 1, policy, () => 0.5, now)).toBe(0);
  });

  it('doubles without Retry-After, jittered between half and all, capped', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(null, n, policy, () => 0, 0))).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(null, n, policy, () => 0.999999, 0))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelayMs(undefined, 20, policy, () => 1, 0)).toBe(policy.maxDelayMs);
    expect(retryDelayMs('soon', 1, policy, () => 0, 0)).toBe(250);
  });
});
