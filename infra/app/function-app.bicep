// The IncidentFunctions app on Flex Consumption: the site, its deployment container binding and every app setting it
// reads. This file is the one place app setting names appear; tests/IncidentFunctions.Tests/Infra compares them with
// the settings the app validates on start and the %SETTING% names in functions.metadata.
param name string
param location string
param tags object

@description('azd service name (azure.yaml `services` key); azd finds the app by this tag.')
param serviceName string

param planId string
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsConnectionString string

@description('Key Vault URI ending in a slash, e.g. https://kv-x.vault.azure.net/.')
param keyVaultUri string

@description('App settings whose values are Key Vault secrets: { "App__Setting": "secret-name" }.')
param keyVaultSettings object

@description('Plain settings of the digest\'s chat channels (names and kinds); their URLs are in keyVaultSettings.')
param chatChannelSettings object = {}

@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@minValue(0)
@maxValue(1000)
param alwaysReadyHttpInstances int

param wallarmCloud string
param wallarmClientId string
param reportTimeZone string
param pullIncidentsSchedule string
param dailyDigestSchedule string
param alertsSchedule string
param digestSendTime string
param enrichmentQueueName string
param refreshIntelSchedule string
param csvSnapshotsSchedule string
param retentionSchedule string
param usePublicIntelFeeds bool
param reportCompanyName string
param reportMarking string
param reportSigningKeyId string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

var identityAppSettings = {
  // Functions host storage through the identity (the account has shared keys disabled). Blob: leases, timer status,
  // keys; queue: the queue trigger; table: harmless and ready for host features that use it.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table

  // Telemetry with Entra auth (Application Insights has local auth disabled): the host reads both; the worker's
  // exporter reads them in Operations/TelemetryServiceCollectionExtensions.
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

  // DefaultAzureCredential picks the user-assigned identity from this.
  AZURE_CLIENT_ID: identityClientId

  // The app's own storage clients (Storage/StorageClients): endpoints + managed identity, no connection string.
  Storage__TableServiceUri: storage.properties.primaryEndpoints.table
  Storage__QueueServiceUri: storage.properties.primaryEndpoints.queue
  Storage__BlobServiceUri: storage.properties.primaryEndpoints.blob
  Storage__ManagedIdentityClientId: identityClientId

  // Read by the host in trigger attributes and bound into the app's options. Schedules are UTC: Flex ignores time zones.
  PULL_INCIDENTS_SCHEDULE: pullIncidentsSchedule
  DAILY_DIGEST_SCHEDULE: dailyDigestSchedule
  ALERTS_SCHEDULE: alertsSchedule
  CSV_SNAPSHOTS_SCHEDULE: csvSnapshotsSchedule
  RETENTION_SCHEDULE: retentionSchedule
  ENRICHMENT_QUEUE_NAME: enrichmentQueueName

  Wallarm__Cloud: wallarmCloud
  // Empty: discovered once through the API.
  Wallarm__ClientId: wallarmClientId
  Reports__TimeZone: reportTimeZone
  Reports__CompanyName: reportCompanyName
  Reports__Marking: reportMarking
  // Signed report links (chat digests) point here; the key itself is a Key Vault reference.
  Reports__PublicBaseUrl: 'https://${site.properties.defaultHostName}/api/'
  Reports__ActiveSigningKeyId: reportSigningKeyId
  Digest__SendTime: digestSendTime

  REFRESH_INTEL_SCHEDULE: refreshIntelSchedule
  // A deployed package has no node_modules: country/ASN data and the lists come from the providers' public URLs.
  Enrichment__UsePublicFeeds: string(usePublicIntelFeeds)
}

// On the smallest instance only: the GC sizes its youngest generation from the CPU's cache, and a busy day's report
// peaked 10-15 MB higher on a host with a 32 MB L3 (a 16 MB budget against 5). Pinned at 6 MB the peak no longer
// depends on the hardware, but ingestion pays about a fifth more CPU in collections, which larger instances need not
// (tests/IncidentFunctions.Benchmarks/README.md). The runtime reads it at process start.
var smallInstanceSettings = instanceMemoryMB <= 512 ? { DOTNET_GCgen0size: '0x600000' } : {}

// Secrets never appear in app settings: the platform resolves these references with keyVaultReferenceIdentity.
var keyVaultReferences = toObject(items(keyVaultSettings), s => s.key, s => '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${s.value})')

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: planId
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
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
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        // The 'http' group holds every HTTP-triggered function (reports, archive, CSV, status).
        alwaysReady: alwaysReadyHttpInstances > 0 ? [
          {
            name: 'http'
            instanceCount: alwaysReadyHttpInstances
          }
        ] : []
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  resource appSettings 'config' = {
    name: 'appsettings'
    properties: union(identityAppSettings, chatChannelSettings, keyVaultReferences, smallInstanceSettings)
  }
}

output name string = site.name
output uri string = 'https://${site.properties.defaultHostName}'
