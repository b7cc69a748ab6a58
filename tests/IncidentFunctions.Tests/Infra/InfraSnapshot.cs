using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace IncidentFunctions.Tests.Infra;

/// <summary>
/// What `azd provision` would deploy, predicted offline: infra/main.parameters.json is resolved the way azd resolves it
/// (sample azd environment; empty variables fall back to the template's defaults; secure parameters without a default,
/// which azd would prompt for, get sample values), written as a .bicepparam, and expanded with `bicep snapshot`, which
/// evaluates the template with the ARM engine (and so refuses it where a fail() is hit, as the deployment would).
/// The shared snapshot (a fresh `azd up`) is built once per test run; others are made with <see cref="CreateAsync"/>.
/// </summary>
internal sealed partial class InfraSnapshot
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000c1c1";
    public const string TenantId = "00000000-0000-0000-0000-00000000e1e1";
    public const string Location = "westeurope";

    /// <summary>
    /// The account azd is signed in with. azd fills ${AZURE_PRINCIPAL_ID} and ${AZURE_PRINCIPAL_TYPE} from it, not from
    /// the environment (azure-dev, bicep_provider.go evalParamEnvSubst): the type is ServicePrincipal after
    /// `azd auth login --client-id …` (a pipeline), User otherwise.
    /// </summary>
    public sealed record Principal(string Id, string Type);

    public static readonly Principal SignedInUser = new("11111111-2222-3333-4444-555555555555", "User");

    /// <summary>The azd environment a fresh `azd up` has; every other ${VAR} is unset.</summary>
    public static readonly IReadOnlyDictionary<string, string> AzdEnvironment = new Dictionary<string, string>
    {
        ["AZURE_ENV_NAME"] = "ci",
        ["AZURE_LOCATION"] = Location,
        // Two chat channels, so the webhook path (Key Vault secrets, channel settings) is predicted and validated too.
        ["DIGEST_CHANNELS"] = "slack, generic",
        ["SLACK_WEBHOOK_URL"] = "https://hooks.slack.com/services/T000/B000/FAKE-sample-not-a-webhook",
        ["GENERIC_WEBHOOK_URL"] = "https://siem.example.com/hooks/incidents",
        ["GENERIC_WEBHOOK_SECRET"] = "FAKE-sample-generic-webhook-secret-NOT-A-SECRET",
    };

    private static readonly Lazy<Task<JsonElement>> CompiledTemplate = new(BuildAsync);

    private static readonly Lazy<Task<InfraSnapshot>> Shared = new(() => CreateAsync(new Dictionary<string, string>(), SignedInUser));

    private InfraSnapshot(JsonElement template, JsonElement parametersFile, IReadOnlyDictionary<string, string> parameterValues, JsonElement snapshot)
    {
        Template = template;
        ParametersFile = parametersFile;
        ParameterValues = parameterValues;
        Resources = [.. snapshot.GetProperty("predictedResources").EnumerateArray()];
        Outputs = snapshot.GetProperty("outputs");
        Diagnostics = [.. snapshot.GetProperty("diagnostics").EnumerateArray().Select(d => d.ToString())];
    }

    /// <summary>infra/main.bicep compiled to ARM JSON.</summary>
    public JsonElement Template { get; }

    public JsonElement ParametersFile { get; }

    /// <summary>The values passed (as Bicep literals) after azd-style resolution.</summary>
    public IReadOnlyDictionary<string, string> ParameterValues { get; }

    public IReadOnlyList<JsonElement> Resources { get; }

    public JsonElement Outputs { get; }

    public IReadOnlyList<string> Diagnostics { get; }

    /// <summary>A fresh `azd up` with <see cref="AzdEnvironment"/>, signed in as <see cref="SignedInUser"/>.</summary>
    public static Task<InfraSnapshot> GetAsync() => Shared.Value;

    /// <summary>The deployment with the sample environment changed by <paramref name="changes"/> (an empty value unsets a variable).</summary>
    public static async Task<InfraSnapshot> CreateAsync(IReadOnlyDictionary<string, string> changes, Principal signedIn)
    {
        var (snapshot, run) = await RunAsync(changes, signedIn);
        Assert.True(snapshot is not null, $"bicep snapshot failed ({run.ExitCode}):\n{run.StdOut}\n{run.StdErr}");
        return snapshot;
    }

    /// <summary>What the deployment engine says when it refuses the template with these changes; fails if it accepts it.</summary>
    public static async Task<string> RefusalAsync(IReadOnlyDictionary<string, string> changes)
    {
        var (snapshot, run) = await RunAsync(changes, SignedInUser);
        Assert.True(snapshot is null, $"The deployment was accepted with {string.Join(", ", changes.Select(c => $"{c.Key}='{c.Value}'"))}; expected it to be refused.");
        return run.StdOut + run.StdErr;
    }

    public IEnumerable<JsonElement> OfType(string type) => Resources.Where(r => r.GetProperty("type").GetString() == type);

    public JsonElement Single(string type)
    {
        var matches = OfType(type).ToList();
        Assert.True(matches.Count == 1, $"Expected one {type} in the deployment, found {matches.Count}.");
        return matches[0];
    }

    public static string Name(JsonElement resource) => resource.GetProperty("name").GetString()!.Split('/')[^1];

    /// <summary>The function app's settings: name → value as deployed (runtime values replaced by samples).</summary>
    public IReadOnlyDictionary<string, string> AppSettings()
    {
        var config = Single("Microsoft.Web/sites/config");
        Assert.EndsWith("/appsettings", config.GetProperty("name").GetString()!, StringComparison.Ordinal);
        return config.GetProperty("properties").EnumerateObject()
            .ToDictionary(p => p.Name, p => ArmExpression.Evaluate(p.Value.GetString()!), StringComparer.OrdinalIgnoreCase);
    }

    private static async Task<JsonElement> BuildAsync()
    {
        var build = await BicepCli.RunAsync("build", Repo.MainBicep, "--stdout");
        Assert.True(build.ExitCode == 0 && build.Diagnostics.Count == 0, $"bicep build failed:\n{build.StdErr}");
        using var templateDoc = JsonDocument.Parse(build.StdOut);
        return templateDoc.RootElement.Clone();
    }

    private static async Task<(InfraSnapshot? Snapshot, BicepCli.Result Run)> RunAsync(IReadOnlyDictionary<string, string> changes, Principal signedIn)
    {
        var template = await CompiledTemplate.Value;
        using var parametersDoc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Repo.Infra, "main.parameters.json")));
        var parametersFile = parametersDoc.RootElement.Clone();
        var environment = new Dictionary<string, string>(AzdEnvironment);
        foreach (var (name, value) in changes) environment[name] = value;

        var values = ResolveLikeAzd(template, parametersFile, environment, signedIn);
        var dir = Directory.CreateTempSubdirectory("infra-snapshot-").FullName;
        try
        {
            // The template compiled once per run (what azd deploys), so each snapshot skips compiling main.bicep again.
            await File.WriteAllTextAsync(Path.Combine(dir, "main.json"), template.GetRawText());
            var bicepParam = Path.Combine(dir, "ci.bicepparam");
            var sb = new StringBuilder();
            sb.AppendLine("using 'main.json'");
            foreach (var (name, literal) in values) sb.Append("param ").Append(name).Append(" = ").AppendLine(literal);
            await File.WriteAllTextAsync(bicepParam, sb.ToString());

            var run = await BicepCli.RunAsync("snapshot", bicepParam, "--mode", "overwrite", "--subscription-id", SubscriptionId,
                "--tenant-id", TenantId, "--location", Location, "--deployment-name", "azd-ci");
            if (run.ExitCode != 0) return (null, run);
            using var snapshot = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "ci.snapshot.json")));
            return (new InfraSnapshot(template, parametersFile, values, snapshot.RootElement.Clone()), run);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// azd substitutes ${VAR} from its environment; a parameter whose value comes out empty uses the template default,
    /// and azd prompts for one without a default (here: a sample for strings, a failure otherwise). The signed-in
    /// principal's id and type replace ${AZURE_PRINCIPAL_ID} and ${AZURE_PRINCIPAL_TYPE}, whatever the environment says.
    /// </summary>
    private static Dictionary<string, string> ResolveLikeAzd(JsonElement template, JsonElement parametersFile, Dictionary<string, string> environment, Principal signedIn)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var declared = template.GetProperty("parameters");
        foreach (var parameter in parametersFile.GetProperty("parameters").EnumerateObject())
        {
            var raw = parameter.Value.GetProperty("value").GetString() ?? "";
            // ${VAR=default}: azd uses the default when VAR is unset or empty.
            var substituted = AzdVariable().Replace(raw, m =>
            {
                var value = m.Groups[1].Value switch
                {
                    "AZURE_PRINCIPAL_ID" => signedIn.Id,
                    "AZURE_PRINCIPAL_TYPE" => signedIn.Type,
                    var name => environment.TryGetValue(name, out var v) ? v : "",
                };
                return value.Length > 0 ? value : m.Groups[2].Success ? m.Groups[2].Value : "";
            });
            Assert.True(declared.TryGetProperty(parameter.Name, out var declaration), $"main.parameters.json sets '{parameter.Name}', which infra/main.bicep does not declare.");
            var type = declaration.GetProperty("type").GetString()!.ToLowerInvariant();
            if (substituted.Length == 0)
            {
                if (declaration.TryGetProperty("defaultValue", out _)) continue;
                Assert.True(type is "string" or "securestring", $"Parameter '{parameter.Name}' ({type}) has no default and its variable is unset: azd would prompt; give the test a sample.");
                substituted = "sample-" + parameter.Name;
            }

            values[parameter.Name] = type switch
            {
                "int" => int.Parse(substituted, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
                "bool" => bool.Parse(substituted) ? "true" : "false",
                _ => "'" + substituted.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'",
            };
        }

        return values;
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:=([^}]*))?\}")]
    private static partial Regex AzdVariable();
}
