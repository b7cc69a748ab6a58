namespace IncidentFunctions.Enrichment.Intel;

/// <summary>
/// Private, reserved and unallocated space (IANA special-purpose registries, RFC 6890 and successors). Such an
/// address is never labelled malicious and gets no geo/ASN data: some reputation lists carry <c>10.0.0.0/8</c> or
/// full bogon sets, and an attacker address there only means a proxy or the WAF's own network in between.
/// </summary>
public static class BogonRegistry
{
    public const string SourceName = "iana-special-purpose";

    private static readonly (string Cidr, string Reason)[] Entries =
    [
        ("0.0.0.0/8", "this network"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared address space"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "6to4 relay anycast"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        // IPv6 outside 2000::/3 is not global unicast (loopback, ULA, link-local, multicast, NAT64 and unassigned).
        ("::-1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "not global unicast"),
        ("4000::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "not global unicast"),
        ("2001::/23", "IETF protocol assignments"),
        ("2001:db8::/32", "documentation"),
        ("2002::/16", "6to4"),
        ("3fff::/20", "documentation"),
    ];

    private static readonly string[] Reasons = Entries.Select(e => e.Reason).Distinct(StringComparer.Ordinal).ToArray();

    private static readonly SegmentIndex<int> Index = Build();

    /// <summary>Why the address is not a public one, or null when it is.</summary>
    public static string? ReasonFor(UInt128 address)
    {
        var id = Index.Find(address);
        return id < 0 ? null : Reasons[id];
    }

    private static SegmentIndex<int> Build()
    {
        var collector = new RangeCollector(Entries.Length * 2);
        foreach (var (cidr, reason) in Entries)
        {
            if (!IpRange.TryParse(cidr, out var range)) throw new InvalidOperationException($"Bad built-in bogon range {cidr}.");
            collector.Add(range, Array.IndexOf(Reasons, reason));
        }

        return SegmentBuilder.SmallestWins(collector);
    }
}
