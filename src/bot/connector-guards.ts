/**
 * Work-arounds for two behaviours of botframework-connector 4.23's inbound
 * authentication that no setting turns off.
 *
 * 1. EmulatorValidation.isTokenFromEmulator appends four issuers to the
 *    module-level ToBotFromBotOrEmulatorTokenValidationParameters.issuer list
 *    for every `tid` it has not seen, for any token that decodes, before any
 *    signature is checked. The list never shrinks, and every later Emulator or
 *    skill validation copies and scans it.
 * 2. JwtTokenExtractor, when verification fails for any reason but expiry,
 *    writes `Available keys: ${key}` to console.error, where `key` is the PEM
 *    of the signing key it looked up, then rethrows the jsonwebtoken error.
 */
import { createPublicKey } from 'node:crypto';
import { AuthenticationConstants, EmulatorValidation } from 'botframework-connector';
// Not re-exported by the package index; this is the module the library itself uses (the package has no exports map).
import { JwtTokenExtractor } from 'botframework-connector/lib/auth/jwtTokenExtractor';
import type { OpenIdMetadata } from 'botframework-connector/lib/auth/openIdMetadata';

const emulatorIssuers = EmulatorValidation.ToBotFromEmulatorTokenValidationParameters;
/** How long the library's list is as shipped; read at load, before any request. */
const SHIPPED_ISSUER_COUNT = Array.isArray(emulatorIssuers.issuer) ? emulatorIssuers.issuer.length : 0;

/**
 * Runs one authentication and then drops the issuers the library's Emulator
 * check appended to its shared list.
 *
 * Safe under concurrent requests: the library appends and then copies the list
 * into that request's own verify options in one synchronous stretch
 * (isTokenFromEmulator, then the start of authenticateEmulatorToken), so by the
 * time any request settles, every appended entry has already been copied by
 * the request that needed it. A single-tenant bot's own tenant is appended
 * again on its next Emulator token, exactly as on the first.
 */
export async function withoutIssuerGrowth<T>(authenticate: () => Promise<T>): Promise<T> {
  try {
    return await authenticate();
  } finally {
    const issuers = emulatorIssuers.issuer;
    if (Array.isArray(issuers) && issuers.length > SHIPPED_ISSUER_COUNT) issuers.length = SHIPPED_ISSUER_COUNT;
  }
}

const guarded = new WeakSet<OpenIdMetadata>();

/**
 * Makes the library's OpenID metadata hand out signing keys as KeyObjects
 * instead of PEM strings, for the channel and Emulator metadata the bot uses
 * (public Azure, the only cloud Baton configures). jsonwebtoken.verify takes a
 * KeyObject as readily as a PEM; the library's only other use of the key is
 * the console.error line, where a KeyObject prints as "[object KeyObject]".
 * Idempotent: the metadata objects are process-wide, shared by every adapter.
 */
export function keepSigningKeysOutOfLogs(): void {
  const urls = [AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl, AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl];
  for (const url of urls) {
    // The constructor returns the extractor around the library's cached metadata object for the URL (creating it if new).
    const metadata = new JwtTokenExtractor({}, url, AuthenticationConstants.AllowedSigningAlgorithms).openIdMetadata;
    if (guarded.has(metadata)) continue;
    guarded.add(metadata);
    const getKey = metadata.getKey.bind(metadata);
    metadata.getKey = async (keyId) => {
      const found = await getKey(keyId);
      if (!found) return found;
      // Typed as a string by the library, but only ever passed to jsonwebtoken.verify or interpolated into a log line.
      return { ...found, key: createPublicKey(found.key) as unknown as string };
    };
  }
}
