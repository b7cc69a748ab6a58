using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IncidentFunctions.Alerts;

/// <summary>
/// The delivery ids of alerts, fixed for what they carry, so a generic receiver deduplicates a repeated delivery
/// however it arrives (retry within a run, a later run, a redelivered queue message). docs/webhook-schema.md documents
/// both forms.
/// </summary>
public static class AlertDeliveryIds
{
    /// <summary><c>a-</c> and 24 hex digits of a hash of tenant, channel and incident id.</summary>
    public static string Alert(long tenantId, string channel, string incidentId)
        => "a-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{tenantId}\n{channel}\n{incidentId}"))).AsSpan(0, 12));

    /// <summary><c>r-{tenant}-{channel}-{interval start, UTC yyyyMMddTHHmmss}</c>.</summary>
    public static string Rollup(long tenantId, string channel, DateTimeOffset intervalStart)
        => string.Create(CultureInfo.InvariantCulture, $"r-{tenantId}-{channel}-{intervalStart.UtcDateTime:yyyyMMddTHHmmss}");
}
