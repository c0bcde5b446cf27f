/**
 * An HTTP proxy in front of the run's Azurite Table service, on a free
 * port, that a test can cut as a network blip would: while it is cut, every
 * request's connection is reset before it reaches storage (the client sees
 * ECONNRESET, as from a dropped connection); `dropAnswer` lets one request
 * reach storage and resets the connection instead of returning its answer.
 * Baton's stores talk to it through an ordinary connection string.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../src/config';

export interface ProxiedRequest {
  method: string;
  /** The path and query, e.g. `/devstoreaccount1/t1handoffs(PartitionKey='...',RowKey='outbox_000002_001')`, decoded. */
  path: string;
}

export interface StorageProxy {
  /** A Table connection string through the proxy. */
  connectionString: string;
  /** From now on every request is reset before it reaches storage, until `restore`. */
  cut(): void;
  restore(): void;
  /** Whether the proxy is cut now. */
  readonly isCut: boolean;
  /** Requests reset so far. */
  readonly refused: number;
  /** Called with each request before it is forwarded (or refused); may cut the proxy first. */
  onRequest: ((request: ProxiedRequest) => void) | undefined;
  /** Called with each request reset while cut, with the number reset so far. */
  onRefused: ((request: ProxiedRequest, refused: number) => void) | undefined;
  /** The next request this matches reaches storage, and its answer is dropped (the connection reset). */
  dropAnswer(match: (request: ProxiedRequest) => boolean): void;
  close(): Promise<void>;
}

export async function startStorageProxy(target: string): Promise<StorageProxy> {
  const upstream = new URL(target);
  let cut = false;
  let refused = 0;
  let dropNext: ((request: ProxiedRequest) => boolean) | undefined;
  const reset = (req: IncomingMessage) => req.socket.destroy();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const seen = { method: req.method ?? 'GET', path: decodeURIComponent(req.url ?? '/') };
    state.onRequest?.(seen);
    if (cut) {
      refused += 1;
      state.onRefused?.(seen, refused);
      reset(req);
      return;
    }
    const drop = dropNext?.(seen) === true;
    if (drop) dropNext = undefined;
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (drop) {
          answer.resume();
          answer.on('end', () => reset(req));
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => reset(req));
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const state: StorageProxy = {
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`,
    cut: () => {
      cut = true;
    },
    restore: () => {
      cut = false;
    },
    get isCut() {
      return cut;
    },
    get refused() {
      return refused;
    },
    onRequest: undefined,
    onRefused: undefined,
    dropAnswer: (match) => {
      dropNext = match;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return state;
}
