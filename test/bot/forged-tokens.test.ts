/**
 * With BOT_ID set, forged and malformed tokens are refused with 401, never
 * 500, nothing is sent, nothing secret is logged, and refused tokens leave no
 * per-tenant state behind in botframework-connector.
 *
 * No network: the library's OpenID metadata caches (one per metadata URL,
 * shared by the whole process) are seeded with a "trusted" RSA key of the
 * test's own, as if fetched from login.botframework.com and
 * login.microsoftonline.com. Tokens signed with that key stand for genuine
 * Microsoft tokens; every forged token is signed otherwise.
 */
import { createHmac, createSign, generateKeyPairSync, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { format } from 'node:util';
import type { Activity } from 'botbuilder';
import { AppCredentials, AuthenticationConstants, AuthenticationError, EmulatorValidation } from 'botframework-connector';
// Not re-exported by the package index; the module the library itself uses (the package has no exports map).
import { JwtTokenExtractor } from 'botframework-connector/lib/auth/jwtTokenExtractor';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { type Baton, createBaton } from '../../src/baton';
import type { HttpResult } from '../../src/bot/endpoint';
import { createAdapter } from '../../src/bot/endpoint';
import { type Config, loadConfig } from '../../src/config';
import { createLogger, formatRecord } from '../../src/logger';
import { message, people } from '../support/activities';
import { type Connector, startConnector } from '../support/connector';
import { uniquePrefix } from '../support/stack';

const BOT_ID = '6f1c2a4e-8a0b-4c39-9d6e-0f6b3c1d2e4f';
const BOT_PASSWORD = 'forged-tokens-test-secret-Qv7xR2';
const GRAPH_SECRET = 'forged-tokens-graph-secret-Lm4pK9';
const OTHER_APP = '0b7d5e2c-3f4a-4b6c-8d9e-1a2b3c4d5e6f';
/** The botframework.com tenant: the Emulator's tenant, in the library's own issuer list. */
const BOTFRAMEWORK_TENANT = 'd6d49420-f39b-4df7-a1dc-d59a935871db';
/** A single-tenant bot's own tenant. */
const BOT_TENANT = '3c8e2f1a-9b4d-4e6f-a1c2-7d8e9f0a1b2c';
/** Key ids shaped like Microsoft's (27 base64url characters, an x5t). */
const TRUSTED_KID = 'KQ2tAcrE7lBaVVGBmc5FobgdJo4';
const UNKNOWN_KID = 'PoVKeirIOvmTyLQ9G9BenBwos7k';

const settings = {
  BOT_ID,
  BOT_PASSWORD,
  GRAPH_TENANT_ID: '11111111-2222-3333-4444-555555555555',
  GRAPH_CLIENT_ID: '66666666-7777-8888-9999-000000000000',
  GRAPH_CLIENT_SECRET: GRAPH_SECRET,
  MAIL_SENDER: 'baton@contoso.example',
};

const trusted = generateKeyPairSync('rsa', { modulusLength: 2048 });
const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwkOf = (key: KeyObject) => key.export({ format: 'jwk' });
const trustedPem = trusted.publicKey.export({ format: 'pem', type: 'spki' }).toString();

// ---- minting -------------------------------------------------------------

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
type Signer = (signingInput: string) => string;
const rs =
  (bits: 256 | 384 | 512, key: KeyObject): Signer =>
  (input) =>
    createSign(`RSA-SHA${bits}`).update(input).sign(key).toString('base64url');
const hs256 =
  (secret: string): Signer =>
  (input) =>
    createHmac('sha256', secret).update(input).digest('base64url');
const noSignature: Signer = () => '';
/** Bytes shaped like an RS256 signature; verification would fail, as for any forgery. */
const junkSignature: Signer = () => randomBytes(256).toString('base64url');

/** A compact JWS; a string header or payload is used as its raw (already encoded) segment. */
function mint(header: unknown, payload: unknown, sign: Signer): string {
  const h = typeof header === 'string' ? header : b64url(JSON.stringify(header));
  const p = typeof payload === 'string' ? payload : b64url(JSON.stringify(payload));
  return `${h}.${p}.${sign(`${h}.${p}`)}`;
}

const now = () => Math.floor(Date.now() / 1000);
const rs256Header = (kid: string = TRUSTED_KID) => ({ alg: 'RS256', typ: 'JWT', kid });

/** What the Bot Connector service sends Teams bots. */
const channelClaims = (serviceUrl: string, extra: Record<string, unknown> = {}) => ({
  serviceurl: serviceUrl,
  nbf: now() - 60,
  exp: now() + 3600,
  iss: AuthenticationConstants.ToBotFromChannelTokenIssuer,
  aud: BOT_ID,
  ...extra,
});

/** An Entra ID access token as the Bot Framework Emulator (or a skill) sends it. */
function entraClaims(version: '1.0' | '2.0', tenant: string, extra: Record<string, unknown> = {}) {
  return {
    aud: BOT_ID,
    iss: version === '1.0' ? `https://sts.windows.net/${tenant}/` : `https://login.microsoftonline.com/${tenant}/v2.0`,
    iat: now() - 60,
    nbf: now() - 60,
    exp: now() + 3600,
    tid: tenant,
    ver: version,
    ...(version === '1.0' ? { appid: BOT_ID } : { azp: BOT_ID }),
    ...extra,
  };
}

// ---- the library's process-wide state -------------------------------------

interface MetadataInternals {
  url: string;
  lastUpdated: number;
  keys?: unknown[];
}

/** The library's cached OpenID metadata for a URL (a constructed extractor hands back the shared instance). */
function libraryMetadata(url: string): MetadataInternals {
  return new JwtTokenExtractor({}, url, AuthenticationConstants.AllowedSigningAlgorithms).openIdMetadata as unknown as MetadataInternals;
}

const channelMetadata = () => libraryMetadata(AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl);
const emulatorMetadata = () => libraryMetadata(AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl);

function seedTrustedKeys(): void {
  // login.botframework.com endorses its keys for channels; Entra's keys carry no endorsements.
  Object.assign(channelMetadata(), {
    keys: [{ ...jwkOf(trusted.publicKey), kid: TRUSTED_KID, use: 'sig', endorsements: ['msteams'] }],
    lastUpdated: Date.now(),
  });
  Object.assign(emulatorMetadata(), { keys: [{ ...jwkOf(trusted.publicKey), kid: TRUSTED_KID, use: 'sig' }], lastUpdated: Date.now() });
}

/** The issuer list the library's emulator check appends every new `tid` to (shared, module-level). */
const emulatorIssuers = () => EmulatorValidation.ToBotFromEmulatorTokenValidationParameters.issuer as string[];
const metadataCache = () => (JwtTokenExtractor as unknown as { openIdMetadataCache: Map<string, unknown> }).openIdMetadataCache;
const credentialsCache = () => (AppCredentials as unknown as { cache: Map<string, unknown> }).cache;

// ---- the bot under test -----------------------------------------------------

let connector: Connector;
let baton: Baton;
let config: Config;
const logs: string[] = [];
const consoleLines: string[] = [];

beforeAll(async () => {
  connector = await startConnector([people.ada]);
  config = loadConfig({ ...settings, TABLES_CONNECTION_STRING: inject('tablesConnectionString'), BATON_TABLE_PREFIX: uniquePrefix() });
  baton = await createBaton(config, { log: createLogger({ level: 'debug', sink: (record) => logs.push(formatRecord(record)) }) });
  seedTrustedKeys();
});
afterAll(() => connector.close());

beforeEach(() => {
  logs.length = 0;
  consoleLines.length = 0;
  connector.sent.length = 0;
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleLines.push(format(...args));
    });
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  seedTrustedKeys();
});

const activityFor = () => message(connector.url, people.ada, 'new');

/** POST /api/messages, as the function hands it to Baton. */
const handleBotRequest = (rawBody: string, authHeader: string): Promise<HttpResult> => baton.bot.handle(rawBody, authHeader);

/** Every line Baton or the library logged, checked for anything that must never be written down. */
function expectNothingSecretLogged(token: string): void {
  const secrets = [BOT_PASSWORD, GRAPH_SECRET, jwkOf(trusted.publicKey).n ?? '', jwkOf(foreign.publicKey).n ?? ''];
  // The token itself, and its signature (the part that would let someone replay it), when long enough to be telling.
  const [, , signature = ''] = token.split('.');
  if (token.length >= 16) secrets.push(token);
  if (signature.length >= 16) secrets.push(signature);
  const leaks = [...logs, ...consoleLines].filter(
    (line) => /-----BEGIN|PUBLIC KEY|PRIVATE KEY/.test(line) || secrets.some((secret) => secret !== '' && line.includes(secret)),
  );
  expect(leaks.map((line) => line.slice(0, 200))).toEqual([]);
}

async function expectRefused(authHeader: string): Promise<void> {
  const result = await handleBotRequest(JSON.stringify(activityFor()), authHeader);
  expect(result.status).toBe(401);
  expect(connector.sent).toEqual([]);
  expectNothingSecretLogged(authHeader.replace(/^\S+\s+/, ''));
}

// ---- forged and malformed tokens ------------------------------------------

type Case = [name: string, header: (serviceUrl: string) => string];
const bearer = (token: string) => `Bearer ${token}`;

const forged: Case[] = [
  // Signed with the bot's own secret: Bot Framework tokens are never HMAC-signed.
  ['HS256 signed with BOT_PASSWORD, no kid', (s) => bearer(mint({ alg: 'HS256', typ: 'JWT' }, channelClaims(s), hs256(BOT_PASSWORD)))],
  [
    'HS256 signed with BOT_PASSWORD, trusted kid',
    (s) => bearer(mint({ alg: 'HS256', typ: 'JWT', kid: TRUSTED_KID }, channelClaims(s), hs256(BOT_PASSWORD))),
  ],
  // Key confusion: HMAC keyed with the (public) RSA key the library would verify with.
  [
    'HS256 keyed with the trusted public key PEM',
    (s) => bearer(mint({ alg: 'HS256', typ: 'JWT', kid: TRUSTED_KID }, channelClaims(s), hs256(trustedPem))),
  ],
  ['RS256 from a foreign key, trusted kid', (s) => bearer(mint(rs256Header(), channelClaims(s), rs(256, foreign.privateKey)))],
  [
    'RS256 from a foreign key, unknown Microsoft-looking kid',
    (s) => bearer(mint(rs256Header(UNKNOWN_KID), channelClaims(s), rs(256, foreign.privateKey))),
  ],
  [
    'RS512 from a foreign key, trusted kid',
    (s) => bearer(mint({ alg: 'RS512', typ: 'JWT', kid: TRUSTED_KID }, channelClaims(s), rs(512, foreign.privateKey))),
  ],
  ['RS256 without a kid', (s) => bearer(mint({ alg: 'RS256', typ: 'JWT' }, channelClaims(s), rs(256, foreign.privateKey)))],
  ['RS256 with an empty kid', (s) => bearer(mint(rs256Header(''), channelClaims(s), rs(256, foreign.privateKey)))],
  ['RS256 with a numeric kid', (s) => bearer(mint({ alg: 'RS256', kid: 42 }, channelClaims(s), rs(256, foreign.privateKey)))],
  ['RS256 with a 10 KB kid', (s) => bearer(mint(rs256Header('k'.repeat(10_000)), channelClaims(s), rs(256, foreign.privateKey)))],
  [
    'alg none, trusted kid, no signature',
    (s) => bearer(mint({ alg: 'none', typ: 'JWT', kid: TRUSTED_KID }, channelClaims(s), noSignature)),
  ],
  ['alg none, no kid, no signature', (s) => bearer(mint({ alg: 'none' }, channelClaims(s), noSignature))],
  ['alg None (mixed case), trusted kid', (s) => bearer(mint({ alg: 'None', kid: TRUSTED_KID }, channelClaims(s), junkSignature))],
  [
    'emulator v1 from the botframework.com tenant, foreign key',
    () => bearer(mint(rs256Header(), entraClaims('1.0', BOTFRAMEWORK_TENANT), rs(256, foreign.privateKey))),
  ],
  [
    'emulator v2 from the botframework.com tenant, foreign key',
    () => bearer(mint(rs256Header(), entraClaims('2.0', BOTFRAMEWORK_TENANT), rs(256, foreign.privateKey))),
  ],
  [
    'emulator v1 from an unknown tenant, foreign key',
    () => bearer(mint(rs256Header(), entraClaims('1.0', randomUUID()), rs(256, foreign.privateKey))),
  ],
  [
    'emulator v2 from an unknown tenant, foreign key',
    () => bearer(mint(rs256Header(), entraClaims('2.0', randomUUID()), rs(256, foreign.privateKey))),
  ],
  [
    'emulator v1 whose tid differs from its issuer',
    () => bearer(mint(rs256Header(), entraClaims('1.0', BOTFRAMEWORK_TENANT, { tid: randomUUID() }), rs(256, foreign.privateKey))),
  ],
  [
    'emulator with an unknown version',
    () => bearer(mint(rs256Header(), entraClaims('1.0', BOTFRAMEWORK_TENANT, { ver: '3.0' }), rs(256, foreign.privateKey))),
  ],
  [
    'skill v1 (appid another bot), foreign key',
    () => bearer(mint(rs256Header(), entraClaims('1.0', BOTFRAMEWORK_TENANT, { appid: OTHER_APP }), rs(256, foreign.privateKey))),
  ],
  [
    'skill v2 (azp another bot), foreign key',
    () => bearer(mint(rs256Header(), entraClaims('2.0', BOTFRAMEWORK_TENANT, { azp: OTHER_APP }), rs(256, foreign.privateKey))),
  ],
  [
    'skill from an unknown tenant, foreign key',
    () => bearer(mint(rs256Header(), entraClaims('2.0', randomUUID(), { azp: OTHER_APP }), rs(256, foreign.privateKey))),
  ],
  [
    'tid that is not a GUID on a channel token',
    (s) => bearer(mint(rs256Header(), channelClaims(s, { tid: 'not-a-guid' }), rs(256, foreign.privateKey))),
  ],
  [
    'tid that is not a GUID on an emulator token',
    () => bearer(mint(rs256Header(), { ...entraClaims('1.0', 'contoso'), tid: 'contoso' }, rs(256, foreign.privateKey))),
  ],
  ['tid that is a number', (s) => bearer(mint(rs256Header(), channelClaims(s, { tid: 12345 }), rs(256, foreign.privateKey)))],
  [
    'issuer that is an array',
    (s) =>
      bearer(
        mint(rs256Header(), channelClaims(s, { iss: [AuthenticationConstants.ToBotFromChannelTokenIssuer] }), rs(256, foreign.privateKey)),
      ),
  ],
  ['no issuer', (s) => bearer(mint(rs256Header(), channelClaims(s, { iss: undefined }), rs(256, foreign.privateKey)))],
  [
    'issuer of another service',
    (s) => bearer(mint(rs256Header(), channelClaims(s, { iss: 'https://evil.example' }), rs(256, foreign.privateKey))),
  ],
  ['expired, foreign key', (s) => bearer(mint(rs256Header(), channelClaims(s, { exp: now() - 3600 }), rs(256, foreign.privateKey)))],
  ['not yet valid, foreign key', (s) => bearer(mint(rs256Header(), channelClaims(s, { nbf: now() + 3600 }), rs(256, foreign.privateKey)))],
  [
    'oversized: a 20 KB claim, foreign key',
    (s) => bearer(mint(rs256Header(), channelClaims(s, { pad: 'x'.repeat(20_000) }), rs(256, foreign.privateKey))),
  ],
];

// Signed with the trusted key, so only the claims are wrong: the library itself must refuse these.
const badClaims: Case[] = [
  [
    'expired an hour ago',
    (s) => bearer(mint(rs256Header(), channelClaims(s, { exp: now() - 3600, nbf: now() - 7200 }), rs(256, trusted.privateKey))),
  ],
  ['not valid for another hour', (s) => bearer(mint(rs256Header(), channelClaims(s, { nbf: now() + 3600 }), rs(256, trusted.privateKey)))],
  ['for another bot (aud)', (s) => bearer(mint(rs256Header(), channelClaims(s, { aud: OTHER_APP }), rs(256, trusted.privateKey)))],
  [
    'for another connector (serviceurl)',
    () => bearer(mint(rs256Header(), channelClaims('https://evil.example/'), rs(256, trusted.privateKey))),
  ],
  [
    'a skill call from another bot (skills are not enabled)',
    () => bearer(mint(rs256Header(), entraClaims('2.0', BOTFRAMEWORK_TENANT, { azp: OTHER_APP }), rs(256, trusted.privateKey))),
  ],
  [
    'an emulator token for another bot',
    () =>
      bearer(
        mint(rs256Header(), entraClaims('1.0', BOTFRAMEWORK_TENANT, { appid: OTHER_APP, aud: OTHER_APP }), rs(256, trusted.privateKey)),
      ),
  ],
];

const garbage: Case[] = [
  ['empty', () => ''],
  ['only the scheme', () => 'Bearer'],
  ['scheme and a space', () => 'Bearer '],
  ['Basic credentials', () => `Basic ${b64url(`${BOT_ID}:${BOT_PASSWORD}`)}`],
  ['lower-case scheme', (s) => `bearer ${mint(rs256Header(), channelClaims(s), junkSignature)}`],
  ['two spaces after the scheme', (s) => `Bearer  ${mint(rs256Header(), channelClaims(s), junkSignature)}`],
  ['no scheme', (s) => mint(rs256Header(), channelClaims(s), junkSignature)],
  ['a trailing word', (s) => `${bearer(mint(rs256Header(), channelClaims(s), junkSignature))} extra`],
  ['two parts', () => 'Bearer eyJhbGciOiJSUzI1NiJ9.e30'],
  ['four parts', () => 'Bearer a.b.c.d'],
  ['not base64url', () => 'Bearer a+b.c/d.e=f'],
  ['header not JSON', () => bearer(`${b64url('{not json')}.${b64url('{}')}.${b64url('sig')}`)],
  ['header JSON null', () => bearer(mint(null, {}, junkSignature))],
  ['header JSON array', () => bearer(mint(['RS256'], {}, junkSignature))],
  ['header JSON string', () => bearer(mint('"RS256"', {}, junkSignature))],
  // jws parses the payload whenever typ is JWT, and throws on bad JSON instead of returning null.
  ['typ JWT with a payload that is not JSON', () => bearer(mint(rs256Header(), b64url('not json'), junkSignature))],
  ['payload JSON array', () => bearer(mint(rs256Header(), [1, 2, 3], junkSignature))],
  ['100 KB of one segment', () => bearer('A'.repeat(100_000))],
  ['100 KB header', (s) => bearer(mint({ ...rs256Header(), pad: 'x'.repeat(100_000) }, channelClaims(s), junkSignature))],
  ['control characters', () => 'Bearer \u0000.\u0001.\u0002'],
];

describe('forged tokens', () => {
  it.each(forged)('%s: 401, nothing sent, nothing secret logged', async (_name, header) => {
    await expectRefused(header(connector.url));
  });
});

describe('tokens signed with the trusted key but with wrong claims', () => {
  it.each(badClaims)('%s: 401', async (_name, header) => {
    await expectRefused(header(connector.url));
  });
});

describe('malformed Authorization headers', () => {
  it.each(garbage)('%s: 401', async (_name, header) => {
    await expectRefused(header(connector.url));
  });
});

// ---- the library failing while it authenticates ----------------------------

describe('when the OpenID metadata cannot be loaded', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/not-json') return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>oops</html>');
      res.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Makes the library fetch its channel metadata from `url` on the next request. */
  function metadataFrom(url: string): void {
    Object.assign(channelMetadata(), { url, keys: undefined, lastUpdated: 0 });
  }
  afterEach(() => {
    Object.assign(channelMetadata(), { url: AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl });
  });

  const token = () => bearer(mint(rs256Header(), channelClaims(connector.url), rs(256, foreign.privateKey)));

  it('answers 401 when the metadata is not JSON', async () => {
    metadataFrom(`${base}/not-json`);
    await expectRefused(token());
  });

  it('answers 401 when the metadata endpoint fails', async () => {
    metadataFrom(`${base}/unavailable`);
    await expectRefused(token());
  });

  it('answers 401 when the metadata host refuses connections', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    metadataFrom(`http://127.0.0.1:${port}/`);
    await expectRefused(token());
  });
});

// ---- genuine tokens still work; the bot's own errors are not 401 -----------

describe('genuine tokens', () => {
  const activity = () => ({ ...activityFor(), channelId: 'msteams' }) as unknown as Activity;
  const channelToken = () => bearer(mint(rs256Header(), channelClaims(connector.url), rs(256, trusted.privateKey)));
  const rethrow = async (_context: unknown, error: Error) => {
    throw error;
  };

  it('a Bot Framework channel token reaches the bot', async () => {
    const logic = vi.fn(async () => undefined);
    await createAdapter(config, rethrow).run(channelToken(), activity(), logic);
    expect(logic).toHaveBeenCalledTimes(1);
  });

  it('an Emulator token (v1 and v2) from the botframework.com tenant reaches the bot', async () => {
    const logic = vi.fn(async () => undefined);
    const adapter = createAdapter(config, rethrow);
    await adapter.run(bearer(mint(rs256Header(), entraClaims('1.0', BOTFRAMEWORK_TENANT), rs(256, trusted.privateKey))), activity(), logic);
    await adapter.run(bearer(mint(rs256Header(), entraClaims('2.0', BOTFRAMEWORK_TENANT), rs(256, trusted.privateKey))), activity(), logic);
    expect(logic).toHaveBeenCalledTimes(2);
  });

  it("a single-tenant bot accepts Emulator tokens from its own tenant, repeatedly, and no other tenant's", async () => {
    const single = loadConfig({ ...settings, BOT_TYPE: 'SingleTenant', BOT_TENANT_ID: BOT_TENANT });
    const adapter = createAdapter(single, rethrow);
    const logic = vi.fn(async () => undefined);
    for (const version of ['1.0', '2.0', '1.0'] as const) {
      await adapter.run(bearer(mint(rs256Header(), entraClaims(version, BOT_TENANT), rs(256, trusted.privateKey))), activity(), logic);
    }
    expect(logic).toHaveBeenCalledTimes(3);
    const elsewhere = bearer(mint(rs256Header(), entraClaims('2.0', randomUUID()), rs(256, trusted.privateKey)));
    await expect(adapter.run(elsewhere, activity(), logic)).rejects.toBeInstanceOf(AuthenticationError);
    expect(logic).toHaveBeenCalledTimes(3);
  });

  it("an error in the bot's own logic propagates unchanged (it is not a 401)", async () => {
    const boom = new TypeError('the bot broke');
    const adapter = createAdapter(config, rethrow);
    const failure = adapter.run(channelToken(), activity(), async () => {
      throw boom;
    });
    await expect(failure).rejects.toBe(boom);
  });

  it('a forged token never reaches the logic', async () => {
    const logic = vi.fn(async () => undefined);
    const forgedToken = bearer(mint(rs256Header(), channelClaims(connector.url), rs(256, foreign.privateKey)));
    await expect(createAdapter(config, rethrow).run(forgedToken, activity(), logic)).rejects.toBeInstanceOf(AuthenticationError);
    expect(logic).not.toHaveBeenCalled();
  });
});

// ---- memory ------------------------------------------------------------------

describe('memory', () => {
  const body = () => JSON.stringify(activityFor());
  const randomString = () => randomBytes(9).toString('base64url');

  function sizes() {
    return { emulatorIssuers: emulatorIssuers().length, metadata: metadataCache().size, credentials: credentialsCache().size };
  }

  async function post(count: number, header: (i: number) => string): Promise<number[]> {
    const raw = body();
    const statuses = new Set<number>();
    for (let i = 0; i < count; i++) {
      // A handler that throws is a 500 from the Functions host.
      statuses.add(
        await handleBotRequest(raw, header(i)).then(
          (result) => result.status,
          () => 500,
        ),
      );
    }
    return [...statuses];
  }

  it('10,000 tokens whose tid is not a GUID are refused before the library and leave nothing behind', async () => {
    const before = sizes();
    const emulatorCheck = vi.spyOn(EmulatorValidation, 'isTokenFromEmulator');
    const statuses = await post(10_000, () => {
      const tid = randomString();
      return bearer(mint(rs256Header(), { ...entraClaims('1.0', tid), iss: `https://sts.windows.net/${tid}/` }, junkSignature));
    });
    expect(sizes()).toEqual(before);
    expect(statuses).toEqual([401]);
    expect(emulatorCheck).not.toHaveBeenCalled();
  });

  it('5,000 tokens, each from a new GUID tenant with its own issuer, are refused before the library and leave nothing behind', async () => {
    const before = sizes();
    const emulatorCheck = vi.spyOn(EmulatorValidation, 'isTokenFromEmulator');
    const statuses = await post(5_000, (i) => bearer(mint(rs256Header(), entraClaims(i % 2 ? '1.0' : '2.0', randomUUID()), junkSignature)));
    expect(sizes()).toEqual(before);
    expect(statuses).toEqual([401]);
    expect(emulatorCheck).not.toHaveBeenCalled();
  });

  // These pass the precheck (a Bot Framework token may carry a tenant id) and reach the library, which appends each tid.
  it('1,000 Bot Framework tokens, each with a new GUID tid, leave nothing behind', async () => {
    const before = sizes();
    const statuses = await post(1_000, () =>
      bearer(mint(rs256Header(), channelClaims(connector.url, { tid: randomUUID() }), junkSignature)),
    );
    expect(sizes()).toEqual(before);
    expect(statuses).toEqual([401]);
  });
});
