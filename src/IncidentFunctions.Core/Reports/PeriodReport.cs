using System.Text.Json.Serialization;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>
/// Everything the weekly or monthly PDF shows, computed from the stored day partitions by
/// <see cref="PeriodReportBuilder"/>. Like <see cref="DailyReport"/>: plain, immutable, text already sanitised.
/// </summary>
/// <remarks>
/// An incident active on several days is stored once per day. Per-day figures (<see cref="Days"/>) count it on each
/// day, exactly as the daily reports do, so they equal the sums of the stored days; the period's key figures count
/// it once (its hits once, from its latest row), so they are what happened in the period.
/// </remarks>
public sealed record PeriodReport
{
    public required long TenantId { get; init; }

    public required ReportPeriod Period { get; init; }

    public required string TimeZone { get; init; }

    /// <summary>Local midnight before the first day to local midnight after the last (DST-safe).</summary>
    public required TimeWindow Window { get; init; }

    public required string Title { get; init; }

    public string? CompanyName { get; init; }

    /// <summary>The handling marking (<see cref="ReportOptions.Marking"/>) on every page, or null.</summary>
    public string? Marking { get; init; }

    /// <summary>The company logo drawn above the title (<see cref="ReportLogo"/>); set by the service, not the builder. Pixels, not data: never serialized.</summary>
    [JsonIgnore]
    public LogoImage? Logo { get; init; }

    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>The period has not ended: the report shows what is stored so far.</summary>
    public bool Partial { get; init; }

    public required KeyFigures Figures { get; init; }

    public required KeyFigures PreviousFigures { get; init; }

    /// <summary>One entry per day of the period, oldest first (days not reached yet included, marked).</summary>
    public required IReadOnlyList<PeriodDay> Days { get; init; }

    public required IReadOnlyList<NamedCount> ByAttackType { get; init; }

    /// <summary>Incidents per attack type (rows) per column (days of a week, ISO weeks of a month).</summary>
    public required AttackTypeGrid AttackTypes { get; init; }

    /// <summary>Source IPs seen on two or more days of the period, most days first.</summary>
    public required IReadOnlyList<RecurringAttacker> RecurringAttackers { get; init; }

    public int RecurringAttackersTotal { get; init; }

    public required IReadOnlyList<TargetRow> TopTargets { get; init; }

    /// <summary>The security issues exploited in the period, most incidents first (at most 100; the totals count all).</summary>
    public required IReadOnlyList<PeriodIssueRow> Issues { get; init; }

    /// <summary>Distinct security issues exploited in the period.</summary>
    public int IssuesTotal { get; init; }

    /// <summary>Of <see cref="IssuesTotal"/>, those not exploited in the period before.</summary>
    public int NewIssuesTotal { get; init; }

    public required IReadOnlyList<BusyDay> BusiestDays { get; init; }

    /// <summary>A week: every incident of the period; a month: the top <see cref="PeriodReportBuilder.MonthTopIncidents"/> by hits.</summary>
    public required IReadOnlyList<IncidentRow> Incidents { get; init; }

    /// <summary>Distinct incidents of the period (also when <see cref="Incidents"/> holds only the top ones).</summary>
    public int IncidentsTotal { get; init; }

    public bool IncidentsAreTopOnly { get; init; }

    public int FalsePositivesExcluded { get; init; }

    public bool SourcesEnriched { get; init; }

    public IReadOnlyList<string> Attributions { get; init; } = [];

    /// <summary>The datasets the period's source labels came from, over all its days (<see cref="LabelData"/>).</summary>
    public IReadOnlyList<LabelDataset> Datasets { get; init; } = [];

    /// <summary>How much older than the report's start a dataset may be before the report warns (<see cref="EnrichmentOptions.StaleAfter"/>).</summary>
    public TimeSpan StaleDataAfter { get; init; } = EnrichmentOptions.DefaultStaleAfter;

    public bool IsEmpty => IncidentsTotal == 0;
}

/// <param name="Coverage">Null for a day not reached yet.</param>
public sealed record PeriodDay(LocalDate Day, int Incidents, long Hits, int Blocked, int PartiallyBlocked, int Monitoring, int UnknownStatus, DayCoverage? Coverage)
{
    public bool Reached => Coverage is not null;
}

public sealed record AttackTypeGrid(IReadOnlyList<string> Columns, IReadOnlyList<AttackTypeRow> Rows);

public sealed record AttackTypeRow(string AttackType, IReadOnlyList<int> Incidents, int Total);

public sealed record RecurringAttacker(
    string Ip,
    IReadOnlyList<LocalDate> Days,
    long Hits,
    int Incidents,
    string? Country,
    long? Asn,
    string? AsOrganization,
    SourceType? SourceType,
    string? CloudProvider,
    IReadOnlyList<string> MaliciousLists);

/// <param name="New">Not exploited in the previous period (as far as stored).</param>
public sealed record PeriodIssueRow(IssueRow Issue, bool New, IReadOnlyList<LocalDate> DaysHit);

/// <param name="Link">The day's report route under <see cref="ReportOptions.PublicBaseUrl"/> (function key needed), when configured.</param>
public sealed record BusyDay(LocalDate Day, int Incidents, long Hits, Uri? Link);
