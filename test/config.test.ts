/**
 * Settings: the defaults of a bare environment, what overrides what, a
 * ConfigError naming each wrong setting Baton cannot run without, and a
 * wrong optional setting set aside (its default applies, or its feature is
 * off) rather than fatal.
 */
import { describe, expect, it } from 'vitest';
import { AZURITE_KEY, type Config, ConfigError, loadConfig } from '../src/config';

const APP_ID = '6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6b';
const AZURITE_10002 = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;`;
const AZURITE_10002_10001 = `${AZURITE_10002}QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;`;

/** The ConfigError that loadConfig throws for this environment. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

/** The optional settings loadConfig set aside for this environment, as problems. */
const ignored = (env: Record<string, string | undefined>) => loadConfig(env).ignored.map((i) => i.problem);

describe('loadConfig defaults', () => {
  it('runs locally against Azurite when nothing is set', () => {
    const expected: Config = {
      ignored: [],
      localMode: true,
      bot: { appId: '', password: '', type: 'MultiTenant', tenantId: '' },
      tables: { account: AZURITE_10002_10001, prefix: 'baton' },
      queues: { account: AZURITE_10002_10001 },
      ports: { host: 7071, azurite: 10002, azuriteQueue: 10001, playground: 56150 },
      logLevel: 'info',
      clockOffsetMs: 0,
      clockStart: undefined,
      mailboxDir: undefined,
      awayFile: undefined,
      // Review and the sender's answer or fix: urgent 2h, high 4h, normal 8h; close 1 working day; auto-close after 3.
      due: {
        review: { urgent: 120, high: 240, normal: 480 },
        respond: { urgent: 120, high: 240, normal: 480 },
        // Unblocking waits on another party: urgent 4h, high 1 working day, normal 2.
        unblock: { urgent: 240, high: 480, normal: 960 },
        close: 480,
        autoClose: 1440,
      },
      publicBaseUrl: 'http://localhost:7071',
      // Monday 08:00 in each person's zone, 30 a minute per mailbox (Exchange's limit).
      summary: { enabled: true, day: 'monday', hour: 8, queue: 'baton-summaries', perMinute: 30, originator: undefined, mailboxes: [] },
    };
    expect(loadConfig({})).toEqual(expected);
  });

  it('reads the weekly summary settings, and several sending mailboxes', () => {
    const config = loadConfig({
      BATON_SUMMARY_DAY: 'friday',
      BATON_SUMMARY_HOUR: '16',
      BATON_SUMMARY_QUEUE: 'summaries-1',
      BATON_MAILBOX_PER_MINUTE: '10',
      OUTLOOK_ORIGINATOR: '6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6c',
      MAIL_SENDER: 'baton@contoso.com, baton2@contoso.com',
    });
    expect(config.summary).toEqual({
      enabled: true,
      day: 'friday',
      hour: 16,
      queue: 'summaries-1',
      perMinute: 10,
      originator: '6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6c',
      mailboxes: ['baton@contoso.com', 'baton2@contoso.com'],
    });
    expect(config.graph?.mailSender).toBe('baton@contoso.com');
    const wrong = loadConfig({
      BATON_SUMMARY_DAY: 'Mon',
      BATON_SUMMARY_HOUR: '24',
      BATON_SUMMARY_QUEUE: 'Bad_Name',
      OUTLOOK_ORIGINATOR: 'pending',
    });
    expect(wrong.ignored).toEqual([
      {
        setting: 'BATON_SUMMARY_DAY',
        problem:
          'BATON_SUMMARY_DAY must be a weekday in English, lower case (sunday, monday, tuesday, wednesday, thursday, friday, saturday)',
        feature: 'summary',
        without: 'the weekly summary is off',
      },
      expect.objectContaining({ problem: 'BATON_SUMMARY_HOUR must be an hour from 0 to 23', without: 'the weekly summary is off' }),
      expect.objectContaining({
        problem: 'BATON_SUMMARY_QUEUE must be a queue name: 3-63 lower-case letters, digits and single hyphens',
        without: 'the weekly summary is off',
      }),
      {
        setting: 'OUTLOOK_ORIGINATOR',
        problem: 'OUTLOOK_ORIGINATOR must be the originator id (a GUID) from the Actionable Email Developer Dashboard',
        feature: 'originator',
        without: 'the summary email goes without its actionable card (Outlook shows its HTML body)',
      },
    ]);
    // Only the weekly summary is off, its settings back to their defaults; the email would go without its card.
    expect(wrong.summary).toMatchObject({ enabled: false, day: 'monday', hour: 8, queue: 'baton-summaries', originator: undefined });
    expect(loadConfig({ OUTLOOK_ORIGINATOR: '{6f1c2a8e-3b4d-4e5f-9a0b-1c2d3e4f5a6c}' }).summary).toMatchObject({
      enabled: true,
      originator: undefined,
    });
  });

  it('reads the goals of each step as working time, by priority, keeping the default of a priority left out', () => {
    const config = loadConfig({
      BATON_REVIEW_GOALS: 'urgent=1h, normal=2d',
      BATON_RESPONSE_GOALS: 'high=30m',
      BATON_UNBLOCK_GOALS: 'urgent=1d',
      BATON_CLOSE_GOAL: '4h',
      BATON_AUTO_CLOSE_AFTER: '1w',
    });
    expect(config.due).toEqual({
      review: { urgent: 60, high: 240, normal: 960 },
      respond: { urgent: 120, high: 30, normal: 480 },
      unblock: { urgent: 480, high: 480, normal: 960 },
      close: 240,
      autoClose: 2400,
    });
    const wrong = loadConfig({ BATON_REVIEW_GOALS: 'urgent=soon, later=2h', BATON_CLOSE_GOAL: 'a day' });
    // One line per setting, naming each part that is wrong; the setting's defaults apply.
    expect(wrong.ignored.map((i) => i.problem)).toEqual([
      'BATON_REVIEW_GOALS must list priorities with working time, such as "urgent=2h, high=4h, normal=1d" ("urgent=soon" is not one); must list priorities with working time, such as "urgent=2h, high=4h, normal=1d" ("later=2h" is not one)',
      'BATON_CLOSE_GOAL must be working time such as 2h, 1d or 1h 30m, not "a day"',
    ]);
    expect(wrong.due).toEqual(loadConfig({}).due);
  });

  it('writes the log from BATON_LOG_LEVEL, naming the levels when it is not one', () => {
    expect(loadConfig({ BATON_LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(ignored({ BATON_LOG_LEVEL: 'loud' })).toEqual([expect.stringMatching(/^BATON_LOG_LEVEL must be debug, info, warn or error/)]);
    expect(loadConfig({ BATON_LOG_LEVEL: 'loud' }).logLevel).toBe('info');
  });

  it('starts the clock ahead in local mode only', () => {
    expect(loadConfig({ BATON_CLOCK_OFFSET_MINUTES: '90' }).clockOffsetMs).toBe(5_400_000);
    expect(ignored({ BATON_CLOCK_OFFSET_MINUTES: '-5' })).toEqual([expect.stringMatching(/^BATON_CLOCK_OFFSET_MINUTES /)]);
    expect(loadConfig({ BATON_CLOCK_OFFSET_MINUTES: '-5' }).clockOffsetMs).toBe(0);
    const withBot = { BOT_ID: '6f1c2a4e-8a0b-4c39-9d6e-0f6b3c1d2e4f', BOT_PASSWORD: 'x', BATON_CLOCK_OFFSET_MINUTES: '10' };
    expect(ignored(withBot)).toEqual([
      "BATON_CLOCK_OFFSET_MINUTES is for local mode only: a real bot's clock is the real one (remove it, or unset BOT_ID)",
    ]);
    expect(loadConfig(withBot).clockOffsetMs).toBe(0);
  });

  it('starts the clock at a named instant, past or future, in local mode only', () => {
    expect(loadConfig({ BATON_CLOCK_START: '2026-12-01T09:00:00Z' }).clockStart).toBe(Date.parse('2026-12-01T09:00:00Z'));
    expect(loadConfig({ BATON_CLOCK_START: '2031-02-28T23:30:00+05:30' }).clockStart).toBe(Date.parse('2031-02-28T18:00:00Z'));
    expect(ignored({ BATON_CLOCK_START: 'next tuesday' })).toEqual([
      'BATON_CLOCK_START must be an ISO 8601 instant such as 2026-12-01T09:00:00Z',
    ]);
    const withBot = { BOT_ID: '6f1c2a4e-8a0b-4c39-9d6e-0f6b3c1d2e4f', BOT_PASSWORD: 'x', BATON_CLOCK_START: '2026-12-01T09:00:00Z' };
    expect(ignored(withBot)).toEqual([
      "BATON_CLOCK_START is for local mode only: a real bot's clock is the real one (remove it, or unset BOT_ID)",
    ]);
    expect(loadConfig(withBot).clockStart).toBeUndefined();
  });

  it("points Baton's links at BATON_PUBLIC_HOSTNAME over https, or the local host", () => {
    expect(loadConfig({ BATON_PUBLIC_HOSTNAME: 'baton.contoso.com' }).publicBaseUrl).toBe('https://baton.contoso.com');
    expect(loadConfig({ BATON_HOST_PORT: '7081' }).publicBaseUrl).toBe('http://localhost:7081');
    expect(ignored({ BATON_PUBLIC_HOSTNAME: 'https://baton.contoso.com/x' })).toEqual([
      'BATON_PUBLIC_HOSTNAME must be a host name such as baton.contoso.com (no scheme, no path)',
    ]);
    expect(loadConfig({ BATON_PUBLIC_HOSTNAME: 'https://baton.contoso.com/x' }).publicBaseUrl).toBe('http://localhost:7071');
  });

  it('treats empty and blank settings as unset', () => {
    const config = loadConfig({ BOT_ID: '', BOT_PASSWORD: '  ', TABLES_CONNECTION_STRING: '', AzureWebJobsStorage: ' ' });
    expect(config.localMode).toBe(true);
    expect(config.bot.appId).toBe('');
    expect(config.tables.account).toBe(AZURITE_10002_10001);
  });

  it('points the default connection string at AZURITE_TABLE_PORT', () => {
    const config = loadConfig({ AZURITE_TABLE_PORT: '10102' });
    expect(config.ports.azurite).toBe(10102);
    expect(config.tables.account).toBe(AZURITE_10002_10001.replace('127.0.0.1:10002', '127.0.0.1:10102'));
  });

  it('reads ports and the table prefix', () => {
    const config = loadConfig({ BATON_HOST_PORT: '7072', AZURITE_TABLE_PORT: '1', PLAYGROUND_PORT: '65535', BATON_TABLE_PREFIX: 'Baton2' });
    expect(config.ports).toEqual({ host: 7072, azurite: 1, azuriteQueue: 10001, playground: 65535 });
    expect(config.tables.prefix).toBe('Baton2');
  });
});

describe('loadConfig storage', () => {
  it('uses TABLES_CONNECTION_STRING first', () => {
    const config = loadConfig({ TABLES_CONNECTION_STRING: 'UseThis', AzureWebJobsStorage: 'NotThis' });
    expect(config.tables.account).toBe('UseThis');
  });

  it('falls back to AzureWebJobsStorage', () => {
    expect(loadConfig({ AzureWebJobsStorage: 'FunctionsStorage' }).tables.account).toBe('FunctionsStorage');
  });

  it('reaches an account by its managed identity as the Functions host does (AzureWebJobsStorage__accountName, __clientId)', () => {
    const clientId = '3f1c2a9e-8b7d-4c6e-9a5f-1e2d3c4b5a69';
    const env = {
      AzureWebJobsStorage__accountName: 'batonstore',
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__clientId: clientId,
    };
    expect(loadConfig(env).tables.account).toEqual({ accountName: 'batonstore', clientId });
    expect(loadConfig({ AzureWebJobsStorage__accountName: 'batonstore' }).tables.account).toEqual({ accountName: 'batonstore' });
    // A connection string still wins: it names the account and how to sign in.
    expect(loadConfig({ ...env, TABLES_CONNECTION_STRING: 'UseThis' }).tables.account).toBe('UseThis');
    const onAzure = loadConfig({
      ...env,
      WEBSITE_INSTANCE_ID: 'abc123',
      BOT_ID: APP_ID,
      BOT_TYPE: 'UserAssignedMSI',
      BOT_TENANT_ID: 'contoso-tenant',
    });
    expect(onAzure.tables.account).toEqual({ accountName: 'batonstore', clientId });
  });
});

describe('loadConfig bot credentials', () => {
  it('leaves local mode with BOT_ID and BOT_PASSWORD', () => {
    const config = loadConfig({ BOT_ID: APP_ID, BOT_PASSWORD: 'secret' });
    expect(config.localMode).toBe(false);
    expect(config.bot).toEqual({ appId: APP_ID, password: 'secret', type: 'MultiTenant', tenantId: '' });
  });

  it('accepts a single-tenant bot with its tenant', () => {
    const config = loadConfig({ BOT_ID: APP_ID, BOT_PASSWORD: 'secret', BOT_TYPE: 'SingleTenant', BOT_TENANT_ID: 'contoso-tenant' });
    expect(config.localMode).toBe(false);
    expect(config.bot).toEqual({ appId: APP_ID, password: 'secret', type: 'SingleTenant', tenantId: 'contoso-tenant' });
  });

  it('needs no password for a user-assigned managed identity', () => {
    const config = loadConfig({ BOT_ID: APP_ID, BOT_TYPE: 'UserAssignedMSI', BOT_TENANT_ID: 'contoso-tenant' });
    expect(config.localMode).toBe(false);
    expect(config.bot).toEqual({ appId: APP_ID, password: '', type: 'UserAssignedMSI', tenantId: 'contoso-tenant' });
  });

  it('runs on Azure with credentials and storage', () => {
    const config = loadConfig({
      WEBSITE_INSTANCE_ID: 'abc123',
      BOT_ID: APP_ID,
      BOT_PASSWORD: 'secret',
      AzureWebJobsStorage: 'FunctionsStorage',
    });
    expect(config.localMode).toBe(false);
    expect(config.tables.account).toBe('FunctionsStorage');
  });
});

describe('loadConfig GUIDs', () => {
  it('takes any GUID as an app id, whatever its version digit (the Playground and older registrations use such ids)', () => {
    const config = loadConfig({ BOT_ID: '00000000-0000-0000-0000-000000000123', BOT_PASSWORD: 'secret' });
    expect(config.bot.appId).toBe('00000000-0000-0000-0000-000000000123');
  });
});

describe('loadConfig refusals', () => {
  it.each<[string, Record<string, string>, string[]]>([
    ['BOT_ID not a GUID', { BOT_ID: 'my-bot', BOT_PASSWORD: 'secret' }, ["BOT_ID must be the bot's Microsoft App ID (a GUID)"]],
    ['BOT_ID without BOT_PASSWORD', { BOT_ID: APP_ID }, ["BOT_PASSWORD is required when BOT_ID is set (the bot's client secret)"]],
    [
      'BOT_ID with a blank BOT_PASSWORD',
      { BOT_ID: APP_ID, BOT_PASSWORD: '   ' },
      ["BOT_PASSWORD is required when BOT_ID is set (the bot's client secret)"],
    ],
    [
      'SingleTenant without BOT_TENANT_ID',
      { BOT_ID: APP_ID, BOT_PASSWORD: 'secret', BOT_TYPE: 'SingleTenant' },
      ['BOT_TENANT_ID is required when BOT_TYPE is SingleTenant'],
    ],
    [
      'an unknown BOT_TYPE',
      { BOT_TYPE: 'Multi' },
      ['BOT_TYPE Invalid option: expected one of "MultiTenant"|"SingleTenant"|"UserAssignedMSI"'],
    ],
    [
      'WEBSITE_INSTANCE_ID without BOT_ID',
      { WEBSITE_INSTANCE_ID: 'abc123', TABLES_CONNECTION_STRING: 'Storage' },
      ['BOT_ID is required on Azure: without it the bot endpoint would accept unauthenticated requests'],
    ],
    [
      'WEBSITE_INSTANCE_ID without storage',
      { WEBSITE_INSTANCE_ID: 'abc123', BOT_ID: APP_ID, BOT_PASSWORD: 'secret' },
      [
        'TABLES_CONNECTION_STRING is required on Azure (or AzureWebJobsStorage, or AzureWebJobsStorage__accountName with a managed identity)',
      ],
    ],
    [
      'a storage account name with capitals',
      { AzureWebJobsStorage__accountName: 'BatonStore' },
      ['AzureWebJobsStorage__accountName must be a storage account name (3 to 24 lower-case letters and digits)'],
    ],
    [
      'a storage credential other than managedidentity',
      { AzureWebJobsStorage__accountName: 'batonstore', AzureWebJobsStorage__credential: 'secret' },
      [
        'AzureWebJobsStorage__credential must be managedidentity (the only credential Baton and the Functions host use without a connection string)',
      ],
    ],
    [
      'a storage client id that is not a GUID',
      { AzureWebJobsStorage__accountName: 'batonstore', AzureWebJobsStorage__clientId: 'baton-identity' },
      ["AzureWebJobsStorage__clientId must be the user-assigned managed identity's client id (a GUID)"],
    ],
    ['BATON_TABLE_PREFIX 1abc', { BATON_TABLE_PREFIX: '1abc' }, ['BATON_TABLE_PREFIX must be letters and digits, starting with a letter']],
    ['BATON_TABLE_PREFIX a-b', { BATON_TABLE_PREFIX: 'a-b' }, ['BATON_TABLE_PREFIX must be letters and digits, starting with a letter']],
    [
      'a BATON_TABLE_PREFIX over 31 characters',
      { BATON_TABLE_PREFIX: `b${'a'.repeat(31)}` },
      ['BATON_TABLE_PREFIX must be letters and digits, starting with a letter'],
    ],
  ])('refuses %s', (_case, env, problems) => {
    const error = configError(env);
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toEqual(problems);
    expect(error.message).toBe(`Baton's settings are not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  });

  it('lists every field problem at once', () => {
    const error = configError({
      BOT_ID: 'my-bot',
      BOT_TYPE: 'Multi',
      BATON_TABLE_PREFIX: 'a-b',
      GRAPH_USE_MANAGED_IDENTITY: 'maybe',
    });
    expect([...error.problems].sort()).toEqual(
      [
        "BOT_ID must be the bot's Microsoft App ID (a GUID)",
        'BATON_TABLE_PREFIX must be letters and digits, starting with a letter',
        'BOT_TYPE Invalid option: expected one of "MultiTenant"|"SingleTenant"|"UserAssignedMSI"',
        'GRAPH_USE_MANAGED_IDENTITY must be true or false',
        "BOT_PASSWORD is required when BOT_ID is set (the bot's client secret)",
      ].sort(),
    );
    for (const setting of ['BOT_ID', 'BOT_TYPE', 'BATON_TABLE_PREFIX', 'GRAPH_USE_MANAGED_IDENTITY']) {
      expect(error.message).toContain(`  - ${setting} `);
    }
  });

  it('lists the rules between settings together with a field problem', () => {
    const error = configError({ WEBSITE_INSTANCE_ID: 'abc123', BATON_TABLE_PREFIX: '1abc' });
    expect([...error.problems].sort()).toEqual(
      [
        'BATON_TABLE_PREFIX must be letters and digits, starting with a letter',
        'BOT_ID is required on Azure: without it the bot endpoint would accept unauthenticated requests',
        'TABLES_CONNECTION_STRING is required on Azure (or AzureWebJobsStorage, or AzureWebJobsStorage__accountName with a managed identity)',
      ].sort(),
    );
  });

  it('lists every rule between settings at once', () => {
    const error = configError({ BOT_ID: APP_ID, BOT_TYPE: 'SingleTenant', WEBSITE_INSTANCE_ID: 'abc123' });
    expect([...error.problems].sort()).toEqual(
      [
        "BOT_PASSWORD is required when BOT_ID is set (the bot's client secret)",
        'BOT_TENANT_ID is required when BOT_TYPE is SingleTenant',
        'TABLES_CONNECTION_STRING is required on Azure (or AzureWebJobsStorage, or AzureWebJobsStorage__accountName with a managed identity)',
      ].sort(),
    );
  });
});

describe('a wrong optional setting', () => {
  it.each<[string, Record<string, string>, string]>([
    ['BATON_HOST_PORT abc', { BATON_HOST_PORT: 'abc' }, 'BATON_HOST_PORT Invalid input: expected number, received NaN'],
    ['BATON_HOST_PORT 70000', { BATON_HOST_PORT: '70000' }, 'BATON_HOST_PORT Too big: expected number to be <=65535'],
    ['BATON_HOST_PORT 0', { BATON_HOST_PORT: '0' }, 'BATON_HOST_PORT Too small: expected number to be >=1'],
    [
      'a fractional AZURITE_TABLE_PORT',
      { AZURITE_TABLE_PORT: '8080.5' },
      'AZURITE_TABLE_PORT Invalid input: expected int, received number',
    ],
    ['a mailbox rate of none', { BATON_MAILBOX_PER_MINUTE: '0' }, 'BATON_MAILBOX_PER_MINUTE must be a whole number'],
    [
      'a Graph root that is not http(s)',
      { GRAPH_BASE_URL: 'ftp://graph.example' },
      'GRAPH_BASE_URL must be an http(s) URL such as https://graph.microsoft.com',
    ],
  ])('is set aside, its default applied, and named: %s', (_case, env, problem) => {
    const config = loadConfig(env);
    expect(config.ignored.map((i) => i.problem)).toEqual([problem]);
    const defaults = loadConfig({});
    expect(config.ports).toEqual(defaults.ports);
    expect(config.graph?.baseUrl).toBeUndefined();
    expect(config.summary.perMinute).toBe(30);
  });

  it('never hides a wrong setting Baton cannot run without', () => {
    expect(configError({ OUTLOOK_ORIGINATOR: 'pending', BOT_ID: 'my-bot', BOT_PASSWORD: 'x' }).problems).toEqual([
      "BOT_ID must be the bot's Microsoft App ID (a GUID)",
    ]);
  });
});

describe('blank ports', () => {
  it('fall back to their defaults, like blank text settings', () => {
    expect(loadConfig({ BATON_HOST_PORT: '', AZURITE_TABLE_PORT: ' ', PLAYGROUND_PORT: '' }).ports).toEqual({
      host: 7071,
      azurite: 10002,
      azuriteQueue: 10001,
      playground: 56150,
    });
  });
});
