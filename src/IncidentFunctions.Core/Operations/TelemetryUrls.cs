namespace IncidentFunctions.Operations;

/// <summary>URLs as they may appear in exported telemetry.</summary>
internal static class TelemetryUrls
{
    /// <summary>
    /// Scheme, host and port only. Chat webhook URLs carry their secret in the path and intel download URLs may carry
    /// licence keys in the query, so no path or query leaves the process; the span's server address still says where
    /// the call went.
    /// </summary>
    public static string Redact(Uri uri)
        => uri.IsAbsoluteUri ? uri.GetLeftPart(UriPartial.Authority) + "/" : "/";
}
