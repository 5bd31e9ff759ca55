// The user-assigned managed identity the Function App runs as. Every data-plane permission the app has is granted to
// this identity (appAccess.bicep), and the app's settings name it (AZURE_CLIENT_ID, AzureWebJobsStorage__clientId).
// A user-assigned identity, unlike a system-assigned one, exists before the app does, so its roles can be in place
// before the host first starts.

param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output resourceId string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
