// The Azure Monitor workbook "ConfluenceSync runs": per profile, runs and their outcomes, items changed per side,
// conflicts, API calls and token refreshes over time, from the app's events in the Log Analytics workspace. Its
// definition is workbook.json (the format the portal's Advanced Editor shows); test/infra/telemetryQueries.test.ts
// holds its queries to the events the code emits. Opening it: docs/operations.md#the-workbook.

param location string
param tags object
param logAnalyticsName string

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: logAnalyticsName
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name is a GUID; this one is stable per workspace, so a redeploy updates it in place.
  name: guid(logAnalytics.id, 'confluencesync-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'ConfluenceSync runs'
    category: 'workbook'
    sourceId: logAnalytics.id
    version: 'Notebook/1.0'
    serializedData: replace(loadTextContent('workbook.json'), '__WORKSPACE_RESOURCE_ID__', logAnalytics.id)
  }
}

output workbookName string = workbook.name
