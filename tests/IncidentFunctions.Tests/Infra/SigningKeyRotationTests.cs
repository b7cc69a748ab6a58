using System.Text.Json;
using IncidentFunctions.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IncidentFunctions.Tests.Infra;

/// <summary>
/// Rotating the report-link signing key through the template (README, "Rotating secrets"): `azd provision` replaces
/// every app setting, so the earlier key stays only if the template keeps referencing it.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class SigningKeyRotationTests
{
    private const string SettingPrefix = "Reports__SigningKeys__";

    /// <summary>A pipeline signed in with `azd auth login --client-id …`.</summary>
    private static readonly InfraSnapshot.Principal Pipeline = new("66666666-7777-8888-9999-000000000000", "ServicePrincipal");

    /// <summary>The provision after a rotation, from a pipeline: k2 is the new key, k1 signed the links already sent.</summary>
    private static readonly Lazy<Task<InfraSnapshot>> Rotated = new(() => InfraSnapshot.CreateAsync(
        new Dictionary<string, string>
        {
            ["REPORT_SIGNING_KEY_ID"] = "k2",
            ["REPORT_PREVIOUS_SIGNING_KEY_IDS"] = "k1",
        },
        Pipeline));

    [Fact]
    public async Task FreshDeployment_OneKey_IsTheActiveOne()
    {
        var settings = (await InfraSnapshot.GetAsync()).AppSettings();

        Assert.Equal(["Reports__SigningKeys__k1"], settings.Keys.Where(k => k.StartsWith(SettingPrefix, StringComparison.Ordinal)));
        Assert.Equal("k1", settings["Reports__ActiveSigningKeyId"]);
    }

    [Fact]
    public async Task PreviousKeyIds_TwoKeys_TwoSettingsWithTheNewOneActive()
    {
        var snapshot = await Rotated.Value;
        var settings = snapshot.AppSettings();

        Assert.Equal(["Reports__SigningKeys__k1", "Reports__SigningKeys__k2"], settings.Keys.Where(k => k.StartsWith(SettingPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal("k2", settings["Reports__ActiveSigningKeyId"]);
        Assert.Equal("report-signing-key-k1", SecretName(settings["Reports__SigningKeys__k1"]));
        Assert.Equal("report-signing-key-k2", SecretName(settings["Reports__SigningKeys__k2"]));

        // The new key is written from REPORT_SIGNING_KEY; the earlier one is only referenced: its secret keeps the value
        // the earlier deployment wrote (rewriting it would add a version holding the wrong key).
        var written = snapshot.OfType("Microsoft.KeyVault/vaults/secrets").Select(InfraSnapshot.Name).ToList();
        Assert.Contains("report-signing-key-k2", written);
        Assert.DoesNotContain("report-signing-key-k1", written);
    }

    [Fact]
    public async Task PreviousKeyIds_DeployedSettings_OldLinksVerifyUntilTheyExpire_NewLinksUseTheNewKey()
    {
        var configuration = AppSettingsCoverageTests.DeployedConfiguration(await Rotated.Value);
        using var host = AppSettingsCoverageTests.BuildHost(configuration);
        host.Services.GetRequiredService<IStartupValidator>().Validate();
        var options = host.Services.GetRequiredService<IOptions<ReportOptions>>().Value;
        Assert.Equal(["k1", "k2"], options.SigningKeys.Keys.Order(StringComparer.Ordinal));
        Assert.NotEqual(options.SigningKeys["k1"], options.SigningKeys["k2"]);

        // Before the rotation k1 signed a link of the longest lifetime allowed.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var before = new ReportOptions { ActiveSigningKeyId = "k1", MaxSignedLinkLifetime = options.MaxSignedLinkLifetime };
        before.SigningKeys["k1"] = options.SigningKeys["k1"];
        var path = DailyReportEndpoint.PathFor("2026-11-30");
        var old = Parse(new ReportLinkSigner(Options.Create(before), time).Sign(path, options.MaxSignedLinkLifetime).Query);

        // After the rotation (same instant and just before that link expires) the deployed app still accepts it.
        var after = new ReportLinkSigner(Options.Create(options), time);
        Assert.Equal(SignatureCheck.Valid, after.Verify(path, old["exp"], old["kid"], old["sig"]));
        time.Advance(options.MaxSignedLinkLifetime - TimeSpan.FromMinutes(1));
        Assert.Equal(SignatureCheck.Valid, after.Verify(path, old["exp"], old["kid"], old["sig"]));
        Assert.Equal("k2", Parse(after.Sign(path, options.SignedLinkLifetime).Query)["kid"]);
    }

    [Fact]
    public async Task PipelineSignIn_DeployerRoles_AreAssignedAsServicePrincipal()
    {
        var deployer = InfraSnapshotTests.RoleAssignments(await Rotated.Value).Where(a => a.Principal == Pipeline.Id).ToList();

        Assert.Equal(InfraSnapshotTests.DeployerRoles, deployer.Select(a => a.Role).Order(StringComparer.Ordinal));
        Assert.All(deployer, a => Assert.Equal("ServicePrincipal", a.Type));
    }

    [Fact]
    public async Task KeyVaultModule_RetainedSecrets_AreReadSoAMissingOneFailsTheDeployment()
    {
        // `bicep snapshot` cannot know what the vault holds, so this checks the compiled template: main passes the
        // previous keys' secret names to the Key Vault module, which declares them `existing` and reads each one in an
        // output; ARM fails that module (ResourceNotFound, naming the secret) before the app settings reference it.
        var template = (await InfraSnapshot.GetAsync()).Template;
        var module = Resources(template)
            .Single(r => r.Value.GetProperty("type").GetString() == "Microsoft.Resources/deployments"
                         && Resources(r.Value.GetProperty("properties").GetProperty("template"))
                             .Any(x => x.Value.GetProperty("type").GetString() == "Microsoft.KeyVault/vaults" && !x.Value.TryGetProperty("existing", out _)))
            .Value.GetProperty("properties");
        Assert.Contains("previousSigningKeySecrets", module.GetProperty("parameters").GetProperty("retainedSecretNames").GetProperty("value").GetString(), StringComparison.Ordinal);

        var inner = module.GetProperty("template");
        var retained = Resources(inner).Single(r =>
            r.Value.GetProperty("type").GetString() == "Microsoft.KeyVault/vaults/secrets"
            && r.Value.TryGetProperty("existing", out var existing) && existing.GetBoolean());
        Assert.Contains("parameters('retainedSecretNames')", retained.Value.GetProperty("copy").GetProperty("count").GetString(), StringComparison.Ordinal);
        Assert.Contains(inner.GetProperty("outputs").EnumerateObject(), o =>
            o.Value.TryGetProperty("copy", out var copy) && copy.GetProperty("input").GetString()!.Contains($"reference(format('{retained.Key}[{{0}}]'", StringComparison.Ordinal));
    }

    /// <summary>A template's resources by symbolic name (languageVersion 2.0: an object; otherwise an array, by index).</summary>
    private static IEnumerable<KeyValuePair<string, JsonElement>> Resources(JsonElement template)
    {
        var resources = template.GetProperty("resources");
        return resources.ValueKind == JsonValueKind.Object
            ? resources.EnumerateObject().Select(r => KeyValuePair.Create(r.Name, r.Value))
            : resources.EnumerateArray().Select((r, i) => KeyValuePair.Create(i.ToString(System.Globalization.CultureInfo.InvariantCulture), r));
    }

    private static string SecretName(string reference)
        => AppSettingsCoverageTests.KeyVaultReference().Match(reference) is { Success: true } m ? m.Groups["name"].Value : throw new InvalidOperationException($"'{reference}' is not a Key Vault reference.");

    private static Dictionary<string, string> Parse(string query)
        => query.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
}
