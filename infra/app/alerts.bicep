// Alerts over the app's own events in the Log Analytics workspace (AppEvents: ConfluenceSync.RunEnded and
// ConfluenceSync.TokenRefresh, emitted by shared/engine/telemetryEvents.ts), and the action group they notify. Each rule
// fires one alert per profile (split by the Profile column) and resolves itself once the condition clears. What each
// means and what to do: docs/operations.md#alerts. test/infra/telemetryQueries.test.ts holds every query here to the
// event names and columns the code emits.
//
// The rules query with a user-assigned identity that may only read the workspace (alertsAccess.bicep), so they keep
// working whoever deployed them last.

param location string
param tags object
param logAnalyticsName string

@description('Resource id of the user-assigned identity the rules query with.')
param identityResourceId string

@description('Where alerts are e-mailed. Empty = the action group has no receiver (alerts still show in the portal).')
param alertEmail string

@minValue(1)
@maxValue(47)
@description('Hours without a completed run before a profile alerts (below 48: log alerts read at most 2 days).')
param noCompletedRunHours int

@minValue(1)
@maxValue(50)
@description('Failed, invalid or stopped runs in a row before a profile alerts.')
param failedRunsInARow int

@minValue(0)
@description('Open conflicts a profile may have before it alerts.')
param openConflictsThreshold int

@minValue(1)
@maxValue(365)
@description('Days a conflict may stay open before its profile alerts.')
param conflictAgeDays int

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: logAnalyticsName
}

var operatorsByEmail = [
  {
    name: 'operators'
    emailAddress: alertEmail
    useCommonAlertSchema: true
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-confluencesync'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'confsync'
    enabled: true
    emailReceivers: !empty(alertEmail) ? operatorsByEmail : []
  }
}

// Each query reads its threshold from a `let` line put in front of it; the query files are plain KQL, so they can be
// pasted into Logs as they are (with the `let` line added by hand).
var rules = [
  {
    name: 'confluencesync-reauthorization-required'
    displayName: 'ConfluenceSync: a profile needs a new Confluence consent'
    description: 'The Confluence grant of a profile is dead (REAUTHORIZATION_REQUIRED): no run syncs it until a person consents again. See docs/operations.md, Alerts.'
    severity: 1
    queryTimeRange: 'PT2H'
    query: loadTextContent('alerts/reauthorizationRequired.kql')
  }
  {
    name: 'confluencesync-refresh-token-unsaved'
    displayName: 'ConfluenceSync: a rotated Confluence refresh token is not stored'
    description: 'The app could not store a profile\'s rotated refresh token (usually Key Vault writes refused): it lives only in one process\'s memory. Restore the write permission before that process ends, or the profile needs a new consent. See docs/operations.md, Alerts.'
    severity: 1
    queryTimeRange: 'P1D'
    query: loadTextContent('alerts/refreshTokenUnsaved.kql')
  }
  {
    name: 'confluencesync-no-completed-run'
    displayName: 'ConfluenceSync: a profile has not completed a run for ${noCompletedRunHours} hours'
    description: 'No run of the profile completed in the time allowed: runs fail, stop or do not happen. See docs/operations.md, Alerts.'
    severity: 1
    queryTimeRange: 'P2D'
    query: 'let maxHoursWithoutCompletedRun = ${noCompletedRunHours}h;\n${loadTextContent('alerts/noCompletedRun.kql')}'
  }
  {
    name: 'confluencesync-failed-runs-in-a-row'
    displayName: 'ConfluenceSync: a profile failed ${failedRunsInARow} runs in a row'
    description: 'The latest runs of the profile all ended failed, invalid or stopped. See docs/operations.md, Alerts.'
    severity: 2
    queryTimeRange: 'P2D'
    query: 'let failedRunsInARow = ${failedRunsInARow};\n${loadTextContent('alerts/failedRunsInARow.kql')}'
  }
  {
    name: 'confluencesync-open-conflicts'
    displayName: 'ConfluenceSync: more than ${openConflictsThreshold} open conflicts in a profile'
    description: 'Conflicts pile up: a person must settle them. See docs/operations.md, Alerts.'
    severity: 3
    queryTimeRange: 'PT6H'
    query: 'let openConflictsThreshold = ${openConflictsThreshold};\n${loadTextContent('alerts/openConflictsAboveThreshold.kql')}'
  }
  {
    name: 'confluencesync-old-conflict'
    displayName: 'ConfluenceSync: a conflict open for more than ${conflictAgeDays} days'
    description: 'A conflict has waited too long for a person to settle it. See docs/operations.md, Alerts.'
    severity: 3
    queryTimeRange: 'PT6H'
    query: 'let maxConflictAge = ${conflictAgeDays}d;\n${loadTextContent('alerts/conflictOlderThan.kql')}'
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for rule in rules: {
  name: rule.name
  location: location
  tags: tags
  kind: 'LogAlert'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    displayName: rule.displayName
    description: rule.description
    severity: rule.severity
    enabled: true
    scopes: [
      logAnalytics.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    // The queries look further back than one evaluation (the last completed run, the last N runs).
    overrideQueryTimeRange: rule.queryTimeRange
    criteria: {
      allOf: [
        {
          query: rule.query
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          dimensions: [
            {
              name: 'Profile'
              operator: 'Include'
              values: [
                '*'
              ]
            }
          ]
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}]

output actionGroupName string = actionGroup.name
