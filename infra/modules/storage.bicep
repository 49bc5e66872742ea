// The storage account: dagq's data (one blob container, two tables, its queues), the Functions
// host's own storage (AzureWebJobsStorage: keys, timer locks) and the Flex Consumption deployment
// package. Shared-key access is off: every caller authenticates with Entra ID (rbac.bicep).
//
// Every dagq name below derives from `prefix` exactly as src/storage/layout.ts derives it, and
// test/infra/storageNames.test.ts evaluates these expressions against layout() to keep them equal.
// The app would create most of them itself on first use (provision()); creating them here too
// lets workers be granted access to single queues, which needs the queue to exist.

@description('Storage account name (3-24 lower-case letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for the account.')
param tags object = {}

@description('Deployment prefix (DAGQ_PREFIX): names every container, table and queue of this deployment.')
@minLength(1)
@maxLength(16)
param prefix string

@description('Logical task queues to create (a task\'s `queue`, default `default`); each becomes `<prefix>-tasks-<name>` with its poison queue.')
param taskQueues array = [
  'default'
]

@description('Blob container holding the Flex Consumption deployment package.')
param deploymentContainerName string

// --- names, as src/storage/layout.ts derives them --------------------------------------------
var containerName = '${prefix}-workflows'
var indexTableName = '${prefix}workflows'
var inboxTableName = '${prefix}inbox'
var workersTableName = '${prefix}workers'
var completionQueueName = '${prefix}-completions'
var controlQueueName = '${prefix}-control'
var taskQueueNames = [for q in taskQueues: '${prefix}-tasks-${q}']
var queueNames = concat([completionQueueName, controlQueueName], taskQueueNames)
// layout.poisonQueue(q): where the Functions host (and dagq) moves a message that keeps failing.
var poisonQueueNames = [for q in queueNames: '${q}-poison']
var allQueueNames = concat(queueNames, poisonQueueNames)
var taskPoisonQueueNames = [for q in taskQueueNames: '${q}-poison']
var tableNames = [indexTableName, inboxTableName, workersTableName]
var containerNames = [containerName, deploymentContainerName]

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [for c in containerNames: {
  parent: blobService
  name: c
  properties: {
    publicAccess: 'None'
  }
}]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for q in allQueueNames: {
  parent: queueService
  name: q
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for t in tableNames: {
  parent: tableService
  name: t
}]

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output containerName string = containerName
output deploymentContainerName string = deploymentContainerName
output indexTableName string = indexTableName
output inboxTableName string = inboxTableName
output workersTableName string = workersTableName
output completionQueueName string = completionQueueName
output controlQueueName string = controlQueueName
output taskQueueNames array = taskQueueNames
output poisonQueueNames array = poisonQueueNames
// The queues a worker takes tasks from and moves malformed ones to. rbac.bicep reads this output,
// which makes it wait for this module, so the queues exist before roles are assigned on them.
output workerQueueNames array = concat(taskQueueNames, taskPoisonQueueNames)
