using IncidentFunctions.Alerts;
using IncidentFunctions.Digest;

namespace IncidentFunctions.Hosting;

/// <summary>
/// The <c>SendDailyDigest</c> timer job: first the alert roll-ups whose interval has ended (so a quiet period still
/// gets its roll-up), then the digests that are due.
/// </summary>
public sealed class SendDailyDigestJob(DailyDigestSender digest, IncidentAlerts alerts)
{
    public async Task<DigestRunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        await alerts.FlushRollupsAsync(cancellationToken).ConfigureAwait(false);
        return await digest.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
