using IncidentFunctions.Hosting;
using IncidentFunctions.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Tests.Operations;

/// <summary>Every log record of the composed app passes the redactor, whoever writes it and whatever its level.</summary>
[Trait("Category", TestCategories.Unit)]
public sealed class LogRedactionTests
{
    private const string Token = "FAKE-wallarm-token-NOT-A-SECRET";
    // Key-shaped values (base64, as the options and the storage SDK want them) are made when the tests run, so the
    // repository holds nothing that reads like a real key.
    private static readonly string SigningKey = Convert.ToBase64String(Enumerable.Range(21, 33).Select(i => (byte)i).ToArray());
    private const string WebhookUrl = "https://hooks.slack.com/services/T0001/B0002/FAKE-hook-part";
    private const string GenericSecret = "FAKE-generic-hmac-secret-NOT-A-SECRET";
    private static readonly string AccountKey = Convert.ToBase64String(Enumerable.Range(61, 30).Select(i => (byte)i).ToArray());

    public static TheoryData<string, string> KeyLines => new()
    {
        { "signing with " + SigningKey, SigningKey },
        { "AccountName=acct;AccountKey=" + AccountKey + ";", AccountKey },
    };

    private static IHost Build()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wallarm:ApiToken"] = Token,
            ["Reports:SigningKeys:k1"] = SigningKey,
            ["Digest:Channels:0:Url"] = WebhookUrl,
            ["Digest:Channels:0:Secret"] = GenericSecret,
            ["Storage:ConnectionString"] = $"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={AccountKey};EndpointSuffix=core.windows.net",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging();
        builder.AddIncidentFunctions();
        return builder.Build();
    }

    [Theory]
    [InlineData("GET http://127.0.0.1:7071/api/reports/daily/2026-11-20.pdf?code=FAKE-code-value-123 - 200", "FAKE-code-value-123")]
    [InlineData("GET /api/reports/shared/daily/2026-11-20.pdf?exp=1796000000&kid=k1&sig=EXAMPLE-not-a-signature-0123456789", "EXAMPLE-not-a-signature-0123456789")]
    [InlineData("download https://x.example/GeoLite2.tar.gz?edition_id=City&license_key=FAKE-LICENSE-KEY42", "FAKE-LICENSE-KEY42")]
    [InlineData("x-functions-key: FAKE-key-in-a-header-line", "FAKE-key-in-a-header-line")]
    [InlineData("Sending with X-WallarmAPI-Token: FAKE-token-value-1", "FAKE-token-value-1")]
    [InlineData("failed for " + WebhookUrl, "FAKE-hook-part")]
    [InlineData("POST /services/T0001/B0002/FAKE-hook-part failed", "FAKE-hook-part")]
    [InlineData("the token " + Token + " was refused", Token)]
    [InlineData("hmac key " + GenericSecret, GenericSecret)]
    [MemberData(nameof(KeyLines))]
    public void Log_MessageWithASecret_ReachesProvidersRedacted(string message, string secret)
    {
        using var host = Build();
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");

#pragma warning disable CA2254, CA1848 // a framework-style line, as ASP.NET Core and HttpClient write them
        logger.LogTrace(message);
#pragma warning restore CA2254, CA1848

        var record = Assert.Single(host.Services.GetFakeLogCollector().GetSnapshot());
        Assert.DoesNotContain(secret, record.Message, StringComparison.Ordinal);
        Assert.Contains(SecretRedactor.Mask, record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_StructuredValuesAndExceptionWithSecrets_AreRedactedEverywhere()
    {
        using var host = Build();
        var logger = host.Services.GetRequiredService<ILogger<LogRedactionTests>>();
        var failure = new HttpRequestException($"POST {WebhookUrl} failed");

#pragma warning disable CA1848
        logger.LogError(failure, "Delivery to {Url} with {Query} failed ({Status})", new Uri(WebhookUrl), "?code=FAKE-structured-key-123", 500);
#pragma warning restore CA1848

        var record = Assert.Single(host.Services.GetFakeLogCollector().GetSnapshot());
        var everything = record.Message + string.Join('|', record.StructuredState!.Select(v => v.Value)) + record.Exception;
        Assert.DoesNotContain("FAKE-hook-part", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("FAKE-structured-key-123", everything, StringComparison.Ordinal);
        Assert.Equal("500", record.GetStructuredStateValue("Status"));
        Assert.Equal("Delivery to {Url} with {Query} failed ({Status})", record.GetStructuredStateValue("{OriginalFormat}"));
        var replaced = Assert.IsType<RedactedException>(record.Exception);
        Assert.Equal(typeof(HttpRequestException).FullName, replaced.OriginalType);
    }

    [Fact]
    public void Log_NothingSecret_PassesTheOriginalStateAndException()
    {
        using var host = Build();
        var logger = host.Services.GetRequiredService<ILogger<LogRedactionTests>>();
        var failure = new InvalidOperationException("plain failure");

#pragma warning disable CA1848
        logger.LogWarning(failure, "Pulled {Count} incidents for {Tenant}", 12, "tenant-5");
#pragma warning restore CA1848

        var record = Assert.Single(host.Services.GetFakeLogCollector().GetSnapshot());
        Assert.Same(failure, record.Exception);
        Assert.Equal("Pulled 12 incidents for tenant-5", record.Message);
    }

    [Fact]
    public void Redact_SecretAddedAtRunTimeAndShortValues_OnlyTheSecretGoes()
    {
        using var host = Build();
        var redactor = host.Services.GetRequiredService<SecretRedactor>();

        redactor.AddSecret("FAKE-generated-function-key-0123");
        redactor.AddSecret("short");

        Assert.Equal($"key {SecretRedactor.Mask}, short, code", redactor.Redact("key FAKE-generated-function-key-0123, short, code"));
    }
}
