using System.Globalization;
using IncidentFunctions.Calendar;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IncidentFunctions.Reports;

/// <summary>
/// Which report periods can be asked for now: the route segments (<c>daily</c>, <c>weekly</c>, <c>monthly</c>),
/// <c>latest</c> (the last complete period in the report zone), and the retention rule shared by every report route:
/// a period is served when its first day is today or within <see cref="ReportOptions.RetentionDays"/> before today.
/// A period that has not ended yet is served with what is stored so far and marked partial.
/// </summary>
public sealed class ReportPeriods(ReportCalendar calendar, IOptions<ReportOptions> options, TimeProvider time)
{
    public const string Latest = "latest";

    public LocalDate Today() => calendar.DayOf(time.GetUtcNow());

    /// <summary>Yesterday, last week, last month in the report zone.</summary>
    public ReportPeriod LatestComplete(PeriodKind kind) => calendar.LatestCompletePeriod(kind, time.GetUtcNow());

    public bool IsAvailable(ReportPeriod period)
    {
        var today = Today();
        return period.First <= today && period.First >= today.PlusDays(-options.Value.RetentionDays);
    }

    /// <summary>True once the period has ended in the report zone; until then its reports are partial.</summary>
    public bool IsComplete(ReportPeriod period) => calendar.IsComplete(period, time.GetUtcNow());

    /// <summary>Parses a period segment of <paramref name="kind"/>, or <c>latest</c>.</summary>
    public bool TryParse(PeriodKind kind, string? segment, out ReportPeriod period)
    {
        if (string.Equals(segment, Latest, StringComparison.OrdinalIgnoreCase))
        {
            period = LatestComplete(kind);
            return true;
        }

        return ReportPeriod.TryParse(kind, segment, out period);
    }

    /// <summary>
    /// Resolves the kind and period segments of a request to a route that serves <paramref name="what"/> (<c>report</c>,
    /// <c>export</c>): null and the period, or the problem to answer instead: 404 for a kind the route does not serve
    /// (<paramref name="kindsServed"/> says which it does), 400 for a malformed period, 404 outside the retention or in
    /// the future.
    /// </summary>
    public IResult? Resolve(string kind, string period, bool servesDays, string what, string kindsServed, ILogger logger, out ReportPeriod parsed)
    {
        parsed = default;
        if (!TryParseSegment(kind, out var periodKind) || (periodKind == PeriodKind.Day && !servesDays))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No such {what}", detail: kindsServed);
        }

        if (!TryParse(periodKind, period, out parsed))
        {
            ReportsLog.BadDate(logger, period.Length);
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid report period",
                detail: $"The period must be {FormatHint(periodKind)} or 'latest'.");
        }

        if (!IsAvailable(parsed))
        {
            return Results.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: $"No {what} for this period",
                detail: $"{char.ToUpperInvariant(what[0])}{what[1..]}s exist for periods that start today or within the {options.Value.RetentionDays.ToString(CultureInfo.InvariantCulture)} days before it.");
        }

        return null;
    }

    /// <summary>The route segment of a kind: <c>daily</c>, <c>weekly</c>, <c>monthly</c>.</summary>
    public static string Segment(PeriodKind kind) => kind switch
    {
        PeriodKind.Day => "daily",
        PeriodKind.Week => "weekly",
        PeriodKind.Month => "monthly",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static bool TryParseSegment(string? segment, out PeriodKind kind)
    {
        (var ok, kind) = segment switch
        {
            "daily" => (true, PeriodKind.Day),
            "weekly" => (true, PeriodKind.Week),
            "monthly" => (true, PeriodKind.Month),
            _ => (false, PeriodKind.Day),
        };
        return ok;
    }

    /// <summary>What a malformed period segment should have looked like, for the 400 answer.</summary>
    public static string FormatHint(PeriodKind kind) => kind switch
    {
        PeriodKind.Day => "a calendar day as yyyy-MM-dd (for example 2026-11-20)",
        PeriodKind.Week => "an ISO week as yyyy-Www (for example 2026-W47; weeks start on Monday)",
        _ => "a calendar month as yyyy-MM (for example 2026-11)",
    };
}
