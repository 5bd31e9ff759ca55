// Optional access for the operator who runs azd (main.bicep: grantOperatorAccess, operatorPrincipalId). Kept apart from
// the app's identity on purpose: it exists so an admin can put profile credentials into the vault and profiles into the
// Table Storage profile store (docs/deploy.md; the steps: docs/operations.md#secrets-in-key-vault and
// docs/operations.md#store-profiles-in-table-storage), and it can be switched off with GRANT_OPERATOR_ACCESS=false. It
// grants nothing on blobs or queues (the host's and Durable Functions' state).

@description('Object id of the operator: a user, a group or a deployment pipeline\'s service principal.')
param principalId string

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string
param storageAccountName string
param keyVaultName string

var roles = loadJsonContent('builtInRoles.json')

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource keyVault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

// `az keyvault secret set|list|show|delete` for `{profileKey}--{SecretName}` secrets.
resource keyVaultSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, principalId, roles.keyVaultSecretsOfficer)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
    principalId: principalId
    principalType: principalType
  }
}

// `confluence-sync profiles import` with PROFILE_STORE=table, signed in as the operator (shared keys are disabled).
resource storageTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, principalId, roles.storageTableDataContributor)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: principalId
    principalType: principalType
  }
}
