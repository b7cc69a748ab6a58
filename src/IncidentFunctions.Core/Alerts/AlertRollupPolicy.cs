using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Alerts;

/// <summary>
/// The roll-up policy, free of storage and HTTP: intervals aligned to the Unix epoch (UTC); at most
/// <see cref="AlertOptions.MaxPerInterval"/> single alerts per channel and interval, the rest in the interval's
/// roll-up, sent once the interval has ended; what is repeated on which channel kind; when an alert that could not be
/// delivered stops being retried on its own and goes into a roll-up, and when anything is given up.
/// </summary>
public sealed class AlertRollupPolicy(IOptions<AlertOptions> options)
{
    /// <summary>How far back a run looks for intervals with open work; older work is given up when found.</summary>
    public TimeSpan LookBack => options.Value.MaxAge + TimeSpan.FromDays(7);

    public int RollupListed => options.Value.RollupListed;

    public TimeSpan Interval => options.Value.Interval;

    public static DateTimeOffset IntervalStart(DateTimeOffset now, TimeSpan interval)
        => new(now.UtcTicks - (now.UtcTicks % interval.Ticks), TimeSpan.Zero);

    public TimeWindow IntervalOf(DateTimeOffset now)
    {
        var start = IntervalStart(now, Interval);
        return new TimeWindow(start, start + Interval);
    }

    /// <summary>Single alerts the interval still allows.</summary>
    public int SingleSlots(AlertIntervalEntity interval) => Math.Max(0, options.Value.MaxPerInterval - interval.Sent);

    /// <summary>
    /// An alert that could not be delivered is retried as a single alert for one interval after its first attempt (a
    /// short outage: it arrives as the alert it was); after that it goes into the current interval's roll-up, so a
    /// channel that was down for longer gets one message for what it missed instead of a burst.
    /// </summary>
    public DateTimeOffset RetryAsSingleUntil(AlertClaimEntity claim) => (claim.FirstAttemptAt ?? claim.ClaimedAt) + Interval;

    /// <summary>Recorded longer ago than <see cref="AlertOptions.MaxAge"/>: no longer news; given up with an error log.</summary>
    public bool IsTooOld(DateTimeOffset recordedAt, DateTimeOffset now) => now - recordedAt > options.Value.MaxAge;

    /// <summary>
    /// Whether a later run sends it (again). Never sent or refused: always. Maybe posted (no answer, or the posting run
    /// stopped): only to a Generic receiver, which deduplicates on the delivery id; Slack, Teams and Discord cannot
    /// recall a duplicate, so that loss is logged instead.
    /// </summary>
    public static bool Repeats(AlertState state, ChannelKind kind) => state switch
    {
        AlertState.Pending or AlertState.Failed => true,
        AlertState.Unknown or AlertState.Attempting => kind == ChannelKind.Generic,
        _ => false,
    };

    /// <summary>The roll-up is due: its interval has ended and it has incidents.</summary>
    public static bool RollupDue(AlertIntervalEntity interval, DateTimeOffset now) => interval.IntervalEnd <= now && interval.Pending > 0;

    /// <summary>Something in the interval still needs a run.</summary>
    public static bool IsOpen(AlertIntervalEntity interval, ChannelKind kind)
    {
        if (AlertLedger.ReadKeys(interval.UndeliveredJson).Count > 0) return true;
        if (interval.Pending == 0) return false;
        var state = interval.ReadRollupState();
        return state == AlertState.Pending || Repeats(state, kind) || state == AlertState.Attempting;
    }
}
