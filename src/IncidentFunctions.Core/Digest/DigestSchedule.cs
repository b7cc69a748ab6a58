using IncidentFunctions.Calendar;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.TimeZones;

namespace IncidentFunctions.Digest;

/// <summary>
/// When a day's digest is due. The timer fires on a UTC schedule; the decision is made here, in the report zone: the
/// digest of day D is due from <see cref="DigestOptions.SendTime"/> on D + 1, local time. On a spring-forward day a
/// send time inside the skipped hour moves forward by the gap (02:30 → 03:30); on a fall-back day an ambiguous
/// one is the first occurrence. So every day has exactly one due instant, and a timer running every few minutes sends
/// within one timer period of it whatever the UTC offset is that day.
/// Weeks and months follow the same rule: the digest of a period is due from the send time on the day after it ends
/// (Monday for an ISO week, the 1st for a month), and is caught up on for <see cref="DigestOptions.CatchUpDays"/> days.
/// </summary>
public sealed class DigestSchedule
{
    private readonly DateTimeZone _zone;
    private readonly LocalTime _sendTime;
    private readonly int _catchUpDays;

    public DigestSchedule(ReportCalendar calendar, IOptions<DigestOptions> options)
        : this(calendar.Zone, ParseSendTime(options.Value.SendTime), options.Value.CatchUpDays)
    {
    }

    public DigestSchedule(DateTimeZone zone, LocalTime sendTime, int catchUpDays)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(catchUpDays, 1);
        _zone = zone;
        _sendTime = sendTime;
        _catchUpDays = catchUpDays;
    }

    public LocalTime SendTime => _sendTime;

    public int CatchUpDays => _catchUpDays;

    /// <summary>The instant from which the digest of <paramref name="day"/> may be sent.</summary>
    public DateTimeOffset DueAt(LocalDate day) => SendTimeOn(day.PlusDays(1));

    /// <summary>The instant from which the digest of <paramref name="period"/> may be sent: the send time on the day after it.</summary>
    public DateTimeOffset DueAt(ReportPeriod period) => SendTimeOn(period.Last.PlusDays(1));

    /// <summary>
    /// From this instant a digest of <paramref name="period"/> that was never delivered is no longer sent: the send time
    /// <see cref="CatchUpDays"/> days after it was due (for a day: when the day <see cref="CatchUpDays"/> later is due).
    /// </summary>
    public DateTimeOffset CatchUpEndsAt(ReportPeriod period) => SendTimeOn(period.Last.PlusDays(1 + _catchUpDays));

    /// <summary>The latest period of <paramref name="kind"/> whose digest is due at <paramref name="now"/>.</summary>
    public ReportPeriod LatestDuePeriod(PeriodKind kind, DateTimeOffset now)
    {
        var previous = ReportPeriod.Of(kind, Instant.FromDateTimeOffset(now).InZone(_zone).Date).Previous();
        return DueAt(previous) <= now ? previous : previous.Previous();
    }

    /// <summary>
    /// The periods of <paramref name="kind"/> a run at <paramref name="now"/> sends, oldest first: those due and still
    /// within their catch-up window. For days this is <see cref="DueDays"/>; for a week or month usually one period or
    /// none (after its catch-up window closed, until the next one is due).
    /// </summary>
    public IReadOnlyList<ReportPeriod> DuePeriods(PeriodKind kind, DateTimeOffset now)
    {
        var periods = new List<ReportPeriod>();
        for (var period = LatestDuePeriod(kind, now); CatchUpEndsAt(period) > now; period = period.Previous()) periods.Insert(0, period);
        return periods;
    }

    /// <summary>The <paramref name="count"/> latest periods of <paramref name="kind"/> whose catch-up window has closed, oldest first.</summary>
    public IReadOnlyList<ReportPeriod> ExpiredPeriods(PeriodKind kind, DateTimeOffset now, int count)
    {
        var newest = LatestDuePeriod(kind, now);
        while (CatchUpEndsAt(newest) > now) newest = newest.Previous();
        var periods = new List<ReportPeriod>(count);
        for (var (period, i) = (newest, 0); i < count; period = period.Previous(), i++) periods.Insert(0, period);
        return periods;
    }

    /// <summary>The next instant a digest of <paramref name="kind"/> becomes due after <paramref name="now"/>.</summary>
    public DateTimeOffset NextDueAt(PeriodKind kind, DateTimeOffset now) => DueAt(LatestDuePeriod(kind, now).Next());

    /// <summary>The latest day whose digest is due at <paramref name="now"/>.</summary>
    public LocalDate LatestDueDay(DateTimeOffset now)
    {
        var yesterday = Instant.FromDateTimeOffset(now).InZone(_zone).Date.PlusDays(-1);
        return DueAt(yesterday) <= now ? yesterday : yesterday.PlusDays(-1);
    }

    /// <summary>
    /// The days a run at <paramref name="now"/> sends, oldest first: the latest due day and the
    /// <see cref="DigestOptions.CatchUpDays"/> − 1 days before it, which a run after an outage catches up on.
    /// </summary>
    public IReadOnlyList<LocalDate> DueDays(DateTimeOffset now)
    {
        var latest = LatestDueDay(now);
        return Enumerable.Range(0, _catchUpDays).Select(i => latest.PlusDays(i - _catchUpDays + 1)).ToList();
    }

    /// <summary>The first day no longer caught up on: a digest never delivered for it is skipped, with a warning.</summary>
    public LocalDate FirstExpiredDay(DateTimeOffset now) => LatestDueDay(now).PlusDays(-_catchUpDays);

    /// <summary>The next instant a digest becomes due after <paramref name="now"/>.</summary>
    public DateTimeOffset NextDueAt(DateTimeOffset now) => DueAt(LatestDueDay(now).PlusDays(1));

    /// <summary>The send time on <paramref name="date"/>: in a skipped hour moved forward by the gap, when ambiguous the first.</summary>
    private DateTimeOffset SendTimeOn(LocalDate date) => _zone.ResolveLocal(date.At(_sendTime), Resolvers.LenientResolver).ToDateTimeOffset();

    private static LocalTime ParseSendTime(string text)
        => DigestOptionsValidator.TryParseSendTime(text, out var time) ? time : throw new InvalidOperationException($"Digest:SendTime '{text}' is not HH:mm.");
}
