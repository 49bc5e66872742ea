// Every role assignment of the deployment, from one table.
//
// `grants` below is the table: who gets which built-in role on what, and why. Bicep needs the
// `scope` of a role assignment to be a resource of one type per declaration, so the table is
// applied by one loop per kind of scope (account, container, queue, Application Insights,
// Service Bus namespace), each a filter of the same table. Nothing else in infra/ assigns roles
// (test/infra/rbac.test.ts checks that, and the GUIDs against the built-in role list).
//
// The app's identity needs account-wide data roles: the Functions host keeps its keys and timer
// locks in blobs of the same account, the dispatcher creates task queues on demand, and purge
// lists and clears queues. Workers get only what a worker does, on the narrowest scope Bicep can
// name: the deployment's container, the completion queue, their task queues, and the workers
// table their heartbeats go to.

@description('Storage account holding dagq\'s data and the host\'s storage.')
param storageAccountName string

@description('The deployment\'s blob container (layout.ts `container`).')
param containerName string

@description('The completion queue workers report to (layout.ts `completionQueue`).')
param completionQueueName string

@description('The worker registry table workers send heartbeats to (layout.ts `workersTable`).')
param workersTableName string

@description('Task queues (and their poison queues) workers take tasks from.')
param workerQueueNames array

@description('Application Insights component the app sends telemetry to with Entra ID.')
param appInsightsName string

@description('Principal (object) id of the Function App\'s user-assigned identity.')
param appPrincipalId string

@description('Principal (object) ids of the workers\' identities (managed identities or service principals).')
param workerPrincipalIds array = []

@description('Service Bus namespace (same resource group) for `sb://` task queues; empty for none.')
param serviceBusNamespaceName string = ''

// Built-in role definition ids (the same in every tenant; verified against the Azure built-in roles list).
var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
}

var useServiceBus = !empty(serviceBusNamespaceName)

// --- the role table ---------------------------------------------------------------------------
var appGrants = [
  {
    principalId: appPrincipalId
    role: 'storageBlobDataOwner'
    scope: 'account'
    target: ''
    why: 'Functions host storage (keys, timer locks, containers it creates), the deployment package, and dagq state blobs: read, write, append, leases, metadata, delete, list'
  }
  {
    principalId: appPrincipalId
    role: 'storageQueueDataContributor'
    scope: 'account'
    target: ''
    why: 'dagq queues: the completion/control triggers, dispatch to task queues created on demand, poison queues, depth, clear and list for purge and doctor'
  }
  {
    principalId: appPrincipalId
    role: 'storageTableDataContributor'
    scope: 'account'
    target: ''
    why: 'dagq index and inbox tables (query, upsert, delete, batch, create) and the Functions host diagnostic events'
  }
  {
    principalId: appPrincipalId
    role: 'monitoringMetricsPublisher'
    scope: 'appInsights'
    target: ''
    why: 'Application Insights ingestion with Entra ID (local authentication is disabled)'
  }
]

var appServiceBusGrants = useServiceBus ? [
  {
    principalId: appPrincipalId
    role: 'serviceBusDataSender'
    scope: 'serviceBus'
    target: ''
    why: 'dispatch of tasks whose queue is sb://<namespace>/<queue>'
  }
] : []

var workerContainerGrants = [for id in workerPrincipalIds: {
  principalId: id
  role: 'storageBlobDataContributor'
  scope: 'container'
  target: containerName
  why: 'worker: read signals.json and inputs blobs, write spilled outputs'
}]

var workerCompletionGrants = [for id in workerPrincipalIds: {
  principalId: id
  role: 'storageQueueDataMessageSender'
  scope: 'queue'
  target: completionQueueName
  why: 'worker: send completion messages, nothing else on the completion queue'
}]

// One grant per (worker, task queue): a single loop over the product, as Bicep has no nested
// for-expressions in variables.
var workerQueueCount = length(workerQueueNames)
var workerTaskQueueGrants = [for i in range(0, length(workerPrincipalIds) * workerQueueCount): {
  principalId: workerPrincipalIds[i / workerQueueCount]
  role: 'storageQueueDataContributor'
  scope: 'queue'
  target: workerQueueNames[i % workerQueueCount]
  why: 'worker: receive, renew visibility (update), delete task messages; create and send to the task queue\'s poison queue'
}]

var workerTableGrants = [for id in workerPrincipalIds: {
  principalId: id
  role: 'storageTableDataContributor'
  scope: 'table'
  target: workersTableName
  why: 'worker: upsert its own row (heartbeat) in the worker registry'
}]

var workerServiceBusGrants = [for id in (useServiceBus ? workerPrincipalIds : []): {
  principalId: id
  role: 'serviceBusDataReceiver'
  scope: 'serviceBus'
  target: ''
  why: 'worker: peek-lock, renew and complete task messages from sb:// queues'
}]

var workerGrants = concat(workerContainerGrants, workerCompletionGrants, workerTaskQueueGrants, workerTableGrants, workerServiceBusGrants)
var grants = concat(appGrants, appServiceBusGrants, workerGrants)

var accountGrants = filter(grants, g => g.scope == 'account')
var containerGrants = filter(grants, g => g.scope == 'container')
var queueGrants = filter(grants, g => g.scope == 'queue')
var tableGrants = filter(grants, g => g.scope == 'table')
var appInsightsGrants = filter(grants, g => g.scope == 'appInsights')
var serviceBusGrants = filter(grants, g => g.scope == 'serviceBus')

// --- scopes -----------------------------------------------------------------------------------
resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'
  }

  resource queueService 'queueServices' existing = {
    name: 'default'
  }

  resource tableService 'tableServices' existing = {
    name: 'default'
  }
}

resource grantContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = [for g in containerGrants: {
  parent: account::blobService
  name: g.target
}]

resource grantQueues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' existing = [for g in queueGrants: {
  parent: account::queueService
  name: g.target
}]

resource grantTables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' existing = [for g in tableGrants: {
  parent: account::tableService
  name: g.target
}]

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2021-11-01' existing = if (useServiceBus) {
  name: serviceBusNamespaceName
}

// --- the assignments: one loop per kind of scope, over the same table --------------------------
resource accountAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for g in accountGrants: {
  name: guid(account.id, g.principalId, roleIds[g.role])
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[g.role])
    principalId: g.principalId
    principalType: 'ServicePrincipal'
    description: g.why
  }
}]

resource containerAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (g, i) in containerGrants: {
  name: guid(grantContainers[i].id, g.principalId, roleIds[g.role])
  scope: grantContainers[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[g.role])
    principalId: g.principalId
    principalType: 'ServicePrincipal'
    description: g.why
  }
}]

resource queueAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (g, i) in queueGrants: {
  name: guid(grantQueues[i].id, g.principalId, roleIds[g.role])
  scope: grantQueues[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[g.role])
    principalId: g.principalId
    principalType: 'ServicePrincipal'
    description: g.why
  }
}]

resource tableAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for (g, i) in tableGrants: {
  name: guid(grantTables[i].id, g.principalId, roleIds[g.role])
  scope: grantTables[i]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[g.role])
    principalId: g.principalId
    principalType: 'ServicePrincipal'
    description: g.why
  }
}]

resource appInsightsAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for g in appInsightsGrants: {
  name: guid(appInsights.id, g.principalId, roleIds[g.role])
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[g.role])
    principalId: g.principalId
    principalType: 'ServicePrincipal'
    description: g.why
  }
}]

resource serviceBusAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for g in serviceBusGrants: {
  name: guid(serviceBus.id, g.principalId, roleIds[g.role])
  scope: serviceBus
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds[g.role])
    principalId: g.principalId
    principalType: 'ServicePrincipal'
    description: g.why
  }
}]

output assignmentCount int = length(grants)
