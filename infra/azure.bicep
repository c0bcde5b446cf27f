// Baton on Azure: a Function App on the Flex Consumption plan (Node.js 20, Linux), its storage, an
// Azure Bot for Microsoft Teams and Outlook, and Application Insights on a Log Analytics workspace.
//
// No secret in any app setting: one user-assigned managed identity is the bot's identity
// (BOT_TYPE=UserAssignedMSI), reaches storage (identity-based AzureWebJobsStorage), sends telemetry
// (Entra-authenticated Application Insights) and calls Microsoft Graph. The only secret the template
// knows of, an optional Graph app registration's client secret, goes to Key Vault and reaches the app
// as a Key Vault reference.
//
// Deployed by `arm/deploy` in m365agents.yml with infra/azure.parameters.json, or by
// `az deployment group create` (docs/deploy.md). test/infra checks it against src/config.ts,
// the parameters file and the Toolkit files; the Bicep compiler builds it where it is installed.
//
// Sources:
//   Flex Consumption in IaC          https://learn.microsoft.com/azure/azure-functions/functions-infrastructure-as-code?pivots=flex-consumption-plan
//   Flex Consumption samples         https://github.com/Azure-Samples/azure-functions-flex-consumption-samples (IaC/bicep)
//                                    https://github.com/Azure-Samples/functions-quickstart-typescript-azd (infra/app/api.bicep, rbac.bicep)
//   Settings Flex Consumption drops  https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations
//   Host storage with an identity    https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
//   Built-in roles                   https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
//   Azure Bot with a managed identity (the Agents Toolkit's templates, infra/botRegistration/azurebot.bicep)
//                                    https://github.com/OfficeDev/microsoft-365-agents-toolkit-samples
//   Bot resources                    https://learn.microsoft.com/azure/templates/microsoft.botservice/botservices
//                                    https://learn.microsoft.com/azure/templates/microsoft.botservice/botservices/channels
//   Entra-authenticated telemetry    https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication
//   Key Vault references             https://learn.microsoft.com/azure/app-service/app-service-key-vault-references

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------
// Parameters. The Toolkit fills them from infra/azure.parameters.json; with the az CLI pass at least
// resourceBaseName and mailSender (-p name=value).
// ---------------------------------------------------------------------------------------------

@minLength(4)
@maxLength(20)
@description('Base of every resource name, e.g. baton1a2b3c: the Function App is <base>.azurewebsites.net, the bot <base>.')
param resourceBaseName string

@description('Azure region of everything but the bot (global). It must offer the Flex Consumption plan: az functionapp list-flexconsumption-locations.')
param location string = resourceGroup().location

@minLength(3)
@description('MAIL_SENDER: the UPN of the mailbox Baton sends its email from (the weekly summary).')
param mailSender string

@description('OUTLOOK_ORIGINATOR: the Actionable Email originator id (a GUID) of the provider registered for this bot; empty until it is registered (docs/deploy.md).')
param outlookOriginator string = ''

@maxLength(42)
@description('The bot\'s display name in the Azure Bot resource.')
param botDisplayName string = 'Baton'

@allowed([
  'F0'
  'S1'
])
@description('Azure Bot pricing tier; Teams and Outlook are standard channels, free on both.')
param botSku string = 'F0'

@description('BATON_TABLE_PREFIX: prefix of Baton\'s table names (letters and digits).')
param tablePrefix string = 'baton'

@allowed([
  'debug'
  'info'
  'warn'
  'error'
])
@description('BATON_LOG_LEVEL: the lowest level Baton logs.')
param logLevel string = 'info'

@description('BATON_REVIEW_GOALS: how long the receiver has to review, by priority, in their working time.')
param reviewGoals string = 'urgent=2h, high=4h, normal=1d'

@description('BATON_RESPONSE_GOALS: how long the sender has to answer a question or make requested changes, by priority.')
param responseGoals string = 'urgent=2h, high=4h, normal=1d'

@description('BATON_UNBLOCK_GOALS: how long the sender has to unblock Blocked work (the receiver\'s review waits meanwhile), by priority.')
param unblockGoals string = 'urgent=4h, high=1d, normal=2d'

@description('BATON_CLOSE_GOAL: how long the owner has to close an accepted handoff, in their working time.')
param closeGoal string = '1d'

@description('BATON_AUTO_CLOSE_AFTER: an accepted handoff the owner leaves open closes itself after this much of their working time.')
param autoCloseAfter string = '3d'

@minValue(40)
@maxValue(1000)
@description('Flex Consumption: the most instances the app scales out to.')
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
@description('Flex Consumption: memory of each instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(0)
@maxValue(10)
@description('Flex Consumption: instances of the HTTP functions (/api/messages) kept running, so Teams\' card actions never wait for a cold start (about 21 USD a month each at 2048 MB; docs/deploy.md). 0: the app scales to zero when idle, and the first action after a quiet spell may get Teams\' "Unable to reach app".')
param alwaysReadyInstances int = 1

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
])
@description('Redundancy of the storage account that holds the handoffs.')
param storageSku string = 'Standard_LRS'

@minValue(30)
@maxValue(730)
@description('Days the Log Analytics workspace keeps Baton\'s logs and requests.')
param logRetentionDays int = 30

@description('Only to call Graph through an app registration instead of the managed identity: its client id. Empty: the managed identity.')
param graphAppClientId string = ''

@description('Only with graphAppClientId: the tenant of that app registration. Empty: the managed identity\'s tenant.')
param graphAppTenantId string = ''

@secure()
@description('Only with graphAppClientId: its client secret. It goes to Key Vault; the app setting holds a reference.')
param graphAppClientSecret string = ''

// ---------------------------------------------------------------------------------------------
// Names and switches
// ---------------------------------------------------------------------------------------------

// The Toolkit passes an empty env variable on as the literal text ${{NAME}}: treat that as "not set".
var placeholderStart = '\${{'
var outlookOriginatorValue = startsWith(outlookOriginator, placeholderStart) ? '' : outlookOriginator
var graphAppClientIdValue = startsWith(graphAppClientId, placeholderStart) ? '' : graphAppClientId
var graphAppTenantIdValue = startsWith(graphAppTenantId, placeholderStart) ? '' : graphAppTenantId
var useGraphAppSecret = !empty(graphAppClientIdValue) && !empty(graphAppClientSecret) && !startsWith(graphAppClientSecret, placeholderStart)

var functionAppName = resourceBaseName
var planName = '${resourceBaseName}-plan'
var identityName = '${resourceBaseName}-identity'
var botName = resourceBaseName
var logAnalyticsName = '${resourceBaseName}-logs'
var appInsightsName = '${resourceBaseName}-insights'
var storageAccountName = 'st${uniqueString(resourceGroup().id, resourceBaseName)}'
var keyVaultName = 'kv${uniqueString(resourceGroup().id, resourceBaseName)}'
var deploymentContainerName = 'app-package'
var graphSecretName = 'graph-client-secret'

// Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  // Host storage (keys, timer locks), and the Flex Consumption deployment container.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Baton's queues (create, send, receive, delete) and the host's queue triggers and poison queues.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Baton's tables (create, read, write).
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Telemetry to an Application Insights resource that accepts Entra-authenticated ingestion only.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  // Reading the secret a Key Vault reference names.
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

// The bot's identity (BOT_ID is its client id) and the Function App's identity for storage,
// telemetry, Key Vault and Graph.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
}

// ---------------------------------------------------------------------------------------------
// Monitoring
// ---------------------------------------------------------------------------------------------

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    // Ingestion only with an Entra token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING): the
    // instrumentation key in the connection string is no credential.
    DisableLocalAuth: true
  }
}

// ---------------------------------------------------------------------------------------------
// Storage: the host's storage, Baton's tables and queues, and the deployment package
// ---------------------------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  kind: 'StorageV2'
  sku: {
    name: storageSku
  }
  properties: {
    // Identity only: no account key works, so none can leak.
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// Baton's tables (TABLE_NAMES in src/store/keys.ts), made here so that no request creates one: a cold start goes straight to its work.
resource handoffsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: '${tablePrefix}handoffs'
}

resource peopleTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: '${tablePrefix}people'
}

resource conversationsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: '${tablePrefix}conversations'
}

resource deliveriesTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: '${tablePrefix}deliveries'
}

resource dueTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: '${tablePrefix}due'
}

resource summariesTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: '${tablePrefix}summaries'
}

resource draftsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = {
  parent: tableService
  name: '${tablePrefix}drafts'
}

resource storageBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource storageQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource storageTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource monitoringMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// Key Vault: only for the one secret the template may be given
// ---------------------------------------------------------------------------------------------

resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = if (useGraphAppSecret) {
  name: keyVaultName
  location: location
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 30
  }
}

resource graphSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (useGraphAppSecret) {
  parent: keyVault
  name: graphSecretName
  properties: {
    value: graphAppClientSecret
  }
}

resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (useGraphAppSecret) {
  name: guid(keyVault.id, identity.id, roles.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------------------------
// The Function App
// ---------------------------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    // Linux
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with the user-assigned identity.
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      // The package `az functionapp deployment source config-zip` (One deploy) uploads lands here.
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        // The HTTP trigger group ('http': /api/messages, the links) kept warm; the timers and the queue need none.
        alwaysReady: alwaysReadyInstances > 0 ? [{ name: 'http', instanceCount: alwaysReadyInstances }] : []
      }
      runtime: {
        name: 'node'
        version: '20'
      }
    }
  }
}

// Every app setting, in a resource of its own so it can name the app's own host name. Flex
// Consumption takes the runtime and its version from functionAppConfig, not from
// FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION / WEBSITE_NODE_DEFAULT_VERSION /
// WEBSITE_RUN_FROM_PACKAGE, which it refuses. test/infra/settings.test.ts holds this list against
// what src/config.ts reads.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: {
    // The Functions host's storage (and every storage trigger's default connection), through the
    // identity. Baton reads the same three for its tables and queues.
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identity.properties.clientId
    // Telemetry, authenticated with the identity.
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
    // The bot.
    BOT_ID: identity.properties.clientId
    BOT_TYPE: 'UserAssignedMSI'
    BOT_TENANT_ID: identity.properties.tenantId
    BATON_PUBLIC_HOSTNAME: functionApp.properties.defaultHostName
    BATON_TABLE_PREFIX: tablePrefix
    BATON_LOG_LEVEL: logLevel
    // Due times: each step's goal, and the auto-close (the overdue check, every 15 minutes).
    BATON_REVIEW_GOALS: reviewGoals
    BATON_RESPONSE_GOALS: responseGoals
    BATON_UNBLOCK_GOALS: unblockGoals
    BATON_CLOSE_GOAL: closeGoal
    BATON_AUTO_CLOSE_AFTER: autoCloseAfter
    // Microsoft Graph: the managed identity, unless an app registration was given.
    GRAPH_USE_MANAGED_IDENTITY: useGraphAppSecret ? 'false' : 'true'
    GRAPH_CLIENT_ID: useGraphAppSecret ? graphAppClientIdValue : identity.properties.clientId
    GRAPH_TENANT_ID: useGraphAppSecret && !empty(graphAppTenantIdValue) ? graphAppTenantIdValue : identity.properties.tenantId
    GRAPH_CLIENT_SECRET: useGraphAppSecret ? '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${graphSecretName})' : ''
    MAIL_SENDER: mailSender
    // The weekly summary's queue (its function's binding names it %BATON_SUMMARY_QUEUE%), and its actionable email.
    BATON_SUMMARY_QUEUE: 'baton-summaries'
    OUTLOOK_ORIGINATOR: outlookOriginatorValue
  }
  // The identity can reach everything before the host starts with these settings.
  dependsOn: [
    storageBlobDataOwner
    storageQueueDataContributor
    storageTableDataContributor
    monitoringMetricsPublisher
    deploymentContainer
    keyVaultSecretsUser
    graphSecret
  ]
}

// ---------------------------------------------------------------------------------------------
// The bot: Microsoft Teams, and Outlook for the actionable weekly summary
// ---------------------------------------------------------------------------------------------

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: botSku
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${functionApp.properties.defaultHostName}/api/messages'
    msaAppId: identity.properties.clientId
    msaAppMSIResourceId: identity.id
    msaAppTenantId: identity.properties.tenantId
    msaAppType: 'UserAssignedMSI'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

resource outlookChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'OutlookChannel'
  location: 'global'
  properties: {
    channelName: 'OutlookChannel'
  }
}

// The Microsoft 365 channel: the messaging extension's commands in Microsoft 365 Copilot (and Outlook), per
// msteams-docs "Actions in Copilot for Microsoft 365", prerequisite 3.
resource m365Channel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'M365Extensions'
  location: 'global'
  properties: {
    channelName: 'M365Extensions'
  }
}

// ---------------------------------------------------------------------------------------------
// Outputs: the Toolkit writes each to env/.env.<env> under its (upper-case) name.
// ---------------------------------------------------------------------------------------------

output BOT_ID string = identity.properties.clientId
output BOT_TENANT_ID string = identity.properties.tenantId
output BATON_PUBLIC_HOSTNAME string = functionApp.properties.defaultHostName
output BATON_FUNCTION_APP_NAME string = functionApp.name
output BATON_FUNCTION_APP_RESOURCE_ID string = functionApp.id
output BATON_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output BATON_BOT_NAME string = bot.name
output BATON_STORAGE_ACCOUNT_NAME string = storage.name
output BATON_APP_INSIGHTS_NAME string = appInsights.name
