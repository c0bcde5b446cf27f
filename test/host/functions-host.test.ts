/**
 * The local Functions host with registrations built here: HTTP routing at
 * /api/{route}, the admin API, timers on their schedule, and close().
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { Registration } from '../../src/functions';
import { type FunctionsHost, loadFunctions, startFunctionsHost } from '../../src/host/functions-host';
import { freePort, isPortInUse, PROJECT_ROOT } from '../../src/host/processes';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** What the echo handler saw. */
interface Seen {
  method: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  query: Record<string, string>;
  params: Record<string, string>;
  functionName: string;
}

function http(
  name: string,
  methods: ('GET' | 'POST' | 'PUT' | 'DELETE')[],
  route: string,
  handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>,
): Registration {
  return { kind: 'http', name, options: { methods, route, authLevel: 'anonymous', handler } };
}

function timer(name: string, schedule: string, handler: (timer: Timer, context: InvocationContext) => unknown): Registration {
  return {
    kind: 'timer',
    name,
    options: {
      schedule,
      handler: async (t, c) => {
        await handler(t, c);
      },
    },
  };
}

describe('the host with HTTP and timer functions', () => {
  let host: FunctionsHost;
  const logs: string[] = [];
  const logWaiters: { match: string; done: Deferred<string> }[] = [];
  const seen: Seen[] = [];
  /** Each timer run, in order; `nextTimerRun` resolves on the next one. */
  const timerRuns: { timer: Timer; functionName: string }[] = [];
  let nextTimerRun = deferred<{ timer: Timer; functionName: string }>();

  const log = (message: string) => {
    logs.push(message);
    for (const waiter of logWaiters) if (message.includes(waiter.match)) waiter.done.resolve(message);
  };
  const waitForLog = (match: string) => {
    const existing = logs.find((m) => m.includes(match));
    if (existing) return Promise.resolve(existing);
    const done = deferred<string>();
    logWaiters.push({ match, done });
    return done.promise;
  };

  beforeAll(async () => {
    const echo = async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
      const headers: Record<string, string> = {};
      request.headers.forEach((value, key) => {
        headers[key] = value;
      });
      const entry: Seen = {
        method: request.method,
        url: request.url,
        body: await request.text(),
        headers,
        query: Object.fromEntries(request.query),
        params: { ...request.params },
        functionName: context.functionName,
      };
      seen.push(entry);
      return {
        status: 201,
        jsonBody: { got: entry.params.id ?? null, method: entry.method },
        headers: { 'x-baton': 'echoed', 'cache-control': 'no-store' },
      };
    };
    host = await startFunctionsHost({
      port: 0,
      log,
      registrations: [
        http('items', ['GET', 'POST'], 'items/{id}', echo),
        http('health', ['GET'], 'health', async () => ({ status: 200, body: 'ok', headers: { 'content-type': 'text/plain' } })),
        http('boom', ['GET'], 'boom', async () => {
          throw new Error('kaboom in handler');
        }),
        // Midnight on 1 January: never due while these tests run.
        timer('nightly', '0 0 0 1 1 *', (t, context) => {
          const run = { timer: t, functionName: context.functionName };
          timerRuns.push(run);
          const waiting = nextTimerRun;
          nextTimerRun = deferred();
          waiting.resolve(run);
        }),
        timer('failing', '0 0 0 1 1 *', () => {
          throw new Error('timer exploded');
        }),
      ],
    });
  });
  afterAll(async () => {
    await host?.close();
  });

  it('listens on a loopback port it chose', () => {
    expect(host.port).toBeGreaterThan(0);
    expect(host.url).toBe(`http://localhost:${host.port}`);
  });

  it('passes a GET with its query, headers and route parameter to the handler, and returns its response', async () => {
    const before = seen.length;
    const response = await fetch(`${host.url}/api/items/a%20b?q=1&tag=x%20y`, { headers: { 'x-custom': 'abc' } });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-baton')).toBe('echoed');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ got: 'a b', method: 'GET' });
    expect(seen.slice(before)).toHaveLength(1);
    const request = seen[before]!;
    expect(request.method).toBe('GET');
    expect(request.functionName).toBe('items');
    expect(request.body).toBe('');
    expect(request.params).toEqual({ id: 'a b' });
    expect(request.query).toEqual({ q: '1', tag: 'x y' });
    expect(request.headers['x-custom']).toBe('abc');
    expect(new URL(request.url).pathname).toBe('/api/items/a%20b');
  });

  it('passes a POST body as text, with its content type', async () => {
    const before = seen.length;
    const response = await fetch(`${host.url}/api/items/42`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer abc' },
      body: JSON.stringify({ hello: 'wörld' }),
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ got: '42', method: 'POST' });
    const request = seen[before]!;
    expect(request.method).toBe('POST');
    expect(request.body).toBe('{"hello":"wörld"}');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Bearer abc');
    expect(request.params).toEqual({ id: '42' });
    expect(request.query).toEqual({});
  });

  it('matches routes without regard to case, like Azure Functions', async () => {
    const response = await fetch(`${host.url}/api/ITEMS/7`);
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ got: '7', method: 'GET' });
  });

  it("returns a plain body and the handler's headers", async () => {
    const response = await fetch(`${host.url}/api/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(await response.text()).toBe('ok');
  });

  it.each([['/api/nothing'], ['/api/items'], ['/api/items/1/extra'], ['/api'], ['/items/1'], ['/health'], ['/']])(
    'answers 404 for %s',
    async (path) => {
      const before = seen.length;
      const response = await fetch(`${host.url}${path}`);
      expect(response.status).toBe(404);
      expect(seen.length).toBe(before);
    },
  );

  it.each([
    ['PUT', '/api/items/1'],
    ['DELETE', '/api/items/1'],
    ['POST', '/api/health'],
  ])('answers 405 for %s %s and does not run the handler', async (method, path) => {
    const before = seen.length;
    const response = await fetch(`${host.url}${path}`, { method });
    expect(response.status).toBe(405);
    expect(seen.length).toBe(before);
  });

  it('answers 500 when a handler throws, and logs the error', async () => {
    const response = await fetch(`${host.url}/api/boom`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: 'Internal error' });
    // One record, on one line, in Baton's format.
    const line = logs.find((m) => m.startsWith('[error] Request failed (method=GET, url=/api/boom, error='));
    expect(line).toContain('Error: kaboom in handler');
    expect(line).not.toContain('\n');
  });

  it('lists every function with its kind at GET /admin/functions', async () => {
    const response = await fetch(`${host.url}/admin/functions`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([
      { name: 'items', kind: 'http' },
      { name: 'health', kind: 'http' },
      { name: 'boom', kind: 'http' },
      { name: 'nightly', kind: 'timer' },
      { name: 'failing', kind: 'timer' },
    ]);
  });

  it('runs a timer function now on POST /admin/functions/{name}, answering 202', async () => {
    const before = timerRuns.length;
    const ran = nextTimerRun.promise;
    const response = await fetch(`${host.url}/admin/functions/nightly`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"input":""}',
    });
    expect(response.status).toBe(202);
    const run = await ran;
    expect(timerRuns.length).toBe(before + 1);
    expect(run.functionName).toBe('nightly');
    expect(run.timer.isPastDue).toBe(false);
    // The next run of "0 0 0 1 1 *" is midnight on the coming 1 January.
    const next = new Date(run.timer.scheduleStatus.next);
    expect(next.getUTCFullYear()).toBe(new Date(run.timer.scheduleStatus.last).getUTCFullYear() + 1);
    expect(run.timer.scheduleStatus.next).toMatch(/^\d{4}-01-01T00:00:00\.000Z$/);
  });

  it('answers 404 for an unknown function and for an HTTP function at the admin API', async () => {
    const before = seen.length;
    const unknown = await fetch(`${host.url}/admin/functions/unknown`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'No non-HTTP function named "unknown"' });
    const httpFunction = await fetch(`${host.url}/admin/functions/items`, { method: 'POST' });
    expect(httpFunction.status).toBe(404);
    expect(seen.length).toBe(before);
  });

  it('logs a timer function that throws, and keeps serving', async () => {
    const logged = waitForLog('[error] Timer function failed (function=failing, error=');
    const response = await fetch(`${host.url}/admin/functions/failing`, { method: 'POST' });
    expect(response.status).toBe(202);
    expect(await logged).toContain('Error: timer exploded');
    expect((await fetch(`${host.url}/api/health`)).status).toBe(200);
  });

  it('runs a timer through fire(), and refuses an unknown name', async () => {
    const before = timerRuns.length;
    await host.fire('nightly');
    expect(timerRuns.length).toBe(before + 1);
    expect(timerRuns.at(-1)!.timer.isPastDue).toBe(false);
    await expect(host.fire('nope')).rejects.toThrow(new Error('No timer function named "nope"'));
  });
});

describe('timers on their schedule', () => {
  it('fires a timer scheduled every second by itself', { timeout: 3_000 }, async () => {
    const fired = deferred<{ timer: Timer; at: number }>();
    const host = await startFunctionsHost({
      port: 0,
      log: () => {},
      registrations: [timer('tick', '*/1 * * * * *', (t) => fired.resolve({ timer: t, at: Date.now() }))],
    });
    try {
      const { timer: t, at } = await fired.promise;
      expect(t.isPastDue).toBe(false);
      const last = new Date(t.scheduleStatus.last).getTime();
      const next = new Date(t.scheduleStatus.next).getTime();
      // The next run is the following whole second.
      expect(at).toBeGreaterThanOrEqual(last);
      expect(next % 1000).toBe(0);
      expect(next - last).toBeGreaterThan(0);
      expect(next - last).toBeLessThanOrEqual(1000);
    } finally {
      await host.close();
    }
  });

  it('stops its timers on close()', { timeout: 5_000 }, async () => {
    let runs = 0;
    const first = deferred<void>();
    const host = await startFunctionsHost({
      port: 0,
      log: () => {},
      registrations: [
        timer('every-second', '* * * * * *', () => {
          runs += 1;
          first.resolve();
        }),
      ],
    });
    await first.promise;
    await host.close();
    const afterClose = runs;
    expect(afterClose).toBeGreaterThanOrEqual(1);
    // The one bounded wait: a timer that was still armed would have run in this time.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(runs).toBe(afterClose);
    // The server is closed too.
    await expect(fetch(`${host.url}/admin/functions`)).rejects.toThrow();
  });

  it('refuses to start with an invalid schedule, naming the problem', async () => {
    const log: string[] = [];
    await expect(
      startFunctionsHost({ port: 0, log: (m) => log.push(m), registrations: [timer('bad', '0 */5 * * *', () => {})] }),
    ).rejects.toThrow(new Error('"0 */5 * * *" needs six fields (second minute hour day month day-of-week), it has 5'));
    await expect(
      startFunctionsHost({ port: 0, log: (m) => log.push(m), registrations: [timer('bad', '0 0 25 * * *', () => {})] }),
    ).rejects.toThrow(new Error('"25" is not a valid hour (0-23)'));
  });
});

describe('loadFunctions', () => {
  it("registers the app's functions from the functions folder, the bot endpoint among them", async () => {
    const registrations = await loadFunctions();
    const messages = registrations.filter((r) => r.name === 'messages');
    expect(messages).toHaveLength(1);
    const [registration] = messages;
    expect(registration!.kind).toBe('http');
    if (registration!.kind !== 'http') throw new Error('messages is not an HTTP function');
    expect(registration!.options.route).toBe('messages');
    expect(registration!.options.methods).toEqual(['POST']);
    expect(registration!.options.authLevel).toBe('anonymous');
    expect(typeof registration!.options.handler).toBe('function');
  });

  it("keeps @azure/functions' test-mode lines out of the start-up log, and lets any other warning through", () => {
    // A process of its own: @azure/functions says these once a process, when a function file first registers.
    const script = `require('./src/host/functions-host.ts').loadFunctions().then((registrations) => {
      console.warn('WARNING: a warning of its own');
      console.log(registrations.map((r) => r.name).sort().join(' '));
    });`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(
      'awayCheck dailyDigest handoffLink messages outboxSweep overdueCheck purgeDrafts sendSummary weeklySummary',
    );
    expect(run.stderr.trim()).toBe('WARNING: a warning of its own');
  });
});

describe('routes shared by methods, bad escapes, schedules that never fire', () => {
  it('routes by method when two functions share a route, and answers 405 only when none takes the method', async () => {
    const host = await startFunctionsHost({
      registrations: [
        http('getItem', ['GET'], 'items/{id}', async (request) => ({ jsonBody: { fn: 'get', id: request.params.id } })),
        http('deleteItem', ['DELETE'], 'items/{id}', async (request) => ({ jsonBody: { fn: 'delete', id: request.params.id } })),
      ],
      port: 0,
      log: () => undefined,
    });
    try {
      expect(await (await fetch(`${host.url}/api/items/7`, { method: 'DELETE' })).json()).toEqual({ fn: 'delete', id: '7' });
      expect(await (await fetch(`${host.url}/api/items/7`)).json()).toEqual({ fn: 'get', id: '7' });
      expect((await fetch(`${host.url}/api/items/7`, { method: 'PUT' })).status).toBe(405);
      expect((await fetch(`${host.url}/api/items/%E0%A4%A`)).status).toBe(400);
    } finally {
      await host.close();
    }
  });

  it('refuses a schedule that never fires before it takes the port', async () => {
    const port = await freePort();
    await expect(
      startFunctionsHost({ registrations: [timer('never', '0 0 0 31 2 *', () => undefined)], port, log: () => undefined }),
    ).rejects.toThrow('The schedule never fires within nine years');
    expect(await isPortInUse(port)).toBe(false);
  });
});
