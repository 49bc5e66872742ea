// The Function App: a Flex Consumption plan (FC1, Linux) running Node 22, with one user-assigned
// identity for everything it touches. No secret reaches it: the host's storage, dagq's storage
// and the queue trigger use identity-based connections, the deployment package is fetched with
// the identity, and telemetry is sent with Entra ID.
//
// App settings are ONLY what src/config.ts reads (ConfigSchema) plus what the Functions runtime
// needs to use them; test/infra/appSettings.test.ts holds both lists and fails on anything else.
// On Flex Consumption the runtime comes from functionAppConfig.runtime, so the deprecated
// FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION / WEBSITE_RUN_FROM_PACKAGE settings are
// not set.

@description('Function App name (globally unique: <name>.azurewebsites.net).')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region.')
param location string

@description('Tags for the plan and the app.')
param tags object = {}

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (selects it for DefaultAzureCredential and the Functions host).')
param identityClientId string

@description('Storage account for the host, dagq\'s data and the deployment package.')
param storageAccountName string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Application Insights component (its connection string is read here, never passed around).')
param appInsightsName string

@description('Flex Consumption: the most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Flex Consumption: memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Flex Consumption: instances kept running for the completion queue trigger and for the HTTP functions each; 0 for none.')
@minValue(0)
@maxValue(20)
param alwaysReadyInstances int

// --- dagq settings (src/config.ts), passed through from main.bicep --------------------------
@description('DAGQ_PREFIX')
param prefix string

@description('DAGQ_MAX_RUNNING_WORKFLOWS')
param maxRunningWorkflows int

@description('DAGQ_MAX_IN_FLIGHT')
param maxInFlight int

@description('DAGQ_LEASE_SECONDS')
param leaseSeconds int

@description('DAGQ_READY_REPAIR_AFTER_S')
param readyRepairAfterS int

@description('DAGQ_SWEEP_CONCURRENCY')
param sweepConcurrency int

@description('DAGQ_MAX_QUEUE_DEPTH')
param maxQueueDepth int

@description('DAGQ_PACK_TASKS')
param packTasks int

@description('DAGQ_MAX_REQUEST_BYTES')
param maxRequestBytes int

@description('DAGQ_SWEEP_RUNNING_SCHEDULE')
param sweepRunningSchedule string

@description('DAGQ_SWEEP_ORPHANS_SCHEDULE')
param sweepOrphansSchedule string

@description('DAGQ_ADMISSION_SCHEDULE')
param admissionSchedule string

@description('DAGQ_SERVICEBUS_NAMESPACES')
param serviceBusNamespaces string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd finds the app to deploy the `api` service (azure.yaml) to by this tag.
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        // The Functions host's own storage (keys, timer singleton locks), by identity.
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storage.name
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identityClientId
        }
        // dagq's storage: read by src/config.ts (account name + client id for
        // DefaultAzureCredential) and, as the connection `DagqStorage`, by the queue triggers.
        {
          name: 'DagqStorage__accountName'
          value: storage.name
        }
        {
          name: 'DagqStorage__queueServiceUri'
          value: storage.properties.primaryEndpoints.queue
        }
        {
          name: 'DagqStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'DagqStorage__clientId'
          value: identityClientId
        }
        {
          name: 'DAGQ_PREFIX'
          value: prefix
        }
        {
          name: 'DAGQ_MAX_RUNNING_WORKFLOWS'
          value: string(maxRunningWorkflows)
        }
        {
          name: 'DAGQ_MAX_IN_FLIGHT'
          value: string(maxInFlight)
        }
        {
          name: 'DAGQ_LEASE_SECONDS'
          value: string(leaseSeconds)
        }
        {
          name: 'DAGQ_READY_REPAIR_AFTER_S'
          value: string(readyRepairAfterS)
        }
        {
          name: 'DAGQ_SWEEP_CONCURRENCY'
          value: string(sweepConcurrency)
        }
        {
          name: 'DAGQ_MAX_QUEUE_DEPTH'
          value: string(maxQueueDepth)
        }
        {
          name: 'DAGQ_PACK_TASKS'
          value: string(packTasks)
        }
        {
          name: 'DAGQ_MAX_REQUEST_BYTES'
          value: string(maxRequestBytes)
        }
        {
          name: 'DAGQ_SWEEP_RUNNING_SCHEDULE'
          value: sweepRunningSchedule
        }
        {
          name: 'DAGQ_SWEEP_ORPHANS_SCHEDULE'
          value: sweepOrphansSchedule
        }
        {
          name: 'DAGQ_ADMISSION_SCHEDULE'
          value: admissionSchedule
        }
        {
          name: 'DAGQ_SERVICEBUS_NAMESPACES'
          value: serviceBusNamespaces
        }
        // Without a limit submit starts workflows itself: the admission timer has nothing to do,
        // so the host does not schedule it (nor start an instance for it) at all.
        {
          name: 'AzureWebJobs.admission.Disabled'
          value: maxRunningWorkflows == 0 ? 'true' : 'false'
        }
        // Where telemetry goes (an endpoint and the component's id, not a credential: local auth
        // is disabled on the component) and how to authenticate: Entra ID with this identity.
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD;ClientId=${identityClientId}'
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        // Flex Consumption scales each queue and timer function on its own instances, and the
        // HTTP functions as one group. Completions and API calls then never wait for a cold
        // start; the cost is these instances' memory, billed while they idle (infra/README.md).
        alwaysReady: alwaysReadyInstances == 0 ? [] : [
          {
            name: 'function:completionIngest'
            instanceCount: alwaysReadyInstances
          }
          {
            name: 'http'
            instanceCount: alwaysReadyInstances
          }
        ]
      }
      // Node 20 reaches end of life in April 2026; the code runs on 20 and 22 alike.
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
