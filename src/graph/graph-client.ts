/**
 * The Microsoft Graph client: @microsoft/microsoft-graph-client with Baton's
 * own middleware chain (app-only bearer token -> retry -> fetch), and
 * `GraphApi`, the few calls the rest of src/graph makes, which turns every
 * failure into a typed error (src/errors.ts) logged with Graph's error code
 * and request-id.
 *
 * Why our own chain rather than the SDK's default one: the default
 * AuthenticationHandler only sends the token to graph.microsoft.com over
 * https (a stand-in on localhost would get none), and the default
 * RetryHandler has no ceiling on the total wait and does not log.
 */
import type { TokenCredential } from '@azure/identity';
import type {
  AuthenticationProvider,
  Client,
  Context,
  GraphClientError,
  Middleware,
  MiddlewareOptions,
} from '@microsoft/microsoft-graph-client';
import { GraphAuthError, GraphError, GraphThrottledError } from '../errors';
import { type Clock, realClock } from '../clock';
import { lazy } from '../lazy';

// Graph mode only: the local directory needs neither.
const identity = lazy(() => require('@azure/identity') as typeof import('@azure/identity'));
const sdk = lazy(() => require('@microsoft/microsoft-graph-client') as typeof import('@microsoft/microsoft-graph-client'));

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com';
const VERSION = 'v1.0';
/** Graph's own limit: a $batch holds at most 20 requests. */
export const BATCH_LIMIT = 20;

/**
 * When to give up retrying. Retry-After is always honoured; without it the
 * wait doubles from `baseDelayMs` up to `maxDelayMs`, jittered, until
 * `maxAttempts` requests were made or the next wait would take the total past
 * `maxTotalWaitMs` (a Functions invocation cannot wait for ever).
 */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxTotalWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 30_000, maxTotalWaitMs: 60_000 };

/** Throttled (429), unavailable (503), gateway timeout (504): Graph's documented transient answers. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 503, 504]);

export type GraphLog = (message: string) => void;

/** Per-request choice of the statuses to retry (a send must not retry a 504 that may have gone through). */
export class RetryOn implements MiddlewareOptions {
  constructor(readonly statuses: ReadonlySet<number>) {}
}

/**
 * How long to wait before the next attempt, in ms: the Retry-After header
 * (seconds or an HTTP date) when there is one, otherwise exponential backoff
 * with "equal jitter" (half fixed, half random) so that many instances
 * throttled together do not come back together.
 */
export function retryDelayMs(
  retryAfter: string | null | undefined,
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  now: number,
): number {
  const header = retryAfter?.trim();
  if (header) {
    if (/^\d+(\.\d+)?$/.test(header)) return Math.ceil(Number(header) * 1000);
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** What one try gave: done, or worth another try after the Retry-After(s) it carried. */
type Attempt<T> =
  | { retry: false; value: T }
  | {
      retry: true;
      value: T;
      retryAfter: readonly (string | null | undefined)[];
      status: string;
      detail?: string;
      discard?: () => Promise<void>;
    };

interface Retrier {
  policy: RetryPolicy;
  clock: Clock;
  random: () => number;
  log: GraphLog;
}

/**
 * Graph's one retry loop, for whole requests (the middleware) and for the
 * throttled parts of a $batch alike: waits the longest Retry-After (or the
 * jittered backoff), and gives up, keeping the last answer, once
 * `maxAttempts` tries were made or the next wait would pass `maxTotalWaitMs`.
 */
async function retrying<T>(retrier: Retrier, what: string, attempt: (n: number) => Promise<Attempt<T>>): Promise<T> {
  const { policy, clock, random, log } = retrier;
  let waited = 0;
  for (let n = 1; ; n += 1) {
    const result = await attempt(n);
    if (!result.retry) return result.value;
    const delay = Math.max(0, ...result.retryAfter.map((header) => retryDelayMs(header, n, policy, random, clock.now())));
    if (n >= policy.maxAttempts || waited + delay > policy.maxTotalWaitMs) {
      log(`Graph ${what}: still ${result.status} after ${n} attempts and ${waited} ms of waiting; giving up${result.detail ?? ''}`);
      return result.value;
    }
    log(`Graph ${what}: ${result.status}, retry ${n} in ${delay} ms${result.detail ?? ''}`);
    await result.discard?.();
    await clock.sleep(delay);
    waited += delay;
  }
}

/** "GET /users/abc" from the request, for logs: path and query, never the host. */
function describe(context: Context): string {
  const url = typeof context.request === 'string' ? context.request : context.request.url;
  const parsed = new URL(url);
  return `${context.options?.method ?? 'GET'} ${parsed.pathname.replace(/^\/v1\.0|^\/beta/, '')}${parsed.search}`;
}

function setHeader(context: Context, name: string, value: string): void {
  context.options ??= {};
  const headers = context.options.headers;
  if (headers instanceof Headers) headers.set(name, value);
  else if (Array.isArray(headers)) headers.push([name, value]);
  else context.options.headers = { ...headers, [name]: value };
}

/**
 * Carries a typed error out of the middleware chain: GraphRequest passes a
 * GraphClientError through untouched and re-wraps anything else.
 */
function clientError(error: GraphError): GraphClientError {
  const wrapped = new (sdk().GraphClientError)(error.message);
  wrapped.customError = error;
  return wrapped;
}

/** Adds the app's bearer token to every request; the base URL is ours, so every host is Graph. */
class BearerToken implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly provider: AuthenticationProvider) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    let token: string;
    try {
      token = await this.provider.getAccessToken();
    } catch (error) {
      throw clientError(
        new GraphAuthError(
          `Baton could not get a token for Microsoft Graph: ${(error as Error).message ?? String(error)}. ` +
            'Check GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (or the managed identity).',
          401,
          'TokenRequestFailed',
          undefined,
        ),
      );
    }
    setHeader(context, 'Authorization', `Bearer ${token}`);
    await this.next!.execute(context);
  }
}

/** Retries 429/503/504 as RetryPolicy says; leaves the last answer in the context when it gives up. */
class Retry implements Middleware {
  private next: Middleware | undefined;
  constructor(private readonly options: { policy: RetryPolicy; clock: Clock; random: () => number; log: GraphLog }) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const retryOn = (context.middlewareControl?.getMiddlewareOptions(RetryOn) as RetryOn | undefined)?.statuses ?? RETRYABLE_STATUSES;
    await retrying(this.options, describe(context), async (): Promise<Attempt<void>> => {
      try {
        await this.next!.execute(context);
      } catch (error) {
        // The SDK would re-wrap this and drop the cause ("ECONNREFUSED"); pass a typed error through instead.
        if (error instanceof sdk().GraphClientError) throw error;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const detail = cause ? ` (${cause.code ?? cause.message})` : '';
        throw clientError(
          new GraphError(
            `Microsoft Graph could not be reached for ${describe(context)}: ${(error as Error).message}${detail}`,
            0,
            'NetworkError',
            undefined,
          ),
        );
      }
      const response = context.response;
      if (!response || !retryOn.has(response.status)) return { retry: false, value: undefined };
      const retryAfter = response.headers.get('retry-after');
      return {
        retry: true,
        value: undefined,
        retryAfter: [retryAfter],
        status: String(response.status),
        detail: ` (Retry-After ${retryAfter ?? 'none'}; request-id ${response.headers.get('request-id') ?? 'none'})`,
        // Free the connection; the body of an answer we retry is never read.
        discard: () => response.body?.cancel().catch(() => undefined) ?? Promise.resolve(),
      };
    });
  }
}

export interface GraphClientOptions {
  /** Graph's root without the version; https://graph.microsoft.com by default. */
  baseUrl?: string;
  /** Where tokens come from: `credentialAuthProvider(...)` in production, a fixed token in tests. */
  authProvider: AuthenticationProvider;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Jitter source, [0, 1). */
  random?: () => number;
  log?: GraphLog;
}

/** The real Graph SDK client, with Baton's middleware chain, talking to `baseUrl`. */
export function createGraphClient(options: GraphClientOptions): Client {
  const retry = new Retry({
    policy: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    clock: options.clock ?? realClock,
    random: options.random ?? Math.random,
    log: options.log ?? ((m) => console.log(m)),
  });
  const { Client, HTTPMessageHandler } = sdk();
  return Client.initWithMiddleware({
    baseUrl: options.baseUrl ?? DEFAULT_GRAPH_BASE_URL,
    defaultVersion: VERSION,
    middleware: [new BearerToken(options.authProvider), retry, new HTTPMessageHandler()],
  });
}

/** App-only credentials: a client secret, or the Functions app's managed identity when deployed. */
export function createCredential(settings: {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  useManagedIdentity: boolean;
}): TokenCredential {
  if (settings.useManagedIdentity) {
    const { ManagedIdentityCredential } = identity();
    return settings.clientId ? new ManagedIdentityCredential({ clientId: settings.clientId }) : new ManagedIdentityCredential();
  }
  if (!settings.tenantId || !settings.clientId || !settings.clientSecret) {
    throw new Error('A client-secret credential needs GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET');
  }
  return new (identity().ClientSecretCredential)(settings.tenantId, settings.clientId, settings.clientSecret);
}

/** Tokens from an @azure/identity credential for the app-only `.default` scope of this Graph root. */
export function credentialAuthProvider(credential: TokenCredential, baseUrl = DEFAULT_GRAPH_BASE_URL): AuthenticationProvider {
  const scope = `${new URL(baseUrl).origin}/.default`;
  return {
    getAccessToken: async () => {
      const token = await credential.getToken(scope);
      if (!token) throw new Error(`the credential returned no token for ${scope}`);
      return token.token;
    },
  };
}

/** One request of a $batch. `url` is relative to the version: "/users/{id}?$select=id". */
export interface BatchStep {
  id: string;
  method: 'GET';
  url: string;
  headers?: Record<string, string>;
}

/** One answer of a $batch, as Graph gives it. */
export interface BatchAnswer {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface GraphErrorBody {
  error?: { code?: string; message?: string; innerError?: { 'request-id'?: string } };
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name);
  return key ? headers?.[key] : undefined;
}

/**
 * The few Graph calls Baton makes, over the real SDK client. Every non-2xx
 * answer (after retries) becomes GraphAuthError (401), GraphThrottledError
 * (429/503/504) or GraphError, and is logged with its code and request-id.
 */
export class GraphApi implements Retrier {
  readonly log: GraphLog;
  readonly policy: RetryPolicy;
  readonly clock: Clock;
  readonly random: () => number;
  readonly baseUrl: string;

  constructor(
    options: GraphClientOptions,
    readonly client: Client = createGraphClient(options),
  ) {
    this.log = options.log ?? ((m) => console.log(m));
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    this.baseUrl = options.baseUrl ?? DEFAULT_GRAPH_BASE_URL;
  }

  /** GET a resource; its JSON body. */
  async get<T>(path: string, headers: Record<string, string> = {}): Promise<T> {
    const response = await this.send('GET', path, undefined, headers);
    return (await response.json()) as T;
  }

  /**
   * GET a collection and follow its @odata.nextLink pages, stopping once
   * `maxItems` items are in hand.
   */
  async getAll<T>(path: string, options: { headers?: Record<string, string>; maxItems?: number } = {}): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = /^https?:/i.test(path) ? this.relative(path) : path;
    while (next !== undefined && items.length < (options.maxItems ?? Infinity)) {
      const page: { value?: T[]; '@odata.nextLink'?: string } = await this.get(next, options.headers);
      items.push(...(page.value ?? []));
      next = page['@odata.nextLink'] === undefined ? undefined : this.relative(page['@odata.nextLink']);
    }
    return items.slice(0, options.maxItems ?? items.length);
  }

  /** POST JSON; the raw response (sendMail answers 202 with no body). */
  async post(path: string, body: unknown, options: { retryOn?: ReadonlySet<number> } = {}): Promise<Response> {
    return this.send('POST', path, body, {}, options.retryOn);
  }

  /**
   * Runs GET requests through /$batch, at most 20 to a batch. Answers that
   * are 429/503/504 are sent again in a later batch, after the longest
   * Retry-After among them, within the same RetryPolicy.
   * @returns each step's answer by id (the last one when retries ran out)
   */
  async batch(steps: readonly BatchStep[]): Promise<Map<string, BatchAnswer>> {
    const answers = new Map<string, BatchAnswer>();
    for (let i = 0; i < steps.length; i += BATCH_LIMIT) {
      let pending = steps.slice(i, i + BATCH_LIMIT);
      await retrying(this, 'POST /$batch', async (): Promise<Attempt<void>> => {
        const response = await this.post('/$batch', { requests: pending });
        const { responses = [] } = (await response.json()) as { responses?: BatchAnswer[] };
        const throttled: BatchAnswer[] = [];
        for (const step of pending) {
          const answer = responses.find((r) => String(r.id) === step.id);
          if (!answer)
            throw new GraphError(
              `Graph's $batch answer has no response for request ${step.id}`,
              502,
              'BatchResponseMissing',
              response.headers.get('request-id') ?? undefined,
            );
          answers.set(step.id, answer);
          if (RETRYABLE_STATUSES.has(answer.status)) throttled.push(answer);
        }
        if (throttled.length === 0) return { retry: false, value: undefined };
        const status = `${throttled.length} of ${pending.length} requests throttled`;
        pending = pending.filter((step) => throttled.some((a) => String(a.id) === step.id));
        return { retry: true, value: undefined, retryAfter: throttled.map((a) => headerOf(a.headers, 'retry-after')), status };
      });
    }
    return answers;
  }

  /**
   * The typed error for a failed $batch answer, logged like any other.
   * @param what "GET /users/x", for the log and the message
   */
  batchError(answer: BatchAnswer, what: string): Error {
    const body = (answer.body ?? {}) as GraphErrorBody;
    return this.typedError(what, answer.status, body, headerOf(answer.headers, 'request-id'), headerOf(answer.headers, 'retry-after'));
  }

  /** A nextLink made relative to the version, as the SDK wants it; refuses links to other hosts (they would get our token). */
  private relative(link: string): string {
    const url = new URL(link, this.baseUrl);
    if (url.origin !== new URL(this.baseUrl).origin) {
      throw new GraphError(`Graph sent a nextLink to another host (${url.origin})`, 502, 'UnexpectedNextLink', undefined);
    }
    return `/${url.pathname.split('/').slice(2).join('/')}${url.search}`;
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    headers: Record<string, string>,
    retryOn?: ReadonlySet<number>,
  ): Promise<Response> {
    let request = this.client.api(path).responseType(sdk().ResponseType.RAW).headers(headers);
    if (retryOn) request = request.middlewareOptions([new RetryOn(retryOn)]);
    let response: Response;
    try {
      response = method === 'GET' ? await request.get() : await request.post(body);
    } catch (error) {
      throw this.unreachable(`${method} ${path}`, error);
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    let parsed: GraphErrorBody = {};
    try {
      parsed = JSON.parse(text) as GraphErrorBody;
    } catch {
      parsed = { error: { message: text.slice(0, 200) } };
    }
    throw this.typedError(
      `${method} ${path}`,
      response.status,
      parsed,
      response.headers.get('request-id') ?? undefined,
      response.headers.get('retry-after') ?? undefined,
    );
  }

  private typedError(
    what: string,
    status: number,
    body: GraphErrorBody,
    headerRequestId: string | undefined,
    retryAfter: string | undefined,
  ): Error {
    const code = body.error?.code ?? `HTTP${status}`;
    const requestId = body.error?.innerError?.['request-id'] ?? headerRequestId;
    const said = body.error?.message ? `: ${body.error.message}` : '';
    this.log(`Graph ${what} failed: ${status} ${code}${said} (request-id ${requestId ?? 'none'})`);
    if (status === 401) {
      return new GraphAuthError(
        `Microsoft Graph refused Baton's app token (401 ${code}${said}). Check GRAPH_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (or the managed identity).`,
        status,
        code,
        requestId,
      );
    }
    if (RETRYABLE_STATUSES.has(status)) {
      const retryAfterMs = retryAfter ? retryDelayMs(retryAfter, 1, this.policy, () => 0, this.clock.now()) : undefined;
      return new GraphThrottledError(
        `Microsoft Graph is throttling or unavailable (${status} ${code}${said}) and Baton's retries ran out`,
        retryAfterMs,
        status,
        code,
        requestId,
      );
    }
    if (status === 403) {
      return new GraphError(
        `Microsoft Graph denied ${what} (403 ${code}${said}). The app needs the application permissions User.Read.All, MailboxSettings.Read and Mail.Send, with admin consent.`,
        status,
        code,
        requestId,
      );
    }
    return new GraphError(`Microsoft Graph answered ${what} with ${status} ${code}${said}`, status, code, requestId);
  }

  /** A failure before any answer: no token, or no connection. */
  private unreachable(what: string, error: unknown): Error {
    if (error instanceof sdk().GraphClientError && error.customError instanceof GraphError) {
      this.log(`Graph ${what} failed: ${error.customError.message}`);
      return error.customError;
    }
    const cause = error instanceof Error ? error.message || error.name : String(error);
    this.log(`Graph ${what} failed: no answer (${cause})`);
    return new GraphError(`Microsoft Graph could not be reached for ${what}: ${cause}`, 0, 'NetworkError', undefined);
  }
}
