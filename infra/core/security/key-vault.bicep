// Key Vault in RBAC mode holding the app's secrets. The app reads them through Key Vault references
// (@Microsoft.KeyVault(SecretUri=...)) resolved by the platform with the user-assigned identity.
param name string
param location string
param tags object

@description('Names of the secrets to store; each must have a value in `secretValues`.')
param secretNames string[]

@description('Secret values by name. Secure: never in deployment history or outputs.')
@secure()
param secretValues object

@description('Secrets earlier deployments wrote that the app still references (e.g. previous report signing keys); not written here, and provisioning fails if one is missing.')
param retainedSecretNames string[] = []

@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 7

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // Purge protection stays off so `azd down --purge` can remove the vault; turn it on for long-lived environments.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource vaultSecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = [for secretName in secretNames: {
  parent: vault
  name: secretName
  properties: {
    value: secretValues[secretName]
    contentType: 'text/plain'
  }
}]

resource retainedSecrets 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = [for secretName in retainedSecretNames: {
  parent: vault
  name: secretName
}]

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
// Reading them is the existence check: a missing secret fails this deployment (ResourceNotFound, naming the secret)
// before the app settings reference it.
output retainedSecretUris string[] = [for (secretName, i) in retainedSecretNames: retainedSecrets[i].properties.secretUri]
