// ConfluenceSync on Azure, provisioned by `azd up` (see azure.yaml at the repo root).
//
// One resource group holds:
//   - a Flex Consumption Function App (Node 22) that runs as a user-assigned managed identity, and only as that;
//   - its storage account: Functions host state, Durable Functions task hub (blob + queue + table), the app's state
//     tables, the profile store and the deployment packages; shared-key access is disabled;
//   - a Key Vault (RBAC) for per-profile credentials, where the app may read AND write secrets, because Atlassian
//     rotates the refresh token on every refresh and the new one must be persisted;
//   - Log Analytics + Application Insights with local (key-based) auth disabled: ingestion is Entra-only;
//   - alert rules over the app's run and token-refresh events, the action group they e-mail, and the workbook
//     "ConfluenceSync runs" (docs/operations.md#alerts).
//
// No secret passes through this template: no parameter, output or app setting carries one. Profile credentials are put
// into the vault by an operator after provisioning (docs/deploy.md; the steps:
// docs/operations.md#secrets-in-key-vault).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name. Names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer the Flex Consumption plan: az functionapp list-flexconsumption-locations.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('NCRONTAB expression (6 fields, UTC) for the scheduled sync of every enabled profile.')
param syncSchedule string = '0 */5 * * * *'

// Where profiles may send credentials (docs/configuration.md#endpoint-allowlist). The defaults are the code's own:
// the public and sovereign Microsoft Graph and identity hosts, and Atlassian's OAuth host and API gateway.
@description('Hosts a profile\'s endpoints.graphBaseUrl may name (comma-separated).')
param allowedGraphHosts string = 'graph.microsoft.com,graph.microsoft.us,dod-graph.microsoft.us,microsoftgraph.chinacloudapi.cn'

@description('Hosts a profile\'s endpoints.authorityHost may name (comma-separated).')
param allowedLoginHosts string = 'login.microsoftonline.com,login.microsoftonline.us,login.chinacloudapi.cn,login.partner.microsoftonline.cn'

@description('Hosts a profile\'s endpoints.confluenceAuthBaseUrl and confluenceApiBaseUrl may name (comma-separated).')
param allowedAtlassianHosts string = 'auth.atlassian.com,api.atlassian.com'

@minLength(3)
@maxLength(45)
@description('Durable Functions task hub name: letters and digits only, starting with a letter.')
param durableTaskHubName string = 'confluencesync'

// 40 is the floor Microsoft's Flex Consumption documentation long gave for the maximum instance count, and lower
// values have been refused in regions; the current scaling article says 1. Keeping 40 means a value some region
// rejects never reaches ARM (docs/deploy.md).
@minValue(40)
@maxValue(1000)
@description('Upper bound on the number of Flex Consumption instances per scale group (40 to 1000).')
param maximumInstanceCount int = 100

@allowed([
  512
  2048
  4096
])
@description('Memory per Flex Consumption instance, in MB.')
param instanceMemoryMB int = 2048

@description('Key Vault purge protection. Irreversible once on. Keep it on wherever the refresh tokens matter (losing one means a new OAuth consent); turn it off only for throwaway environments that `azd down --purge` must remove completely.')
param keyVaultPurgeProtection bool = true

// After `azd down`, the vault stays soft-deleted for 90 days and keeps its name: a new vault of that name is refused
// (409 ConflictError). Recovering it brings back its secrets, stored refresh tokens included. The preprovision hook
// (infra/hooks/preprovision.mjs) finds such a vault before provisioning and says when to set this; the postprovision
// hook sets it back to false once the vault is recovered, because `recover` fails on a vault that is not deleted.
@description('Recover the soft-deleted Key Vault of this environment instead of creating one (KEY_VAULT_RECOVER=true).')
param keyVaultRecover bool = false

// ---------------------------------------------------------------------------------------------------------------
// Operator access: the person or pipeline running azd. Deliberately separate from the app's identity, and optional.
// ---------------------------------------------------------------------------------------------------------------

@description('Object id of the operator (azd passes the signed-in principal). Empty = no operator access.')
param operatorPrincipalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
@description('Kind of principal operatorPrincipalId names.')
param operatorPrincipalType string = 'User'

@description('Grant the operator Key Vault Secrets Officer on the vault and Storage Table Data Contributor on the storage account, so they can load profile secrets and profiles. false = grant the operator nothing.')
param grantOperatorAccess bool = true

// ---------------------------------------------------------------------------------------------------------------
// Alerts (docs/operations.md#alerts). Each fires once per profile and resolves itself when the condition clears.
// ---------------------------------------------------------------------------------------------------------------

@description('E-mail address the alerts go to (ALERT_EMAIL). Empty = no e-mail; alerts still show in the portal.')
param alertEmail string = ''

@minValue(1)
@maxValue(47)
@description('Alert when a profile has had no completed run for this many hours (below 48: log alerts read 2 days).')
param noCompletedRunHours int = 6

@minValue(1)
@maxValue(50)
@description('Alert when a profile\'s last runs, this many in a row, all ended failed, invalid or stopped.')
param failedRunsInARow int = 3

@minValue(0)
@description('Alert when a profile has more open conflicts than this.')
param openConflictsThreshold int = 10

@minValue(1)
@maxValue(365)
@description('Alert when a conflict has been open for more than this many days.')
param conflictAgeDays int = 7

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = 'func-${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module appIdentity 'app/identity.bicep' = {
  name: 'appIdentity'
  scope: rg
  params: {
    name: 'id-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    deploymentContainerName: 'app-package'
    location: location
    tags: tags
  }
}

module keyVault 'app/keyVault.bicep' = {
  name: 'keyVault'
  scope: rg
  params: {
    // The preprovision hook computes this same name to look for a soft-deleted vault; test/infra keeps them in step.
    name: 'kv-${resourceToken}'
    purgeProtection: keyVaultPurgeProtection
    recover: keyVaultRecover
    location: location
    tags: tags
  }
}

// Everything the app's identity may do, each role scoped to the one resource it concerns.
module appAccess 'app/appAccess.bicep' = {
  name: 'appAccess'
  scope: rg
  params: {
    principalId: appIdentity.outputs.principalId
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
  }
}

module operatorAccess 'app/operatorAccess.bicep' = if (grantOperatorAccess && !empty(operatorPrincipalId)) {
  name: 'operatorAccess'
  scope: rg
  params: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
  }
}

module functionApp 'app/functionApp.bicep' = {
  name: 'functionApp'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityResourceId: appIdentity.outputs.resourceId
    identityClientId: appIdentity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    syncSchedule: syncSchedule
    allowedGraphHosts: allowedGraphHosts
    allowedLoginHosts: allowedLoginHosts
    allowedAtlassianHosts: allowedAtlassianHosts
    durableTaskHubName: durableTaskHubName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
  // The host starts talking to storage, Key Vault and Application Insights as soon as it runs: grant first.
  dependsOn: [
    appAccess
  ]
}

// The alert rules query as an identity of their own that may only read the workspace.
module alertsIdentity 'app/identity.bicep' = {
  name: 'alertsIdentity'
  scope: rg
  params: {
    name: 'id-alerts-${resourceToken}'
    location: location
    tags: tags
  }
}

module alertsAccess 'app/alertsAccess.bicep' = {
  name: 'alertsAccess'
  scope: rg
  params: {
    principalId: alertsIdentity.outputs.principalId
    logAnalyticsName: monitoring.outputs.logAnalyticsName
  }
}

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: monitoring.outputs.logAnalyticsName
    identityResourceId: alertsIdentity.outputs.resourceId
    alertEmail: alertEmail
    noCompletedRunHours: noCompletedRunHours
    failedRunsInARow: failedRunsInARow
    openConflictsThreshold: openConflictsThreshold
    conflictAgeDays: conflictAgeDays
  }
  // A rule whose identity cannot read the workspace yet fails its first evaluations.
  dependsOn: [
    alertsAccess
  ]
}

module workbook 'app/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: monitoring.outputs.logAnalyticsName
  }
}

// Names and endpoints only: azd stores these in .azure/<env>/.env and the commands in
// docs/operations.md#app-settings-in-azure and docs/deploy.md use them. (No AZURE_CLIENT_ID here on purpose: exported
// into a shell it would steer a local DefaultAzureCredential to the app's managed identity instead of the operator's
// own sign-in.)
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output WEBHOOK_NOTIFICATION_URL string = functionApp.outputs.webhookNotificationUrl
output KEY_VAULT_NAME string = keyVault.outputs.name
output KEY_VAULT_URL string = keyVault.outputs.vaultUri
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output LOG_ANALYTICS_NAME string = monitoring.outputs.logAnalyticsName
output APP_IDENTITY_CLIENT_ID string = appIdentity.outputs.clientId
output APP_IDENTITY_PRINCIPAL_ID string = appIdentity.outputs.principalId
// Whether the operator got data roles: the postprovision hook can only probe role propagation with them.
output OPERATOR_ACCESS_GRANTED bool = grantOperatorAccess && !empty(operatorPrincipalId)
