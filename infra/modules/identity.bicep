// The deployment's one user-assigned managed identity. The Function App runs as it: the Functions
// host (AzureWebJobsStorage), the dagq code and queue trigger (DagqStorage), the Flex Consumption
// deployment package, Application Insights ingestion and Service Bus sends all authenticate with it.
// Workers run elsewhere with identities of their own (see rbac.bicep, workerPrincipalIds).

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags for the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
