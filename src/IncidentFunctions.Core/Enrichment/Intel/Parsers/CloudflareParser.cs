namespace IncidentFunctions.Enrichment.Intel.Parsers;

/// <summary>Cloudflare's <c>ips-v4</c> / <c>ips-v6</c>: one CIDR a line, every range the provider's.</summary>
internal static class CloudflareParser
{
    public static IntelSourceContent Parse(string text, string provider)
    {
        var cloud = new RangeTable<CloudValue>();
        var value = new CloudValue(provider, null, null);
        return IntelLines.Read(text, new IntelSourceContent { Cloud = cloud }, $"{provider} range list", LineComments.Anywhere, line =>
        {
            if (!IpRange.TryParse(line, out var range)) return LineResult.Unreadable;
            cloud.Add(range, value);
            return LineResult.Read;
        });
    }
}
