using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using IncidentFunctions.Storage;
using IncidentFunctions.Wallarm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Alerts;

/// <summary>A new incident an alert may go out for: its incident row key and how chat shows it.</summary>
public sealed record AlertCandidate(string RowKey, IncidentSummary Summary);

/// <summary>
/// Finds which of the incidents enrichment just handled are new — first hit within <see cref="AlertOptions.MaxAge"/>,
/// not a false positive — and names each as the digest and the PDF do (the report's projection of the row, with its
/// source's country, type and lists).
/// </summary>
public sealed class AlertCandidates(
    StorageClients storage,
    SourceProfileStore sources,
    VulnerabilityCatalog vulnerabilities,
    IOptions<AlertOptions> options,
    IOptions<WallarmOptions> wallarm,
    ILogger<AlertCandidates> logger)
{
    /// <returns>The new incidents, oldest first hit first, and how many rows were read.</returns>
    public async Task<(IReadOnlyList<AlertCandidate> New, int Seen)> FindAsync(long tenantId, IEnumerable<EnrichmentIncidentRef> incidents, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        var latestDay = new Dictionary<string, LocalDate>(StringComparer.Ordinal);
        foreach (var reference in incidents)
        {
            foreach (var iso in reference.Days)
            {
                if (ReportCalendar.TryParseIsoDay(iso, out var day) && (!latestDay.TryGetValue(reference.Id, out var known) || day > known)) latestDay[reference.Id] = day;
            }
        }

        if (latestDay.Count == 0) return ([], 0);
        var rows = await ReadRowsAsync(tenantId, latestDay, cancellationToken).ConfigureAwait(false);
        if (rows.Count < latestDay.Count) AlertsLog.AlertIncidentsMissing(logger, latestDay.Count - rows.Count);

        var fresh = rows.Where(r => now - r.Row.FirstSeen <= options.Value.MaxAge && !DailyReportBuilder.IsFalsePositive(r.Row)).ToList();
        if (fresh.Count == 0) return ([], rows.Count);

        var profiles = new Dictionary<LocalDate, SourceDay>();
        foreach (var day in fresh.Select(r => r.Day).Distinct())
        {
            profiles[day] = await sources.GetDayAsync(tenantId, day, cancellationToken).ConfigureAwait(false);
        }

        var issues = await vulnerabilities.GetAllAsync(tenantId, cancellationToken).ConfigureAwait(false);
        var console = wallarm.Value.ResolveConsoleAddress();
        var candidates = fresh
            .OrderBy(r => r.Row.FirstSeen).ThenBy(r => r.Row.IncidentId, StringComparer.Ordinal)
            .Select(r => new AlertCandidate(r.Row.RowKey, IncidentSummaries.From(
                DailyReportBuilder.ToIncidentRow(r.Row, profiles[r.Day].Profiles, issues, console, now, TimeSpan.Zero))))
            .ToList();
        return (candidates, rows.Count);
    }

    private async Task<List<(IncidentEntity Row, LocalDate Day)>> ReadRowsAsync(long tenantId, Dictionary<string, LocalDate> latestDay, CancellationToken cancellationToken)
    {
        var table = await storage.GetTableAsync(storage.Options.IncidentsTable, cancellationToken).ConfigureAwait(false);
        var rows = new List<(IncidentEntity, LocalDate)>();
        var gate = new Lock();
        await Parallel.ForEachAsync(latestDay, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (pair, ct) =>
        {
            var partition = DayPartition.Key(tenantId, pair.Value);
            var row = await table.GetEntityIfExistsAsync<IncidentEntity>(partition, TableKeys.Escape(pair.Key), cancellationToken: ct).ConfigureAwait(false);
            if (row.HasValue)
            {
                lock (gate) rows.Add((row.Value!, pair.Value));
            }
        }).ConfigureAwait(false);
        return rows;
    }
}
