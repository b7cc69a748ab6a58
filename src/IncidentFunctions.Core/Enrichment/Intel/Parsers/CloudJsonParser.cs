using System.Globalization;
using System.Text.Json;
using static IncidentFunctions.Enrichment.Intel.Parsers.IntelJson;

namespace IncidentFunctions.Enrichment.Intel.Parsers;

/// <summary>
/// The cloud providers' own range files: AWS <c>ip-ranges.json</c>, Azure Service Tags, Google <c>cloud.json</c> and
/// Oracle <c>public_ip_ranges.json</c>. AWS and Azure list a prefix once per service or scope; the more specific
/// entry (a named service, a region) is added first and wins the tie.
/// </summary>
internal static class CloudJsonParser
{
    public static IntelSourceContent ParseAws(byte[] content)
    {
        const string format = "AWS ip-ranges.json";
        using var doc = Json(content, format);
        var root = doc.RootElement;
        var entries = new List<(string Prefix, CloudValue Value)>();
        int invalid = 0;
        foreach (var (array, key) in new[] { ("prefixes", "ip_prefix"), ("ipv6_prefixes", "ipv6_prefix") })
        {
            if (array == "ipv6_prefixes" && !TryGet(root, array, JsonValueKind.Array, out _)) continue;
            foreach (var prefix in RequiredArray(root, array, format))
            {
                var cidr = StringOf(prefix, key);
                if (cidr is null)
                {
                    invalid++;
                    continue;
                }

                var region = NullIfBlank(StringOf(prefix, "region"));
                entries.Add((cidr, new CloudValue("AWS", region == "GLOBAL" ? null : region, NullIfBlank(StringOf(prefix, "service")))));
            }
        }

        // AWS lists a prefix once per service; AMAZON is the catch-all, so the specific service (EC2…) goes first
        // and wins the tie.
        var ordered = entries.OrderBy(e => e.Value.Service == "AMAZON" ? 1 : 0);
        var result = CloudContent(ordered, ref invalid, format);
        result.DatasetVersion = StringOf(root, "syncToken");
        if (StringOf(root, "createDate") is { } created
            && DateTimeOffset.TryParseExact(created, "yyyy-MM-dd-HH-mm-ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
        {
            result.DatasetDate = date;
        }

        return result;
    }

    public static IntelSourceContent ParseAzure(byte[] content)
    {
        const string format = "Azure Service Tags file";
        using var doc = Json(content, format);
        var root = doc.RootElement;
        var entries = new List<(string Prefix, CloudValue Value, int Specificity)>();
        var invalid = 0;
        foreach (var tag in RequiredArray(root, "values", format))
        {
            var name = StringOf(tag, "name");
            if (!TryGet(tag, "properties", JsonValueKind.Object, out var properties))
            {
                invalid++;
                continue;
            }

            var region = NullIfBlank(StringOf(properties, "region"));
            var service = NullIfBlank(StringOf(properties, "systemService"));
            // "AzureCloud" and "AzureCloud.<region>" cover whole regions; a named service is the more specific answer.
            var value = new CloudValue("Azure", region, service ?? name?.Split('.')[0]);
            var specificity = (service is null ? 0 : 2) + (region is null ? 0 : 1);
            if (!TryGet(properties, "addressPrefixes", JsonValueKind.Array, out var prefixes))
            {
                invalid++;
                continue;
            }

            foreach (var prefix in prefixes.EnumerateArray())
            {
                if (prefix.ValueKind == JsonValueKind.String) entries.Add((prefix.GetString()!, value, specificity));
                else invalid++;
            }
        }

        var result = CloudContent(entries.OrderByDescending(e => e.Specificity).Select(e => (e.Prefix, e.Value)), ref invalid, format);
        var change = StringOf(root, "changeNumber");
        var cloud = StringOf(root, "cloud");
        result.DatasetVersion = change is null ? null : cloud is null ? change : $"{cloud} {change}";
        return result;
    }

    public static IntelSourceContent ParseGoogle(byte[] content)
    {
        const string format = "Google cloud.json";
        using var doc = Json(content, format);
        var root = doc.RootElement;
        var entries = new List<(string Prefix, CloudValue Value)>();
        var invalid = 0;
        foreach (var prefix in RequiredArray(root, "prefixes", format))
        {
            var cidr = StringOf(prefix, "ipv4Prefix") ?? StringOf(prefix, "ipv6Prefix");
            if (cidr is null)
            {
                invalid++;
                continue;
            }

            entries.Add((cidr, new CloudValue("Google Cloud", NullIfBlank(StringOf(prefix, "scope")), NullIfBlank(StringOf(prefix, "service")))));
        }

        var result = CloudContent(entries, ref invalid, format);
        result.DatasetVersion = StringOf(root, "syncToken");
        if (StringOf(root, "creationTime") is { } created
            && DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
        {
            result.DatasetDate = date;
        }

        return result;
    }

    public static IntelSourceContent ParseOracle(byte[] content)
    {
        const string format = "Oracle public_ip_ranges.json";
        using var doc = Json(content, format);
        var root = doc.RootElement;
        var entries = new List<(string Prefix, CloudValue Value)>();
        var invalid = 0;
        foreach (var region in RequiredArray(root, "regions", format))
        {
            var name = NullIfBlank(StringOf(region, "region"));
            if (!TryGet(region, "cidrs", JsonValueKind.Array, out var cidrs))
            {
                invalid++;
                continue;
            }

            foreach (var cidr in cidrs.EnumerateArray())
            {
                var text = StringOf(cidr, "cidr");
                if (text is null)
                {
                    invalid++;
                    continue;
                }

                var tags = TryGet(cidr, "tags", JsonValueKind.Array, out var t)
                    ? string.Join(",", t.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()))
                    : null;
                entries.Add((text, new CloudValue("Oracle", name, NullIfBlank(tags))));
            }
        }

        var result = CloudContent(entries, ref invalid, format);
        if (StringOf(root, "last_updated_timestamp") is { } updated)
        {
            result.DatasetVersion = updated;
            if (DateTimeOffset.TryParse(updated, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)) result.DatasetDate = date;
        }

        return result;
    }

    private static IntelSourceContent CloudContent(IEnumerable<(string Prefix, CloudValue Value)> entries, ref int invalid, string format)
    {
        var result = new IntelSourceContent { Cloud = new RangeTable<CloudValue>(1024) };
        var valid = 0;
        foreach (var (prefix, value) in entries)
        {
            if (!IpRange.TryParse(prefix, out var range))
            {
                invalid++;
                continue;
            }

            valid++;
            result.Cloud.Add(range, value);
        }

        result.InvalidEntries = invalid;
        IntelLines.CheckInvalid(valid, invalid, format);
        return result;
    }
}
