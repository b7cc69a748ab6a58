using System.Text.RegularExpressions;
using IncidentFunctions.Testing;

namespace IncidentFunctions.Tests.Infra;

/// <summary>What `azd up` would deploy (see <see cref="InfraSnapshot"/>), checked resource by resource.</summary>
[Trait("Category", TestCategories.Unit)]
public sealed partial class InfraSnapshotTests
{
    private const string Site = "Microsoft.Web/sites";

    // functions-app-settings#flex-consumption-plan-deprecations: the platform sets or ignores these on Flex.
    private static readonly string[] FlexDeprecated =
    [
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTSHARE",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD",
        "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT", "WEBSITE_TIME_ZONE", "TZ", "WEBSITE_NODE_DEFAULT_VERSION",
        "WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED", "AzureWebJobsStorage",
    ];

    private static readonly Dictionary<string, string> IdentityRoles = new()
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Microsoft.Storage/storageAccounts", // Storage Blob Data Owner
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Microsoft.Storage/storageAccounts", // Storage Queue Data Contributor
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Microsoft.Storage/storageAccounts", // Storage Table Data Contributor
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Microsoft.Insights/components",     // Monitoring Metrics Publisher
        ["4633458b-17de-408a-b874-0445c86b69e6"] = "Microsoft.KeyVault/vaults",         // Key Vault Secrets User
    };

    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    /// <summary>Storage Table Data Contributor, Monitoring Metrics Publisher, Storage Queue Data Contributor, Storage Blob Data Owner, Key Vault Secrets Officer (ordinal order).</summary>
    internal static readonly string[] DeployerRoles =
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", MonitoringMetricsPublisher, "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"];

    [Fact]
    public async Task Snapshot_ExpandsEveryModule()
    {
        var snapshot = await InfraSnapshot.GetAsync();

        // A module that cannot be expanded offline (e.g. a loop over a secure value) leaves a diagnostic and is missing.
        Assert.Empty(snapshot.Diagnostics);
        foreach (var type in new[] { "Microsoft.Resources/resourceGroups", "Microsoft.ManagedIdentity/userAssignedIdentities", "Microsoft.Storage/storageAccounts",
                     "Microsoft.OperationalInsights/workspaces", "Microsoft.Insights/components", "Microsoft.KeyVault/vaults", "Microsoft.KeyVault/vaults/secrets",
                     "Microsoft.Web/serverfarms", Site, "Microsoft.Web/sites/config", "Microsoft.Authorization/roleAssignments" })
        {
            Assert.Contains(snapshot.Resources, r => r.GetProperty("type").GetString() == type);
        }
    }

    [Fact]
    public async Task FunctionApp_IsFlexConsumptionDotnetIsolated10_WithIdentityDeployment()
    {
        var snapshot = await InfraSnapshot.GetAsync();
        var plan = snapshot.Single("Microsoft.Web/serverfarms");
        var site = snapshot.Single(Site);
        var identity = snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities").GetProperty("id").GetString()!;
        var config = site.GetProperty("properties").GetProperty("functionAppConfig");

        Assert.Equal("FC1", plan.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal("FlexConsumption", plan.GetProperty("sku").GetProperty("tier").GetString());
        Assert.True(plan.GetProperty("properties").GetProperty("reserved").GetBoolean());
        Assert.Equal("functionapp,linux", site.GetProperty("kind").GetString());
        Assert.Equal(plan.GetProperty("id").GetString(), site.GetProperty("properties").GetProperty("serverFarmId").GetString());
        Assert.True(site.GetProperty("properties").GetProperty("httpsOnly").GetBoolean());
        Assert.Equal("dotnet-isolated", config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("10.0", config.GetProperty("runtime").GetProperty("version").GetString());
        Assert.Equal("UserAssigned", site.GetProperty("identity").GetProperty("type").GetString());
        Assert.True(site.GetProperty("identity").GetProperty("userAssignedIdentities").TryGetProperty(identity, out _));
        Assert.Equal(identity, site.GetProperty("properties").GetProperty("keyVaultReferenceIdentity").GetString());

        var deployment = config.GetProperty("deployment").GetProperty("storage");
        Assert.Equal("blobContainer", deployment.GetProperty("type").GetString());
        Assert.Equal("UserAssignedIdentity", deployment.GetProperty("authentication").GetProperty("type").GetString());
        Assert.Equal(identity, deployment.GetProperty("authentication").GetProperty("userAssignedIdentityResourceId").GetString());

        // The scale settings are parameters with their defaults (2048 MB, 40 instances) when azd leaves them unset.
        var declared = snapshot.Template.GetProperty("parameters");
        Assert.Equal(declared.GetProperty("instanceMemoryMB").GetProperty("defaultValue").GetInt32(), config.GetProperty("scaleAndConcurrency").GetProperty("instanceMemoryMB").GetInt32());
        Assert.Equal(declared.GetProperty("maximumInstanceCount").GetProperty("defaultValue").GetInt32(), config.GetProperty("scaleAndConcurrency").GetProperty("maximumInstanceCount").GetInt32());
        // Nothing billed while idle unless asked for: the app scales to zero.
        Assert.Equal(0, config.GetProperty("scaleAndConcurrency").GetProperty("alwaysReady").GetArrayLength());
    }

    [Fact]
    public async Task FunctionApp_AlwaysReadyHttpInstancesSet_KeepsThatManyForTheHttpGroup()
    {
        var snapshot = await InfraSnapshot.CreateAsync(new Dictionary<string, string> { ["FUNCTION_ALWAYS_READY_HTTP"] = "1" }, InfraSnapshot.SignedInUser);
        var scale = snapshot.Single(Site).GetProperty("properties").GetProperty("functionAppConfig").GetProperty("scaleAndConcurrency");

        var group = Assert.Single(scale.GetProperty("alwaysReady").EnumerateArray());
        Assert.Equal("http", group.GetProperty("name").GetString());
        Assert.Equal(1, group.GetProperty("instanceCount").GetInt32());
    }

    [Fact]
    public async Task AppSettings_HaveNothingFlexDeprecates_AndNoSecretInPlainText()
    {
        var settings = (await InfraSnapshot.GetAsync()).AppSettings();

        Assert.Empty(settings.Keys.Intersect(FlexDeprecated, StringComparer.OrdinalIgnoreCase));
        Assert.DoesNotContain(settings, s => s.Value.Contains("sample-wallarmApiToken", StringComparison.Ordinal));
        Assert.DoesNotContain(settings, s => s.Value.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Matches(@"^ClientId=[0-9a-f-]{36};Authorization=AAD$", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]);
    }

    [Fact]
    public async Task AppSettings_SmallestInstance_PinsTheYoungGenerationBudgetTheBenchmarksMeasureWith()
    {
        var (key, value) = DeploymentSettings.YoungGenerationBudget;
        var small = await InfraSnapshot.CreateAsync(new Dictionary<string, string> { ["FUNCTION_INSTANCE_MEMORY_MB"] = "512" }, InfraSnapshot.SignedInUser);

        Assert.Equal(value, small.AppSettings()[key]);
        Assert.DoesNotContain(key, (await InfraSnapshot.GetAsync()).AppSettings().Keys); // 2048 MB, the default
    }

    [Fact]
    public async Task DigestChannels_ListedChannels_GetPlainNamesAndKeyVaultUrls()
    {
        var settings = (await InfraSnapshot.GetAsync()).AppSettings();

        // DIGEST_CHANNELS="slack, generic" in the sample environment: two channels, in the template's order.
        Assert.Equal("slack", settings["Digest__Channels__0__Name"]);
        Assert.Equal("Slack", settings["Digest__Channels__0__Kind"]);
        Assert.Equal("Generic", settings["Digest__Channels__1__Kind"]);
        Assert.StartsWith("@Microsoft.KeyVault(", settings["Digest__Channels__0__Url"], StringComparison.Ordinal);
        Assert.EndsWith("/secrets/digest-generic-secret)", settings["Digest__Channels__1__Secret"], StringComparison.Ordinal);
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("Digest__Channels__2__", StringComparison.Ordinal));
        Assert.DoesNotContain(settings.Values, v => v.Contains("hooks.slack.com", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DigestChannels_WeeklyAndMonthly_AreSwitchedOnForTheNamedChannelsOnly()
    {
        var snapshot = await InfraSnapshot.CreateAsync(new Dictionary<string, string>
        {
            ["DIGEST_WEEKLY"] = " Generic ",
            ["DIGEST_MONTHLY"] = "slack,generic",
        }, InfraSnapshot.SignedInUser);
        var settings = snapshot.AppSettings();

        // DIGEST_CHANNELS="slack, generic" in the sample environment: slack is channel 0, generic channel 1.
        Assert.False(settings.ContainsKey("Digest__Channels__0__Weekly"));
        Assert.Equal("true", settings["Digest__Channels__1__Weekly"]);
        Assert.Equal("true", settings["Digest__Channels__0__Monthly"]);
        Assert.Equal("true", settings["Digest__Channels__1__Monthly"]);
        Assert.DoesNotContain(settings.Keys, k => k.EndsWith("__Weekly", StringComparison.Ordinal) && k != "Digest__Channels__1__Weekly");
    }

    [Fact]
    public async Task DigestChannels_Email_GetsPlainSmtpSettingsAndTheKeyVaultPassword()
    {
        const string Password = "FAKE-sample-smtp-password";
        var snapshot = await InfraSnapshot.CreateAsync(new Dictionary<string, string>
        {
            ["DIGEST_CHANNELS"] = "email, slack",
            ["EMAIL_TO"] = "soc@example.com, \"Team lead\" <lead@example.com>",
            ["EMAIL_FROM"] = "digest@mail.example.com",
            ["SMTP_HOST"] = "smtp.azurecomm.net",
            ["SMTP_USER_NAME"] = "acs-resource.app-id.tenant-id",
            ["SMTP_PASSWORD"] = Password,
        }, InfraSnapshot.SignedInUser);
        var settings = snapshot.AppSettings();

        // The template's order: slack first, email last; its settings are plain, the password a Key Vault reference.
        Assert.Equal("slack", settings["Digest__Channels__0__Name"]);
        Assert.Equal("Email", settings["Digest__Channels__1__Kind"]);
        Assert.Equal("smtp.azurecomm.net", settings["Digest__Channels__1__Email__Host"]);
        Assert.Equal("587", settings["Digest__Channels__1__Email__Port"]);
        Assert.Equal("StartTls", settings["Digest__Channels__1__Email__Security"]);
        Assert.Equal("digest@mail.example.com", settings["Digest__Channels__1__Email__From"]);
        Assert.Equal("soc@example.com, \"Team lead\" <lead@example.com>", settings["Digest__Channels__1__Email__To"]);
        Assert.Equal("acs-resource.app-id.tenant-id", settings["Digest__Channels__1__Email__UserName"]);
        Assert.False(settings.ContainsKey("Digest__Channels__1__Url"));
        Assert.Matches(SecretUri(), settings["Digest__Channels__1__Email__Password"]);
        Assert.EndsWith("/secrets/digest-email-password)", settings["Digest__Channels__1__Email__Password"], StringComparison.Ordinal);
        Assert.Contains("digest-email-password", snapshot.OfType("Microsoft.KeyVault/vaults/secrets").Select(InfraSnapshot.Name));
        Assert.DoesNotContain(settings.Values, v => v.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task DigestChannels_EmailWithoutUserName_StoresNoPasswordSecret()
    {
        var snapshot = await InfraSnapshot.CreateAsync(new Dictionary<string, string>
        {
            ["DIGEST_CHANNELS"] = "email",
            ["EMAIL_TO"] = "soc@example.com",
            ["EMAIL_FROM"] = "digest@mail.example.com",
            ["SMTP_HOST"] = "relay.example.com",
            ["SMTP_PORT"] = "465",
            ["SMTP_SECURITY"] = "SslOnConnect",
        }, InfraSnapshot.SignedInUser);
        var settings = snapshot.AppSettings();

        Assert.Equal("465", settings["Digest__Channels__0__Email__Port"]);
        Assert.Equal("SslOnConnect", settings["Digest__Channels__0__Email__Security"]);
        Assert.False(settings.ContainsKey("Digest__Channels__0__Email__Password"));
        Assert.DoesNotContain(snapshot.OfType("Microsoft.KeyVault/vaults/secrets").Select(InfraSnapshot.Name), n => n.StartsWith("digest-email", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyVaultReferences_NameSecretsTheVaultHolds()
    {
        var snapshot = await InfraSnapshot.GetAsync();
        var vault = snapshot.Single("Microsoft.KeyVault/vaults");
        var secrets = snapshot.OfType("Microsoft.KeyVault/vaults/secrets").Select(InfraSnapshot.Name).ToHashSet();
        var references = snapshot.AppSettings().Where(s => s.Value.StartsWith("@Microsoft.KeyVault", StringComparison.Ordinal)).ToList();

        Assert.True(vault.GetProperty("properties").GetProperty("enableRbacAuthorization").GetBoolean());
        Assert.Contains(references, r => r.Key == "Wallarm__ApiToken");
        Assert.All(references, r =>
        {
            var m = SecretUri().Match(r.Value);
            Assert.True(m.Success, $"{r.Key}: '{r.Value}' is not @Microsoft.KeyVault(SecretUri=https://<vault>.vault.azure.net/secrets/<name>)");
            Assert.Equal(InfraSnapshot.Name(vault), m.Groups["vault"].Value);
            Assert.Contains(m.Groups["name"].Value, secrets);
        });
        // Every secret is referenced by some setting: none stored for nothing.
        Assert.Equal(secrets.Order(), references.Select(r => SecretUri().Match(r.Value).Groups["name"].Value).Distinct().Order());
    }

    [Fact]
    public async Task Storage_IsKeyless_AndMonitoringAcceptsOnlyEntraId()
    {
        var snapshot = await InfraSnapshot.GetAsync();
        var storage = snapshot.Single("Microsoft.Storage/storageAccounts").GetProperty("properties");
        var insights = snapshot.Single("Microsoft.Insights/components").GetProperty("properties");

        Assert.False(storage.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(storage.GetProperty("allowBlobPublicAccess").GetBoolean());
        Assert.Equal("TLS1_2", storage.GetProperty("minimumTlsVersion").GetString());
        Assert.True(insights.GetProperty("DisableLocalAuth").GetBoolean());
        Assert.Equal(snapshot.Single("Microsoft.OperationalInsights/workspaces").GetProperty("id").GetString(), insights.GetProperty("WorkspaceResourceId").GetString());
    }

    [Fact]
    public async Task RoleAssignments_GiveTheIdentityItsRoles_AndTheDeployerDataTelemetryAndSecrets()
    {
        var snapshot = await InfraSnapshot.GetAsync();
        var identityName = InfraSnapshot.Name(snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities"));
        var identityPrincipal = ArmExpression.SampleGuid(identityName, "principalId");
        var assignments = RoleAssignments(snapshot);

        foreach (var (role, scopeType) in IdentityRoles)
        {
            var scope = snapshot.Single(scopeType).GetProperty("id").GetString();
            Assert.Contains(assignments, a => a.Role == role && a.Principal == identityPrincipal && a.Scope == scope && a.Type == "ServicePrincipal");
        }

        Assert.Equal(5, assignments.Count(a => a.Principal == identityPrincipal));
        // The deployer: the three storage data roles, Monitoring Metrics Publisher on Application Insights (telemetry
        // from a local run with Entra auth, as in the azd quickstarts) and Key Vault Secrets Officer (to rotate secrets).
        var deployer = assignments.Where(a => a.Principal == InfraSnapshot.SignedInUser.Id).ToList();
        Assert.Equal(DeployerRoles, deployer.Select(a => a.Role).Order(StringComparer.Ordinal));
        Assert.Contains(deployer, a => a.Role == MonitoringMetricsPublisher && a.Scope == snapshot.Single("Microsoft.Insights/components").GetProperty("id").GetString());
        Assert.All(deployer, a => Assert.Equal("User", a.Type));
        Assert.Equal(assignments.Count, assignments.Select(a => (a.Scope, a.Principal, a.Role)).Distinct().Count());
    }

    [Fact]
    public async Task AzdConventions_TagsOutputsAndServiceName()
    {
        var snapshot = await InfraSnapshot.GetAsync();
        var site = snapshot.Single(Site);
        var service = AzureYaml.SingleFunctionService();

        Assert.Equal(service.Key, site.GetProperty("tags").GetProperty("azd-service-name").GetString());
        Assert.Equal(InfraSnapshot.Name(site), snapshot.Outputs.GetProperty($"SERVICE_{service.Key.ToUpperInvariant().Replace('-', '_')}_NAME").GetString());
        Assert.Equal("rg-" + InfraSnapshot.AzdEnvironment["AZURE_ENV_NAME"], snapshot.Outputs.GetProperty("AZURE_RESOURCE_GROUP").GetString());
        foreach (var resource in snapshot.Resources.Where(r => r.TryGetProperty("location", out _)))
        {
            Assert.True(resource.TryGetProperty("tags", out var tags) && tags.TryGetProperty("azd-env-name", out var env) && env.GetString() == InfraSnapshot.AzdEnvironment["AZURE_ENV_NAME"],
                $"{resource.GetProperty("type").GetString()} {resource.GetProperty("name").GetString()} lacks the azd-env-name tag.");
        }
    }

    [Fact]
    public async Task ParametersFile_MapsEveryTemplateParameterToAnAzdVariable()
    {
        var snapshot = await InfraSnapshot.GetAsync();
        var declared = snapshot.Template.GetProperty("parameters").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
        var mapped = snapshot.ParametersFile.GetProperty("parameters").EnumerateObject().ToList();

        // Every parameter can be set with `azd env set VAR value`; nothing else is in the file.
        Assert.Equal(declared, mapped.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(mapped, p => Assert.Matches(@"^\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}$", p.Value.GetProperty("value").GetString()!));
        Assert.Equal("${AZURE_ENV_NAME}", mapped.Single(p => p.Name == "environmentName").Value.GetProperty("value").GetString());
        Assert.Equal("${AZURE_LOCATION}", mapped.Single(p => p.Name == "location").Value.GetProperty("value").GetString());
        Assert.Equal("${AZURE_PRINCIPAL_ID}", mapped.Single(p => p.Name == "principalId").Value.GetProperty("value").GetString());
        // azd fills this from the signed-in account (ServicePrincipal in a pipeline); the default serves azd before 1.17.1.
        Assert.Equal("${AZURE_PRINCIPAL_TYPE=User}", mapped.Single(p => p.Name == "principalType").Value.GetProperty("value").GetString());
        // Secrets have no default, so azd prompts for them (hidden input) when their variable is unset.
        Assert.Equal("securestring", snapshot.Template.GetProperty("parameters").GetProperty("wallarmApiToken").GetProperty("type").GetString());
        Assert.False(snapshot.Template.GetProperty("parameters").GetProperty("wallarmApiToken").TryGetProperty("defaultValue", out _));
    }

    internal static List<(string Scope, string Principal, string? Type, string Role)> RoleAssignments(InfraSnapshot snapshot)
        => [.. snapshot.OfType("Microsoft.Authorization/roleAssignments").Select(r => (
            Scope: ScopeOf(ArmExpression.Evaluate(r.GetProperty("id").GetString()!)),
            Principal: ArmExpression.Evaluate(r.GetProperty("properties").GetProperty("principalId").GetString()!),
            Type: r.GetProperty("properties").GetProperty("principalType").GetString(),
            Role: r.GetProperty("properties").GetProperty("roleDefinitionId").GetString()!.Split('/')[^1]))];

    private static string ScopeOf(string roleAssignmentId)
        => roleAssignmentId[..roleAssignmentId.IndexOf("/providers/Microsoft.Authorization/roleAssignments", StringComparison.Ordinal)];

    [GeneratedRegex(@"^@Microsoft\.KeyVault\(SecretUri=https://(?<vault>[a-z0-9-]+)\.vault\.azure\.net/secrets/(?<name>[A-Za-z0-9-]+)/?\)$")]
    private static partial Regex SecretUri();
}
