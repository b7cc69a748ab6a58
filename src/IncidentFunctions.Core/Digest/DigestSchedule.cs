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
    public DateTimeOffset DueAt(LocalDate day)
        => _zone.ResolveLocal(day.PlusDays(1).At(_sendTime), Resolvers.LenientResolver).ToDateTimeOffset();

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

    private static LocalTime ParseSendTime(string text)
        => DigestOptionsValidator.TryParseSendTime(text, out var time) ? time : throw new InvalidOperationException($"Digest:SendTime '{text}' is not HH:mm.");
}
