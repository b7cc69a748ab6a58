using System.Globalization;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using IncidentFunctions.Calendar;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Tests.Infrastructure;
using nietras.SeparatedValues;
using NodaTime;

namespace IncidentFunctions.Tests.Reports;

/// <summary>
/// A tenant of its own on the fixture's Azurite for the CSV snapshot tests (the export's and the job's): the reports
/// container is shared by every harness, so a tenant per test keeps the blobs apart. Starts the app at
/// <see cref="Now"/>, seeds incident rows, exports over the CSV route, reaches a day's snapshot blob and changes a row
/// behind the change mark's back.
/// </summary>
internal sealed class CsvSnapshotTenant(AzuriteFixture azurite)
{
    /// <summary>Wednesday of 2026-W48, 09:00 UTC: the clock of every app started here.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    public long Id { get; } = Random.Shared.NextInt64(1_000_000, int.MaxValue);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <param name="lookBackDays">The snapshot job's look-back (its default when null).</param>
    public Task<AppHarness> StartAsync(int? lookBackDays = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Wallarm:ClientId"] = Id.ToString(CultureInfo.InvariantCulture),
            ["Reports:TimeZone"] = "UTC",
        };
        if (lookBackDays is { } days) settings["Reports:CsvSnapshotLookBackDays"] = days.ToString(CultureInfo.InvariantCulture);
        return AppHarness.StartAsync(azurite, o => { o.ClientId = Id; o.HostileTextShare = 0; }, settings, new ManualClock(Now));
    }

    public Incident Incident(string id, DateTimeOffset first, long hits = 5, string ip = "203.0.113.9", string path = "/api/orders")
        => TestIncidents.Sqli(Id, id, first, TimeSpan.FromMinutes(5), hits, ip, path);

    public static DateTimeOffset At(LocalDate day, int hour) => new(day.Year, day.Month, day.Day, hour, 0, 0, TimeSpan.Zero);

    /// <summary>The id <see cref="SeedAsync"/> gives the <paramref name="i"/>-th incident of <paramref name="day"/>.</summary>
    public static string IdOf(LocalDate day, int i) => string.Create(CultureInfo.InvariantCulture, $"{ReportCalendar.DayKey(day)}:{i}");

    /// <summary>Stores <paramref name="count"/> incidents on <paramref name="day"/>: one an hour from 01:00, hits 5, 6, …, each from its own address.</summary>
    public Task<int> SeedAsync(AppHarness app, LocalDate day, int count = 3)
        => app.Get<IncidentStore>().UpsertAsync(
            Enumerable.Range(0, count).Select(i => Incident(IdOf(day, i), At(day, 1 + i), hits: 5 + i, ip: $"203.0.113.{10 + i}")).ToList(), Now, Ct);

    /// <summary>The CSV route's body for <paramref name="kind"/> and <paramref name="period"/>, which must answer 200.</summary>
    public static async Task<byte[]> ExportAsync(AppHarness app, string kind, string period)
    {
        var (status, _, body) = await app.SendAsync<ReportCsvEndpoint>(request =>
        {
            request.RouteValues[ReportCsvEndpoint.KindRouteValue] = kind;
            request.RouteValues[ReportCsvEndpoint.PeriodRouteValue] = period;
        });
        Assert.Equal(200, status);
        return body;
    }

    public static Task<byte[]> ExportDayAsync(AppHarness app, LocalDate day) => ExportAsync(app, "daily", ReportCalendar.IsoDay(day));

    /// <summary>The hits column of <paramref name="incidentId"/>'s record in an export (strict UTF-8, the export's header).</summary>
    public static string HitsOf(byte[] body, string incidentId)
    {
        using var reader = CsvReading.Reader().From(new StreamReader(new MemoryStream(body), new UTF8Encoding(false, throwOnInvalidBytes: true)));
        Assert.Equal(IncidentCsv.Columns, reader.Header.ColNames);
        return CsvReading.Records(reader).Single(r => r["incident_id"] == incidentId)["hits"];
    }

    public async Task<BlobClient> SnapshotBlobAsync(AppHarness app, LocalDate day)
    {
        var storage = app.Get<StorageClients>();
        var container = await storage.GetContainerAsync(storage.Options.ReportsContainer, Ct);
        return container.GetBlobClient(CsvSnapshotStore.BlobNameFor(Id, day));
    }

    /// <summary>Changes a stored row behind the change mark's back, as no writer of the app does: shows whether an export read the table.</summary>
    public async Task SetHitsWithoutBumpAsync(AppHarness app, LocalDate day, string incidentId, long hits)
    {
        var storage = app.Get<StorageClients>();
        var table = await storage.GetTableAsync(storage.Options.IncidentsTable, Ct);
        await table.UpdateEntityAsync(new TableEntity(DayPartition.Key(Id, day), TableKeys.Escape(incidentId)) { ["Hits"] = hits }, ETag.All, TableUpdateMode.Merge, Ct);
    }
}
