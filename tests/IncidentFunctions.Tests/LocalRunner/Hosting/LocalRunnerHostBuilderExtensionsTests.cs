using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using IncidentFunctions.AppModel;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.LocalRunner.Queues;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.LocalRunner.Hosting;

/// <summary>AddLocalRunner on a plain generic host: what it wires, and how it fails.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class LocalRunnerHostBuilderExtensionsTests(AzuriteFixture azurite) : IDisposable
{
    private readonly List<IDisposable> _disposables = [];

    [Fact]
    public async Task AddLocalRunner_QueueJobRegistered_ListensOnItsQueueWithAnUnencodedClient()
    {
        var queueName = UniqueNames.Queue("wired");
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var builder = CreateBuilder(TestHostJson.FastQueues, new() { ["LocalRunner:EnableTimers"] = "false" });
        builder.Configuration["Storage:ConnectionString"] = azurite.ConnectionString;
        builder.Services.AddStorage(builder.Configuration);
        builder.Services.AddSingleton(new QueueJob("Wired", "WIRED_QUEUE", _ => queueName, (_, body, _) =>
        {
            received.TrySetResult(body.ToString());
            return Task.CompletedTask;
        }));
        builder.AddLocalRunner();
        using var host = builder.Build();
        var producer = new QueueClient(azurite.ConnectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await producer.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        await producer.SendMessageAsync("wired body", TestContext.Current.CancellationToken);

        await host.StartAsync(TestContext.Current.CancellationToken);
        var body = await received.Task.Within();
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal("wired body", body);
        var listener = Assert.Single(host.Services.GetServices<IHostedService>().OfType<QueueListenerHost>().Single().Listeners);
        Assert.Equal(queueName, listener.QueueName);
        await producer.DeleteIfExistsAsync(TestContext.Current.CancellationToken);
        await new QueueClient(azurite.ConnectionString, queueName + "-poison").DeleteIfExistsAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task AddLocalRunner_QueuesDisabled_StartsWithoutStorageOrListeners()
    {
        var builder = CreateBuilder(TestHostJson.FastQueues, new() { ["LocalRunner:EnableQueues"] = "false", ["LocalRunner:EnableTimers"] = "false" });
        builder.Services.AddSingleton(new QueueJob("Unused", "UNUSED_QUEUE", _ => "unused", (_, _, _) => Task.CompletedTask));
        builder.AddLocalRunner();
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Empty(host.Services.GetServices<IHostedService>().OfType<QueueListenerHost>().Single().Listeners);
    }

    [Fact]
    public async Task AddLocalRunner_LogoFile_IsUploadedAsTheReportsLogoOncePerContent()
    {
        var ct = TestContext.Current.CancellationToken;
        var (logo, container) = (TempLogoPath(), "logo" + Guid.NewGuid().ToString("N")[..20]);
        async Task<Azure.ETag> StartOnceAsync()
        {
            using var host = LogoRunner(logo, container);
            await host.StartAsync(ct);
            await host.StopAsync(ct);
            var blob = new BlobContainerClient(azurite.ConnectionString, container).GetBlobClient(ReportOptions.DefaultLogoBlob);
            Assert.Equal(await File.ReadAllBytesAsync(logo, ct), (await blob.DownloadContentAsync(ct)).Value.Content.ToArray());
            return (await blob.GetPropertiesAsync(cancellationToken: ct)).Value.ETag;
        }

        await File.WriteAllBytesAsync(logo, [1, 2, 3], ct);
        var first = await StartOnceAsync();
        var restarted = await StartOnceAsync();
        await File.WriteAllBytesAsync(logo, [4, 5, 6, 7], ct);
        var replaced = await StartOnceAsync();

        Assert.Equal(first, restarted); // the same file is not uploaded again: stored reports are not redrawn by a restart
        Assert.NotEqual(first, replaced);
    }

    [Fact]
    public async Task AddLocalRunner_BadUrls_FailsStartNamingTheSetting()
    {
        var builder = CreateBuilder(TestHostJson.FastQueues, new() { ["LocalRunner:Urls"] = "not-an-address" });
        builder.AddLocalRunner();
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("LocalRunner:Urls", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddLocalRunner_HostJsonOutOfRange_FailsStartNamingTheFileAndKey()
    {
        var builder = CreateBuilder("""{ "version": "2.0", "extensions": { "queues": { "batchSize": 64 } } }""", []);
        builder.AddLocalRunner();
        using var host = builder.Build();
        var path = host.Services.GetRequiredService<IOptions<LocalRunnerOptions>>().Value.HostJsonPath!;

        var ex = await Assert.ThrowsAsync<HostJsonException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'extensions.queues.batchSize'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddLocalRunner_UrlsSetting_BecomesTheServerUrls()
    {
        var builder = CreateBuilder(TestHostJson.FastQueues, new() { ["LocalRunner:Urls"] = "http://127.0.0.1:7500;http://localhost:7501" });

        builder.AddLocalRunner();

        Assert.Equal("http://127.0.0.1:7500;http://localhost:7501", builder.Configuration["urls"]);
    }

    [Fact]
    public void AddLocalRunner_NoUrlsSetting_UsesTheCoreToolsPort()
    {
        var builder = CreateBuilder(TestHostJson.FastQueues, []);

        builder.AddLocalRunner();

        Assert.Equal("http://127.0.0.1:7071", builder.Configuration["urls"]);
    }

    [Fact]
    public async Task AddLocalRunner_LogoUploadCannotReachStorage_StartsAndLogsThatItWasNotUploaded()
    {
        var ct = TestContext.Current.CancellationToken;
        var (logo, container) = (TempLogoPath(), "logo" + Guid.NewGuid().ToString("N")[..20]);
        await File.WriteAllBytesAsync(logo, [1, 2, 3], ct);
        var connection = new RefusedConnection { Refusing = true };
        // Registered before AddStorage, whose TryAdd keeps it: blob requests are refused, every retry of them too.
        using var host = LogoRunner(logo, container, services => services.AddSingleton(sp => new StorageClients(sp.GetRequiredService<IOptions<StorageOptions>>(),
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<QueueServiceClient>(),
            new BlobServiceClient(azurite.ConnectionString, connection.Install(new BlobClientOptions())), sp.GetRequiredService<IAzureClientFactory<QueueServiceClient>>())));

        await host.StartAsync(ct);
        await host.StopAsync(ct);

        var failed = Assert.Single(host.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 9103);
        Assert.IsType<AggregateException>(failed.Exception);
        Assert.Contains(logo, failed.Message, StringComparison.Ordinal);
        Assert.False(await new BlobContainerClient(azurite.ConnectionString, container).ExistsAsync(ct));
    }

    public void Dispose() => _disposables.ForEach(d => d.Dispose());

    private sealed class TempFile(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }

    private string TempLogoPath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"logo-{Guid.NewGuid():N}.png");
        _disposables.Add(new TempFile(path));
        return path;
    }

    /// <summary>A runner with storage and reports only (no timers, no queues) that uploads <paramref name="logo"/> into <paramref name="container"/> at start.</summary>
    private IHost LogoRunner(string logo, string container, Action<IServiceCollection>? beforeStorage = null)
    {
        var builder = CreateBuilder(TestHostJson.FastQueues, new()
        {
            ["LocalRunner:EnableTimers"] = "false",
            ["LocalRunner:EnableQueues"] = "false",
            ["LocalRunner:LogoFile"] = logo,
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:ReportsContainer"] = container,
        });
        beforeStorage?.Invoke(builder.Services);
        builder.Services.AddStorage(builder.Configuration);
        builder.Services.AddOptions<ReportOptions>();
        builder.AddLocalRunner();
        return builder.Build();
    }

    [Fact]
    public void AddLocalRunner_HostJsonLogLevels_FilterLogsUnlessALoggingSettingSaysOtherwise()
    {
        var file = new TestHostJson("""{ "version": "2.0", "logging": { "logLevel": { "default": "Information", "System.Net.Http.HttpClient": "Warning", "Polly": "Error" } } }""");
        _disposables.Add(file);
        const string HttpClientLines = "System.Net.Http.HttpClient.Wallarm.ClientHandler", Ours = "IncidentFunctions.Incidents.IncidentPuller";

        var fromHostJson = RunnerLoggers(file.Path);
        var overridden = RunnerLoggers(file.Path, "--Logging:LogLevel:System.Net.Http.HttpClient=Information", "--Logging:LogLevel:Default=Debug");

        Assert.False(fromHostJson.CreateLogger(HttpClientLines).IsEnabled(LogLevel.Information));
        Assert.True(fromHostJson.CreateLogger(HttpClientLines).IsEnabled(LogLevel.Warning));
        Assert.True(fromHostJson.CreateLogger(Ours).IsEnabled(LogLevel.Information));
        Assert.False(fromHostJson.CreateLogger(Ours).IsEnabled(LogLevel.Debug));
        Assert.False(fromHostJson.CreateLogger("Polly").IsEnabled(LogLevel.Warning));
        Assert.True(overridden.CreateLogger(HttpClientLines).IsEnabled(LogLevel.Information));
        Assert.True(overridden.CreateLogger(Ours).IsEnabled(LogLevel.Debug));
        Assert.False(overridden.CreateLogger("Polly").IsEnabled(LogLevel.Warning)); // host.json still holds where no setting overrides it
    }

    [Fact]
    public void AddLocalRunner_HostSetItsOwnMinimum_HostJsonDefaultLeavesItButCategoriesApply()
    {
        var file = new TestHostJson("""{ "version": "2.0", "logging": { "logLevel": { "default": "Information", "Polly": "Error" } } }""");
        _disposables.Add(file);

        var loggers = RunnerLoggers(file.Path, out _, b => b.Logging.SetMinimumLevel(LogLevel.Warning)); // as the demo's server does

        Assert.False(loggers.CreateLogger("IncidentFunctions.Incidents.IncidentPuller").IsEnabled(LogLevel.Information));
        Assert.False(loggers.CreateLogger("Polly").IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public void AddLocalRunner_HostJsonWithAWrongLogLevel_BuildsAndTheStartNamesTheKey()
    {
        var file = new TestHostJson("""{ "version": "2.0", "logging": { "logLevel": { "default": "Loud" } } }""");
        _disposables.Add(file);

        var loggers = RunnerLoggers(file.Path, out var services);

        Assert.True(loggers.CreateLogger("IncidentFunctions.Incidents.IncidentPuller").IsEnabled(LogLevel.Information));
        var ex = Assert.Throws<HostJsonException>(services.GetRequiredService<HostJsonSettings>);
        Assert.Contains("'logging.logLevel.default'", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The loggers of a runner built as <c>serve</c> builds it, with <paramref name="hostJson"/> and command-line <paramref name="args"/>.</summary>
    private ILoggerFactory RunnerLoggers(string hostJson, params string[] args) => RunnerLoggers(hostJson, out _, null, args);

    private ILoggerFactory RunnerLoggers(string hostJson, out IServiceProvider services, Action<WebApplicationBuilder>? before = null, params string[] args)
    {
        var builder = RunnerWebBuilder.Create([$"--LocalRunner:HostJsonPath={hostJson}", .. args]);
        before?.Invoke(builder);
        builder.AddLocalRunner();
        var app = builder.Build();
        _disposables.Add(app);
        services = app.Services;
        return app.Services.GetRequiredService<ILoggerFactory>();
    }

    private HostApplicationBuilder CreateBuilder(string hostJson, Dictionary<string, string?> settings)
    {
        var file = new TestHostJson(hostJson);
        _disposables.Add(file);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging(b => b.AddFakeLogging());
        settings["LocalRunner:HostJsonPath"] = file.Path;
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }
}
