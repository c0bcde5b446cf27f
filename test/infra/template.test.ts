/**
 * infra/azure.bicep, read with test/infra/bicep.ts and pictured deployed:
 * the resources the issue asks for, every parameter given a value, no key
 * anywhere, a role assignment behind each identity-based connection, the bot
 * as the managed identity, and the one possible secret in Key Vault.
 */
import { describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../../src/store/keys';
import { decoratorArgument, Evaluator, type Expr, isResourceRef, property, sampleGuid } from './bicep';
import {
  appSettingsOf,
  devEnvironment,
  PARAMETERS_PATH,
  parametersFile,
  parametersFrom,
  placeholdersIn,
  PROJECTS,
  provisionedBy,
  read,
  resourcesOfType,
  template,
  TOOLKIT_FILLS,
} from './files';

/** Built-in role definition ids, https://learn.microsoft.com/azure/role-based-access-control/built-in-roles */
const ROLE = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
} as const;

const defaultDeployment = () => provisionedBy(devEnvironment());
/** The deployment that uses a Graph app registration, its secret in env/.env.dev.user. */
const secretDeployment = () =>
  provisionedBy(
    devEnvironment({
      GRAPH_APP_CLIENT_ID: sampleGuid('graph-app'),
      GRAPH_APP_TENANT_ID: sampleGuid('graph-tenant'),
      SECRET_GRAPH_APP_CLIENT_SECRET: 'not-a-real-secret',
    }),
  );

const only = (type: string): string => {
  const symbols = resourcesOfType(type);
  if (symbols.length !== 1) throw new Error(`expected one ${type}, found ${symbols.length}`);
  return symbols[0]!;
};

const evaluated = (d: Evaluator, symbol: string, path: string): unknown => d.evaluate(property(d.resource(symbol).body, path));

/** `symbol.a.b` as an expression, to ask a deployment what a resource has at a path. */
function memberPath(symbol: string, path: string): Expr {
  return path.split('.').reduce<Expr>((object, name) => ({ kind: 'member', object, name }), { kind: 'ident', name: symbol });
}

/** Every expression node in the template: parameter defaults, vars, resources (conditions too) and outputs. */
function allExpressions(): Expr[] {
  const nodes: Expr[] = [];
  const walk = (e: Expr | undefined): void => {
    if (!e) return;
    nodes.push(e);
    switch (e.kind) {
      case 'call':
        e.args.forEach(walk);
        break;
      case 'string':
        for (const part of e.parts) if (typeof part !== 'string') walk(part);
        break;
      case 'member':
        walk(e.object);
        break;
      case 'index':
        walk(e.object);
        walk(e.index);
        break;
      case 'unary':
        walk(e.operand);
        break;
      case 'binary':
        walk(e.left);
        walk(e.right);
        break;
      case 'ternary':
        walk(e.test);
        walk(e.whenTrue);
        walk(e.whenFalse);
        break;
      case 'object':
        for (const entry of e.entries) {
          walk(entry.key);
          walk(entry.value);
        }
        break;
      case 'array':
        e.items.forEach(walk);
        break;
      default:
        break;
    }
  };
  for (const p of template.params.values()) {
    walk(p.defaultValue);
    for (const decorator of p.decorators) decorator.args.forEach(walk);
  }
  template.vars.forEach(walk);
  for (const r of template.resources.values()) {
    walk(r.condition);
    walk(r.body);
  }
  for (const o of template.outputs.values()) walk(o.value);
  return nodes;
}

const calls = (): Array<Extract<Expr, { kind: 'call' }>> =>
  allExpressions().filter((e): e is Extract<Expr, { kind: 'call' }> => e.kind === 'call');

/** Whether the template tests the parameter for an unfilled Toolkit placeholder: startsWith(<param>, placeholderStart). */
const guarded = (param: string): boolean =>
  calls().some(
    (c) =>
      c.callee === 'startsWith' &&
      c.args[0]?.kind === 'ident' &&
      c.args[0].name === param &&
      c.args[1]?.kind === 'ident' &&
      c.args[1].name === 'placeholderStart',
  );

describe('infra/azure.bicep: what it deploys', () => {
  const d = defaultDeployment();

  it('deploys to a resource group, with no resource left out by a condition but the Key Vault ones', () => {
    expect(template.targetScope).toBe('resourceGroup');
    const conditional = [...template.resources.values()].filter((r) => r.condition).map((r) => r.type);
    expect(new Set(conditional)).toEqual(
      new Set(['Microsoft.KeyVault/vaults', 'Microsoft.KeyVault/vaults/secrets', 'Microsoft.Authorization/roleAssignments']),
    );
  });

  it('runs Baton on a Flex Consumption plan: Linux, Node.js 20', () => {
    const plan = only('Microsoft.Web/serverfarms');
    expect(evaluated(d, plan, 'sku')).toEqual({ tier: 'FlexConsumption', name: 'FC1' });
    expect(evaluated(d, plan, 'properties.reserved')).toBe(true);
    const site = only('Microsoft.Web/sites');
    expect(evaluated(d, site, 'kind')).toBe('functionapp,linux');
    expect(evaluated(d, site, 'properties.serverFarmId')).toBe(d.resourceId(plan));
    expect(evaluated(d, site, 'properties.httpsOnly')).toBe(true);
    expect(evaluated(d, site, 'properties.functionAppConfig.runtime')).toEqual({ name: 'node', version: '20' });
    // package.json says ">=20"; the plan runs exactly the major the template names.
    expect(evaluated(d, site, 'properties.functionAppConfig.scaleAndConcurrency')).toEqual({
      maximumInstanceCount: 100,
      instanceMemoryMB: 2048,
      alwaysReady: [{ name: 'http', instanceCount: 1 }],
    });
  });

  it("keeps one instance of the HTTP functions always ready by default, none when asked (Teams' card actions then may meet a cold start)", () => {
    const site = only('Microsoft.Web/sites');
    const param = template.params.get('alwaysReadyInstances')!;
    expect(d.evaluate(param.defaultValue!)).toBe(1);
    expect([decoratorArgument(param, 'minValue'), decoratorArgument(param, 'maxValue')]).toEqual([
      { kind: 'number', value: 0 },
      { kind: 'number', value: 10 },
    ]);
    const env = devEnvironment();
    const withParams = (extra: Record<string, unknown>) =>
      new Evaluator(template, {
        params: { ...parametersFrom(env), ...extra },
        subscriptionId: env.AZURE_SUBSCRIPTION_ID,
        resourceGroup: env.AZURE_RESOURCE_GROUP_NAME,
      });
    const alwaysReady = (deployment: Evaluator) =>
      evaluated(deployment, site, 'properties.functionAppConfig.scaleAndConcurrency.alwaysReady');
    expect(alwaysReady(withParams({ alwaysReadyInstances: 0 }))).toEqual([]);
    expect(alwaysReady(withParams({ alwaysReadyInstances: 2 }))).toEqual([{ name: 'http', instanceCount: 2 }]);
  });

  it('keeps the Flex Consumption limits on its scale parameters', () => {
    const max = template.params.get('maximumInstanceCount')!;
    expect([decoratorArgument(max, 'minValue'), decoratorArgument(max, 'maxValue')]).toEqual([
      { kind: 'number', value: 40 },
      { kind: 'number', value: 1000 },
    ]);
    const memory = decoratorArgument(template.params.get('instanceMemoryMB')!, 'allowed');
    expect(d.evaluate(memory)).toEqual([512, 2048, 4096]);
  });

  it('serves the deployment package from a private container of its storage account, reached as the identity', () => {
    const site = only('Microsoft.Web/sites');
    const storage = only('Microsoft.Storage/storageAccounts');
    const container = only('Microsoft.Storage/storageAccounts/blobServices/containers');
    expect(evaluated(d, site, 'properties.functionAppConfig.deployment.storage')).toEqual({
      type: 'blobContainer',
      value: `https://${d.resourceName(storage)}.blob.core.windows.net/${d.resourceName(container)}`,
      authentication: {
        type: 'UserAssignedIdentity',
        userAssignedIdentityResourceId: d.resourceId(only('Microsoft.ManagedIdentity/userAssignedIdentities')),
      },
    });
    expect(evaluated(d, container, 'properties.publicAccess')).toBe('None');
  });

  it('creates every table Baton uses, so no request has to (src/store/keys.ts)', () => {
    const service = only('Microsoft.Storage/storageAccounts/tableServices');
    expect(evaluated(d, service, 'parent')).toEqual({ resource: only('Microsoft.Storage/storageAccounts') });
    const tables = resourcesOfType('Microsoft.Storage/storageAccounts/tableServices/tables');
    for (const table of tables) expect(evaluated(d, table, 'parent')).toEqual({ resource: service });
    const prefix = d.evaluate({ kind: 'ident', name: 'tablePrefix' });
    expect(new Set(tables.map((t) => d.resourceName(t)))).toEqual(new Set(TABLE_NAMES.map((name) => `${String(prefix)}${name}`)));
  });

  it('has one user-assigned identity, and the Function App has it', () => {
    const identity = only('Microsoft.ManagedIdentity/userAssignedIdentities');
    const site = only('Microsoft.Web/sites');
    expect(evaluated(d, site, 'identity')).toEqual({ type: 'UserAssigned', userAssignedIdentities: { [d.resourceId(identity)]: {} } });
  });

  it("registers an Azure Bot whose identity is that managed identity, on the Function App's endpoint", () => {
    const bot = only('Microsoft.BotService/botServices');
    const identity = only('Microsoft.ManagedIdentity/userAssignedIdentities');
    const settings = appSettingsOf(d);
    expect(evaluated(d, bot, 'location')).toBe('global');
    expect(evaluated(d, bot, 'kind')).toBe('azurebot');
    expect(evaluated(d, bot, 'properties')).toMatchObject({
      endpoint: `https://${String(settings.BATON_PUBLIC_HOSTNAME)}/api/messages`,
      msaAppType: 'UserAssignedMSI',
      msaAppId: settings.BOT_ID,
      msaAppTenantId: settings.BOT_TENANT_ID,
      msaAppMSIResourceId: d.resourceId(identity),
    });
    expect(settings.BOT_ID).toBe(d.evaluate(memberPath(identity, 'properties.clientId')));
    expect(settings.BOT_TYPE).toBe('UserAssignedMSI');
  });

  it('connects the bot to Microsoft Teams, to Outlook (the actionable weekly summary) and to Microsoft 365 (Copilot)', () => {
    const bot = only('Microsoft.BotService/botServices');
    const channels = resourcesOfType('Microsoft.BotService/botServices/channels').map((c) => ({
      parent: evaluated(d, c, 'parent'),
      name: d.resourceName(c),
      channelName: evaluated(d, c, 'properties.channelName'),
    }));
    expect(channels).toEqual([
      { parent: { resource: bot }, name: 'MsTeamsChannel', channelName: 'MsTeamsChannel' },
      { parent: { resource: bot }, name: 'OutlookChannel', channelName: 'OutlookChannel' },
      { parent: { resource: bot }, name: 'M365Extensions', channelName: 'M365Extensions' },
    ]);
    const teams = resourcesOfType('Microsoft.BotService/botServices/channels').find((c) => d.resourceName(c) === 'MsTeamsChannel')!;
    expect(evaluated(d, teams, 'properties.properties.isEnabled')).toBe(true);
  });

  it('sends telemetry to Application Insights on a Log Analytics workspace, which accepts Entra-authenticated ingestion only', () => {
    const insights = only('Microsoft.Insights/components');
    const workspace = only('Microsoft.OperationalInsights/workspaces');
    expect(evaluated(d, insights, 'properties.WorkspaceResourceId')).toBe(d.resourceId(workspace));
    expect(evaluated(d, insights, 'properties.DisableLocalAuth')).toBe(true);
    const settings = appSettingsOf(d);
    expect(settings.APPLICATIONINSIGHTS_CONNECTION_STRING).toBe(d.evaluate(memberPath(insights, 'properties.ConnectionString')));
    expect(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toBe(`ClientId=${String(settings.BOT_ID)};Authorization=AAD`);
  });

  it('outputs what the Toolkit files and the operator need, under upper-case names the Toolkit writes as they are', () => {
    for (const name of template.outputs.keys()) expect(name).toMatch(/^[A-Z][A-Z0-9_]*$/);
    const outputs = Object.fromEntries([...template.outputs].map(([k, o]) => [k, d.evaluate(o.value)]));
    const settings = appSettingsOf(d);
    expect(outputs).toMatchObject({
      BOT_ID: settings.BOT_ID,
      BOT_TENANT_ID: settings.BOT_TENANT_ID,
      BATON_PUBLIC_HOSTNAME: settings.BATON_PUBLIC_HOSTNAME,
      BATON_FUNCTION_APP_RESOURCE_ID: d.resourceId(only('Microsoft.Web/sites')),
      BATON_FUNCTION_APP_NAME: d.resourceName(only('Microsoft.Web/sites')),
    });
  });
});

describe('infra/azure.bicep and infra/azure.parameters.json', () => {
  it('is a deployment parameters file', () => {
    expect(parametersFile.$schema).toMatch(
      /^https:\/\/schema\.management\.azure\.com\/schemas\/\d{4}-\d{2}-\d{2}\/deploymentParameters\.json#$/,
    );
    expect(parametersFile.contentVersion).toBe('1.0.0.0');
  });

  it('gives every parameter a value: its default, or the parameters file', () => {
    const withoutValue = [...template.params.values()]
      .filter((p) => !p.defaultValue && !Object.hasOwn(parametersFile.parameters, p.name))
      .map((p) => p.name);
    expect(withoutValue).toEqual([]);
  });

  it('passes no parameter the template does not declare (ARM refuses the deployment)', () => {
    expect(Object.keys(parametersFile.parameters).filter((name) => !template.params.has(name))).toEqual([]);
    for (const [name, p] of Object.entries(parametersFile.parameters)) expect(Object.keys(p), name).toEqual(['value']);
  });

  it("passes values that fit each parameter's type and limits once the Toolkit fills them", () => {
    const d = defaultDeployment();
    const params = d.deployment.params;
    for (const [name, value] of Object.entries(params)) {
      const param = template.params.get(name)!;
      expect(typeof value, name).toBe({ string: 'string', int: 'number', bool: 'boolean', object: 'object', array: 'object' }[param.type]);
      const allowed = decoratorArgument(param, 'allowed');
      if (allowed) expect(d.evaluate(allowed), name).toContain(value);
      const minLength = decoratorArgument(param, 'minLength');
      const maxLength = decoratorArgument(param, 'maxLength');
      if (typeof value === 'string' && minLength?.kind === 'number') expect(value.length, name).toBeGreaterThanOrEqual(minLength.value);
      if (typeof value === 'string' && maxLength?.kind === 'number') expect(value.length, name).toBeLessThanOrEqual(maxLength.value);
    }
  });

  it('lets an empty Toolkit variable reach the template only for a parameter that treats its literal placeholder as "not set"', () => {
    // The Toolkit leaves an empty variable's `${{NAME}}` in the parameters file as it is. Each placeholder
    // must be one the Toolkit always fills, one the arm/deploy step names in `env` (the Toolkit then stops
    // when it is empty), or one whose parameter is guarded with startsWith(<param>, placeholderStart).
    const armDeploy = PROJECTS[0].project.provision!.find((s) => s.uses === 'arm/deploy')!;
    const required = new Set(Object.keys(armDeploy.env ?? {}));
    expect(defaultDeployment().evaluate({ kind: 'ident', name: 'placeholderStart' }), 'the text an unfilled placeholder starts with').toBe(
      '${{',
    );
    const unsafe = Object.entries(parametersFile.parameters).flatMap(([param, p]) =>
      placeholdersIn(p.value)
        .filter((name) => !Object.hasOwn(TOOLKIT_FILLS, name) && !required.has(name) && !guarded(param))
        .map((name) => `${param} <- ${name}`),
    );
    expect(unsafe).toEqual([]);
  });

  it('treats an unfilled optional placeholder as empty, and names the required ones in the arm/deploy step', () => {
    const settings = appSettingsOf(defaultDeployment());
    expect(settings.OUTLOOK_ORIGINATOR).toBe('');
    expect(settings.GRAPH_USE_MANAGED_IDENTITY).toBe('true');
    expect(settings.MAIL_SENDER).toBe('baton@contoso.example');
    expect(read(PARAMETERS_PATH)).toContain('${{MAIL_SENDER}}');
  });
});

describe('infra/azure.bicep: identity instead of secrets', () => {
  const d = defaultDeployment();
  const storage = only('Microsoft.Storage/storageAccounts');

  it('never reads a key: no list*() call, and the storage account refuses shared keys', () => {
    expect(
      calls()
        .filter((c) => /^list/i.test(c.callee))
        .map((c) => c.callee),
    ).toEqual([]);
    expect(evaluated(d, storage, 'properties.allowSharedKeyAccess')).toBe(false);
    expect(evaluated(d, storage, 'properties.allowBlobPublicAccess')).toBe(false);
    expect(evaluated(d, storage, 'properties.minimumTlsVersion')).toBe('TLS1_2');
  });

  it('puts no key, password or SAS in an app setting', () => {
    for (const deployment of [d, secretDeployment()]) {
      for (const [name, value] of Object.entries(appSettingsOf(deployment))) {
        expect(String(value), name).not.toMatch(/AccountKey=|SharedAccessSignature=|[?&]sig=|Password=|ClientSecret=|not-a-real-secret/i);
      }
    }
  });

  it('connects the Functions host to storage by identity: account name, credential and client id', () => {
    const settings = appSettingsOf(d);
    expect(settings.AzureWebJobsStorage__accountName).toBe(d.resourceName(storage));
    expect(settings.AzureWebJobsStorage__credential).toBe('managedidentity');
    expect(Object.keys(settings).filter((name) => /^AzureWebJobsStorage$|^TABLES_CONNECTION_STRING$/.test(name))).toEqual([]);
  });

  it("holds the one possible secret, a Graph app registration's, in Key Vault and gives the app a reference", () => {
    expect(template.params.get('graphAppClientSecret')!.decorators.map((x) => x.name)).toContain('secure');
    const vault = only('Microsoft.KeyVault/vaults');
    const secret = only('Microsoft.KeyVault/vaults/secrets');
    expect(d.deployed(vault)).toBe(false);
    expect(appSettingsOf(d).GRAPH_CLIENT_SECRET).toBe('');

    const s = secretDeployment();
    expect(s.deployed(vault) && s.deployed(secret)).toBe(true);
    expect(evaluated(s, secret, 'parent')).toEqual({ resource: vault });
    expect(evaluated(s, secret, 'properties.value')).toBe('not-a-real-secret');
    expect(evaluated(s, vault, 'properties.enableRbacAuthorization')).toBe(true);
    const settings = appSettingsOf(s);
    expect(settings.GRAPH_CLIENT_SECRET).toBe(
      `@Microsoft.KeyVault(VaultName=${s.resourceName(vault)};SecretName=${s.resourceName(secret)})`,
    );
    expect(settings).toMatchObject({
      GRAPH_USE_MANAGED_IDENTITY: 'false',
      GRAPH_CLIENT_ID: sampleGuid('graph-app'),
      GRAPH_TENANT_ID: sampleGuid('graph-tenant'),
    });
    // The reference resolves as the user-assigned identity.
    expect(evaluated(s, only('Microsoft.Web/sites'), 'properties.keyVaultReferenceIdentity')).toBe(
      s.resourceId(only('Microsoft.ManagedIdentity/userAssignedIdentities')),
    );
  });
});

/** A role assignment as deployed: its role, on what, for whom. */
interface Assignment {
  symbol: string;
  role: string;
  scope: string;
  principalId: unknown;
  principalType: unknown;
}

function assignments(d: Evaluator): Assignment[] {
  return resourcesOfType('Microsoft.Authorization/roleAssignments')
    .filter((symbol) => d.deployed(symbol))
    .map((symbol) => {
      const scope = evaluated(d, symbol, 'scope');
      if (!isResourceRef(scope)) throw new Error(`${symbol} has no resource scope`);
      return {
        symbol,
        role: String(evaluated(d, symbol, 'properties.roleDefinitionId'))
          .split('/')
          .pop()!,
        scope: scope.resource,
        principalId: evaluated(d, symbol, 'properties.principalId'),
        principalType: evaluated(d, symbol, 'properties.principalType'),
      };
    });
}

/** The resource of a type whose deployed value at `path` is `value` (how a setting names a resource). */
function resourceWith(d: Evaluator, type: string, path: string, value: unknown): string | undefined {
  return resourcesOfType(type).find((symbol) => d.evaluate(memberPath(symbol, path)) === value);
}

describe('infra/azure.bicep: each identity-based connection has its role assignments', () => {
  // What each connection needs, from the docs:
  // host storage   https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
  //                (Storage Blob Data Owner; Queue Data Contributor for the queue triggers; Baton's own tables and queues
  //                use the same connection: Table Data Contributor, Queue Data Contributor)
  // deployment     https://learn.microsoft.com/azure/azure-functions/flex-consumption-how-to#configure-deployment-settings
  // telemetry      https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication (Monitoring Metrics Publisher)
  // Key Vault ref  https://learn.microsoft.com/azure/app-service/app-service-key-vault-references (Key Vault Secrets User)
  const d = defaultDeployment();
  const s = secretDeployment();
  const identityOf = (deployment: Evaluator, clientId: unknown) =>
    resourcesOfType('Microsoft.ManagedIdentity/userAssignedIdentities').find(
      (i) => deployment.evaluate(memberPath(i, 'properties.clientId')) === clientId,
    );
  const identityById = (deployment: Evaluator, id: unknown) =>
    resourcesOfType('Microsoft.ManagedIdentity/userAssignedIdentities').find((i) => deployment.resourceId(i) === id);
  const principalOf = (deployment: Evaluator, identity: string | undefined) =>
    identity ? deployment.evaluate(memberPath(identity, 'properties.principalId')) : undefined;
  const granted = (deployment: Evaluator, scope: string, principal: unknown) =>
    assignments(deployment)
      .filter((a) => a.scope === scope && a.principalId === principal)
      .map((a) => a.role);

  it('host storage (AzureWebJobsStorage__*): blobs, queues and tables of the account it names, for the identity it names', () => {
    const settings = appSettingsOf(d);
    const account = resourcesOfType('Microsoft.Storage/storageAccounts').find(
      (x) => d.resourceName(x) === settings.AzureWebJobsStorage__accountName,
    );
    const identity = identityOf(d, settings.AzureWebJobsStorage__clientId);
    expect(account && identity).toBeTruthy();
    expect(granted(d, account!, principalOf(d, identity))).toEqual(
      expect.arrayContaining([ROLE.storageBlobDataOwner, ROLE.storageQueueDataContributor, ROLE.storageTableDataContributor]),
    );
  });

  it('the deployment package: blob data on the account of its container, for the identity it authenticates as', () => {
    const site = only('Microsoft.Web/sites');
    const storage = evaluated(d, site, 'properties.functionAppConfig.deployment.storage') as {
      value: string;
      authentication: { userAssignedIdentityResourceId: string };
    };
    const accountName = new URL(storage.value).hostname.split('.')[0];
    const account = resourcesOfType('Microsoft.Storage/storageAccounts').find((x) => d.resourceName(x) === accountName)!;
    const roles = granted(d, account, principalOf(d, identityById(d, storage.authentication.userAssignedIdentityResourceId)));
    expect(roles.some((r) => r === ROLE.storageBlobDataOwner || r === ROLE.storageBlobDataContributor)).toBe(true);
  });

  it('telemetry (APPLICATIONINSIGHTS_AUTHENTICATION_STRING): Monitoring Metrics Publisher on the component, for the identity it names', () => {
    const settings = appSettingsOf(d);
    const clientId = /ClientId=([^;]+);Authorization=AAD/.exec(String(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING))?.[1];
    const component = resourceWith(
      d,
      'Microsoft.Insights/components',
      'properties.ConnectionString',
      settings.APPLICATIONINSIGHTS_CONNECTION_STRING,
    );
    expect(component).toBeDefined();
    expect(granted(d, component!, principalOf(d, identityOf(d, clientId)))).toContain(ROLE.monitoringMetricsPublisher);
  });

  it('the Key Vault reference: Key Vault Secrets User on the vault it names, for the reference identity, whenever it is used', () => {
    const vault = only('Microsoft.KeyVault/vaults');
    const name = /VaultName=([^;]+);/.exec(String(appSettingsOf(s).GRAPH_CLIENT_SECRET))?.[1];
    expect(s.resourceName(vault)).toBe(name);
    const identity = identityById(s, evaluated(s, only('Microsoft.Web/sites'), 'properties.keyVaultReferenceIdentity'));
    expect(granted(s, vault, principalOf(s, identity))).toContain(ROLE.keyVaultSecretsUser);
  });

  it('every assignment is to a service principal, named after its scope, principal and role', () => {
    for (const deployment of [d, s]) {
      for (const a of assignments(deployment)) {
        expect(a.principalType, a.symbol).toBe('ServicePrincipal');
        const name = property(deployment.resource(a.symbol).body, 'name');
        expect(name?.kind === 'call' && name.callee === 'guid' && name.args.length === 3, a.symbol).toBe(true);
      }
    }
  });

  it('the host starts with its settings only after the roles exist (dependsOn)', () => {
    const config = resourcesOfType('Microsoft.Web/sites/config')[0]!;
    const dependsOn = (evaluated(d, config, 'dependsOn') as Array<{ resource: string }>).map((r) => r.resource);
    expect(dependsOn).toEqual(expect.arrayContaining(resourcesOfType('Microsoft.Authorization/roleAssignments')));
  });
});
