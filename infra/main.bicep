// PecosCrm back end: Linux Azure Functions app running the .NET 10 isolated worker
// (dotnet-isolated), plus its storage, monitoring and Key Vault.
//
// Deploy into an existing resource group:
//   az deployment group create -g <rg> --template-file infra/main.bicep \
//     --parameters sendGridApiKey=<key>
// See infra/README.md for the full deploy + publish steps.

targetScope = 'resourceGroup'

@description('Azure region for every resource. Defaults to the resource group location.')
param location string = resourceGroup().location

@description('Short prefix used in all resource names. Lowercase letters and digits; must start with a letter (Key Vault and Storage naming rules).')
@minLength(3)
@maxLength(11)
param namePrefix string = 'pecoscrm'

@description('Hosting plan SKU: FC1 = Flex Consumption (serverless), EP1 = Elastic Premium. Linux Consumption (Y1) offers no .NET 10 isolated stack.')
@allowed([
  'FC1'
  'EP1'
])
param planSku string = 'FC1'

@description('IANA time zone id of the store, exposed to the app as Store__TimeZone.')
param storeTimeZone string = 'America/Chicago'

@description('Name of the Durable Functions task hub (letters and digits, 3-45 characters). Two apps sharing a storage account need different hubs.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'PecosCrm'

@description('SendGrid API key. When empty, the Key Vault secret is not created/updated (an existing secret is kept).')
@secure()
param sendGridApiKey string = ''

@description('Secret that signs unsubscribe and preference links. When empty, the Key Vault secret is not created/updated (an existing one is kept); set it once and keep it, or old links stop working.')
@secure()
param linkSigningKey string = ''

@description('The verification key of SendGrid\'s signed event webhook (base64, from SendGrid\'s settings). Not a secret.')
param sendGridWebhookPublicKey string = ''

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

var suffix = uniqueString(resourceGroup().id)
var prefix = toLower(namePrefix)

// Storage: 3-24 chars, lowercase letters and digits only (11 + 13 = 24 max).
var storageAccountName = '${prefix}${suffix}'
// Key Vault: 3-24 chars, letters/digits/hyphens (11 + 4 + 9 = 24 max).
var keyVaultName = '${prefix}-kv-${take(suffix, 9)}'
var logAnalyticsName = '${prefix}-log-${suffix}'
var appInsightsName = '${prefix}-appi-${suffix}'
var planName = '${prefix}-plan-${suffix}'
var functionAppName = '${prefix}-func-${suffix}'
// Azure Files share holding the app content (Elastic Premium).
var contentShareName = functionAppName
// Blob container the Flex Consumption plan deploys the app package from.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}'
// The .NET the app is built for (net10.0).
var dotnetVersion = '10.0'

var sendGridSecretName = 'SendGridApiKey'
var linkSigningSecretName = 'LinkSigningKey'
// Built-in role "Key Vault Secrets User".
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
// Built-in role "Storage Blob Data Owner": Flex Consumption reads its package with the app's identity.
var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'

var isFlex = planSku == 'FC1'

// ---------------------------------------------------------------------------
// Storage (AzureWebJobsStorage + content share)
// ---------------------------------------------------------------------------

resource storage 'Microsoft.Storage/storageAccounts@2025-08-01' = {
  name: storageAccountName
  location: location
  sku: {
    name: 'Standard_LRS'
  }
  kind: 'StorageV2'
  properties: {
    supportsHttpsTrafficOnly: true
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    // The Functions host uses a key-based connection string for AzureWebJobsStorage
    // (queue triggers, timers' leases, the durable task hub) and, on Elastic Premium,
    // for the content file share.
    allowSharedKeyAccess: true
    accessTier: 'Hot'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-08-01' = if (isFlex) {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-08-01' = if (isFlex) {
  parent: blobService
  name: deploymentContainerName
}

var storageConnectionString = 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'

// ---------------------------------------------------------------------------
// Monitoring
// ---------------------------------------------------------------------------

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: logAnalyticsName
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
  }
}

// ---------------------------------------------------------------------------
// Key Vault (RBAC) + SendGrid secret
// ---------------------------------------------------------------------------

resource keyVault 'Microsoft.KeyVault/vaults@2026-02-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
  }
}

// Only written when a key is supplied, so a redeploy without the parameter
// leaves an existing secret untouched.
resource sendGridSecret 'Microsoft.KeyVault/vaults/secrets@2026-02-01' = if (!empty(sendGridApiKey)) {
  parent: keyVault
  name: sendGridSecretName
  properties: {
    value: sendGridApiKey
    contentType: 'text/plain'
  }
}

resource linkSigningSecret 'Microsoft.KeyVault/vaults/secrets@2026-02-01' = if (!empty(linkSigningKey)) {
  parent: keyVault
  name: linkSigningSecretName
  properties: {
    value: linkSigningKey
    contentType: 'text/plain'
  }
}

// ---------------------------------------------------------------------------
// Functions hosting
// ---------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  kind: isFlex ? 'functionapp' : 'elastic'
  sku: {
    name: planSku
    tier: isFlex ? 'FlexConsumption' : 'ElasticPremium'
  }
  properties: {
    // reserved = true makes this a Linux plan.
    reserved: true
    ...(isFlex ? {} : { maximumElasticWorkerCount: 20 })
  }
}

// Versionless secret URI, so rotating the secret needs no redeploy. The
// reference is always set (even when sendGridApiKey is empty) so a secret
// added later with `az keyvault secret set` is picked up.
var sendGridSecretUri = '${keyVault.properties.vaultUri}secrets/${sendGridSecretName}'
var linkSigningSecretUri = '${keyVault.properties.vaultUri}secrets/${linkSigningSecretName}'

var baseAppSettings = [
  {
    name: 'AzureWebJobsStorage'
    value: storageConnectionString
  }
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: appInsights.properties.ConnectionString
  }
  {
    // host.json's durableTask.hubName reads this setting.
    name: 'Durable__TaskHub'
    value: taskHubName
  }
  {
    name: 'Messaging__SendGridApiKey'
    value: '@Microsoft.KeyVault(SecretUri=${sendGridSecretUri})'
  }
  {
    name: 'Messaging__LinkSigningKey'
    value: '@Microsoft.KeyVault(SecretUri=${linkSigningSecretUri})'
  }
  {
    name: 'Messaging__SendGridWebhookPublicKey'
    value: sendGridWebhookPublicKey
  }
  {
    name: 'Messaging__PublicBaseUrl'
    value: 'https://${functionAppName}.azurewebsites.net'
  }
  {
    name: 'Store__TimeZone'
    value: storeTimeZone
  }
]

// Elastic Premium takes the runtime from app settings and linuxFxVersion, and
// runs from the zip that `config-zip` uploads (WEBSITE_RUN_FROM_PACKAGE=1).
// Flex Consumption rejects these settings: its runtime, version and package
// location are the site's functionAppConfig instead.
var premiumAppSettings = isFlex
  ? []
  : [
      {
        name: 'FUNCTIONS_EXTENSION_VERSION'
        value: '~4'
      }
      {
        name: 'FUNCTIONS_WORKER_RUNTIME'
        value: 'dotnet-isolated'
      }
      {
        name: 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING'
        value: storageConnectionString
      }
      {
        name: 'WEBSITE_CONTENTSHARE'
        value: contentShareName
      }
      {
        name: 'WEBSITE_RUN_FROM_PACKAGE'
        value: '1'
      }
    ]

var flexAppConfig = {
  deployment: {
    storage: {
      type: 'blobContainer'
      value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
      authentication: {
        type: 'SystemAssignedIdentity'
      }
    }
  }
  scaleAndConcurrency: {
    maximumInstanceCount: 40
    instanceMemoryMB: 2048
  }
  runtime: {
    name: 'dotnet-isolated'
    version: dotnetVersion
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: functionAppName
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    reserved: true
    httpsOnly: true
    clientAffinityEnabled: false
    ...(isFlex ? { functionAppConfig: flexAppConfig } : {})
    siteConfig: {
      // The .NET isolated stack image on Elastic Premium; Flex Consumption takes
      // the same from functionAppConfig.runtime and wants no linuxFxVersion.
      ...(isFlex ? {} : { linuxFxVersion: 'DOTNET-ISOLATED|${dotnetVersion}', use32BitWorkerProcess: false })
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      appSettings: concat(baseAppSettings, premiumAppSettings)
    }
  }
}

// Lets the app's managed identity resolve the @Microsoft.KeyVault(...) reference.
resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, functionApp.id, keyVaultSecretsUserRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Lets Flex Consumption read the app package with the app's identity.
resource packageReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (isFlex) {
  name: guid(storage.id, functionApp.id, storageBlobDataOwnerRoleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwnerRoleId)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// ---------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------

output functionAppName string = functionApp.name
output functionAppHostName string = functionApp.properties.defaultHostName
output keyVaultName string = keyVault.name
output storageAccountName string = storage.name
