// IncidentFunctions on Azure: `azd up` provisions this (subscription scope) and deploys the Functions app.
// Raw resource declarations only: registry modules (br/public:) need the network at build time.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region for every resource; it must offer Flex Consumption.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the deploying user (azd sets AZURE_PRINCIPAL_ID); empty to grant it nothing.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
@description('Kind of principal `principalId` is: ServicePrincipal when a pipeline deploys.')
param principalType string = 'User'

@secure()
@description('Wallarm API token with read access to attacks and vulnerabilities. Stored in Key Vault only.')
param wallarmApiToken string

@description('Wallarm cloud: US, EU, or the absolute URL of the API.')
param wallarmCloud string = 'EU'

@description('Wallarm tenant id (clientid); empty to discover it from the token.')
param wallarmClientId string = ''

@description('IANA time zone whose midnights separate report days, e.g. Europe/Berlin.')
param reportTimeZone string = 'UTC'

@description('NCRONTAB (6 fields, UTC) of the incident pull.')
param pullIncidentsSchedule string = '0 */5 * * * *'

@description('NCRONTAB (6 fields, UTC) of the digest timer; it decides in the report zone whether the digest is due.')
param dailyDigestSchedule string = '0 */15 * * * *'

@description('Chat channels that receive the daily digest, comma-separated: any of slack, teams, discord, generic. Each needs its webhook URL parameter.')
param digestChannels string = ''

@secure()
@description('Slack incoming-webhook URL for the daily digest. Stored in Key Vault only.')
param slackWebhookUrl string = ''

@secure()
@description('Microsoft Teams Workflows webhook URL (the "Send webhook alerts to a channel" flow); empty for none. Key Vault only.')
param teamsWebhookUrl string = ''

@secure()
@description('Discord webhook URL; empty for none. Key Vault only.')
param discordWebhookUrl string = ''

@secure()
@description('Generic JSON webhook URL (docs/webhook-schema.md); empty for none. Key Vault only.')
param genericWebhookUrl string = ''

@secure()
@description('HMAC-SHA256 signing secret for the generic webhook (at least 32 characters). Key Vault only.')
param genericWebhookSecret string = ''

@description('Local time (report zone, HH:mm) from which yesterday\'s digest is posted to the chat channels.')
param digestSendTime string = '08:00'

@description('NCRONTAB (6 fields, UTC) of the intel list refresh.')
param refreshIntelSchedule string = '0 30 3 * * *'

@description('Download the public intel feeds (ip-location-db from jsDelivr, Tor, cloud ranges, Spamhaus, FireHOL): a deployed app has no bundled npm data. Needs outbound HTTPS.')
param usePublicIntelFeeds bool = true

@description('Company name printed on reports.')
param reportCompanyName string = ''

@secure()
@description('Base64 secret (at least 32 bytes, e.g. `openssl rand -base64 32`) that signs shared report links. Stored in Key Vault only.')
param reportSigningKey string

@description('Key id of reportSigningKey; a new id rotates the key (see the README, Rotating secrets).')
param reportSigningKeyId string = 'k1'

@description('Queue of source IPs to enrich; the poison queue `<name>-poison` is created with it.')
param enrichmentQueueName string = 'enrich-sources'

@allowed([
  512
  2048
  4096
])
@description('Memory per instance (MB) on Flex Consumption.')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Most instances Flex Consumption scales out to.')
param maximumInstanceCount int = 40

@description('The azure.yaml service key; azd deploys to the site tagged with it.')
var serviceName = 'functionapp'

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
var keyVaultName = '${abbrs.keyVaultVaults}${resourceToken}'
var storageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
var applicationInsightsName = '${abbrs.insightsComponents}${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'

// Secrets live in Key Vault only; the app setting named `setting` references the secret named `name`.
// To add one: a @secure() param, an entry here, and its value in `secretValues` below.
var keyVaultSecrets = concat([
  {
    name: 'wallarm-api-token'
    setting: 'Wallarm__ApiToken'
  }
  {
    name: 'report-signing-key-${reportSigningKeyId}'
    setting: 'Reports__SigningKeys__${reportSigningKeyId}'
  }
], chatChannelSecrets)

// Chat channels for the digest: one per webhook URL given. Names and kinds are plain settings; URLs (and the generic
// channel's signing secret) are Key Vault secrets. Indexes follow this order, skipping channels without a URL.
// Which channels exist comes from a plain parameter: the URLs are secure and must not shape the deployment.
var channelNames = map(filter(split(toLower(replace(digestChannels, ' ', '')), ','), n => !empty(n)), n => trim(n))
var chatChannels = filter([
  {
    name: 'slack'
    kind: 'Slack'
    configured: contains(channelNames, 'slack')
    signed: false
  }
  {
    name: 'teams'
    kind: 'Teams'
    configured: contains(channelNames, 'teams')
    signed: false
  }
  {
    name: 'discord'
    kind: 'Discord'
    configured: contains(channelNames, 'discord')
    signed: false
  }
  {
    name: 'generic'
    kind: 'Generic'
    configured: contains(channelNames, 'generic')
    signed: true
  }
], c => c.configured)
var chatChannelSettings = reduce(range(0, length(chatChannels)), {}, (acc, i) => union(acc, {
  'Digest__Channels__${i}__Name': chatChannels[i].name
  'Digest__Channels__${i}__Kind': chatChannels[i].kind
}))
var chatChannelSecrets = flatten(map(range(0, length(chatChannels)), i => concat(
  [
    {
      name: 'digest-${chatChannels[i].name}-url'
      setting: 'Digest__Channels__${i}__Url'
    }
  ],
  chatChannels[i].signed
    ? [
        {
          name: 'digest-${chatChannels[i].name}-secret'
          setting: 'Digest__Channels__${i}__Secret'
        }
      ]
    : []
)))
var chatSecretValues = {
  'digest-slack-url': slackWebhookUrl
  'digest-teams-url': teamsWebhookUrl
  'digest-discord-url': discordWebhookUrl
  'digest-generic-url': genericWebhookUrl
  'digest-generic-secret': genericWebhookSecret
}

// The app's tables (Storage/StorageOptions defaults) and blob containers besides the deployment package.
var appTables = [
  'incidents'
  'checkpoints'
  'coverage'
  'vulnerabilities'
  'quarantine'
  'sources'
  'sourcecache'
  'digestdeliveries'
  'digestchannels'
  'digestalerts'
]
var appContainers = [
  'reports'
]

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'core/identity/user-assigned-identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'core/storage/storage-account.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    containers: concat([deploymentContainerName], appContainers)
    queues: [enrichmentQueueName]
    tables: appTables
  }
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
  }
}

module keyVault 'core/security/key-vault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: tags
    secretNames: map(keyVaultSecrets, s => s.name)
    secretValues: union(chatSecretValues, {
      'wallarm-api-token': wallarmApiToken
      'report-signing-key-${reportSigningKeyId}': reportSigningKey
    })
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  // Names are known up front (so previews show them); the resources must exist before their role assignments.
  dependsOn: [
    storage
    keyVault
    monitoring
  ]
  params: {
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
    applicationInsightsName: applicationInsightsName
    identityPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module plan 'core/host/flex-consumption-plan.bicep' = {
  name: 'plan'
  scope: rg
  params: {
    name: '${abbrs.webSitesFunctions}plan-${resourceToken}'
    location: location
    tags: tags
  }
}

module functionApp 'app/function-app.bicep' = {
  name: 'functionapp'
  scope: rg
  // The identity's roles and the secrets must exist before the app first starts and resolves its Key Vault references.
  dependsOn: [
    rbac
    keyVault
  ]
  params: {
    name: functionAppName
    location: location
    tags: tags
    serviceName: serviceName
    planId: plan.outputs.id
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    keyVaultUri: 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/'
    keyVaultSettings: toObject(keyVaultSecrets, s => s.setting, s => s.name)
    chatChannelSettings: chatChannelSettings
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    wallarmCloud: wallarmCloud
    wallarmClientId: wallarmClientId
    reportTimeZone: reportTimeZone
    pullIncidentsSchedule: pullIncidentsSchedule
    dailyDigestSchedule: dailyDigestSchedule
    digestSendTime: digestSendTime
    enrichmentQueueName: enrichmentQueueName
    refreshIntelSchedule: refreshIntelSchedule
    usePublicIntelFeeds: usePublicIntelFeeds
    reportCompanyName: reportCompanyName
    reportSigningKeyId: reportSigningKeyId
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_URI string = functionApp.outputs.uri
output AZURE_KEY_VAULT_NAME string = keyVaultName
output AZURE_STORAGE_ACCOUNT_NAME string = storageAccountName
output SERVICE_FUNCTIONAPP_NAME string = functionApp.outputs.name
