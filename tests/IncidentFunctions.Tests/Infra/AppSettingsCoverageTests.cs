using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Core;
using IncidentFunctions.AppModel;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Hosting;
using IncidentFunctions.Storage;
using IncidentFunctions.Testing;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Infra;

/// <summary>
/// The app settings infra/app/function-app.bicep deploys versus what the app reads: the keys it validates on start
/// (options classes, AppSettingNames), the %SETTING% names in functions.metadata, and the settings the platform needs
/// (DeploymentSettings in tests/IncidentFunctions.Testing). Each failure line says what to add or remove, and where.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed partial class AppSettingsCoverageTests
{
    private const string TemplateFile = "infra/app/function-app.bicep";
    private const string Registry = "tests/IncidentFunctions.Testing/DeploymentSettings.cs";

    [Fact]
    public async Task Template_SetsEveryKeyTheAppReads_AndNothingElse()
    {
        var deployed = (await InfraSnapshot.GetAsync()).AppSettings();
        var appKeys = AppConfigurationKeys.Derive();
        var problems = new List<string>();

        foreach (var key in appKeys.Where(k => !DeploymentSettings.LeftUnset.ContainsKey(k.Key.TrimEnd('_'))))
        {
            if (!deployed.Keys.Any(key.Matches))
            {
                problems.Add($"MISSING {key.Key}{(key.IsPrefix ? "<index>__…" : "")} (read by {key.ReadBy}): set it in the app settings of {TemplateFile} " +
                    $"(value from a param in infra/main.bicep mapped in infra/main.parameters.json, or a Key Vault secret via keyVaultSecrets in main.bicep if secret), " +
                    $"or list it in DeploymentSettings.LeftUnset ({Registry}) with the reason.");
            }
        }

        foreach (var flat in AppConfigurationKeys.FlatSettingNames.Where(f => !appKeys.Any(k => k.Matches(f))))
        {
            if (!deployed.ContainsKey(flat) && !DeploymentSettings.LeftUnset.ContainsKey(flat) && !DeploymentSettings.Platform.ContainsKey(flat))
            {
                problems.Add($"MISSING {flat} (AppSettingNames): set it in {TemplateFile}, or list it in DeploymentSettings.Platform or LeftUnset ({Registry}).");
            }
        }

        foreach (var (platform, readBy) in DeploymentSettings.Platform.Where(p => !deployed.ContainsKey(p.Key)))
        {
            problems.Add($"MISSING {platform} ({readBy}): set it in {TemplateFile}.");
        }

        foreach (var setting in deployed.Keys.Order(StringComparer.Ordinal))
        {
            if (DeploymentSettings.LeftUnset.ContainsKey(setting))
            {
                problems.Add($"CONTRADICTION {setting} is set by {TemplateFile} but listed in DeploymentSettings.LeftUnset ({Registry}): remove one.");
            }
            else if (!appKeys.Any(k => k.Matches(setting)) && !AppConfigurationKeys.FlatSettingNames.Contains(setting, StringComparer.OrdinalIgnoreCase)
                     && !DeploymentSettings.Platform.ContainsKey(setting))
            {
                problems.Add($"STALE {setting} is set by {TemplateFile} but nothing reads it (no validated option, AppSettingNames constant or DeploymentSettings.Platform entry): remove it from the template, or add what reads it.");
            }
        }

        foreach (var unset in DeploymentSettings.LeftUnset.Keys.Order(StringComparer.Ordinal))
        {
            if (!appKeys.Any(k => k.Matches(unset)) && !AppConfigurationKeys.FlatSettingNames.Contains(unset, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"STALE DeploymentSettings.LeftUnset lists {unset}, which the app no longer reads: remove it from {Registry}.");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task FunctionsMetadata_EverySettingItNamesIsDeployed()
    {
        var deployed = (await InfraSnapshot.GetAsync()).AppSettings();
        var problems = new List<string>();
        foreach (var (function, binding) in MetadataBindings())
        {
            foreach (var property in binding.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
            {
                foreach (Match m in PercentSetting().Matches(property.Value.GetString()!))
                {
                    if (!deployed.ContainsKey(m.Groups[1].Value))
                    {
                        problems.Add($"MISSING {m.Groups[1].Value}: {function}'s {binding.GetProperty("type").GetString()} binding reads %{m.Groups[1].Value}% ({property.Name}); set it in {TemplateFile}.");
                    }
                }
            }

            // Storage bindings connect through "connection" (default AzureWebJobsStorage): a connection string or
            // identity-based "<name>__…" settings.
            if (binding.GetProperty("type").GetString()!.StartsWith("queue", StringComparison.Ordinal) || binding.GetProperty("type").GetString()!.StartsWith("blob", StringComparison.Ordinal))
            {
                var connection = binding.TryGetProperty("connection", out var c) && c.GetString() is { Length: > 0 } name ? name : "AzureWebJobsStorage";
                if (!deployed.Keys.Any(k => k.StartsWith(connection + "__", StringComparison.OrdinalIgnoreCase)))
                {
                    problems.Add($"MISSING {connection}__*: {function} connects through '{connection}'; set its identity-based settings in {TemplateFile}.");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task CompositionRoot_ValidatesOnStart_WithTheDeployedSettings()
    {
        var settings = DeployedConfiguration(await InfraSnapshot.GetAsync());
        using var host = BuildHost(settings);

        var error = Record.Exception(() => host.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.True(error is null, $"With the settings {TemplateFile} deploys, the app would fail to start:{Environment.NewLine}{error?.Message}");
        var storage = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        Assert.True(string.IsNullOrEmpty(storage.ConnectionString), "Azure must not use a storage connection string (shared keys are disabled).");
        Assert.NotNull(storage.ManagedIdentityClientId);
    }

    [Fact]
    public async Task Template_CreatesTheTablesQueuesAndContainersTheAppUses()
    {
        var snapshot = await InfraSnapshot.GetAsync();
        using var host = BuildHost(DeployedConfiguration(snapshot));
        var storage = host.Services.GetRequiredService<IOptions<StorageOptions>>().Value;
        var names = typeof(StorageOptions).GetProperties().Where(p => p.PropertyType == typeof(string)).ToList();

        var tables = names.Where(p => p.Name.EndsWith("Table", StringComparison.Ordinal)).Select(p => storage.FullTableName((string)p.GetValue(storage)!)).ToHashSet();
        var queues = names.Where(p => p.Name.EndsWith("QueueName", StringComparison.Ordinal)).Select(p => (string)p.GetValue(storage)!)
            .SelectMany(q => new[] { q, q + "-poison" }).ToHashSet();
        var containers = names.Where(p => p.Name.EndsWith("Container", StringComparison.Ordinal)).Select(p => (string)p.GetValue(storage)!).ToHashSet();
        // The intel snapshots' container (IntelSnapshotStore: table prefix + name, lowercased; Azure has no prefix).
        containers.Add((storage.TablePrefix + host.Services.GetRequiredService<IOptions<EnrichmentOptions>>().Value.SnapshotContainer).ToLowerInvariant());
        var deploymentContainer = ArmExpression.Evaluate(snapshot.Single("Microsoft.Web/sites").GetProperty("properties").GetProperty("functionAppConfig")
            .GetProperty("deployment").GetProperty("storage").GetProperty("value").GetString()!).TrimEnd('/').Split('/')[^1];
        containers.Add(deploymentContainer);

        var deployedTables = snapshot.OfType("Microsoft.Storage/storageAccounts/tableServices/tables").Select(InfraSnapshot.Name).ToHashSet();
        var deployedQueues = snapshot.OfType("Microsoft.Storage/storageAccounts/queueServices/queues").Select(InfraSnapshot.Name).ToHashSet();
        var deployedContainers = snapshot.OfType("Microsoft.Storage/storageAccounts/blobServices/containers").Select(InfraSnapshot.Name).ToHashSet();

        var problems = new List<string>();
        problems.AddRange(tables.Except(deployedTables).Select(t => $"MISSING table '{t}' (a StorageOptions *Table): add it to appTables in infra/main.bicep."));
        problems.AddRange(deployedTables.Except(tables).Select(t => $"STALE table '{t}' is created by infra/main.bicep (appTables) but no StorageOptions *Table names it."));
        problems.AddRange(queues.Except(deployedQueues).Select(q => $"MISSING queue '{q}' (a StorageOptions *QueueName or its poison queue): add it to the storage module's queues in infra/main.bicep."));
        problems.AddRange(deployedQueues.Except(queues).Select(q => $"STALE queue '{q}' is created by infra/ but no StorageOptions *QueueName names it."));
        problems.AddRange(containers.Except(deployedContainers).Select(c => $"MISSING blob container '{c}' (a StorageOptions *Container, Enrichment:SnapshotContainer or the deployment package): add it to appContainers in infra/main.bicep."));
        problems.AddRange(deployedContainers.Except(containers).Select(c => $"STALE blob container '{c}' is created by infra/ but no StorageOptions *Container or Enrichment:SnapshotContainer names it."));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Derive_FindsFlatSettingsAndSections()
    {
        // Guards the derivation itself: a known flat-fed property, a known section key and a validated option type
        // without a section (telemetry) must all come out; otherwise the coverage test would pass vacuously.
        var keys = AppConfigurationKeys.Derive();

        Assert.Contains(keys, k => k.Key == AppSettingNames.PullIncidentsSchedule && k.ReadBy == "IngestionOptions.Schedule");
        Assert.Contains(keys, k => k.Key == AppSettingNames.EnrichmentQueueName && k.ReadBy == "StorageOptions.EnrichmentQueueName");
        Assert.Contains(keys, k => k.Key == "Wallarm__ApiToken");
        Assert.Contains(keys, k => k.Key == AppSettingNames.ApplicationInsightsAuthenticationString);
        Assert.DoesNotContain(keys, k => k.Key == "Ingestion__Schedule");
    }

    /// <summary>The deployed settings as the app's configuration, secrets resolved to samples as the platform would.</summary>
    internal static Dictionary<string, string?> DeployedConfiguration(InfraSnapshot snapshot)
        => snapshot.AppSettings().ToDictionary(
            s => s.Key.Replace("__", ":", StringComparison.Ordinal),
            s => (string?)(KeyVaultReference().Match(s.Value) is { Success: true } m ? SampleSecret(m.Groups["name"].Value) : s.Value));

    internal static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        // The deployed settings turn on the telemetry export with the app's identity: the default credential would ask
        // the instance metadata endpoint (and the Azure CLI) for a token when the exporter flushes on dispose.
        builder.Services.AddSingleton<TokenCredential>(new RefusingCredential());
        builder.AddIncidentFunctions();
        return builder.Build();
    }

    private static IEnumerable<(string Function, JsonElement Binding)> MetadataBindings()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));
        foreach (var function in doc.RootElement.EnumerateArray())
        {
            foreach (var binding in function.GetProperty("bindings").EnumerateArray())
            {
                yield return (function.GetProperty("name").GetString()!, binding.Clone());
            }
        }
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex PercentSetting();

    /// <summary>A stand-in secret that passes format checks (signing keys are base64 of at least 32 bytes).</summary>
    private static string SampleSecret(string name)
        => name.EndsWith("-url", StringComparison.Ordinal)
            ? "https://hooks.example.com/sample/" + name
            : Convert.ToBase64String(System.Security.Cryptography.SHA512.HashData(System.Text.Encoding.UTF8.GetBytes("sample-secret-" + name)));

    [GeneratedRegex(@"^@Microsoft\.KeyVault\(SecretUri=https://[^/]+/secrets/(?<name>[A-Za-z0-9-]+)/?\)$")]
    internal static partial Regex KeyVaultReference();
}
