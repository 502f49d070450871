// PecosCrm back end: Linux Azure Functions app running the ASP.NET Core app as a
// *custom handler*, plus its storage, monitoring and Key Vault.
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

@description('Hosting plan SKU: Y1 = Linux Consumption (Dynamic), EP1 = Elastic Premium.')
@allowed([
  'Y1'
  'EP1'
])
param planSku string = 'Y1'

@description('IANA time zone id of the store, exposed to the app as Store__TimeZone.')
param storeTimeZone string = 'America/Chicago'

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
// Azure Files share holding the app content (Consumption / Elastic Premium).
var contentShareName = functionAppName

var sendGridSecretName = 'SendGridApiKey'
var linkSigningSecretName = 'LinkSigningKey'
// Built-in role "Key Vault Secrets User".
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

var isConsumption = planSku == 'Y1'

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
    // The Functions host (Consumption / Elastic Premium) uses key-based
    // connection strings for AzureWebJobsStorage and the content file share.
    allowSharedKeyAccess: true
    accessTier: 'Hot'
  }
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
  kind: isConsumption ? 'functionapp' : 'elastic'
  sku: {
    name: planSku
    tier: isConsumption ? 'Dynamic' : 'ElasticPremium'
  }
  properties: {
    // reserved = true makes this a Linux plan.
    reserved: true
    ...(isConsumption ? {} : { maximumElasticWorkerCount: 20 })
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
    name: 'FUNCTIONS_EXTENSION_VERSION'
    value: '~4'
  }
  {
    name: 'FUNCTIONS_WORKER_RUNTIME'
    value: 'custom'
  }
  {
    name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
    value: appInsights.properties.ConnectionString
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

// WEBSITE_RUN_FROM_PACKAGE=1 is only supported on Premium/Dedicated. On Linux
// Consumption only a package URL is supported ("Run your functions from a
// package file in Azure", learn.microsoft.com); `az functionapp deployment
// source config-zip` uploads the zip to AzureWebJobsStorage and sets that URL
// itself, so the setting is left out here for Y1.
var runFromPackageSettings = isConsumption
  ? []
  : [
      {
        name: 'WEBSITE_RUN_FROM_PACKAGE'
        value: '1'
      }
    ]

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
    siteConfig: {
      // Custom handlers have no language stack image of their own: the
      // platform's function app stack metadata for "Custom Handler"
      // (Microsoft.Web/locations/functionAppStacks, value "custom") lists, for
      // linuxRuntimeSettings, FUNCTIONS_WORKER_RUNTIME=custom and
      // siteConfig linuxFxVersion = "" - the same values the portal, Azure CLI
      // (`--runtime custom`) and Az.Functions apply. The app is published
      // self-contained for linux-x64, so no .NET runtime is needed in the image;
      // host.json's customHandler.description.defaultExecutablePath points at
      // the executable.
      linuxFxVersion: ''
      use32BitWorkerProcess: false
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      http20Enabled: true
      appSettings: concat(baseAppSettings, runFromPackageSettings)
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

// ---------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------

output functionAppName string = functionApp.name
output functionAppHostName string = functionApp.properties.defaultHostName
output keyVaultName string = keyVault.name
output storageAccountName string = storage.name
