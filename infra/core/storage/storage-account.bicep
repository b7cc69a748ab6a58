// The one storage account: the Functions host's own state (AzureWebJobsStorage), the deployment package container
// and the app's tables, queues and blob containers. Shared keys are disabled: every caller uses Entra ID.
param name string
param location string
param tags object

@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
])
param skuName string = 'Standard_LRS'

@description('Blob containers to create (the deployment package container and the app\'s own).')
param containers string[]

@description('Queues the app triggers on. Each gets its `<name>-poison` companion, where the host moves messages that keep failing.')
param queues string[]

@description('Tables the app uses (it also creates missing ones itself; creating them here makes the data plane visible from day one).')
param tables string[]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource blobContainers 'containers' = [for container in containers: {
      name: container
      properties: {
        publicAccess: 'None'
      }
    }]
  }

  resource queueService 'queueServices' = {
    name: 'default'

    resource appQueues 'queues' = [for queue in flatten(map(queues, q => [q, '${q}-poison'])): {
      name: queue
    }]
  }

  resource tableService 'tableServices' = {
    name: 'default'

    resource appTables 'tables' = [for table in tables: {
      name: table
    }]
  }
}

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
