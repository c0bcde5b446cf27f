/**
 * A cheap look at the Authorization header before botframework-connector
 * validates it.
 *
 * The library decodes the token several times and runs its Emulator check on
 * every token that is not a skill call, before any signature is verified; that
 * check appends four issuers to a process-wide list for each `tid` it has not
 * seen, whatever the token's issuer or signature. It also lets parse errors,
 * signature failures and metadata fetch failures escape as plain errors. This
 * check refuses, without touching the library, anything that cannot be a
 * token the bot would accept: it decides nothing in the token's favour (the
 * library still verifies signature, audience, endorsements and service URL).
 */
import { StatusCodes } from 'botbuilder';
import { AuthenticationConstants, AuthenticationError, EmulatorValidation } from 'botframework-connector';
import type { Config } from '../config';

/**
 * Longest header accepted. Bot Framework and Entra app-only tokens are one to
 * two kilobytes; the cap bounds the library's quadratic claim grouping
 * (it rebuilds an object per claim) and the decoding done here.
 */
export const MAX_AUTH_HEADER_LENGTH = 8 * 1024;

/** The only algorithm Bot Framework and Entra ID sign service tokens with. */
const SIGNING_ALGORITHM = 'RS256';

/** jsonwebtoken's default, and what the library configures: five minutes of clock skew. */
const CLOCK_TOLERANCE_SECONDS = 5 * 60;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/** The library splits on single spaces and wants exactly "Bearer" and one compact JWS with a signature. */
const BEARER_JWS = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
/** Entra and Bot Framework key ids are short base64url or hex strings. */
const KEY_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The Entra issuers the library trusts for Emulator and skill tokens, as it
 * ships them: read at load, before any request can have made the library add
 * a tenant of its own.
 */
const LIBRARY_ENTRA_ISSUERS: readonly string[] = [...issuerList(EmulatorValidation.ToBotFromEmulatorTokenValidationParameters.issuer)];

function issuerList(issuer: string | readonly string[] | undefined): readonly string[] {
  if (issuer === undefined) return [];
  return typeof issuer === 'string' ? [issuer] : issuer;
}

/** What a token must look like to be worth handing to the library. */
export interface TokenPolicy {
  /** Values of `iss` the bot accepts. */
  readonly issuers: ReadonlySet<string>;
}

/**
 * The issuers a bot of the given type accepts: the Bot Framework channel
 * issuer (what Teams' tokens carry), the Entra issuers the library ships for
 * the Emulator and skills, and, when the bot names its tenant, the four
 * issuers the library derives for a tenant id (Entra v1 and v2, public and US
 * Government), so a single-tenant bot's Emulator tokens still pass.
 */
export function tokenPolicy(bot: Pick<Config['bot'], 'tenantId'>): TokenPolicy {
  const issuers = new Set<string>([AuthenticationConstants.ToBotFromChannelTokenIssuer, ...LIBRARY_ENTRA_ISSUERS]);
  const tenant = bot.tenantId.trim();
  if (GUID.test(tenant)) {
    issuers.add(`${AuthenticationConstants.ValidTokenIssuerUrlTemplateV1}${tenant}/`);
    issuers.add(`${AuthenticationConstants.ValidTokenIssuerUrlTemplateV2}${tenant}/v2.0`);
    issuers.add(`${AuthenticationConstants.ValidGovernmentTokenIssuerUrlTemplateV1}${tenant}/`);
    issuers.add(`${AuthenticationConstants.ValidGovernmentTokenIssuerUrlTemplateV2}${tenant}/v2.0`);
  }
  return { issuers };
}

/**
 * Refuses an Authorization header that cannot carry a token the bot accepts.
 * Messages name the rule broken, never a value from the header.
 * @throws AuthenticationError (401) when the header is refused
 */
export function precheckAuthHeader(authHeader: string, policy: TokenPolicy): void {
  if (authHeader.length > MAX_AUTH_HEADER_LENGTH) refuse('the header is too long');
  const parts = BEARER_JWS.exec(authHeader);
  if (!parts) refuse('the header is not "Bearer" and a signed JWT');
  const [, encodedHeader = '', encodedPayload = ''] = parts;

  const header = decodeSegment(encodedHeader);
  if (!header) refuse('the token header is not a JSON object');
  if (header.alg !== SIGNING_ALGORITHM) refuse('the token is not signed with RS256');
  if (typeof header.kid !== 'string' || !KEY_ID.test(header.kid)) refuse('the token names no usable signing key');

  const claims = decodeSegment(encodedPayload);
  if (!claims) refuse('the token payload is not a JSON object');
  const { iss, tid, exp, nbf } = claims;
  if (typeof iss !== 'string' || !policy.issuers.has(iss)) refuse('the token issuer is not accepted');
  if (tid !== undefined) {
    if (typeof tid !== 'string' || !GUID.test(tid)) refuse('the token tenant is not a GUID');
    // Entra writes the tenant into its issuer; a `tid` naming another tenant is not Entra's.
    const issuerTenant = GUID_IN_TEXT.exec(iss)?.[0];
    if (issuerTenant !== undefined && issuerTenant !== tid) refuse('the token tenant does not match its issuer');
  }
  const now = Date.now() / 1000;
  if (exp !== undefined && (typeof exp !== 'number' || exp + CLOCK_TOLERANCE_SECONDS < now)) refuse('the token has expired');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf - CLOCK_TOLERANCE_SECONDS > now)) refuse('the token is not valid yet');
}

function refuse(rule: string): never {
  throw new AuthenticationError(`Unauthorized: ${rule}.`, StatusCodes.UNAUTHORIZED);
}

/** A base64url JWS segment as a JSON object, or undefined. */
function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
