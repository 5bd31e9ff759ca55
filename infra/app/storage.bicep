// The one storage account of the app: Functions host state, the Durable Functions task hub (blobs, queues and tables),
// the app's own state tables and profile store, and the Flex Consumption deployment packages.
// Shared-key access is disabled: every client (host, Durable, app code, deployment, operators) signs in with Entra ID.

param name string
param deploymentContainerName string
param location string
param tags object

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: storageAccount
  name: 'default'
}

// Flex Consumption runs the app from the package azd uploads here (functionAppConfig.deployment.storage).
resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

output name string = storageAccount.name
output deploymentContainerName string = deploymentContainer.name
output tableEndpoint string = storageAccount.properties.primaryEndpoints.table
