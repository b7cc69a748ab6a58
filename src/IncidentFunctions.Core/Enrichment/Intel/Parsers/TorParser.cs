using System.Globalization;

namespace IncidentFunctions.Enrichment.Intel.Parsers;

/// <summary>The Tor Project's exit lists: the bulk list (addresses only) and <c>exit-addresses</c> (with test times).</summary>
internal static class TorParser
{
    /// <summary>
    /// The list as fetched names its addresses as exits from when it last changed (the server's Last-Modified, when
    /// earlier than the fetch) until it was fetched.
    /// </summary>
    public static IntelSourceContent ParseBulk(string text, IntelParseContext context)
    {
        var observedAt = context.ObservedAt;
        var validSince = context.ValidSince is { } since && since < observedAt ? since : observedAt;
        var tor = new List<TorListing>();
        var seen = new HashSet<UInt128>();
        return IntelLines.Read(text, new IntelSourceContent { Tor = tor, DatasetDate = validSince }, "Tor bulk exit list", LineComments.Anywhere, line =>
        {
            if (!IpNumber.TryParse(line, out var address)) return LineResult.Unreadable;
            if (seen.Add(address)) tor.Add(new TorListing(address, validSince, observedAt));
            return LineResult.Read;
        });
    }

    /// <summary>
    /// TorDNSEL's records: <c>ExitNode</c>, <c>Published</c>, <c>LastStatus</c>, then one <c>ExitAddress</c> line per
    /// address with the time it was tested. An address was an exit from the earlier to the later of those two times.
    /// </summary>
    public static IntelSourceContent ParseExitAddresses(string text)
    {
        var result = new IntelSourceContent { Tor = [] };
        var byAddress = new Dictionary<UInt128, TorListing>();
        DateTimeOffset? lastStatus = null;
        DateTimeOffset? downloaded = null;
        DateTimeOffset? latest = null;
        IntelLines.Read(text, result, "Tor exit-addresses file", LineComments.None, line =>
        {
            var space = line.IndexOf(' ');
            var keyword = space < 0 ? line : line[..space];
            var rest = space < 0 ? [] : line[(space + 1)..].Trim();
            switch (keyword)
            {
                case "ExitNode":
                    lastStatus = null;
                    return LineResult.Read;
                case "Published":
                    return LineResult.Read;
                case "LastStatus":
                    if (!TryTorTime(rest, out var status)) return LineResult.Unreadable;
                    lastStatus = status;
                    return LineResult.Read;
                case "Downloaded":
                    if (TryTorTime(rest, out var d)) downloaded = d;
                    return LineResult.Skipped;
                case "@type":
                    return LineResult.Skipped;
                case "ExitAddress":
                    var gap = rest.IndexOf(' ');
                    if (gap < 0 || !IpNumber.TryParse(rest[..gap], out var address) || !TryTorTime(rest[(gap + 1)..], out var tested)) return LineResult.Unreadable;
                    var first = lastStatus is { } ls && ls < tested ? ls : tested;
                    var last = lastStatus is { } ls2 && ls2 > tested ? ls2 : tested;
                    if (latest is null || last > latest) latest = last;
                    byAddress[address] = byAddress.TryGetValue(address, out var known)
                        ? new TorListing(address, known.FirstListed < first ? known.FirstListed : first, known.LastListed > last ? known.LastListed : last)
                        : new TorListing(address, first, last);
                    return LineResult.Read;
                default:
                    return LineResult.Unreadable;
            }
        });

        result.Tor.AddRange(byAddress.Values);
        result.DatasetDate = downloaded ?? latest;
        return result;
    }

    private static bool TryTorTime(ReadOnlySpan<char> text, out DateTimeOffset time)
        => DateTimeOffset.TryParseExact(text.Trim(), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
