using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;

namespace IncidentFunctions.Reports;

/// <summary>
/// The CSV export's format: one record per stored incident row (an incident per report day it was active on), the
/// Console's columns, the vulnerability's, and what enrichment knows of the top source IP with its provenance.
/// RFC 4180: comma separated, CRLF line ends, a field quoted when it holds a comma, quote, CR or LF, quotes doubled.
/// </summary>
/// <remarks>
/// The export is data, not a document: text is written exactly as stored, with no defanging or shortening (the PDF
/// and chat do that). The one change is against formula injection: a spreadsheet evaluates a cell that starts with
/// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or carriage return, so such a cell gets a leading apostrophe and is
/// shown as text (OWASP's CSV injection advice). Whoever parses the file programmatically strips that one apostrophe
/// from cells whose second character is one of those.
/// </remarks>
public static class IncidentCsv
{
    /// <summary>Column names, in order; stable so scripts can address them by name.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "day", "incident_id", "first_seen_utc", "last_seen_utc", "attack_type", "status", "block_status", "state",
        "hits", "payload_count", "ip_count", "top_ip", "top_ip_country", "top_ips", "domain", "path", "method",
        "parameter", "point", "application_id", "target", "status_codes", "vulnerability_id", "vulnerability_title",
        "vulnerability_type", "vulnerability_status", "threat", "console_link",
        "country_code", "country_name", "region", "city", "asn", "as_organization", "source_type", "cloud_provider",
        "cloud_region", "cloud_service", "malicious_lists", "intel_version", "enriched_at_utc", "provenance",
        "pulled_at_utc",
    ];

    public const string ContentType = "text/csv; charset=utf-8; header=present";

    private const char FormulaGuard = '\'';

    /// <summary>The header record, CRLF-terminated.</summary>
    public static string Header { get; } = string.Join(',', Columns) + "\r\n";

    /// <summary>Bump when how a record is written changes without a column change (a cell's format, the guard), so stored snapshots of the old form are not served.</summary>
    internal const int RecordVersion = 1;

    /// <summary>
    /// Identifies everything besides the stored rows that shapes a record: <see cref="RecordVersion"/>, the columns and
    /// the Console address of the links. Part of every CSV snapshot's tag (<see cref="CsvSnapshotTag"/>).
    /// </summary>
    public static string FormatTag(Uri? consoleBase)
        => Hash(string.Create(CultureInfo.InvariantCulture, $"{RecordVersion}\u0001{Header}\u0001{consoleBase?.AbsoluteUri}"));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));

    /// <summary>Appends one record (CRLF-terminated) for <paramref name="row"/>.</summary>
    /// <param name="profile">Enrichment of the row's top IP on the row's day, when known.</param>
    /// <param name="vulnerability">The catalogue entry of the row's vulnerability id, when known.</param>
    public static void AppendRecord(StringBuilder output, IncidentEntity row, SourceProfile? profile, VulnerabilityEntity? vulnerability, Uri? consoleBase)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(row);
        Cell(output, row.Day, first: true);
        Cell(output, row.IncidentId);
        Cell(output, Utc(row.FirstSeen));
        Cell(output, Utc(row.LastSeen));
        Cell(output, row.AttackType);
        Cell(output, row.Status);
        Cell(output, row.BlockStatus);
        Cell(output, row.State);
        Number(output, row.Hits);
        Number(output, row.PayloadCount);
        Number(output, row.IpCount);
        Cell(output, row.TopIp);
        Cell(output, row.TopIpCountry);
        Cell(output, TopIps(row));
        Cell(output, row.Domain);
        Cell(output, row.Path);
        Cell(output, row.Method);
        Cell(output, row.Parameter);
        Cell(output, row.Point);
        Number(output, row.ApplicationId);
        Cell(output, row.Target);
        Cell(output, row.StatusCodes);
        Number(output, row.VulnerabilityId > 0 ? row.VulnerabilityId : null);
        Cell(output, vulnerability?.Title);
        Cell(output, vulnerability?.Type);
        Cell(output, vulnerability?.Status);
        Number(output, vulnerability?.Threat ?? row.Threat);
        Cell(output, DailyReportBuilder.ConsoleLinkFor(consoleBase, row.VulnerabilityId)?.AbsoluteUri);
        Cell(output, profile?.CountryCode);
        Cell(output, profile?.CountryName);
        Cell(output, profile?.Region);
        Cell(output, profile?.City);
        Number(output, profile?.Asn);
        Cell(output, profile?.AsOrganization);
        Cell(output, profile?.SourceType.ToString());
        Cell(output, profile?.CloudProvider);
        Cell(output, profile?.CloudRegion);
        Cell(output, profile?.CloudService);
        Cell(output, profile is null ? null : string.Join("; ", profile.MaliciousLists));
        Cell(output, profile?.IntelVersion);
        Cell(output, profile is null ? null : Utc(profile.EnrichedAt));
        Cell(output, profile is null ? null : Provenance(profile.Provenance));
        Cell(output, Utc(row.PulledAt));
        output.Append("\r\n");
    }

    /// <summary>What a cell holds once read back by an RFC 4180 reader: the value, guarded against formulas.</summary>
    public static string Protect(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return NeedsGuard(value) ? FormulaGuard + value : value;
    }

    private static bool NeedsGuard(ReadOnlySpan<char> value) => value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    private static void Cell(StringBuilder output, string? value, bool first = false)
    {
        if (!first) output.Append(',');
        if (string.IsNullOrEmpty(value)) return;
        var guard = NeedsGuard(value);
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            if (guard) output.Append(FormulaGuard);
            output.Append(value);
            return;
        }

        output.Append('"');
        if (guard) output.Append(FormulaGuard);
        var span = value.AsSpan();
        int quote;
        while ((quote = span.IndexOf('"')) >= 0)
        {
            output.Append(span[..(quote + 1)]).Append('"');
            span = span[(quote + 1)..];
        }

        output.Append(span).Append('"');
    }

    private static void Number(StringBuilder output, long? value)
    {
        output.Append(',');
        if (value is { } v) output.Append(CultureInfo.InvariantCulture, $"{v}");
    }

    private static string Utc(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>All stored source IPs of the row as <c>ip hits country</c>, most active first, separated by <c>; </c>.</summary>
    private static string? TopIps(IncidentEntity row)
    {
        var ips = row.ReadTopIps();
        if (ips.Count == 0) return null;
        var text = new StringBuilder();
        foreach (var ip in ips)
        {
            if (text.Length > 0) text.Append("; ");
            text.Append(ip.Ip).Append(' ').Append(ip.Hits.ToString(CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(ip.Country)) text.Append(' ').Append(ip.Country);
        }

        return text.ToString();
    }

    /// <summary><c>field=source version date (method)</c> per field, separated by <c>; </c>.</summary>
    private static string? Provenance(IReadOnlyList<Provenance> provenance)
    {
        if (provenance.Count == 0) return null;
        var text = new StringBuilder();
        foreach (var p in provenance)
        {
            if (text.Length > 0) text.Append("; ");
            text.Append(p.Field).Append('=').Append(p.Source);
            if (!string.IsNullOrEmpty(p.DatasetVersion)) text.Append(' ').Append(p.DatasetVersion);
            if (p.DatasetDate is { } date) text.Append(' ').Append(date.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(p.Method)) text.Append(" (").Append(p.Method).Append(')');
        }

        return text.ToString();
    }
}
