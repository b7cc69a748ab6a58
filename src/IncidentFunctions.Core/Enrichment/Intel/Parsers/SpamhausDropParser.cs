using System.Globalization;
using System.Text.Json;
using static IncidentFunctions.Enrichment.Intel.Parsers.IntelJson;

namespace IncidentFunctions.Enrichment.Intel.Parsers;

/// <summary>
/// Spamhaus DROP in its JSON-lines form (<c>drop_v4.json</c>, <c>drop_v6.json</c>, <c>asndrop.json</c>): one object a
/// line with a <c>cidr</c> or an <c>asn</c>, and a closing <c>metadata</c> line with the list's timestamp.
/// </summary>
internal static class SpamhausDropParser
{
    public static IntelSourceContent Parse(string text)
    {
        var result = new IntelSourceContent();
        return IntelLines.Read(text, result, "Spamhaus DROP JSON file", LineComments.WholeLine, line =>
        {
            if (line[0] == ';') return LineResult.Skipped;
            try
            {
                using var doc = JsonDocument.Parse(line.ToString());
                var entry = doc.RootElement;
                if (StringOf(entry, "type") == "metadata")
                {
                    if (TryGet(entry, "timestamp", JsonValueKind.Number, out var ts) && ts.TryGetInt64(out var seconds)
                        && seconds >= 0 && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
                    {
                        result.DatasetDate = DateTimeOffset.FromUnixTimeSeconds(seconds);
                        result.DatasetVersion = seconds.ToString(CultureInfo.InvariantCulture);
                    }

                    return LineResult.Skipped;
                }

                if (StringOf(entry, "cidr") is { } cidr && IpRange.TryParse(cidr, out var range))
                {
                    (result.Listed ??= new RangeCollector(1024)).Add(range, 0);
                    return LineResult.Read;
                }

                if (TryGet(entry, "asn", JsonValueKind.Number, out var asnElement) && asnElement.TryGetInt64(out var asn))
                {
                    (result.ListedAsns ??= []).Add(asn);
                    return LineResult.Read;
                }

                return LineResult.Unreadable;
            }
            catch (JsonException)
            {
                return LineResult.Unreadable;
            }
        });
    }
}
