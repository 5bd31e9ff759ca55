// Per-profile credentials, named `{profileKey}--{SecretName}` (shared/config/profile.ts). Authorization is Azure RBAC
// only (no access policies); who may do what is in appAccess.bicep and operatorAccess.bicep.

param name string
param location string
param tags object

@description('Purge protection: irreversible once on. See main.bicep keyVaultPurgeProtection.')
param purgeProtection bool

@description('Recover the soft-deleted vault of this name (with its secrets) instead of creating one. See main.bicep keyVaultRecover.')
param recover bool = false

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // `recover` restores the soft-deleted vault as it was when deleted (ARM ignores the other properties in that
    // request); the next provision, with `default`, applies the properties below again.
    createMode: recover ? 'recover' : 'default'
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
