// Per-profile credentials, named `{profileKey}--{SecretName}` (shared/config/profile.ts). Authorization is Azure RBAC
// only (no access policies); who may do what is in appAccess.bicep and operatorAccess.bicep.

param name string
param location string
param tags object

@description('Purge protection: irreversible once on. See main.bicep keyVaultPurgeProtection.')
param purgeProtection bool

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // The API accepts only true or absent here ("false" is rejected), hence null rather than false.
    enablePurgeProtection: purgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

output name string = vault.name
output vaultUri string = vault.properties.vaultUri
