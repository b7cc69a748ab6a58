using System.ComponentModel.DataAnnotations;

namespace IncidentFunctions.Retention;

/// <summary>
/// The <see cref="RetentionJob"/>: whether it deletes and when it runs. How long data is kept is
/// <c>Reports:RetentionDays</c>, the same figure that decides which reports are served. Bound from <c>Retention</c>.
/// </summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    public const string DefaultSchedule = "0 40 2 * * *";

    /// <summary>False keeps everything (nothing is deleted; each run logs that it is off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// A run starts no new deletion after this long, and the next run goes on where it stopped: the first run on an
    /// install that has kept a year of days has millions of rows to delete. Within the host's 30-minute function timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:25:00")]
    public TimeSpan RunBudget { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>NCRONTAB (6 fields, UTC; app setting <c>RETENTION_SCHEDULE</c>) of <see cref="RetentionJob"/>: daily at 02:40 by default.</summary>
    public string Schedule { get; set; } = DefaultSchedule;
}
