// What the alert rules' identity may do: read the Log Analytics workspace their queries run against, and nothing else.
// A rule with no identity would query with the rights its last editor had when saving it; this one keeps working
// whoever deploys (docs/operations.md#alerts).

@description('Principal (object) id of the alert rules\' user-assigned identity.')
param principalId string
param logAnalyticsName string

var roles = loadJsonContent('builtInRoles.json')

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: logAnalyticsName
}

resource logAnalyticsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(logAnalytics.id, principalId, roles.logAnalyticsReader)
  scope: logAnalytics
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.logAnalyticsReader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
