// The Flex Consumption Function App: Node 22, running as the user-assigned identity, HTTPS only, TLS 1.2, no basic-auth
// publishing (FTP or SCM). Its app settings are every setting the code reads (shared/settings/appSettings.ts and
// host.json's %SETTING% references); test/infra keeps the two in step. None of them holds a secret: storage and Key
// Vault are reached with the identity, telemetry is Entra-authenticated, and profile credentials live in the vault.

param name string
param planName string
param location string
param tags object

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityResourceId string

@description('Client id of that identity; the host and the Azure SDKs pick the identity by it.')
param identityClientId string

param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param keyVaultName string
param syncSchedule string
param allowedGraphHosts string
param allowedLoginHosts string
param allowedAtlassianHosts string
param durableTaskHubName string
param maximumInstanceCount int
param instanceMemoryMB int

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource keyVault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  // azd finds the deployment target of service `api` (azure.yaml) by this tag.
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    // Flex Consumption rejects a number of legacy siteConfig properties (linuxFxVersion, and by some reports
    // ftpsState), so only the TLS floor is set here: runtime and scale live in functionAppConfig below, and FTP is
    // off through the basic-auth publishing policies further down.
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageAccount.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // Must match package.json engines (test/infra checks it).
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// No publishing with user name and password: azd deploys with the operator's Entra token.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// Graph POSTs change notifications here; the route is the SharePoint webhook function's.
var webhookNotificationUrl = 'https://${site.properties.defaultHostName}/api/webhooks/sharepoint'

// This resource owns the complete set of app settings: anything set by hand in the portal is replaced on the next
// `azd provision`.
resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Host storage, also the Durable Functions task hub (host.json: connectionStringName AzureWebJobsStorage).
    // Identity-based: no connection string exists. Durable Functions needs the blob, queue AND table endpoints.
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: storageAccount.properties.primaryEndpoints.blob
    AzureWebJobsStorage__queueServiceUri: storageAccount.properties.primaryEndpoints.queue
    AzureWebJobsStorage__tableServiceUri: storageAccount.properties.primaryEndpoints.table

    // Telemetry. The connection string only locates the component; with local auth disabled, ingestion also needs the
    // identity's Entra token, which the authentication string tells the host to fetch.
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // Statsbeat off: the exporter's own usage counts go to a Microsoft-owned store, not to this component, tagged with
    // the app's host name and instrumentation key (docs/operations.md#statsbeat). The first switch is the one the
    // pinned exporter reads to stop all of it; the second is the documented name (non-essential statsbeat).
    APPLICATION_INSIGHTS_NO_STATSBEAT: 'true'
    APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true'

    // Read by shared/settings/appSettings.ts.
    AZURE_CLIENT_ID: identityClientId
    SECRETS_PROVIDER: 'keyvault'
    KEY_VAULT_URL: keyVault.properties.vaultUri
    PROFILE_STORE: 'table'
    SYNC_SCHEDULE: syncSchedule
    WEBHOOK_NOTIFICATION_URL: webhookNotificationUrl
    ALLOWED_GRAPH_HOSTS: allowedGraphHosts
    ALLOWED_LOGIN_HOSTS: allowedLoginHosts
    ALLOWED_ATLASSIAN_HOSTS: allowedAtlassianHosts

    // Read by host.json (%DURABLE_TASK_HUB_NAME%).
    DURABLE_TASK_HUB_NAME: durableTaskHubName
  }
}

output name string = site.name
output webhookNotificationUrl string = webhookNotificationUrl
