using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using IncidentFunctions.Calendar;
using IncidentFunctions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Incidents;

/// <summary>Incidents filed under each report day they were active on (see <see cref="IncidentEntity"/>).</summary>
public sealed class IncidentStore(StorageClients storage, ReportCalendar calendar, DayChangeMarks marks, IOptions<IngestionOptions> options, ILogger<IncidentStore> logger)
{
    private readonly IngestionOptions _options = options.Value;

    /// <summary>
    /// Upserts every incident under each of its days, then bumps the change mark of each day written (one request per
    /// tenant and 100 days, after the rows are stored: see <see cref="DayChangeMarks"/>). Returns the number of rows written.
    /// </summary>
    public async Task<int> UpsertAsync(IReadOnlyCollection<Incident> incidents, DateTimeOffset pulledAt, CancellationToken cancellationToken = default)
    {
        if (incidents.Count == 0) return 0;
        await using var writer = await OpenWriterAsync(pulledAt, cancellationToken).ConfigureAwait(false);
        foreach (var incident in incidents) await writer.AddAsync(incident, cancellationToken).ConfigureAwait(false);
        return await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A writer for a stream of incidents, <see cref="IngestionOptions.WriteParallelism"/> transactions at a time (see <see cref="IncidentBatchWriter"/>).</summary>
    public async Task<IncidentBatchWriter> OpenWriterAsync(DateTimeOffset pulledAt, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.IncidentsTable, cancellationToken).ConfigureAwait(false);
        return new IncidentBatchWriter(table, this, marks, pulledAt, _options.WriteParallelism);
    }

    /// <summary>The rows an incident is stored as: one per report day between its first and last hit.</summary>
    public IEnumerable<IncidentEntity> ToRows(Incident incident, DateTimeOffset pulledAt)
        => DaysOf(incident).Select(day => Row(incident, day, pulledAt));

    internal IncidentEntity Row(Incident incident, LocalDate day, DateTimeOffset pulledAt)
        => IncidentEntity.From(incident, DayPartition.Key(incident.TenantId, day), ReportCalendar.IsoDay(day), calendar.ZoneId, pulledAt);

    /// <summary>The report days an incident is filed under, oldest first (the latest <see cref="IngestionOptions.MaxDaysPerIncident"/>).</summary>
    public IReadOnlyList<LocalDate> DaysOf(Incident incident)
    {
        var days = calendar.DaysSpanned(incident.FirstSeen, incident.LastSeen).ToList();
        if (days.Count > _options.MaxDaysPerIncident)
        {
            IngestionLog.IncidentTooLong(logger, incident.Id, days.Count, _options.MaxDaysPerIncident);
            days = days.Skip(days.Count - _options.MaxDaysPerIncident).ToList();
        }

        return days;
    }

    /// <summary>
    /// Stored incidents whose last hit is at or after <paramref name="since"/>: the day partitions from that day to
    /// <paramref name="now"/>'s (an incident's row for the day of its last hit lies in them), id and times only.
    /// </summary>
    public async Task<IReadOnlyList<OngoingIncident>> GetOngoingAsync(long tenantId, DateTimeOffset since, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.IncidentsTable, cancellationToken).ConfigureAwait(false);
        var byId = new Dictionary<string, OngoingIncident>(StringComparer.Ordinal);
        foreach (var day in calendar.DaysSpanned(since, now))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {DayPartition.Key(tenantId, day)} and LastSeen ge {since}");
            await foreach (var row in table.QueryAsync<IncidentEntity>(filter, maxPerPage: 1000, select: [nameof(IncidentEntity.IncidentId), nameof(IncidentEntity.FirstSeen), nameof(IncidentEntity.LastSeen)], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                byId[row.IncidentId] = byId.TryGetValue(row.IncidentId, out var seen) && seen.LastSeen > row.LastSeen
                    ? seen
                    : new OngoingIncident(row.IncidentId, row.FirstSeen, row.LastSeen);
            }
        }

        return [.. byId.Values];
    }

    /// <summary>Every incident active on <paramref name="day"/>: one partition query.</summary>
    public IAsyncEnumerable<IncidentEntity> GetDayAsync(long tenantId, LocalDate day, CancellationToken cancellationToken = default)
        => GetDayAsync(tenantId, day, select: null, cancellationToken);

    /// <summary>The rows of a report day with only the <paramref name="select"/>ed properties (the others keep their defaults); all when null.</summary>
    public IAsyncEnumerable<IncidentEntity> GetDayAsync(long tenantId, LocalDate day, IEnumerable<string>? select, CancellationToken cancellationToken = default)
        => GetDayAsync(tenantId, day, select, MaxPageSize, cancellationToken);

    /// <summary>As <see cref="GetDayAsync(long, LocalDate, IEnumerable{string}?, CancellationToken)"/>, <paramref name="pageSize"/> rows per request.</summary>
    /// <param name="pageSize">At most the service's 1,000. A page (its buffered response and every entity in it) is held while it is consumed: smaller pages hold less memory at once, and cost a request each.</param>
    public async IAsyncEnumerable<IncidentEntity> GetDayAsync(long tenantId, LocalDate day, IEnumerable<string>? select, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.IncidentsTable, cancellationToken).ConfigureAwait(false);
        var partitionKey = DayPartition.Key(tenantId, day);
        await foreach (var row in table.QueryAsync<IncidentEntity>(TableKeys.PartitionFilter(partitionKey), maxPerPage: pageSize, select: select, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    /// <summary>The most rows Table storage returns in one response.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>
    /// The latest day from <paramref name="from"/> back over at most <paramref name="days"/> days that has a stored row
    /// (one single-row key query a day); null when none has.
    /// </summary>
    public async Task<LocalDate?> LatestDayWithRowsAsync(long tenantId, LocalDate from, int days, CancellationToken cancellationToken = default)
    {
        for (var day = from; day > from.PlusDays(-days); day = day.PlusDays(-1))
        {
            await foreach (var _ in GetDayAsync(tenantId, day, ["RowKey"], 1, cancellationToken).ConfigureAwait(false)) return day;
        }

        return null;
    }

    /// <summary>One stored row of a report day by its RowKey, with only the <paramref name="select"/>ed properties; null when there is none.</summary>
    public async Task<IncidentEntity?> GetAsync(long tenantId, LocalDate day, string rowKey, IEnumerable<string>? select, CancellationToken cancellationToken = default)
    {
        var table = await storage.GetTableAsync(storage.Options.IncidentsTable, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<IncidentEntity>(DayPartition.Key(tenantId, day), rowKey, select, cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value : null;
    }
}

/// <summary>A stored incident whose last hit is recent enough to be re-read by id (see <see cref="IngestionOptions.OngoingHorizon"/>).</summary>
public sealed record OngoingIncident(string Id, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);
