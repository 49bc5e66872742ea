// Parameters for `az deployment group create -g <rg> -p infra/main.bicepparam` (Azure CLI with
// Bicep support). Values come from the environment where set, with the template's defaults
// otherwise; see infra/README.md. azd uses main.parameters.json instead.
using './main.bicep'

param environmentName = readEnvironmentVariable('AZURE_ENV_NAME', 'dagq-dev')
param prefix = readEnvironmentVariable('DAGQ_PREFIX', 'dagq')
param maxRunningWorkflows = int(readEnvironmentVariable('DAGQ_MAX_RUNNING_WORKFLOWS', '0'))
param maxInFlight = int(readEnvironmentVariable('DAGQ_MAX_IN_FLIGHT', '1000'))
param maximumInstanceCount = int(readEnvironmentVariable('DAGQ_MAXIMUM_INSTANCE_COUNT', '100'))
param workerPrincipalIds = empty(readEnvironmentVariable('DAGQ_WORKER_PRINCIPAL_IDS', '')) ? [] : split(readEnvironmentVariable('DAGQ_WORKER_PRINCIPAL_IDS', ''), ',')
param serviceBusNamespaceName = readEnvironmentVariable('DAGQ_SERVICE_BUS_NAMESPACE', '')
