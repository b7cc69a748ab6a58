using System.Globalization;
using IncidentFunctions.AppModel;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using nietras.SeparatedValues;
using IncidentFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace IncidentFunctions.Tests.Reports;

/// <summary>The CSV export routes against real Azurite and the real composition root.</summary>
[Trait("Category", TestCategories.Integration)]
public sealed class ReportCsvEndpointTests(AzuriteFixture azurite)
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(3, 32).Select(i => (byte)i).ToArray());
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero); // Wednesday of 2026-W48
    private const long Tenant = 78;

    private Task<AppHarness> StartAsync(DateTimeOffset? now = null)
        => AppHarness.StartAsync(azurite, o => { o.ClientId = Tenant; o.HostileTextShare = 0; }, settings: new Dictionary<string, string?>
        {
            ["Wallarm:ClientId"] = Tenant.ToString(CultureInfo.InvariantCulture),
            ["Reports:TimeZone"] = "UTC",
            ["Reports:SigningKeys:k1"] = Key,
            ["Reports:ActiveSigningKeyId"] = "k1",
        }, clock: new ManualClock(now ?? Now));

    private static Incident Incident(string id, DateTimeOffset first, TimeSpan duration, string path = "/api/orders", long hits = 5)
        => TestIncidents.Sqli(Tenant, id, first, duration, hits, path: path);

    private static Task<(int Status, IHeaderDictionary Headers, byte[] Body)> SendAsync<TRoute>(
        AppHarness app, string kind, string period, string method = "GET", string? query = null, Stream? body = null)
        where TRoute : class, IHttpRoute
        => app.SendAsync<TRoute>(request =>
        {
            request.Method = method;
            request.RouteValues[ReportCsvEndpoint.KindRouteValue] = kind;
            request.RouteValues[ReportCsvEndpoint.PeriodRouteValue] = period;
            if (query is not null) request.QueryString = new QueryString("?" + query);
        }, body);

    private static List<Dictionary<string, string>> Parse(byte[] body)
    {
        using var reader = CsvReading.Reader().From(new StreamReader(new MemoryStream(body), new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true)));
        Assert.Equal(IncidentCsv.Columns, reader.Header.ColNames);
        return CsvReading.Records(reader);
    }

    private static async Task<List<IncidentEntity>> StoredAsync(AppHarness app, IEnumerable<NodaTime.LocalDate> days)
    {
        var rows = new List<IncidentEntity>();
        foreach (var day in days)
        {
            await foreach (var row in app.Get<IncidentStore>().GetDayAsync(Tenant, day, TestContext.Current.CancellationToken)) rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public async Task Weekly_StoredRows_ParseBackAsOneRecordPerIncidentPerDayWithExactText()
    {
        await using var app = await StartAsync();
        const string hostile = "=cmd|' /C calc'!A0";
        const string awkward = "/p,\"q\"\r\nx/\u202Eevil/日本";
        await app.Get<IncidentStore>().UpsertAsync(
        [
            Incident("a:1", new DateTimeOffset(2026, 11, 23, 23, 0, 0, TimeSpan.Zero), TimeSpan.FromHours(2)), // Mon -> Tue: two rows
            Incident("a:2", new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(5), path: hostile),
            Incident("a:3", new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(5), path: awkward),
            Incident("b:1", new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(5)), // Sunday of the week before
        ], Now, TestContext.Current.CancellationToken);

        var (status, headers, body) = await SendAsync<ReportCsvEndpoint>(app, "weekly", "2026-W48");

        Assert.Equal(200, status);
        Assert.Equal(IncidentCsv.ContentType, headers.ContentType.ToString());
        Assert.Contains("incidents-weekly-2026-W48.csv", headers.ContentDisposition.ToString(), StringComparison.Ordinal);
        Assert.Equal("true", headers[CsvExportResult.PartialHeader].ToString());
        var records = Parse(body);
        var monday = new NodaTime.LocalDate(2026, 11, 23);
        var stored = await StoredAsync(app, Enumerable.Range(0, 7).Select(monday.PlusDays));
        Assert.Equal(4, stored.Count);
        Assert.Equal(stored.Select(r => (r.Day, r.IncidentId, IncidentCsv.Protect(r.Path!), r.Hits.ToString(CultureInfo.InvariantCulture))).Order(),
            records.Select(r => (r["day"], r["incident_id"], r["path"], r["hits"])).Order());
        Assert.Contains(records, r => r["path"] == "'" + hostile);
        Assert.Contains(records, r => r["path"] == awkward);
        Assert.DoesNotContain(records, r => r["incident_id"] == "b:1");
    }

    [Fact]
    public async Task Csv_EmptyCompletePeriod_IsTheHeaderOnlyAndNotPartial()
    {
        await using var app = await StartAsync();

        var (status, headers, body) = await SendAsync<ReportCsvEndpoint>(app, "monthly", "latest");

        Assert.Equal(200, status);
        Assert.Contains("incidents-monthly-2026-10.csv", headers.ContentDisposition.ToString(), StringComparison.Ordinal);
        Assert.False(headers.ContainsKey(CsvExportResult.PartialHeader));
        Assert.Equal(IncidentCsv.Header, System.Text.Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData("weekly", "2026-W54", 400)]
    [InlineData("weekly", "2026-11", 400)]
    [InlineData("monthly", "2026-W48", 400)]
    [InlineData("daily", "2026-11-31", 400)]
    [InlineData("yearly", "2026", 404)]
    [InlineData("weekly", "2026-W49", 404)] // next week: future
    [InlineData("monthly", "2026-12", 404)]
    [InlineData("daily", "2026-08-26", 404)] // 91 days back: outside the 90-day retention
    [InlineData("daily", "2026-08-27", 200)]
    [InlineData("weekly", "2026-W48", 200)]
    public async Task Csv_Period_AnswersByFormatAndRetention(string kind, string period, int expected)
    {
        await using var app = await StartAsync();

        var (status, headers, _) = await SendAsync<ReportCsvEndpoint>(app, kind, period);

        Assert.Equal(expected, status);
        if (expected != 200) Assert.Equal("application/problem+json", headers.ContentType.ToString());
    }

    [Fact]
    public async Task Csv_Head_SendsHeadersWithoutBody()
    {
        await using var app = await StartAsync();
        await app.Get<IncidentStore>().UpsertAsync([Incident("a:1", new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(5))], Now, TestContext.Current.CancellationToken);

        var (status, headers, body) = await SendAsync<ReportCsvEndpoint>(app, "daily", "2026-11-24", method: "HEAD");

        Assert.Equal(200, status);
        Assert.Equal(IncidentCsv.ContentType, headers.ContentType.ToString());
        Assert.Empty(body);
    }

    [Fact]
    public async Task Shared_ValidSignatureServesTheExport_OtherPeriodOrKindGets403()
    {
        await using var app = await StartAsync();
        await app.Get<IncidentStore>().UpsertAsync([Incident("a:1", new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(5))], Now, TestContext.Current.CancellationToken);
        var signed = app.Get<ReportLinkSigner>().Sign(ReportCsvEndpoint.PathFor("weekly", "2026-W48"), TimeSpan.FromHours(1));

        var ok = await SendAsync<SharedReportCsvEndpoint>(app, "weekly", "2026-W48", query: signed.Query);
        var otherPeriod = await SendAsync<SharedReportCsvEndpoint>(app, "weekly", "2026-W47", query: signed.Query);
        var otherKind = await SendAsync<SharedReportCsvEndpoint>(app, "monthly", "2026-11", query: signed.Query);
        var unsigned = await SendAsync<SharedReportCsvEndpoint>(app, "weekly", "2026-W48");

        Assert.Equal(200, ok.Status);
        Assert.Equal("a:1", Assert.Single(Parse(ok.Body))["incident_id"]);
        foreach (var refused in new[] { otherPeriod, otherKind, unsigned })
        {
            Assert.Equal(403, refused.Status);
            Assert.Empty(refused.Body);
        }
    }

    [Fact]
    public async Task Daily_100000Rows_StreamInSmallWritesAndParseBackCompletely()
    {
        await using var app = await StartAsync();
        var start = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);
        const int count = 100_000;
        var incidents = Enumerable.Range(0, count).Select(i => Incident(string.Create(CultureInfo.InvariantCulture, $"s:{i:D6}"), start.AddSeconds(i % 80_000), TimeSpan.FromSeconds(30), path: $"/api/items/{i}", hits: 1 + (i % 7))).ToList();
        await app.Get<IncidentStore>().UpsertAsync(incidents, Now, TestContext.Current.CancellationToken);
        var sink = new CountingStream();

        var (status, _, _) = await SendAsync<ReportCsvEndpoint>(app, "daily", "2026-11-24", body: sink);

        Assert.Equal(200, status);
        var records = Parse(sink.ToArray());
        Assert.Equal(count, records.Count);
        Assert.Equal(incidents.Sum(i => i.Hits), records.Sum(r => long.Parse(r["hits"], CultureInfo.InvariantCulture)));
        // Streamed: written in many pieces as rows were read, none close to the whole (about 28 MB).
        Assert.True(sink.Writes > 100, $"{sink.Writes} writes");
        Assert.True(sink.LargestWrite < 256 * 1024, $"largest write {sink.LargestWrite} bytes");
    }

    /// <summary>A response body that keeps what it is given and records how it was written.</summary>
    private sealed class CountingStream : MemoryStream
    {
        public int Writes { get; private set; }

        public int LargestWrite { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Record(buffer.Length);
            base.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Record(count);
            base.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Record(buffer.Length);
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Record(count);
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        private void Record(int length)
        {
            Writes++;
            LargestWrite = Math.Max(LargestWrite, length);
        }
    }
}
