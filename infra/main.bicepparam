// The one parameter file of main.bicep, for azd and the Azure CLI alike: azd always uses
// main.bicepparam when it exists (a main.parameters.json beside it would be ignored), and
// `az deployment group create -g <rg> -p infra/main.bicepparam` reads it too. Values come from
// the environment where set (azd puts its environment's values there), the template's defaults
// otherwise; see infra/README.md.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dagq-dev')
param prefix = readEnvironmentVariable('DAGQ_PREFIX', 'dagq')
param maxRunningWorkflows = int(readEnvironmentVariable('DAGQ_MAX_RUNNING_WORKFLOWS', '0'))
param maxInFlight = int(readEnvironmentVariable('DAGQ_MAX_IN_FLIGHT', '1000'))
param maximumInstanceCount = int(readEnvironmentVariable('DAGQ_MAXIMUM_INSTANCE_COUNT', '100'))
param alwaysReadyInstances = int(readEnvironmentVariable('DAGQ_ALWAYS_READY_INSTANCES', '1'))
param workerPrincipalIds = empty(readEnvironmentVariable('DAGQ_WORKER_PRINCIPAL_IDS', '')) ? [] : split(readEnvironmentVariable('DAGQ_WORKER_PRINCIPAL_IDS', ''), ',')
param serviceBusNamespaceName = readEnvironmentVariable('DAGQ_SERVICE_BUS_NAMESPACE', '')
