namespace IncidentFunctions.Enrichment.Intel.Parsers;

/// <summary>
/// Plain address and CIDR lists and FireHOL netsets (FireHOL, blocklist.de, CINS, IPsum, ET, VPN and proxy lists):
/// the first token of each line is the entry, the rest (IPsum's count, a comment) is ignored.
/// </summary>
internal static class IpListParser
{
    public static IntelSourceContent Parse(string text)
    {
        var listed = new RangeCollector(1024);
        return IntelLines.Read(text, new IntelSourceContent { Listed = listed }, "netset or address list", LineComments.Anywhere, line =>
        {
            // IPsum writes "address<TAB>count", others "address,comment": the first token is the entry.
            var end = line.IndexOfAny(" \t,");
            if (!IpRange.TryParse(end < 0 ? line : line[..end], out var range)) return LineResult.Unreadable;
            listed.Add(range, 0);
            return LineResult.Read;
        });
    }
}
