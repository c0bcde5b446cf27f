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

/** The caller may not do this (HTTP 401 or 403). */
export class AccessError extends Error {
  override name = 'AccessError';
}
