using System.Net;
using System.Text.RegularExpressions;
using IncidentFunctions.LocalRunner.DevServices;
using IncidentFunctions.Reports;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.WallarmSimulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.LocalRunner;

/// <summary>
/// <c>serve</c> end to end as a process, with every log category at Trace: pulls from the simulator, alerts posted
/// to a generic webhook, report requests with <c>?code=</c> and the header key, a signed link and a tampered one. No
/// secret may appear anywhere in what the runner writes.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed partial class ServeLogSecretsTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Serve_TraceLogging_WritesNoFunctionKeySignatureTokenOrWebhookSecret()
    {
        var ct = TestContext.Current.CancellationToken;
        var token = "sim-token-" + Guid.NewGuid().ToString("N");
        var signingKey = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray());
        var hookPath = "/hooks/" + Guid.NewGuid().ToString("N");
        var hookSecret = "hook-hmac-" + Guid.NewGuid().ToString("N");
        var wrongKey = "wrong-key-" + Guid.NewGuid().ToString("N");
        var keyDirectory = Directory.CreateTempSubdirectory("serve-keys-").FullName;
        var keyFile = Path.Combine(keyDirectory, "function-key");
        var posted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (hook, hookBase) = await LoopbackServer.StartAsync(app => app.MapPost(hookPath, () =>
        {
            posted.TrySetResult();
            return Results.Ok();
        }));
        await using var _ = hook;
        await using var simulator = await WallarmSimulatorHost.StartAsync(new SimulatorOptions { ApiToken = token, IncidentsPerDay = 40, PlainAttacksPerDay = 10 }, cancellationToken: ct);
        var port = AzuriteProcess.FreePorts(1)[0];
        var api = $"http://127.0.0.1:{port}/api";

        await using var runner = RunnerProcess.Start(
        [
            "serve",
            $"--Storage:ConnectionString={azurite.ConnectionString}",
            $"--Storage:TablePrefix={UniqueNames.TablePrefix()}",
            $"--Storage:ReportsContainer=r{Guid.NewGuid():N}",
            $"--ENRICHMENT_QUEUE_NAME={UniqueNames.Queue("secrets")}",
            $"--Wallarm:Cloud={simulator.BaseAddress.AbsoluteUri}",
            $"--Wallarm:ApiToken={token}",
            "--Enrichment:UseDefaultSources=false",
            $"--Enrichment:SimulatorFeeds={simulator.BaseAddress.AbsoluteUri}",
            "--Ingestion:InitialLookback=2.00:00:00",
            "--PULL_INCIDENTS_SCHEDULE=*/5 * * * * *",
            // A new channel gets no backlog of digests, so the webhook is exercised by real-time alerts on the pulled incidents.
            "--Digest:Alerts:Enabled=true",
            "--Digest:Channels:0:Name=hook",
            "--Digest:Channels:0:Kind=Generic",
            "--Digest:Channels:0:Alerts=true",
            $"--Digest:Channels:0:Url={new Uri(hookBase, hookPath).AbsoluteUri}",
            $"--Digest:Channels:0:Secret={hookSecret}",
            $"--Reports:SigningKeys:k1={signingKey}",
            "--Reports:ActiveSigningKeyId=k1",
            $"--Reports:PublicBaseUrl={api}/",
            $"--LocalRunner:Urls=http://127.0.0.1:{port}",
            $"--LocalRunner:FunctionKeyFile={keyFile}",
            "--Logging:LogLevel:Default=Trace",
            "--Logging:LogLevel:System.Net.Http.HttpClient=Trace", // host.json lowers these to warnings; a setting overrides it
        ]);
        try
        {
            await runner.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), Timeout);
            var key = (await File.ReadAllTextAsync(keyFile, ct)).Trim();
            var day = DateTimeOffset.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var signer = new ReportLinkSigner(Options.Create(new ReportOptions { SigningKeys = { ["k1"] = signingKey }, ActiveSigningKeyId = "k1" }), TimeProvider.System);
            var link = signer.Sign(DailyReportEndpoint.PathFor(day), TimeSpan.FromHours(1)).Query;
            var sig = SignatureOf().Match(link).Groups[1].Value;
            var tampered = link.Replace(sig, sig[..^4] + "AAAA", StringComparison.Ordinal);
            using var http = new HttpClient { Timeout = Timeout };

            using (var report = await http.GetAsync($"{api}/reports/daily/{day}.pdf?code={key}", ct)) Assert.Equal(HttpStatusCode.OK, report.StatusCode);
            using (var request = new HttpRequestMessage(HttpMethod.Get, $"{api}/status"))
            {
                request.Headers.Add("x-functions-key", key);
                using var status = await http.SendAsync(request, ct);
                Assert.NotEqual(HttpStatusCode.Unauthorized, status.StatusCode);
            }

            using (var digestStatus = await http.GetAsync($"{api}/digest/status?code={key}", ct)) Assert.Equal(HttpStatusCode.OK, digestStatus.StatusCode);
            using (var shared = await http.GetAsync($"{api}/reports/shared/daily/{day}.pdf?{link}", ct)) Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
            using (var refused = await http.GetAsync($"{api}/reports/shared/daily/{day}.pdf?{tampered}", ct)) Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            using (var wrong = await http.GetAsync($"{api}/status?code={wrongKey}", ct)) Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            try
            {
                await posted.Task.WaitAsync(Timeout, ct);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"No alert reached the webhook. Runner output:\n{runner.AllOutput}");
            }

            await runner.StopAsync(Timeout);

            var output = runner.AllOutput;
            // The run did what it should, at Trace, so the absence below means something.
            Assert.Contains("trce: ", output, StringComparison.Ordinal);
            Assert.Contains("Request starting", output, StringComparison.Ordinal);
            Assert.Contains($"code={IncidentFunctions.Operations.SecretRedactor.Mask}", output, StringComparison.Ordinal);
            Assert.Contains("X-WallarmAPI-Token", output, StringComparison.OrdinalIgnoreCase);
            foreach (var (what, secret) in new[]
            {
                ("function key", key), ("signature", sig), ("tampered signature", tampered[(tampered.IndexOf("sig=", StringComparison.Ordinal) + 4)..]),
                ("Wallarm token", token), ("webhook path", hookPath), ("webhook secret", hookSecret), ("signing key", signingKey), ("wrong key", wrongKey),
            })
            {
                if (output.Contains(secret, StringComparison.Ordinal)) Assert.Fail($"The runner's output contains the {what}:\n{Around(output, secret)}");
            }
        }
        finally
        {
            Directory.Delete(keyDirectory, recursive: true);
        }
    }

    private static string Around(string output, string secret)
    {
        var at = output.IndexOf(secret, StringComparison.Ordinal);
        var start = output.LastIndexOf('\n', Math.Max(0, at - 1)) + 1;
        var end = output.IndexOf('\n', at);
        return output[start..(end < 0 ? output.Length : end)];
    }

    [GeneratedRegex("sig=([^&]+)")]
    private static partial Regex SignatureOf();
}
