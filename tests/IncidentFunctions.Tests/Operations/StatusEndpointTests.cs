using System.Text.Json;
using Azure;
using IncidentFunctions.AppModel;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Hosting;
using IncidentFunctions.Incidents;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.Operations;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.WallarmSimulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Tests.Operations;

[Trait("Category", TestCategories.Integration)]
public sealed class StatusEndpointTests(AzuriteFixture azurite)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(int Status, JsonElement Body)> GetStatusAsync(AppHarness app)
    {
        var (status, _, body) = await app.SendAsync<StatusEndpoint>();
        using var doc = JsonDocument.Parse(body);
        return (status, doc.RootElement.Clone());
    }

    [Fact]
    public async Task Status_AfterASuccessfulPull_IsOkWithCheckpointAndLag()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var pull = await app.PullAsync(Ct);
        app.Clock.Advance(TimeSpan.FromMinutes(2));

        var (status, body) = await GetStatusAsync(app);

        Assert.Equal(200, status);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal("off", body.GetProperty("telemetry").GetString());
        var tenant = Assert.Single(body.GetProperty("ingestion").GetProperty("tenants").EnumerateArray());
        Assert.Equal(pull.TenantId, tenant.GetProperty("tenantId").GetInt64());
        Assert.Equal(pull.PulledUntil, tenant.GetProperty("pulledUntil").GetDateTimeOffset());
        Assert.Equal((app.Clock.GetUtcNow() - pull.PulledUntil!.Value).TotalSeconds, tenant.GetProperty("lagSeconds").GetDouble());
        Assert.Equal("Succeeded", tenant.GetProperty("lastOutcome").GetString());
        Assert.Equal(JsonValueKind.Null, tenant.GetProperty("lastError").ValueKind);
        Assert.False(tenant.GetProperty("running").GetBoolean());
        Assert.Equal((await app.Get<CheckpointStore>().GetAsync(pull.TenantId, Ct))!.IncidentsWritten, tenant.GetProperty("incidentsWritten").GetInt64());
    }

    [Fact]
    public async Task Status_RunStoppedByItsHost_IsCatchingUpNotFailing()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var first = await app.PullAsync(Ct);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        app.Simulator.Faults.Add(new FaultRule { Kind = FaultKind.Timeout, Times = 0, DelaySeconds = 30 });
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        shutdown.CancelAfter(TimeSpan.FromMilliseconds(500)); // the host stops while the run waits for Wallarm

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => app.PullAsync(shutdown.Token));

        var (status, body) = await GetStatusAsync(app);
        Assert.Equal(200, status); // a scale-in or a deployment during a pull pages nobody
        Assert.Equal("catching-up", body.GetProperty("status").GetString());
        var tenant = Assert.Single(body.GetProperty("ingestion").GetProperty("tenants").EnumerateArray());
        Assert.Equal(("Stopped", JsonValueKind.Null), (tenant.GetProperty("lastOutcome").GetString(), tenant.GetProperty("lastError").ValueKind));
        Assert.Equal(first.PulledUntil, tenant.GetProperty("pulledUntil").GetDateTimeOffset());
        Assert.Equal("Stopped", body.GetProperty("ingestion").GetProperty("lastRun").GetProperty("outcome").GetString());
        var logs = app.Logs.GetSnapshot();
        Assert.Single(logs, r => r.Id.Id == 1218 && r.Level == LogLevel.Warning && r.Exception is null);
        Assert.DoesNotContain(logs, r => r.Id.Id == 1204);
    }

    [Fact]
    public async Task Status_CheckpointOlderThanTwoIntervalsAndABudget_IsStale503()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        await app.PullAsync(Ct);
        // Default schedule every 5 min, run budget 4 min: healthy lag is 14 min.
        app.Clock.Advance(TimeSpan.FromMinutes(15));

        var (status, body) = await GetStatusAsync(app);

        Assert.Equal(503, status);
        Assert.Equal("stale", body.GetProperty("status").GetString());
        Assert.Equal(14 * 60, body.GetProperty("ingestion").GetProperty("healthyLagSeconds").GetDouble());
        Assert.Equal("stale", body.GetProperty("ingestion").GetProperty("tenants")[0].GetProperty("health").GetString());
    }

    [Fact]
    public async Task Status_LastRunFailed_Is503WithTheError()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        await app.PullAsync(Ct);
        var store = app.Get<CheckpointStore>();
        var checkpoint = (await store.GetAsync(5, Ct))!;
        checkpoint.LastOutcome = "Failed";
        checkpoint.LastError = "WallarmApiException: 401 Unauthorized";
        await store.SaveAsync(5, checkpoint, Ct);

        var (status, body) = await GetStatusAsync(app);

        Assert.Equal(503, status);
        Assert.Equal("failing", body.GetProperty("status").GetString());
        Assert.Equal("WallarmApiException: 401 Unauthorized", body.GetProperty("ingestion").GetProperty("tenants")[0].GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task Status_BeforeTheFirstPull_IsPending200()
    {
        await using var app = await AppHarness.StartAsync(azurite);

        var (status, body) = await GetStatusAsync(app);

        Assert.Equal(200, status);
        Assert.Equal("pending", body.GetProperty("status").GetString());
        Assert.Empty(body.GetProperty("ingestion").GetProperty("tenants").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("intel").ValueKind); // no intel refresh yet
    }

    [Fact]
    public async Task Status_IntelPointerBroken_AnswersWithoutIntelAndWarns()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var store = app.Get<IntelSnapshotStore>();
        var container = await app.Get<IncidentFunctions.Storage.StorageClients>().GetContainerAsync(store.ContainerName, Ct);
        await container.GetBlobClient(IntelSnapshotStore.LatestBlob).UploadAsync(BinaryData.FromString("{not json"), overwrite: true, Ct);

        var (status, body) = await GetStatusAsync(app);

        Assert.Equal(200, status);
        Assert.Equal(JsonValueKind.Null, body.GetProperty("intel").ValueKind);
        Assert.Single(app.Logs.GetSnapshot(), l => l.Id.Id == 1611);
    }

    [Fact]
    public async Task Status_IntelRefreshReasonQuotesAKeyedUrl_ShowsTheReasonWithTheKeyRedacted()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var store = app.Get<IntelSnapshotStore>();
        var container = await app.Get<IncidentFunctions.Storage.StorageClients>().GetContainerAsync(store.ContainerName, Ct);
        await container.GetBlobClient(IntelSnapshotStore.LatestBlob).UploadAsync(BinaryData.FromString(
            """{"version":"v1","blob":"snapshots/v1.bin","createdAt":"2026-11-20T00:00:00Z","sources":[],"attributions":[]}"""), overwrite: true, Ct);
        await store.SaveStatusAsync(new IntelStatus
        {
            LastRunAt = new DateTimeOffset(2026, 11, 20, 3, 30, 0, TimeSpan.Zero),
            Sources = [new IntelSourceStatus { Name = "geolite2-city", Location = "https://download.maxmind.example/geoip?edition=City&license_key=FAKE-license-0123456789", Outcome = IntelFetchOutcome.Failed, Reason = "HTTP 401 from https://download.maxmind.example/geoip?edition=City&license_key=FAKE-license-0123456789" }],
        }, Ct);

        var (_, body) = await GetStatusAsync(app);

        var source = Assert.Single(body.GetProperty("intel").GetProperty("sources").EnumerateArray());
        Assert.Equal("Failed", source.GetProperty("lastOutcome").GetString());
        Assert.Equal(JsonValueKind.Null, source.GetProperty("dataDate").ValueKind); // not in the snapshot
        Assert.Equal("HTTP 401 from https://download.maxmind.example/geoip?edition=City&license_key=[redacted]", source.GetProperty("lastReason").GetString());
        Assert.DoesNotContain("FAKE-license", body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_AfterAnIntelRefresh_ShowsEachSourcesDataDateAndOutcomeAndTurnsStaleAfterThirtyDays()
    {
        await using var app = await AppHarness.StartAsync(azurite);
        var refresh = await app.Get<IntelRefresher>().RunAsync(Ct);

        var (status, fresh) = await GetStatusAsync(app);
        app.Clock.Advance(TimeSpan.FromDays(31)); // no refresh since: the snapshot's data is a month old
        var (oldStatus, old) = await GetStatusAsync(app);

        Assert.Equal(200, status);
        var intel = fresh.GetProperty("intel");
        Assert.Equal(refresh.Version, intel.GetProperty("version").GetString());
        Assert.False(intel.GetProperty("stale").GetBoolean());
        var sources = intel.GetProperty("sources").EnumerateArray().ToList();
        Assert.Equal(refresh.Sources.Select(s => s.Name).Order(StringComparer.Ordinal), sources.Select(s => s.GetProperty("name").GetString()));
        Assert.All(sources, s => Assert.Equal("Updated", s.GetProperty("lastOutcome").GetString()));
        Assert.All(sources, s => Assert.True(s.GetProperty("dataDate").GetDateTimeOffset() <= app.Clock.GetUtcNow()));
        Assert.True(old.GetProperty("intel").GetProperty("stale").GetBoolean());
        Assert.All(old.GetProperty("intel").GetProperty("sources").EnumerateArray(), s => Assert.True(s.GetProperty("stale").GetBoolean()));
        Assert.Equal(200, oldStatus); // the pull's health decides the answer (pending here), never the intel's age
    }

    [Fact]
    public async Task Status_StaleAfterOfSevenDays_TurnsStaleAfterAWeekAndReportsUseTheSameThreshold()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Enrichment:StaleAfter"] = "7.00:00:00" });
        await app.Get<IntelRefresher>().RunAsync(Ct);

        app.Clock.Advance(TimeSpan.FromDays(6));
        var (_, week) = await GetStatusAsync(app);
        app.Clock.Advance(TimeSpan.FromDays(2));
        var (_, later) = await GetStatusAsync(app);

        Assert.False(week.GetProperty("intel").GetProperty("stale").GetBoolean());
        Assert.True(later.GetProperty("intel").GetProperty("stale").GetBoolean());
        var report = await app.Get<IncidentFunctions.Reports.DailyReportBuilder>().BuildAsync(app.Simulator.Options.ClientId, new NodaTime.LocalDate(2026, 11, 20), Ct);
        Assert.Equal(TimeSpan.FromDays(7), report.StaleDataAfter);
        var week47 = await app.Get<IncidentFunctions.Reports.PeriodReportBuilder>().BuildAsync(app.Simulator.Options.ClientId, IncidentFunctions.Calendar.ReportPeriod.Week(2026, 47), Ct);
        Assert.Equal(TimeSpan.FromDays(7), week47.StaleDataAfter);
    }

    [Fact]
    public async Task Status_StorageRefusesTheRead_Is503UnavailableWithTheBoundedErrorAndAWarning()
    {
        // A storage account that answers every call with 403 (the identity lacks its data role). The SDK does not retry
        // a 403, so this exercises the failure path at once, with the production client and retry settings.
        var requests = 0;
        var (storage, address) = await LoopbackServer.StartAsync(server => server.Run(async context =>
        {
            Interlocked.Increment(ref requests);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.Headers["x-ms-error-code"] = "AuthorizationPermissionMismatch";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(
                """{"odata.error":{"code":"AuthorizationPermissionMismatch","message":{"lang":"en-US","value":"This request is not authorized to perform this operation using this permission."}}}""",
                context.RequestAborted);
        }));
        await using var _ = storage;
        var account = $"http://{address.Authority}/{AzuriteProcess.AccountName}";
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};" +
                                           $"BlobEndpoint={account};QueueEndpoint={account};TableEndpoint={account};",
        });

        var (status, body) = await GetStatusAsync(app);

        Assert.Equal(503, status);
        Assert.Equal("unavailable", body.GetProperty("status").GetString());
        Assert.Equal("off", body.GetProperty("telemetry").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ingestion").ValueKind);
        var error = body.GetProperty("error").GetString()!;
        Assert.Equal("Storage: answered 403 (AuthorizationPermissionMismatch)", error); // not the SDK's message with its headers
        Assert.True(requests >= 1);
        var warning = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 1610);
        Assert.Equal((LogLevel.Warning, null), (warning.Level, warning.Exception)); // asked every minute by a monitor: one line each
        Assert.EndsWith("(answered 403 (AuthorizationPermissionMismatch))", warning.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("5")]
    public async Task Status_WrongTokenFromTheFirstRun_Is503FailingWithTheReasonAndTheSetting(string? clientId)
    {
        // Without a configured tenant the run fails on /v1/user, before any checkpoint exists.
        const string wrongToken = "FAKE-wrong-token";
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Wallarm:ApiToken"] = wrongToken, ["Wallarm:ClientId"] = clientId });
        await Assert.ThrowsAsync<IncidentFunctions.Wallarm.WallarmAuthenticationException>(() => app.PullAsync(Ct));

        var (status, body) = await GetStatusAsync(app);

        Assert.Equal(503, status);
        Assert.Equal("failing", body.GetProperty("status").GetString());
        var ingestion = body.GetProperty("ingestion");
        Assert.Equal("failing", ingestion.GetProperty("health").GetString());
        Assert.Equal("Wallarm__ApiToken", ingestion.GetProperty("setting").GetString());
        var error = ingestion.GetProperty("error").GetString()!;
        Assert.Contains("HTTP 401", error, StringComparison.Ordinal);
        Assert.Contains("Wallarm__ApiToken", error, StringComparison.Ordinal);
        Assert.Equal("Failed", ingestion.GetProperty("lastRun").GetProperty("outcome").GetString());
        Assert.DoesNotContain(wrongToken, body.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(clientId is null ? 0 : 1, ingestion.GetProperty("tenants").GetArrayLength());
    }

    [Fact]
    public async Task Status_TokenFixedAfterFailures_IsOkAgain()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Wallarm:ApiToken"] = "FAKE-rotated-token" });
        await Assert.ThrowsAsync<IncidentFunctions.Wallarm.WallarmAuthenticationException>(() => app.PullAsync(Ct));
        Assert.Equal(503, (await GetStatusAsync(app)).Status);

        app.Simulator.Options.ApiToken = "FAKE-rotated-token";
        await app.PullAsync(Ct);

        var (status, body) = await GetStatusAsync(app);
        Assert.Equal(200, status);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("ingestion").GetProperty("error").ValueKind);
        Assert.Equal("Succeeded", body.GetProperty("ingestion").GetProperty("lastRun").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Status_WrongClientId_NamesWallarmClientIdNotTheToken()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Wallarm:ClientId"] = "6" });

        var thrown = await Assert.ThrowsAsync<IncidentFunctions.Wallarm.WallarmTenantMismatchException>(() => app.PullAsync(Ct));

        Assert.Equal((6, 5), (thrown.ConfiguredClientId, thrown.TokenClientId));
        var (status, body) = await GetStatusAsync(app);
        Assert.Equal(503, status);
        var ingestion = body.GetProperty("ingestion");
        Assert.Equal("Wallarm__ClientId", ingestion.GetProperty("setting").GetString());
        var error = ingestion.GetProperty("error").GetString()!;
        Assert.Contains("Set 'Wallarm__ClientId' to 5", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Wallarm__ApiToken", error, StringComparison.Ordinal);
        Assert.Equal("Wallarm__ClientId", ingestion.GetProperty("tenants")[0].GetProperty("lastErrorSetting").GetString());
    }

    [Fact]
    public async Task Status_StorageRefusesTheQueueDuringARun_Is503FailingNamingTheStorageSetting()
    {
        // Tables answer (Azurite), the queue service refuses every call: the run fails after storing incidents.
        var (queueService, address) = await LoopbackServer.StartAsync(server => server.Run(async context =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.Headers["x-ms-error-code"] = "AuthorizationPermissionMismatch";
            await context.Response.WriteAsync("""<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationPermissionMismatch</Code><Message>refused</Message></Error>""", context.RequestAborted);
        }));
        await using var _ = queueService;
        var azuriteTables = azurite.ConnectionString.Split(';').First(p => p.StartsWith("TableEndpoint=", StringComparison.Ordinal));
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};" +
                                           $"{azuriteTables};QueueEndpoint=http://{address.Authority}/{AzuriteProcess.AccountName};BlobEndpoint=http://{address.Authority}/{AzuriteProcess.AccountName};",
        });

        await Assert.ThrowsAsync<RequestFailedException>(() => app.PullAsync(Ct));

        var (status, body) = await GetStatusAsync(app);
        Assert.Equal(503, status);
        var ingestion = body.GetProperty("ingestion");
        Assert.Equal("failing", ingestion.GetProperty("health").GetString());
        Assert.Equal("Storage__ConnectionString", ingestion.GetProperty("setting").GetString());
        Assert.StartsWith("Storage refused access (answered 403 (AuthorizationPermissionMismatch)): check Storage__ConnectionString", ingestion.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_AfterRecordsWereQuarantined_Is200AndCountsThem()
    {
        await using var app = await AppHarness.StartAsync(azurite, settings: new Dictionary<string, string?> { ["Ingestion:InitialLookback"] = "06:00:00" });
        var now = app.Clock.GetUtcNow().ToUnixTimeSeconds();
        foreach (var attack in app.Simulator.Data.IncidentsIn(now - 3600, now, now).Take(2))
        {
            app.Simulator.State.Corruptions.Add(new IncidentFunctions.WallarmSimulator.CorruptionRule { Kind = IncidentFunctions.WallarmSimulator.CorruptionKind.MissingId, Target = attack.AttackId });
        }

        await app.PullAsync(Ct);

        var (status, body) = await GetStatusAsync(app);
        Assert.Equal(200, status);
        var tenant = body.GetProperty("ingestion").GetProperty("tenants")[0];
        Assert.Equal(2, tenant.GetProperty("quarantinedRecords").GetInt32());
        Assert.Equal(2, tenant.GetProperty("lastRunQuarantined").GetInt32());
    }

    [Theory]
    [InlineData("0 */5 * * * *", 14)]
    [InlineData("0 0 */6 * * *", 724)]
    [InlineData("0 0 2 * * *", 2884)]
    public void HealthyLag_IsTwoLongestIntervalsPlusTheRunBudget(string schedule, int minutes)
    {
        var lag = IngestionStatusReader.HealthyLag(new IngestionOptions { Schedule = schedule }, new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(TimeSpan.FromMinutes(minutes), lag);
    }

    [Fact]
    public void StatusRoute_IsAFunctionLevelGet()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddIncidentFunctions();
        using var host = builder.Build();

        var route = host.Services.GetServices<HttpRouteRegistration>().Single(r => r.RouteType == typeof(StatusEndpoint)).Metadata;

        Assert.Equal(StatusEndpoint.FunctionName, route.FunctionName);
        Assert.Equal(["GET"], route.Methods);
        Assert.Equal("status", route.Template);
        Assert.Equal(HttpAuthLevel.Function, route.AuthLevel);
    }
}
