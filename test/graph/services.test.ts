/**
 * Choosing Graph or local mode from the settings, the Graph settings that
 * must come together, and a whole Graph-mode round trip to the stand-in.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { createGraphServices } from '../../src/graph';
import { GraphDirectory } from '../../src/graph/directory';
import { LocalDirectory } from '../../src/local/directory';
import { PROJECT_ROOT } from '../../src/project';
import { GraphMailer } from '../../src/graph/mail';
import { LocalMailbox } from '../../src/local/mailbox';
import { type GraphStandIn, startGraphStandIn, TOKEN } from './stand-in';

const APP_ID = '6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b';
const TENANT = 'f3b0c1d2-0000-4000-8000-00000000c0de';

function problems(env: Record<string, string>): string[] {
  try {
    createGraphServices(loadConfig(env));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`createGraphServices accepted ${JSON.stringify(env)}`);
}

describe('Graph settings in loadConfig', () => {
  it('leaves `graph` out when no Graph setting is set, blank ones included', () => {
    expect(loadConfig({}).graph).toBeUndefined();
    expect(loadConfig({ GRAPH_CLIENT_ID: ' ', GRAPH_USE_MANAGED_IDENTITY: '', MAIL_SENDER: '' }).graph).toBeUndefined();
  });

  it('reads every Graph setting', () => {
    expect(
      loadConfig({
        GRAPH_TENANT_ID: TENANT,
        GRAPH_CLIENT_ID: APP_ID,
        GRAPH_CLIENT_SECRET: 's3cret',
        MAIL_SENDER: 'baton@contoso.com',
        GRAPH_BASE_URL: 'http://127.0.0.1:1234',
        GRAPH_USE_MANAGED_IDENTITY: 'false',
      }).graph,
    ).toEqual({
      tenantId: TENANT,
      clientId: APP_ID,
      clientSecret: 's3cret',
      useManagedIdentity: false,
      mailSender: 'baton@contoso.com',
      baseUrl: 'http://127.0.0.1:1234',
    });
    expect(loadConfig({ GRAPH_USE_MANAGED_IDENTITY: 'true' }).graph?.useManagedIdentity).toBe(true);
  });

  it('names a malformed Graph setting; a wrong Graph root is set aside for the real one', () => {
    try {
      loadConfig({ GRAPH_USE_MANAGED_IDENTITY: 'maybe', GRAPH_BASE_URL: 'ftp://graph.example' });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect([...(error as ConfigError).problems].sort()).toEqual(['GRAPH_USE_MANAGED_IDENTITY must be true or false']);
    }
    const config = loadConfig({ GRAPH_CLIENT_ID: APP_ID, GRAPH_BASE_URL: 'ftp://graph.example' });
    expect(config.graph?.baseUrl).toBeUndefined();
    expect(config.ignored.map((i) => i.problem)).toEqual(['GRAPH_BASE_URL must be an http(s) URL such as https://graph.microsoft.com']);
  });
});

describe('createGraphServices', () => {
  it('runs locally without Graph credentials: the Playground directory and the outbox in .data/mailbox', () => {
    const services = createGraphServices(loadConfig({}));
    expect(services.mode).toBe('local');
    // The local directory answers for the Playground's tenant only.
    expect(services.tenantId).toBe('00000000-0000-0000-0000-0000000b0a70');
    expect(services.directory).toBeInstanceOf(LocalDirectory);
    expect(services.mailer).toBeInstanceOf(LocalMailbox);
    expect(services.mailboxDir).toBe(join(PROJECT_ROOT, '.data', 'mailbox'));
    expect(services.description).toBe(
      `local: the Agents Playground's 6 people (working hours in dev/working-hours.json, who is away in dev/away.json), mail written to ${join(PROJECT_ROOT, '.data', 'mailbox')}`,
    );
  });

  it('names every missing or clashing Graph setting', () => {
    expect(problems({ GRAPH_CLIENT_ID: APP_ID })).toEqual([
      'GRAPH_TENANT_ID is required in Graph mode (the Entra tenant whose directory and mailboxes Baton reads)',
      'GRAPH_CLIENT_SECRET is required with GRAPH_CLIENT_ID (or set GRAPH_USE_MANAGED_IDENTITY=true)',
      "MAIL_SENDER is required in Graph mode (the UPN of the mailbox that sends Baton's email)",
    ]);
    // The directory covers one tenant, so Baton must know it even with a managed identity.
    expect(problems({ GRAPH_USE_MANAGED_IDENTITY: 'true', MAIL_SENDER: 'baton@contoso.com' })).toEqual([
      'GRAPH_TENANT_ID is required in Graph mode (the Entra tenant whose directory and mailboxes Baton reads)',
    ]);
    expect(
      problems({ GRAPH_TENANT_ID: TENANT, GRAPH_USE_MANAGED_IDENTITY: 'true', GRAPH_CLIENT_SECRET: 'x', MAIL_SENDER: 'baton@contoso.com' }),
    ).toEqual([
      'GRAPH_CLIENT_SECRET must not be set with GRAPH_USE_MANAGED_IDENTITY=true (the managed identity has no secret; remove one of them)',
    ]);
    // A real bot without Graph: every setting Graph mode will need, at once, not one per start.
    expect(problems({ BOT_ID: APP_ID, BOT_PASSWORD: 'x' })).toEqual([
      'GRAPH_CLIENT_ID (or GRAPH_USE_MANAGED_IDENTITY=true) is required when BOT_ID is set: real Teams users are not in the local directory',
      'GRAPH_TENANT_ID is required in Graph mode (the Entra tenant whose directory and mailboxes Baton reads)',
      'GRAPH_CLIENT_SECRET is required with GRAPH_CLIENT_ID (or set GRAPH_USE_MANAGED_IDENTITY=true)',
      "MAIL_SENDER is required in Graph mode (the UPN of the mailbox that sends Baton's email)",
    ]);
    expect(problems({ BOT_ID: APP_ID, BOT_PASSWORD: 'x', GRAPH_TENANT_ID: TENANT, MAIL_SENDER: 'baton@contoso.com' })).toEqual([
      'GRAPH_CLIENT_ID (or GRAPH_USE_MANAGED_IDENTITY=true) is required when BOT_ID is set: real Teams users are not in the local directory',
      'GRAPH_CLIENT_SECRET is required with GRAPH_CLIENT_ID (or set GRAPH_USE_MANAGED_IDENTITY=true)',
    ]);
  });

  it('chooses Graph with a client secret or a managed identity, without asking for a token yet', () => {
    const secret = createGraphServices(
      loadConfig({ GRAPH_TENANT_ID: TENANT, GRAPH_CLIENT_ID: APP_ID, GRAPH_CLIENT_SECRET: 's', MAIL_SENDER: 'baton@contoso.com' }),
    );
    expect(secret.mode).toBe('graph');
    expect(secret.directory).toBeInstanceOf(GraphDirectory);
    expect(secret.mailer).toBeInstanceOf(GraphMailer);
    expect(secret.mailboxDir).toBeUndefined();
    expect(secret.description).toBe(
      `Microsoft Graph at https://graph.microsoft.com as app ${APP_ID} in tenant ${TENANT}, mail from baton@contoso.com`,
    );
    expect(secret.tenantId).toBe(TENANT);
    const managed = createGraphServices(
      loadConfig({ GRAPH_TENANT_ID: TENANT, GRAPH_USE_MANAGED_IDENTITY: 'true', MAIL_SENDER: 'baton@contoso.com' }),
    );
    expect(managed.description).toBe('Microsoft Graph at https://graph.microsoft.com as managed identity, mail from baton@contoso.com');
    expect(managed.tenantId).toBe(TENANT);
  });

  describe('in Graph mode against the stand-in', () => {
    let standIn: GraphStandIn;
    beforeAll(async () => {
      standIn = await startGraphStandIn([
        {
          id: '50000000-0000-0000-0000-000000000001',
          displayName: 'Grace Hopper',
          mail: 'grace@contoso.com',
          userPrincipalName: 'grace@contoso.com',
          accountEnabled: true,
        },
        {
          id: '50000000-0000-0000-0000-000000000002',
          displayName: 'Baton',
          mail: 'baton@contoso.com',
          userPrincipalName: 'baton@contoso.com',
          accountEnabled: true,
        },
      ]);
    });
    afterAll(async () => {
      await standIn.close();
    });

    it('resolves people and sends mail through GRAPH_BASE_URL', async () => {
      const config = loadConfig({
        GRAPH_TENANT_ID: TENANT,
        GRAPH_CLIENT_ID: APP_ID,
        GRAPH_CLIENT_SECRET: 's',
        MAIL_SENDER: 'baton@contoso.com',
        GRAPH_BASE_URL: standIn.url,
      });
      const services = createGraphServices(config, { authProvider: { getAccessToken: async () => TOKEN }, log: () => undefined });
      const [grace] = await services.directory.resolvePeople(['Grace Hopper']);
      expect(grace).toMatchObject({ ok: true, person: { aadObjectId: '50000000-0000-0000-0000-000000000001' } });
      await services.mailer.sendMail({ to: ['grace@contoso.com'], subject: 'Hello', html: '<p>Hi</p>' });
      expect(standIn.sent).toHaveLength(1);
      expect(standIn.sent[0]!.sender).toBe('baton@contoso.com');
    });
  });

  it('writes to the outbox folder it is given in local mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-services-'));
    try {
      const services = createGraphServices(loadConfig({ MAIL_SENDER: 'dev@contoso.example' }), { mailboxDir: dir });
      expect(services.mode).toBe('local');
      // The local directory answers for the Playground's tenant only.
      expect(services.tenantId).toBe('00000000-0000-0000-0000-0000000b0a70');
      await services.mailer.sendMail({ to: ['grace@contoso.example'], subject: 'Local', html: '<p>x</p>' });
      expect(readdirSync(dir)).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
