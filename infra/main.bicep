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

@description('Object id of the deploying user or pipeline (azd sets AZURE_PRINCIPAL_ID from the signed-in account); empty to grant it nothing.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
@description('Kind of principal `principalId` is; azd sets AZURE_PRINCIPAL_TYPE from the signed-in account (ServicePrincipal after `azd auth login --client-id`).')
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

@description('NCRONTAB (6 fields, UTC) of the alerts timer: roll-ups at the end of their interval, retries of undelivered alerts. Does nothing while alerts are off.')
param alertsSchedule string = '5 * * * * *'

@description('Channels that receive the daily digest, comma-separated: any of slack, teams, discord, generic, email. Each chat channel needs its webhook URL parameter (and generic its signing secret), email its SMTP host, sender and recipients (and a password when a user name is set); provisioning fails otherwise.')
param digestChannels string = ''

@description('Channels of DIGEST_CHANNELS that also receive the weekly digest (Mondays, the ISO week before), comma-separated; empty for none.')
param digestWeekly string = ''

@description('Channels of DIGEST_CHANNELS that also receive the monthly digest (on the 1st, the month before), comma-separated; empty for none.')
param digestMonthly string = ''

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

@description('Recipients of the email digest, comma-separated (e.g. `soc@example.com, "Team lead" <lead@example.com>`). Needed when DIGEST_CHANNELS lists email.')
param emailTo string = ''

@description('Copy recipients of the email digest, comma-separated; empty for none.')
param emailCc string = ''

@description('Blind-copy recipients of the email digest (no other receiver sees them), comma-separated; empty for none.')
param emailBcc string = ''

@description('Sender address of the email digest; the relay must allow it (Azure Communication Services: a sender of a verified domain; Microsoft 365: the mailbox).')
param emailFrom string = ''

@description('Display name of the email digest\'s sender.')
param emailFromName string = 'Incident digest'

@description('SMTP server of the email digest, e.g. smtp.azurecomm.net, smtp.office365.com, smtp.sendgrid.net.')
param smtpHost string = ''

@minValue(1)
@maxValue(65535)
@description('SMTP port: 587 for StartTls, 465 for SslOnConnect.')
param smtpPort int = 587

// None (no encryption) is for a relay on the same machine only; a Function App never has one.
@allowed([
  'StartTls'
  'SslOnConnect'
])
@description('How the SMTP connection is secured.')
param smtpSecurity string = 'StartTls'

@description('SMTP user name (ACS: the SMTP username of its Entra app; SendGrid: `apikey`); empty sends without authenticating.')
param smtpUserName string = ''

@secure()
@description('SMTP password or API key, needed with smtpUserName. Stored in Key Vault only.')
param smtpPassword string = ''

@description('Local time (report zone, HH:mm) from which yesterday\'s digest is posted to the chat channels.')
param digestSendTime string = '08:00'

@description('NCRONTAB (6 fields, UTC) of the intel list refresh.')
param refreshIntelSchedule string = '0 30 3 * * *'

@description('NCRONTAB (6 fields, UTC) of the job that writes closed days\' CSV snapshots ahead of their first export.')
param csvSnapshotsSchedule string = '0 20 * * * *'

@description('NCRONTAB (6 fields, UTC) of the job that deletes stored days and reports past Reports__RetentionDays.')
param retentionSchedule string = '0 40 2 * * *'

@description('Download the public intel feeds (ip-location-db from jsDelivr, Tor, cloud ranges, Spamhaus, FireHOL): a deployed app has no bundled npm data. Needs outbound HTTPS.')
param usePublicIntelFeeds bool = true

@description('Company name printed on reports.')
param reportCompanyName string = ''

@description('Handling marking printed at the right of every report page\'s header and footer, e.g. TLP:AMBER; empty for none.')
@maxLength(60)
param reportMarking string = ''

@secure()
@description('Base64 secret (at least 32 bytes, e.g. `openssl rand -base64 32`) that signs shared report links. Stored in Key Vault only.')
param reportSigningKey string

@description('Key id of reportSigningKey (1-32 letters or digits); a new id with a new key rotates it (see the README, Rotating secrets).')
param reportSigningKeyId string = 'k1'

@description('Ids of earlier signing keys that still verify links, comma-separated (e.g. `k1`): their secrets `report-signing-key-<id>`, written by earlier deployments, stay in Key Vault and referenced until the links they signed have expired (Reports:MaxSignedLinkLifetime, 7 days). Provisioning fails if one is missing.')
param reportPreviousSigningKeyIds string = ''

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

@minValue(0)
@maxValue(1000)
@description('Instances kept running for the HTTP functions (Flex Consumption always ready, billed while idle). With 0, the default, the app scales to zero, and a report asked for after an idle spell also waits for an instance to start and warm up.')
param alwaysReadyHttpInstances int = 0

// Always-ready instances count towards the scale-out ceiling: refused here, before anything is created.
var alwaysReadyHttp = alwaysReadyHttpInstances > maximumInstanceCount
  ? fail('FUNCTION_ALWAYS_READY_HTTP (alwaysReadyHttpInstances) ${alwaysReadyHttpInstances} is more than FUNCTION_MAX_INSTANCE_COUNT (maximumInstanceCount) ${maximumInstanceCount}: lower it or raise the ceiling')
  : alwaysReadyHttpInstances

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
    name: 'report-signing-key-${activeSigningKeyId}'
    setting: 'Reports__SigningKeys__${activeSigningKeyId}'
  }
], chatChannelSecrets)

// Report-link signing keys. The active key is written from reportSigningKey on every provision; earlier keys are not
// parameters (their values are already in Key Vault), only their ids: their settings keep referencing the secrets
// earlier deployments wrote, so links signed before a rotation keep verifying. `azd provision` replaces all app
// settings, so a key missing here is gone from the app.
// A key id is part of an app setting name (letters, digits, '_', '.') and of a secret name (letters, digits, '-'):
// only letters and digits fit both.
var previousSigningKeyIds = union(filter(map(split(reportPreviousSigningKeyIds, ','), id => trim(id)), id => !empty(id)), [])
var signingKeyProblems = concat(
  isKeyId(reportSigningKeyId) ? [] : ['REPORT_SIGNING_KEY_ID (reportSigningKeyId) \'${reportSigningKeyId}\' must be 1-32 letters or digits'],
  map(filter(previousSigningKeyIds, id => !isKeyId(id)), id => 'REPORT_PREVIOUS_SIGNING_KEY_IDS (reportPreviousSigningKeyIds) lists \'${id}\': a key id is 1-32 letters or digits'),
  contains(previousSigningKeyIds, reportSigningKeyId)
    ? ['REPORT_PREVIOUS_SIGNING_KEY_IDS (reportPreviousSigningKeyIds) lists the active key id \'${reportSigningKeyId}\': list only the ids of earlier keys']
    : []
)
var activeSigningKeyId = empty(signingKeyProblems) ? reportSigningKeyId : fail(join(signingKeyProblems, '; '))
var previousSigningKeySecrets = map(previousSigningKeyIds, id => {
  name: 'report-signing-key-${id}'
  setting: 'Reports__SigningKeys__${id}'
})

// Channels for the digest: one per known name in DIGEST_CHANNELS, in a fixed order (slack, teams, discord, generic,
// email). Names, kinds and the email channel's server, sender and recipients are plain settings; webhook URLs, the
// generic channel's signing secret and the SMTP password are Key Vault secrets. Which channels and secrets exist comes
// from plain parameters (DIGEST_CHANNELS, SMTP_USER_NAME): secure values must not shape the deployment. A listed
// channel without what it needs and an unknown name fail provisioning before anything is created (Key Vault would
// accept an empty secret, and the app would only fail on start).
var channelNames = filter(map(split(toLower(digestChannels), ','), n => trim(n)), n => !empty(n))
var unknownChannelNames = filter(channelNames, n => !contains(['slack', 'teams', 'discord', 'generic', 'email'], n))
var weeklyNames = filter(map(split(toLower(digestWeekly), ','), n => trim(n)), n => !empty(n))
var monthlyNames = filter(map(split(toLower(digestMonthly), ','), n => trim(n)), n => !empty(n))
var periodNamesNotListed = filter(union(weeklyNames, monthlyNames), n => !contains(channelNames, n))
var emailProblems = contains(channelNames, 'email')
  ? concat(
      empty(trim(smtpHost)) ? ['SMTP_HOST (smtpHost)'] : [],
      empty(trim(emailFrom)) ? ['EMAIL_FROM (emailFrom)'] : [],
      empty(trim(emailTo)) ? ['EMAIL_TO (emailTo)'] : []
    )
  : []
var chatChannels = !empty(unknownChannelNames)
  ? fail('DIGEST_CHANNELS (digestChannels) lists unknown channel(s) \'${join(unknownChannelNames, '\', \'')}\': use slack, teams, discord, generic or email')
  : !empty(periodNamesNotListed)
  ? fail('DIGEST_WEEKLY (digestWeekly) or DIGEST_MONTHLY (digestMonthly) names channel(s) \'${join(periodNamesNotListed, '\', \'')}\' that DIGEST_CHANNELS does not list: add them there or remove them')
  : !empty(emailProblems)
  ? fail('DIGEST_CHANNELS (digestChannels) lists \'email\' but ${join(emailProblems, ', ')} ${length(emailProblems) == 1 ? 'is' : 'are'} empty: set ${length(emailProblems) == 1 ? 'it' : 'them'} (azd env set) or remove email from DIGEST_CHANNELS')
  : filter([
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
      {
        name: 'email'
        kind: 'Email'
        configured: contains(channelNames, 'email')
        signed: false
      }
    ], c => c.configured)
var chatChannelSettings = reduce(range(0, length(chatChannels)), {}, (acc, i) => union(acc, {
  'Digest__Channels__${i}__Name': chatChannels[i].name
  'Digest__Channels__${i}__Kind': chatChannels[i].kind
}, contains(weeklyNames, chatChannels[i].name) ? {
  'Digest__Channels__${i}__Weekly': 'true'
} : {}, contains(monthlyNames, chatChannels[i].name) ? {
  'Digest__Channels__${i}__Monthly': 'true'
} : {}, chatChannels[i].kind == 'Email' ? {
  'Digest__Channels__${i}__Email__To': emailTo
  'Digest__Channels__${i}__Email__Cc': emailCc
  'Digest__Channels__${i}__Email__Bcc': emailBcc
  'Digest__Channels__${i}__Email__From': emailFrom
  'Digest__Channels__${i}__Email__FromName': emailFromName
  'Digest__Channels__${i}__Email__Host': smtpHost
  'Digest__Channels__${i}__Email__Port': string(smtpPort)
  'Digest__Channels__${i}__Email__Security': smtpSecurity
  'Digest__Channels__${i}__Email__UserName': smtpUserName
} : {}))
var chatChannelSecrets = flatten(map(range(0, length(chatChannels)), i => concat(
  chatChannels[i].kind == 'Email'
    ? (empty(trim(smtpUserName))
        ? []
        : [
            {
              name: 'digest-email-password'
              setting: 'Digest__Channels__${i}__Email__Password'
            }
          ])
    : [
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
  'digest-slack-url': requiredIf(contains(channelNames, 'slack'), slackWebhookUrl, missingChannelSecret('slack', 'SLACK_WEBHOOK_URL (slackWebhookUrl)'))
  'digest-teams-url': requiredIf(contains(channelNames, 'teams'), teamsWebhookUrl, missingChannelSecret('teams', 'TEAMS_WEBHOOK_URL (teamsWebhookUrl)'))
  'digest-discord-url': requiredIf(contains(channelNames, 'discord'), discordWebhookUrl, missingChannelSecret('discord', 'DISCORD_WEBHOOK_URL (discordWebhookUrl)'))
  'digest-generic-url': requiredIf(contains(channelNames, 'generic'), genericWebhookUrl, missingChannelSecret('generic', 'GENERIC_WEBHOOK_URL (genericWebhookUrl)'))
  'digest-generic-secret': requiredIf(contains(channelNames, 'generic'), genericWebhookSecret, missingChannelSecret('generic', 'GENERIC_WEBHOOK_SECRET (genericWebhookSecret, at least 32 characters)'))
  'digest-email-password': requiredIf(contains(channelNames, 'email') && !empty(trim(smtpUserName)), smtpPassword, 'DIGEST_CHANNELS (digestChannels) lists \'email\' with SMTP_USER_NAME (smtpUserName) set but SMTP_PASSWORD (smtpPassword) is empty: set it (azd env set), or clear SMTP_USER_NAME for a relay that needs no sign-in')
}

// The app's tables and blob containers (StorageOptions and EnrichmentOptions defaults) besides the deployment package.
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
  'changemarks'
]
var appContainers = [
  'reports'
  // Enrichment:SnapshotContainer: the last good copy of each intel list.
  'intel'
]

// Provisioning checks: the deployment engine evaluates the variables when it validates the template, so a fail() in
// one refuses the deployment with its message before any resource is created (`bicep snapshot`, the same engine
// offline, refuses it too; tests/IncidentFunctions.Tests/Infra/ProvisioningChecksTests.cs).
func isKeyId(id string) bool => length(id) >= 1 && length(id) <= 32 && empty(filter(map(range(0, length(id)), i => substring(id, i, 1)), c => !contains('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', c)))

func requiredIf(required bool, value string, problem string) string => required && empty(trim(value)) ? fail(problem) : value

func missingChannelSecret(channel string, variable string) string => 'DIGEST_CHANNELS (digestChannels) lists \'${channel}\' but ${variable} is empty: set it (azd env set) or remove ${channel} from DIGEST_CHANNELS'

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
      'report-signing-key-${activeSigningKeyId}': reportSigningKey
    })
    retainedSecretNames: map(previousSigningKeySecrets, s => s.name)
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
    keyVaultSettings: toObject(concat(keyVaultSecrets, previousSigningKeySecrets), s => s.setting, s => s.name)
    chatChannelSettings: chatChannelSettings
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttpInstances: alwaysReadyHttp
    wallarmCloud: wallarmCloud
    wallarmClientId: wallarmClientId
    reportTimeZone: reportTimeZone
    pullIncidentsSchedule: pullIncidentsSchedule
    dailyDigestSchedule: dailyDigestSchedule
    alertsSchedule: alertsSchedule
    digestSendTime: digestSendTime
    enrichmentQueueName: enrichmentQueueName
    refreshIntelSchedule: refreshIntelSchedule
    csvSnapshotsSchedule: csvSnapshotsSchedule
    retentionSchedule: retentionSchedule
    usePublicIntelFeeds: usePublicIntelFeeds
    reportCompanyName: reportCompanyName
    reportMarking: reportMarking
    reportSigningKeyId: activeSigningKeyId
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
