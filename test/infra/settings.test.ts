/**
 * The Function App's app settings in infra/azure.bicep against what reads
 * them: src/config.ts (SETTING_NAMES, and loadConfig itself, which says what
 * Azure requires), the Functions runtime, and the settings Baton is about to
 * read. Also host.json's telemetry sampling, which must never drop an error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SETTING_NAMES } from '../../src/config';
import { graphSettingsProblems } from '../../src/graph';
import { PROJECT_ROOT } from '../../src/project';
import { sampleGuid } from './bicep';
import { appSettingsOf, devEnvironment, provisionedBy } from './files';

/**
 * Settings the Azure Functions runtime reads itself, not src/config.ts. (AzureWebJobsStorage__accountName,
 * __credential and __clientId are read by both: the host for its own storage, keys, timer locks and
 * storage triggers, https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity,
 * and src/config.ts for Baton's tables and queues.)
 * - APPLICATIONINSIGHTS_CONNECTION_STRING: where the host and the worker send telemetry,
 *   https://learn.microsoft.com/azure/azure-functions/functions-app-settings#applicationinsights_connection_string
 * - APPLICATIONINSIGHTS_AUTHENTICATION_STRING: that they authenticate it with the identity (Entra),
 *   https://learn.microsoft.com/azure/azure-functions/functions-app-settings#applicationinsights_authentication_string
 */
const READ_BY_THE_FUNCTIONS_RUNTIME: readonly string[] = [
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
];

/** Settings the template gives that src/config.ts does not read yet (none: the weekly summary reads OUTLOOK_ORIGINATOR). */
const EXPECTED_IN_CONFIG_ONCE_WEEKLY_SUMMARY_LANDS: readonly string[] = [];

/** What src/config.ts reads that the template leaves unset on purpose, and why. */
const LEFT_UNSET: Readonly<Record<string, string>> = {
  BOT_PASSWORD: 'the bot is a managed identity (BOT_TYPE=UserAssignedMSI): no secret',
  TABLES_CONNECTION_STRING: 'identity-based storage (AzureWebJobsStorage__*): no connection string with a key',
  AzureWebJobsStorage: 'identity-based storage (AzureWebJobsStorage__*): no connection string with a key',
  BATON_HOST_PORT: 'the local Functions host only',
  AZURITE_TABLE_PORT: 'Azurite, local only',
  AZURITE_QUEUE_PORT: 'Azurite, local only',
  BATON_SUMMARY_DAY: "the product's default (Monday); an operator sets it on the Function App to change it",
  BATON_SUMMARY_HOUR: "the product's default (08:00 in each person's zone)",
  BATON_MAILBOX_PER_MINUTE: "Exchange Online's limit, 30 a minute per mailbox, is the default",
  PLAYGROUND_PORT: 'the Agents Playground, local only',
  BATON_CLOCK_OFFSET_MINUTES: 'local mode only; refused with BOT_ID',
  BATON_CLOCK_START: 'local mode only; refused with BOT_ID',
  BATON_MAILBOX_DIR: 'local mode only: Azure sends mail through Graph',
  BATON_AWAY_FILE: "local mode only: on Azure, automatic replies come from each person's mailbox settings",
  WEBSITE_INSTANCE_ID: 'set by App Service on every instance; never by the template',
  GRAPH_BASE_URL: "Graph's default root; tests point it at a stand-in",
};

/**
 * App settings the Flex Consumption plan refuses or ignores: the runtime and its version are
 * functionAppConfig's, and the package is managed by the platform,
 * https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations
 */
const REFUSED_BY_FLEX_CONSUMPTION: readonly string[] = [
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_WORKER_RUNTIME_VERSION',
  'FUNCTIONS_MAX_HTTP_CONCURRENCY',
  'FUNCTIONS_WORKER_PROCESS_COUNT',
  'FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTOVERVNET',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_SKIP_CONTENTSHARE_VALIDATION',
  'WEBSITE_VNET_ROUTE_ALL',
];

const awaited = [...EXPECTED_IN_CONFIG_ONCE_WEEKLY_SUMMARY_LANDS];

const deployments = {
  'Graph as the managed identity': provisionedBy(devEnvironment()),
  'Graph as an app registration, its secret in Key Vault': provisionedBy(
    devEnvironment({
      GRAPH_APP_CLIENT_ID: sampleGuid('graph-app'),
      GRAPH_APP_TENANT_ID: sampleGuid('graph-tenant'),
      SECRET_GRAPH_APP_CLIENT_SECRET: 'not-a-real-secret',
    }),
  ),
};

/** What src/config.ts says about these settings on an Azure instance (App Service sets WEBSITE_INSTANCE_ID). */
function problemsOnAzure(settings: Record<string, unknown>): string[] {
  const env = { ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)])), WEBSITE_INSTANCE_ID: 'a1b2c3d4e5' };
  try {
    return graphSettingsProblems(loadConfig(env));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('the app settings infra/azure.bicep gives the Function App', () => {
  for (const [name, deployment] of Object.entries(deployments)) {
    describe(name, () => {
      const settings = appSettingsOf(deployment);

      it('are each read by src/config.ts, by the Functions runtime, or about to be read by Baton', () => {
        const unread = Object.keys(settings).filter(
          (s) => !SETTING_NAMES.includes(s) && !READ_BY_THE_FUNCTIONS_RUNTIME.includes(s) && !awaited.includes(s),
        );
        expect(unread).toEqual([]);
      });

      it('include every setting src/config.ts needs on Azure: loadConfig and the Graph checks find nothing missing', () => {
        expect(problemsOnAzure(settings)).toEqual([]);
      });

      it('hold values src/config.ts accepts for each setting it reads', () => {
        const read = Object.fromEntries(
          Object.entries(settings)
            .filter(([k]) => SETTING_NAMES.includes(k))
            .map(([k, v]) => [k, String(v)]),
        );
        expect(() => loadConfig(read)).not.toThrow();
      });

      it('set none the Flex Consumption plan refuses, nor what App Service sets itself', () => {
        expect(Object.keys(settings).filter((s) => REFUSED_BY_FLEX_CONSUMPTION.includes(s) || s === 'WEBSITE_INSTANCE_ID')).toEqual([]);
      });
    });
  }

  it('leave out only the settings of src/config.ts that have a reason to be left out', () => {
    const given = new Set(Object.values(deployments).flatMap((d) => Object.keys(appSettingsOf(d))));
    const missing = SETTING_NAMES.filter((s) => !given.has(s) && !Object.hasOwn(LEFT_UNSET, s));
    // A new setting in src/config.ts: give it a value in infra/azure.bicep, or say in LEFT_UNSET why not.
    expect(missing).toEqual([]);
    expect(
      Object.keys(LEFT_UNSET).filter((s) => !SETTING_NAMES.includes(s)),
      'LEFT_UNSET names settings config.ts no longer reads',
    ).toEqual([]);
  });

  it('name a setting as awaited only while src/config.ts does not read it', () => {
    // Once config.ts reads one of these, move it out of EXPECTED_IN_CONFIG_ONCE_... (it is simply read now).
    expect(awaited.filter((s) => SETTING_NAMES.includes(s))).toEqual([]);
  });

  it('list for the runtime only settings the runtime reads, none that config.ts reads', () => {
    expect(READ_BY_THE_FUNCTIONS_RUNTIME.filter((s) => SETTING_NAMES.includes(s))).toEqual([]);
  });
});

describe('host.json: telemetry sampling never drops an error', () => {
  const hostJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'host.json'), 'utf8')) as {
    logging?: {
      logLevel?: Record<string, string>;
      applicationInsights?: { samplingSettings?: { isEnabled?: boolean; excludedTypes?: string } };
    };
    extensions?: { queues?: unknown };
  };

  it('samples, but never requests, exceptions or traces (Baton logs an error as a trace line)', () => {
    // https://learn.microsoft.com/azure/azure-functions/configure-monitoring#configure-sampling
    const sampling = hostJson.logging?.applicationInsights?.samplingSettings;
    expect(sampling?.isEnabled).toBe(true);
    const excluded = (sampling?.excludedTypes ?? '').split(';').map((t) => t.trim());
    expect(excluded).toEqual(expect.arrayContaining(['Request', 'Exception', 'Trace']));
  });

  it("logs Information and above by default, and keeps the host's aggregated metrics", () => {
    expect(hostJson.logging?.logLevel).toMatchObject({ default: 'Information', 'Host.Aggregator': 'Trace' });
  });

  it('still holds the queue settings the local host and Azure run with', () => {
    expect(hostJson.extensions?.queues).toBeDefined();
  });
});
