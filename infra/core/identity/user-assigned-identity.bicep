// The one identity the app uses for everything: host storage, its own storage clients, Key Vault references and
// telemetry. User-assigned, so role assignments exist before the app first starts (no chicken-and-egg on deploy).
param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
