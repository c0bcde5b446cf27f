/**
 * Typed errors: what a failure at a boundary (Table Storage, the Bot Connector,
 * Graph) means to Baton, decided once where it happens.
 */

/** Someone else changed the record first (HTTP 409 or 412). Re-read and decide again. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** How often a change re-reads and decides again after losing an ETag race, unless it says otherwise. */
export const CONFLICT_TRIES = 5;

/**
 * Runs `attempt` (which reads, decides and writes with an ETag) again while it
 * loses the race to another writer (a ConflictError), at most `tries` times.
 * @param options.pauseMs how long to wait before the next try (none by default)
 * @returns what `attempt` returned, or `exhausted()` once the tries ran out
 */
export async function retryOnConflict<T>(
  attempt: (n: number) => Promise<T>,
  options: { tries?: number; pauseMs?: (n: number) => number; exhausted: () => T | Promise<T> },
): Promise<T> {
  const tries = options.tries ?? CONFLICT_TRIES;
  for (let n = 1; n <= tries; n += 1) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    const pause = options.pauseMs?.(n) ?? 0;
    if (pause > 0 && n < tries) await new Promise((resolve) => setTimeout(resolve, pause));
  }
  return options.exhausted();
}

/** The record is not there (HTTP 404) where it had to be (an update, not a read: a read answers undefined). */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** Storage failed in another way, or did not answer in time (`status` undefined). */
export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The service asks us to slow down (HTTP 429), or is briefly unavailable (503, 504). */
export class ThrottledError extends Error {
  override name = 'ThrottledError';
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Microsoft Graph answered with an error that retrying does not fix, or could
 * not be reached. `code` is Graph's error code ("Request_ResourceNotFound"),
 * `requestId` its request-id, which Microsoft support asks for.
 */
export class GraphError extends Error {
  override name = 'GraphError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly requestId: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Graph did not accept Baton's app identity (HTTP 401), or no token could be
 * had for it. A settings problem: retrying does not help.
 */
export class GraphAuthError extends GraphError {
  override name = 'GraphAuthError';
}

/** Graph still throttled (429) or was unavailable (503, 504) after Baton's retries ran out. */
export class GraphThrottledError extends ThrottledError {
  override name = 'GraphThrottledError';
  constructor(
    message: string,
    retryAfterMs: number | undefined,
    readonly status: number,
    readonly code: string,
    readonly requestId: string | undefined,
  ) {
    super(message, retryAfterMs);
  }
}

/** A stored record Baton cannot read (written by another version, or damaged). Readers of lists skip it. */
export class UnreadableRecordError extends Error {
  override name = 'UnreadableRecordError';
  constructor(
    readonly id: string,
    reason: string,
  ) {
    super(`Record ${id} cannot be read: ${reason}`);
  }
}

/**
 * A connector (Teams' Bot Connector, or the Playground's) refused or failed a
 * call. `permanent` means retrying the same call cannot help (the bot was
 * removed from the chat, the conversation is gone); otherwise try again later,
 * not before `retryAfterMs` when the connector said so.
 */
export class ConnectorError extends Error {
  override name = 'ConnectorError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly permanent: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
