/**
 * The local Functions host: serves the app's registered functions the way the
 * Azure Functions host does, for machines without Azure Functions Core Tools.
 *
 * - HTTP functions at /api/{route}, with the same HttpRequest the runtime passes.
 * - Timer functions on their NCRONTAB schedule (UTC).
 * - The admin API's POST /admin/functions/{name}, which fires a non-HTTP
 *   function now (202), and GET /admin/functions, which lists them.
 */
import { readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { HttpRequest, HttpResponse, type HttpResponseInit, InvocationContext, type Timer } from '@azure/functions';
import { type Registration, registrations as appRegistrations } from '../functions';
import { nextOccurrence, parseNcrontab } from './ncrontab';
import { PROJECT_ROOT } from './processes';

export const ROUTE_PREFIX = 'api';
/** A request body larger than this is refused; Bot Framework activities are far smaller. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface FunctionsHost {
  url: string;
  port: number;
  /** Runs a timer function now, as the admin API does. */
  fire(name: string): Promise<void>;
  close(): Promise<void>;
}

type Log = (message: string) => void;

/** A dev-only page or file served by the local host itself (e.g. the outbox at /dev/outbox). */
export type DevRouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Imports every function file, which registers its functions, and returns the registrations. */
export async function loadFunctions(dir = join(PROJECT_ROOT, 'functions')): Promise<Registration[]> {
  const files = readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  for (const file of files) await import(join(dir, file));
  return [...appRegistrations];
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

async function writeResult(res: ServerResponse, result: HttpResponseInit | HttpResponse | undefined): Promise<void> {
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers).end(body);
}

/** Matches "/api/messages" against a route like "messages" or "handoffs/{id}"; returns the params. */
function matchRoute(route: string, path: string): Record<string, string> | undefined {
  const want = route.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const value = got[i] ?? '';
    const param = /^\{(\w+)\??\}$/.exec(segment);
    if (param?.[1]) params[param[1]] = decodeURIComponent(value);
    else if (segment.toLowerCase() !== value.toLowerCase()) return undefined;
  }
  return params;
}

/**
 * Starts the host on a loopback port (0 picks a free one).
 * @throws when a timer schedule is invalid, or the port is taken
 */
export async function startFunctionsHost(options: {
  registrations: Registration[];
  port: number;
  log?: Log;
  /** Dev-only routes mounted at the root, path prefix -> handler; Azure Functions has none of them. */
  devRoutes?: Readonly<Record<string, DevRouteHandler>>;
}): Promise<FunctionsHost> {
  const log = options.log ?? ((m: string) => console.log(m));
  const http = options.registrations.filter((r) => r.kind === 'http');
  const timers = options.registrations.filter((r) => r.kind === 'timer');
  const schedules = new Map(timers.map((t) => [t.name, parseNcrontab(String(t.options.schedule))]));
  // A schedule that parses but never fires is refused before the port is taken.
  for (const schedule of schedules.values()) nextOccurrence(schedule, new Date());
  const handles = new Map<string, NodeJS.Timeout>();
  let closed = false;

  async function runTimer(registration: Extract<Registration, { kind: 'timer' }>, isPastDue: boolean): Promise<void> {
    const context = new InvocationContext({ functionName: registration.name, invocationId: crypto.randomUUID() });
    const schedule = schedules.get(registration.name);
    const now = new Date();
    const timer: Timer = {
      schedule: { adjustForDST: false },
      isPastDue,
      scheduleStatus: { last: now.toISOString(), next: schedule ? nextOccurrence(schedule, now).toISOString() : '', lastUpdated: now.toISOString() },
    };
    try {
      await registration.options.handler(timer, context);
    } catch (error) {
      // Like the Functions runtime, a failed timer run is logged and not retried.
      log(`[${registration.name}] failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  function arm(registration: Extract<Registration, { kind: 'timer' }>): void {
    const schedule = schedules.get(registration.name);
    if (!schedule || closed) return;
    const at = nextOccurrence(schedule, new Date());
    // setTimeout holds at most 2^31-1 ms (24.8 days): re-arm in steps for schedules further away.
    const wait = Math.min(at.getTime() - Date.now(), 2 ** 31 - 1);
    handles.set(
      registration.name,
      setTimeout(() => {
        if (Date.now() >= at.getTime()) void runTimer(registration, false).finally(() => arm(registration));
        else arm(registration);
      }, wait),
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const devRoute = Object.entries(options.devRoutes ?? {}).find(([prefix]) => url.pathname === prefix || url.pathname.startsWith(`${prefix}/`));
    if (devRoute) return devRoute[1](req, res);
    const admin = /^\/admin\/functions\/?([^/]*)$/.exec(url.pathname);
    if (admin) {
      const name = decodeURIComponent(admin[1] ?? '');
      if (!name && method === 'GET') return send(res, 200, options.registrations.map((r) => ({ name: r.name, kind: r.kind })));
      const timer = timers.find((t) => t.name.toLowerCase() === name.toLowerCase());
      if (method !== 'POST') return send(res, 405);
      if (!timer) return send(res, 404, { error: `No non-HTTP function named "${name}"` });
      await readBody(req);
      void runTimer(timer, false);
      return send(res, 202);
    }
    const prefix = `/${ROUTE_PREFIX}/`;
    if (!url.pathname.startsWith(prefix)) return send(res, 404);
    const path = url.pathname.slice(prefix.length);
    let routeMatched = false;
    for (const registration of http) {
      let params: Record<string, string> | undefined;
      try {
        params = matchRoute(registration.options.route ?? registration.name, path);
      } catch {
        return send(res, 400, { error: 'The path has a malformed percent-escape.' });
      }
      if (!params) continue;
      routeMatched = true;
      // Functions may share a route and differ by method, as on Azure.
      const methods = registration.options.methods ?? ['GET', 'POST'];
      if (!methods.includes(method as never)) continue;
      const body = await readBody(req);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers)) if (typeof value === 'string') headers[key] = value;
      const request = new HttpRequest({
        method,
        url: url.toString(),
        headers,
        query: Object.fromEntries(url.searchParams),
        params,
        ...(body.length > 0 ? { body: { bytes: body } } : {}),
      });
      const context = new InvocationContext({ functionName: registration.name, invocationId: crypto.randomUUID() });
      return writeResult(res, await registration.options.handler(request, context));
    }
    if (routeMatched) return send(res, 405);
    return send(res, 404);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`${req.method} ${req.url} failed: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) send(res, 500, { error: 'Internal error' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  for (const timer of timers) arm(timer);

  return {
    url: `http://localhost:${port}`,
    port,
    fire: async (name) => {
      const timer = timers.find((t) => t.name === name);
      if (!timer) throw new Error(`No timer function named "${name}"`);
      await runTimer(timer, false);
    },
    close: async () => {
      closed = true;
      for (const handle of handles.values()) clearTimeout(handle);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
