// dagq on Azure: one resource group holding a Flex Consumption Function App, its storage, its
// monitoring, one user-assigned identity and every role assignment. Names derive from a resource
// token, so the same environment name in the same resource group always means the same resources.
//
//   az deployment group create -g <rg> -f infra/main.bicep -p environmentName=<env>
//   azd up                                  (azure.yaml at the repository root)
//
// Not compiled here: no Bicep compiler is reachable from the machine this was written on.
// test/infra/*.test.ts read these files as text and check names, settings, roles and hygiene
// against the code (infra/README.md lists what they check and what they cannot).

targetScope = 'resourceGroup'

@description('Environment name (azd AZURE_ENV_NAME): part of the resource token, and the azd-env-name tag.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Azure region for every resource; must offer the Flex Consumption plan.')
param location string = resourceGroup().location

@description('Deployment prefix (DAGQ_PREFIX): names every container, table and queue of this deployment; 1-16 lower-case letters and digits, starting with a letter.')
@minLength(1)
@maxLength(16)
param prefix string = 'dagq'

@description('DAGQ_MAX_RUNNING_WORKFLOWS: admission control, at most this many running workflows; 0 means no limit.')
@minValue(0)
@maxValue(1000000)
param maxRunningWorkflows int = 0

@description('DAGQ_MAX_IN_FLIGHT: tasks dispatched and not finished, per workflow.')
@minValue(1)
@maxValue(100000)
param maxInFlight int = 1000

@description('DAGQ_LEASE_SECONDS: the workflow lease, in seconds.')
@minValue(15)
@maxValue(60)
param leaseSeconds int = 15

@description('DAGQ_READY_REPAIR_AFTER_S: a dispatched task no worker started this long is dispatched again (when its queue is empty).')
@minValue(30)
@maxValue(604800)
param readyRepairAfterS int = 600

@description('DAGQ_MAX_QUEUE_DEPTH: no dispatch into a storage task queue this deep; 0 turns the cap off.')
@minValue(0)
@maxValue(10000000)
param maxQueueDepth int = 10000

@description('DAGQ_PACK_TASKS: the most tasks one task message holds; 1 turns packs off.')
@minValue(1)
@maxValue(256)
param packTasks int = 32

@description('DAGQ_SWEEP_CONCURRENCY: index shards swept in parallel.')
@minValue(1)
@maxValue(64)
param sweepConcurrency int = 4

@description('DAGQ_MAX_REQUEST_BYTES: the largest request body the HTTP API accepts.')
@minValue(1024)
@maxValue(104857600)
param maxRequestBytes int = 8388608

@description('DAGQ_SWEEP_RUNNING_SCHEDULE: NCRONTAB (6 fields, seconds first, UTC) of the sweepRunning timer.')
param sweepRunningSchedule string = '*/30 * * * * *'

@description('DAGQ_SWEEP_ORPHANS_SCHEDULE: NCRONTAB (6 fields, seconds first, UTC) of the sweepOrphans timer.')
param sweepOrphansSchedule string = '0 */5 * * * *'

@description('DAGQ_ADMISSION_SCHEDULE: NCRONTAB (6 fields, seconds first, UTC) of the admission timer.')
param admissionSchedule string = '*/15 * * * * *'

@description('DAGQ_SERVICEBUS_NAMESPACES: the Service Bus namespaces tasks may name in `queue: sb://...`, comma-separated (e.g. acme-ml); empty: none. The app connects to them with its identity, so a definition may not choose the host.')
param serviceBusNamespaces string = ''

@description('Flex Consumption: the most instances the Function App scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Flex Consumption: memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Flex Consumption: always-ready instances for the completion queue trigger and for the HTTP functions, each (0 for none). They remove cold starts from completions and API calls, and are billed for their memory while idle.')
@minValue(0)
@maxValue(20)
param alwaysReadyInstances int = 1

@description('Logical task queues to create and grant workers (a task\'s `queue`); each becomes the storage queue `<prefix>-tasks-<name>`. Lower-case letters, digits and hyphens.')
@minLength(1)
param taskQueues array = [
  'default'
]

@description('Principal (object) ids of worker identities (managed identities or service principals) to grant exactly what a worker needs; empty for none.')
param workerPrincipalIds array = []

@description('Name of an existing Service Bus namespace in this resource group for `sb://` task queues (the app gets Data Sender, workers Data Receiver); empty for none.')
param serviceBusNamespaceName string = ''

// Names: a resource token and the usual abbreviations.
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, location, environmentName))
var tags = {
  'azd-env-name': environmentName
}
var identityName = 'id-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var workspaceName = 'log-${resourceToken}'
var appInsightsName = 'appi-${resourceToken}'
var planName = 'plan-${resourceToken}'
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${functionAppName}'

module identity './modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module storage './modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    tags: tags
    prefix: prefix
    taskQueues: taskQueues
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring './modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: workspaceName
    appInsightsName: appInsightsName
    location: location
    tags: tags
  }
}

module rbac './modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    storageAccountName: storage.outputs.name
    containerName: storage.outputs.containerName
    completionQueueName: storage.outputs.completionQueueName
    workersTableName: storage.outputs.workersTableName
    workerQueueNames: storage.outputs.workerQueueNames
    appInsightsName: monitoring.outputs.appInsightsName
    appPrincipalId: identity.outputs.principalId
    workerPrincipalIds: workerPrincipalIds
    serviceBusNamespaceName: serviceBusNamespaceName
  }
}

module functionApp './modules/functionApp.bicep' = {
  name: 'functionApp'
  // The host starts with its roles already assigned (they still take a few minutes to apply).
  dependsOn: [
    rbac
  ]
  params: {
    name: functionAppName
    planName: planName
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    appInsightsName: monitoring.outputs.appInsightsName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    alwaysReadyInstances: alwaysReadyInstances
    prefix: prefix
    maxRunningWorkflows: maxRunningWorkflows
    maxInFlight: maxInFlight
    leaseSeconds: leaseSeconds
    readyRepairAfterS: readyRepairAfterS
    sweepConcurrency: sweepConcurrency
    maxQueueDepth: maxQueueDepth
    packTasks: packTasks
    maxRequestBytes: maxRequestBytes
    sweepRunningSchedule: sweepRunningSchedule
    sweepOrphansSchedule: sweepOrphansSchedule
    admissionSchedule: admissionSchedule
    serviceBusNamespaces: serviceBusNamespaces
  }
}

// What clients, workers and azd need; no keys, secrets or connection strings.
output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output DAGQ_URL string = 'https://${functionApp.outputs.defaultHostName}/api'
output FUNCTION_APP_NAME string = functionApp.outputs.name
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output DAGQ_PREFIX string = prefix
output CONTAINER_NAME string = storage.outputs.containerName
output COMPLETION_QUEUE string = storage.outputs.completionQueueName
output CONTROL_QUEUE string = storage.outputs.controlQueueName
output TASK_QUEUES array = storage.outputs.taskQueueNames
output POISON_QUEUES array = storage.outputs.poisonQueueNames
output IDENTITY_CLIENT_ID string = identity.outputs.clientId
output IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
