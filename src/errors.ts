/**
 * Typed errors: what a failure at a boundary (Table Storage, the Bot Connector,
 * Graph) means to Baton, decided once where it happens.
 */

/** Someone else changed the record first (HTTP 409 or 412). Re-read and decide again. */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** The service asks us to slow down (HTTP 429), or is briefly unavailable (503, 504). */
export class ThrottledError extends Error {
  override name = 'ThrottledError';
  constructor(message: string, readonly retryAfterMs: number | undefined) {
    super(message);
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
  constructor(readonly id: string, reason: string) {
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
