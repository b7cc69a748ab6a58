namespace IncidentFunctions.Enrichment.Intel.Parsers;

/// <summary>RFC 8805 geofeeds (DigitalOcean's): <c>prefix,country,region,city,postal code</c>; the city names the site.</summary>
internal static class GeofeedParser
{
    public static IntelSourceContent Parse(string text, string provider)
    {
        var cloud = new RangeTable<CloudValue>();
        return IntelLines.Read(text, new IntelSourceContent { Cloud = cloud }, "RFC 8805 geofeed", LineComments.WholeLine, line =>
        {
            Span<Range> fields = stackalloc Range[6];
            var count = Csv.Split(line, ',', fields);
            if (count < 1 || !IpRange.TryParse(Csv.Unquote(line[fields[0]]), out var range)) return LineResult.Unreadable;
            // RFC 8805: prefix, country, region (ISO 3166-2), city, postal code. The city is what names a site.
            var site = Csv.Field(line, fields, count, 3) ?? Csv.Field(line, fields, count, 2) ?? Csv.Field(line, fields, count, 1);
            cloud.Add(range, new CloudValue(provider, site, null));
            return LineResult.Read;
        });
    }
}
