using System.Globalization;
using System.IO.Compression;
using System.Numerics;
using System.Text;
using System.Text.Json;
using MaxMind.Db;

namespace IncidentFunctions.Enrichment.Intel;

/// <summary>
/// How a source is to be read: its provider or category where the format leaves them open; when it was fetched
/// (<see cref="ObservedAt"/>) and since when the server says the content has been as it is (<see cref="ValidSince"/>,
/// its Last-Modified), which date lists that carry no times of their own (the Tor bulk list).
/// </summary>
public sealed record IntelParseContext(
    DateTimeOffset ObservedAt,
    string? Provider = null,
    IntelListCategory Category = IntelListCategory.Malicious,
    long MaxBytes = 1L << 30,
    DateTimeOffset? ValidSince = null);

/// <summary>
/// Parsers for every supported format. Unreadable single lines are skipped and counted; content that is not the
/// format at all (truncated JSON, an HTML error page, a corrupt MMDB, mostly garbage lines) is an
/// <see cref="IntelFormatException"/>, so a broken download never replaces a good list.
/// </summary>
public static class IntelParsers
{
    /// <summary>Share of unreadable lines above which a line-based file counts as not being the format at all.</summary>
    public const double MaxInvalidShare = 0.10;

    private const int InvalidLinesAlwaysTolerated = 5;

    public static IntelSourceContent Parse(IntelSourceType type, byte[] content, IntelParseContext context)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(context);
        content = Decompress(content, context.MaxBytes);
        return type switch
        {
            IntelSourceType.Mmdb => ParseMmdb(content),
            IntelSourceType.IpLocationDbCsv => ParseIpLocationDbCsv(Text(content)),
            IntelSourceType.IpToAsnTsv => ParseIpToAsn(Text(content)),
            IntelSourceType.TorBulkExitList => ParseTorBulk(Text(content), context.ValidSince is { } since && since < context.ObservedAt ? since : context.ObservedAt, context.ObservedAt),
            IntelSourceType.TorExitAddresses => ParseTorExitAddresses(Text(content)),
            IntelSourceType.AwsIpRanges => ParseAws(content),
            IntelSourceType.AzureServiceTags => ParseAzure(content),
            IntelSourceType.GoogleCloudJson => ParseGoogle(content),
            IntelSourceType.OracleCloudJson => ParseOracle(content),
            IntelSourceType.CloudflareIps => ParseCloudCidrs(Text(content), context.Provider ?? "Cloudflare"),
            IntelSourceType.CloudGeofeed => ParseGeofeed(Text(content), context.Provider ?? "DigitalOcean"),
            IntelSourceType.IpList => ParseIpList(Text(content)),
            IntelSourceType.SpamhausDropJson => ParseSpamhausDrop(Text(content)),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown intel source type."),
        };
    }

    /// <summary>Gzip content (iptoasn's <c>.tsv.gz</c>) is unpacked, up to <paramref name="maxBytes"/> so a bomb cannot fill memory.</summary>
    private static byte[] Decompress(byte[] content, long maxBytes)
    {
        if (content.Length < 2 || content[0] != 0x1f || content[1] != 0x8b) return content;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(content, writable: false), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
            {
                output.Write(buffer, 0, read);
                if (output.Length > maxBytes) throw new IntelFormatException($"Gzip content unpacks to more than {maxBytes} bytes.");
            }

            // A gzip member ends with the uncompressed size (mod 2^32); a cut-off download decompresses "fine" up to
            // the cut without any error, so this is what catches it.
            var expectedSize = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(content.Length - 4));
            if ((uint)output.Length != expectedSize) throw new IntelFormatException("Gzip content is truncated (its size trailer does not match).");
            return output.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new IntelFormatException("Gzip content is corrupt or truncated.", ex);
        }
    }

    private static string Text(byte[] content)
    {
        var text = Encoding.UTF8.GetString(content);
        return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
    }

    private static void CheckInvalid(int valid, int invalid, string format)
    {
        if (invalid > InvalidLinesAlwaysTolerated && invalid > (valid + invalid) * MaxInvalidShare)
        {
            throw new IntelFormatException($"{invalid} of {valid + invalid} lines are unreadable: this is not a {format}.");
        }
    }

    /// <summary>The line without a comment (<c>#</c> anywhere, <c>;</c> as in DROP's "CIDR ; SBL"), trimmed.</summary>
    private static ReadOnlySpan<char> StripComment(ReadOnlySpan<char> line)
    {
        var hash = line.IndexOfAny('#', ';');
        return (hash >= 0 ? line[..hash] : line).Trim();
    }

    /// <summary>Reads one line; false when it is unreadable.</summary>
    private delegate bool LineReader(ReadOnlySpan<char> line);

    /// <summary>
    /// The loop of the line formats: blank and comment lines skipped, each other line read, unreadable ones counted
    /// into <see cref="IntelSourceContent.InvalidEntries"/>, too many of them refused as not being <paramref name="format"/>.
    /// Lists cut comments anywhere in a line; CSV files only have whole-line comments (a '#' inside a field is data).
    /// </summary>
    private static IntelSourceContent ReadLines(string text, IntelSourceContent result, string format, bool commentsAnywhere, LineReader read)
    {
        int valid = 0, invalid = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = commentsAnywhere ? StripComment(raw) : raw.Trim();
            if (line.IsEmpty || line[0] == '#') continue;
            if (read(line)) valid++;
            else invalid++;
        }

        result.InvalidEntries = invalid;
        CheckInvalid(valid, invalid, format);
        return result;
    }

    // ---------------------------------------------------------------- MMDB

    private static IntelSourceContent ParseMmdb(byte[] content)
    {
        content = ExtractMmdbFromTar(content);
        Reader reader;
        try
        {
            reader = new Reader(new MemoryStream(content, writable: false));
        }
        catch (Exception ex) when (ex is InvalidDatabaseException or DeserializationException or InvalidDataException or IOException or ArgumentException or IndexOutOfRangeException or InvalidCastException or NullReferenceException)
        {
            throw new IntelFormatException($"Not a readable MaxMind DB: {ex.Message}", ex);
        }

        using (reader)
        {
            var result = new IntelSourceContent
            {
                DatasetVersion = $"{reader.Metadata.DatabaseType} {reader.Metadata.BuildDate.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}",
                DatasetDate = new DateTimeOffset(DateTime.SpecifyKind(reader.Metadata.BuildDate, DateTimeKind.Utc)),
            };
            var mapped = new Dictionary<object, MmdbRecord>(ReferenceEqualityComparer.Instance);
            try
            {
                foreach (var node in reader.FindAll<Dictionary<string, object>>())
                {
                    if (!TryNetwork(node.Start, node.PrefixLength, out var range)) continue;
                    if (!mapped.TryGetValue(node.Data, out var record))
                    {
                        record = MmdbRecord.From(node.Data);
                        mapped[node.Data] = record;
                    }

                    if (record.Geo is not null) (result.Geo ??= new RangeTable<GeoValue>(1024)).Add(range, record.Geo);
                    if (record.Asn is not null) (result.Asn ??= new RangeTable<AsnValue>(1024)).Add(range, record.Asn);
                    if (record.Anonymity != AnonymityTraits.None) (result.Anonymity ??= new RangeTable<AnonymityTraits>(1024)).Add(range, record.Anonymity);
                }
            }
            catch (Exception ex) when (ex is InvalidDatabaseException or DeserializationException or InvalidDataException or IndexOutOfRangeException or ArgumentException or InvalidCastException or OverflowException)
            {
                throw new IntelFormatException($"MaxMind DB is corrupt: {ex.Message}", ex);
            }

            return result;
        }
    }

    /// <summary>MaxMind's download API serves <c>.tar.gz</c> (gzip is already undone): the database is the archive's <c>.mmdb</c> entry.</summary>
    private static byte[] ExtractMmdbFromTar(byte[] content)
    {
        if (content.Length < 512 || !content.AsSpan(257, 5).SequenceEqual("ustar"u8)) return content;
        try
        {
            using var tar = new System.Formats.Tar.TarReader(new MemoryStream(content, writable: false));
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null || !entry.Name.EndsWith(".mmdb", StringComparison.OrdinalIgnoreCase)) continue;
                using var buffer = new MemoryStream();
                entry.DataStream.CopyTo(buffer);
                return buffer.ToArray();
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new IntelFormatException($"Tar archive is corrupt: {ex.Message}", ex);
        }

        throw new IntelFormatException("Tar archive holds no .mmdb file.");
    }

    /// <summary>
    /// A network from the MMDB tree. IPv6 databases alias the IPv4 tree under <c>::ffff:0:0/96</c>, 6to4 and Teredo;
    /// those copies are skipped, the IPv4 networks themselves come back as IPv4.
    /// </summary>
    private static bool TryNetwork(System.Net.IPAddress start, int prefixLength, out IpRange range)
    {
        range = default;
        if (prefixLength < 0) return false;
        var address = IpNumber.From(start);
        if (start.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            if (prefixLength > 32) return false;
            prefixLength += 96;
        }
        else
        {
            if (prefixLength > 128) return false;
            var top16 = (uint)(address >> 112);
            if (IpNumber.IsV4(address) || top16 == 0x2002 || (address >> 96) == (UInt128)0x2001_0000) return false;
        }

        var host = IpNumber.HostMask(prefixLength);
        range = new IpRange(address & ~host, (address & ~host) | host);
        return true;
    }

    private sealed record MmdbRecord(GeoValue? Geo, AsnValue? Asn, AnonymityTraits Anonymity)
    {
        public static MmdbRecord From(Dictionary<string, object> data)
        {
            // GeoIP2 / DB-IP: nested maps. ip-location-db and IPinfo Lite: flat strings.
            var country = Map(data, "country") ?? Map(data, "registered_country");
            var code = Str(country, "iso_code") ?? Str(data, "country_code");
            var name = Name(country) ?? (data.TryGetValue("country", out var c) ? c as string : null);
            var region = data.TryGetValue("subdivisions", out var subs) && subs is List<object> { Count: > 0 } list
                ? Name(list[0] as Dictionary<string, object>)
                : null;
            region ??= Str(data, "state1");
            var city = Name(Map(data, "city")) ?? (data.TryGetValue("city", out var cityValue) ? cityValue as string : null);
            GeoValue? geo = null;
            if (code is { Length: 2 })
            {
                code = code.ToUpperInvariant();
                geo = new GeoValue(code, name ?? CountryNames.NameOf(code), Blank(region), Blank(city));
            }

            AsnValue? asn = null;
            if (Num(data, "autonomous_system_number") is { } number)
            {
                asn = new AsnValue(number, Blank(Str(data, "autonomous_system_organization")));
            }
            else if (Str(data, "asn") is { } asText && asText.StartsWith("AS", StringComparison.OrdinalIgnoreCase)
                     && long.TryParse(asText.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                asn = new AsnValue(parsed, Blank(Str(data, "as_name")));
            }

            var flags = AnonymityTraits.None;
            if (Bool(data, "is_anonymous")) flags |= AnonymityTraits.Anonymous;
            if (Bool(data, "is_anonymous_vpn")) flags |= AnonymityTraits.Vpn;
            if (Bool(data, "is_hosting_provider")) flags |= AnonymityTraits.HostingProvider;
            if (Bool(data, "is_public_proxy")) flags |= AnonymityTraits.PublicProxy;
            if (Bool(data, "is_residential_proxy")) flags |= AnonymityTraits.ResidentialProxy;
            if (Bool(data, "is_tor_exit_node")) flags |= AnonymityTraits.TorExit;
            return new MmdbRecord(geo, asn, flags);
        }

        private static Dictionary<string, object>? Map(Dictionary<string, object>? data, string key)
            => data is not null && data.TryGetValue(key, out var value) ? value as Dictionary<string, object> : null;

        private static string? Str(Dictionary<string, object>? data, string key)
            => data is not null && data.TryGetValue(key, out var value) ? value as string : null;

        private static string? Name(Dictionary<string, object>? data)
            => Map(data, "names") is { } names && names.TryGetValue("en", out var en) ? en as string : null;

        private static bool Bool(Dictionary<string, object> data, string key)
            => data.TryGetValue(key, out var value) && value is true;

        private static long? Num(Dictionary<string, object> data, string key)
            => data.TryGetValue(key, out var value) ? value switch
            {
                int i => i,
                long l => l,
                uint u => u,
                ulong ul when ul <= long.MaxValue => (long)ul,
                ushort us => us,
                BigInteger b when b >= 0 && b <= long.MaxValue => (long)b,
                _ => null,
            } : null;

        private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    // ---------------------------------------------------------------- range CSV / TSV

    private static IntelSourceContent ParseIpLocationDbCsv(string text)
    {
        var result = new IntelSourceContent();
        return ReadLines(text, result, "ip-location-db range CSV", commentsAnywhere: false, line =>
        {
            Span<Range> fields = stackalloc Range[8];
            var count = Csv.Split(line, ',', fields);
            if (count < 3 || !TryRange(line[fields[0]], line[fields[1]], out var range)) return false;
            if (count == 3)
            {
                var cc = Csv.Unquote(line[fields[2]]).Trim();
                if (cc.Length != 2 || !char.IsAsciiLetter(cc[0]) || !char.IsAsciiLetter(cc[1])) return false;
                var code = cc.ToString().ToUpperInvariant();
                (result.Geo ??= new RangeTable<GeoValue>(4096)).Add(range, new GeoValue(code, CountryNames.NameOf(code), null, null));
                return true;
            }

            if (!long.TryParse(Csv.Unquote(line[fields[2]]).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var asn)) return false;
            var org = Csv.Unquote(line[fields[3]]).Trim();
            (result.Asn ??= new RangeTable<AsnValue>(4096)).Add(range, new AsnValue(asn, org.IsEmpty ? null : org.ToString()));
            return true;
        });
    }

    private static IntelSourceContent ParseIpToAsn(string text)
    {
        var result = new IntelSourceContent { Asn = new RangeTable<AsnValue>(4096) };
        int valid = 0, invalid = 0;
        Span<Range> fields = stackalloc Range[6];
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.TrimEnd('\r');
            if (line.IsWhiteSpace() || line[0] == '#') continue;
            var count = line.Split(fields, '\t');
            if (count < 5 || !TryRange(line[fields[0]], line[fields[1]], out var range)
                || !long.TryParse(line[fields[2]], NumberStyles.None, CultureInfo.InvariantCulture, out var asn))
            {
                invalid++;
                continue;
            }

            valid++;
            // AS 0 marks space that is not routed: no organisation to name.
            if (asn == 0) continue;
            var org = line[fields[4]].Trim();
            result.Asn.Add(range, new AsnValue(asn, org.IsEmpty || org.SequenceEqual("Not routed") ? null : org.ToString()));
        }

        result.InvalidEntries = invalid;
        CheckInvalid(valid, invalid, "iptoasn TSV");
        return result;
    }

    /// <summary>A range from two addresses, or two decimal numbers (ip-location-db's <c>-num</c> files).</summary>
    private static bool TryRange(ReadOnlySpan<char> startText, ReadOnlySpan<char> endText, out IpRange range)
    {
        range = default;
        startText = Csv.Unquote(startText).Trim();
        endText = Csv.Unquote(endText).Trim();
        UInt128 start, end;
        if (IpNumber.TryParse(startText, out start) && IpNumber.TryParse(endText, out end))
        {
            if (IpNumber.IsV4(start) != IpNumber.IsV4(end)) return false;
        }
        else if (UInt128.TryParse(startText, NumberStyles.None, CultureInfo.InvariantCulture, out start)
                 && UInt128.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out end))
        {
            // Numbers up to 2^32-1 are IPv4 (IPv6 there would be the deprecated ::a.b.c.d space).
            if (end <= uint.MaxValue)
            {
                start = IpNumber.FromV4((uint)start);
                end = IpNumber.FromV4((uint)end);
            }
        }
        else
        {
            return false;
        }

        if (end < start) return false;
        range = new IpRange(start, end);
        return true;
    }

    // ---------------------------------------------------------------- Tor

    /// <summary>The list as fetched names its addresses as exits from when it last changed until it was fetched.</summary>
    private static IntelSourceContent ParseTorBulk(string text, DateTimeOffset validSince, DateTimeOffset observedAt)
    {
        var tor = new List<TorListing>();
        var seen = new HashSet<UInt128>();
        return ReadLines(text, new IntelSourceContent { Tor = tor, DatasetDate = validSince }, "Tor bulk exit list", commentsAnywhere: true, line =>
        {
            if (!IpNumber.TryParse(line, out var address)) return false;
            if (seen.Add(address)) tor.Add(new TorListing(address, validSince, observedAt));
            return true;
        });
    }

    private static IntelSourceContent ParseTorExitAddresses(string text)
    {
        var result = new IntelSourceContent { Tor = [] };
        var byAddress = new Dictionary<UInt128, TorListing>();
        DateTimeOffset? lastStatus = null;
        DateTimeOffset? downloaded = null;
        DateTimeOffset? latest = null;
        int valid = 0, invalid = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty) continue;
            var space = line.IndexOf(' ');
            var keyword = space < 0 ? line : line[..space];
            var rest = space < 0 ? [] : line[(space + 1)..].Trim();
            switch (keyword)
            {
                case "ExitNode":
                    lastStatus = null;
                    valid++;
                    break;
                case "Published":
                    valid++;
                    break;
                case "LastStatus":
                    if (TryTorTime(rest, out var status))
                    {
                        lastStatus = status;
                        valid++;
                    }
                    else
                    {
                        invalid++;
                    }

                    break;
                case "Downloaded":
                    if (TryTorTime(rest, out var d)) downloaded = d;
                    break;
                case "@type":
                    break;
                case "ExitAddress":
                    var gap = rest.IndexOf(' ');
                    if (gap < 0 || !IpNumber.TryParse(rest[..gap], out var address) || !TryTorTime(rest[(gap + 1)..], out var tested))
                    {
                        invalid++;
                        break;
                    }

                    valid++;
                    var first = lastStatus is { } ls && ls < tested ? ls : tested;
                    var last = lastStatus is { } ls2 && ls2 > tested ? ls2 : tested;
                    if (latest is null || last > latest) latest = last;
                    byAddress[address] = byAddress.TryGetValue(address, out var known)
                        ? new TorListing(address, known.FirstListed < first ? known.FirstListed : first, known.LastListed > last ? known.LastListed : last)
                        : new TorListing(address, first, last);
                    break;
                default:
                    invalid++;
                    break;
            }
        }

        result.Tor.AddRange(byAddress.Values);
        result.DatasetDate = downloaded ?? latest;
        result.InvalidEntries = invalid;
        CheckInvalid(valid, invalid, "Tor exit-addresses file");
        return result;
    }

    private static bool TryTorTime(ReadOnlySpan<char> text, out DateTimeOffset time)
        => DateTimeOffset.TryParseExact(text.Trim(), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    // ---------------------------------------------------------------- cloud JSON

    private static JsonDocument Json(byte[] content, string format)
    {
        try
        {
            return JsonDocument.Parse(content, new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw new IntelFormatException($"Not valid JSON (truncated or not a {format}): {ex.Message}", ex);
        }
    }

    private static JsonElement.ArrayEnumerator RequiredArray(JsonElement root, string property, string format)
        => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(property, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : throw new IntelFormatException($"No '{property}' array: this is not a {format}.");

    private static string? StringOf(JsonElement element, string property)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static IntelSourceContent ParseAws(byte[] content)
    {
        const string format = "AWS ip-ranges.json";
        using var doc = Json(content, format);
        var root = doc.RootElement;
        var entries = new List<(string Prefix, CloudValue Value)>();
        int invalid = 0;
        foreach (var (array, key) in new[] { ("prefixes", "ip_prefix"), ("ipv6_prefixes", "ipv6_prefix") })
        {
            if (array == "ipv6_prefixes" && !(root.TryGetProperty(array, out var v6) && v6.ValueKind == JsonValueKind.Array)) continue;
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

    private static IntelSourceContent ParseAzure(byte[] content)
    {
        const string format = "Azure Service Tags file";
        using var doc = Json(content, format);
        var root = doc.RootElement;
        var entries = new List<(string Prefix, CloudValue Value, int Specificity)>();
        var invalid = 0;
        foreach (var tag in RequiredArray(root, "values", format))
        {
            var name = StringOf(tag, "name");
            if (!tag.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
            {
                invalid++;
                continue;
            }

            var region = NullIfBlank(StringOf(properties, "region"));
            var service = NullIfBlank(StringOf(properties, "systemService"));
            // "AzureCloud" and "AzureCloud.<region>" cover whole regions; a named service is the more specific answer.
            var value = new CloudValue("Azure", region, service ?? name?.Split('.')[0]);
            var specificity = (service is null ? 0 : 2) + (region is null ? 0 : 1);
            if (!properties.TryGetProperty("addressPrefixes", out var prefixes) || prefixes.ValueKind != JsonValueKind.Array)
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

    private static IntelSourceContent ParseGoogle(byte[] content)
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

    private static IntelSourceContent ParseOracle(byte[] content)
    {
        const string format = "Oracle public_ip_ranges.json";
        using var doc = Json(content, format);
        var root = doc.RootElement;
        var entries = new List<(string Prefix, CloudValue Value)>();
        var invalid = 0;
        foreach (var region in RequiredArray(root, "regions", format))
        {
            var name = NullIfBlank(StringOf(region, "region"));
            if (!region.TryGetProperty("cidrs", out var cidrs) || cidrs.ValueKind != JsonValueKind.Array)
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

                var tags = cidr.TryGetProperty("tags", out var t) && t.ValueKind == JsonValueKind.Array
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
        CheckInvalid(valid, invalid, format);
        return result;
    }

    // ---------------------------------------------------------------- line lists

    private static IntelSourceContent ParseCloudCidrs(string text, string provider)
    {
        var cloud = new RangeTable<CloudValue>();
        var value = new CloudValue(provider, null, null);
        return ReadLines(text, new IntelSourceContent { Cloud = cloud }, $"{provider} range list", commentsAnywhere: true, line =>
        {
            if (!IpRange.TryParse(line, out var range)) return false;
            cloud.Add(range, value);
            return true;
        });
    }

    private static IntelSourceContent ParseGeofeed(string text, string provider)
    {
        var cloud = new RangeTable<CloudValue>();
        return ReadLines(text, new IntelSourceContent { Cloud = cloud }, "RFC 8805 geofeed", commentsAnywhere: false, line =>
        {
            Span<Range> fields = stackalloc Range[6];
            var count = Csv.Split(line, ',', fields);
            if (count < 1 || !IpRange.TryParse(Csv.Unquote(line[fields[0]]), out var range)) return false;
            // RFC 8805: prefix, country, region (ISO 3166-2), city, postal code. The city is what names a site.
            var site = Csv.Field(line, fields, count, 3) ?? Csv.Field(line, fields, count, 2) ?? Csv.Field(line, fields, count, 1);
            cloud.Add(range, new CloudValue(provider, site, null));
            return true;
        });
    }

    private static IntelSourceContent ParseIpList(string text)
    {
        var listed = new RangeCollector(1024);
        return ReadLines(text, new IntelSourceContent { Listed = listed }, "netset or address list", commentsAnywhere: true, line =>
        {
            // IPsum writes "address<TAB>count", others "address,comment": the first token is the entry.
            var end = line.IndexOfAny(" \t,");
            if (!IpRange.TryParse(end < 0 ? line : line[..end], out var range)) return false;
            listed.Add(range, 0);
            return true;
        });
    }

    private static IntelSourceContent ParseSpamhausDrop(string text)
    {
        var result = new IntelSourceContent();
        int valid = 0, invalid = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty || line[0] == ';' || line[0] == '#') continue;
            try
            {
                using var doc = JsonDocument.Parse(line.ToString());
                var entry = doc.RootElement;
                if (StringOf(entry, "type") == "metadata")
                {
                    if (entry.TryGetProperty("timestamp", out var ts) && ts.TryGetInt64(out var seconds))
                    {
                        result.DatasetDate = DateTimeOffset.FromUnixTimeSeconds(seconds);
                        result.DatasetVersion = seconds.ToString(CultureInfo.InvariantCulture);
                    }

                    continue;
                }

                if (StringOf(entry, "cidr") is { } cidr && IpRange.TryParse(cidr, out var range))
                {
                    (result.Listed ??= new RangeCollector(1024)).Add(range, 0);
                    valid++;
                }
                else if (entry.TryGetProperty("asn", out var asnElement) && asnElement.TryGetInt64(out var asn))
                {
                    (result.ListedAsns ??= []).Add(asn);
                    valid++;
                }
                else
                {
                    invalid++;
                }
            }
            catch (JsonException)
            {
                invalid++;
            }
        }

        result.InvalidEntries = invalid;
        CheckInvalid(valid, invalid, "Spamhaus DROP JSON file");
        return result;
    }

    /// <summary>Minimal RFC 4180 field splitting: commas inside double quotes, doubled quotes as escapes.</summary>
    private static class Csv
    {
        public static int Split(ReadOnlySpan<char> line, char separator, Span<Range> fields)
        {
            var count = 0;
            var start = 0;
            var quoted = false;
            for (var i = 0; i <= line.Length; i++)
            {
                if (i < line.Length)
                {
                    var c = line[i];
                    if (c == '"') quoted = !quoted;
                    if (c != separator || quoted) continue;
                }

                if (count == fields.Length) return count;
                fields[count++] = new Range(start, i);
                start = i + 1;
            }

            return count;
        }

        public static string? Field(ReadOnlySpan<char> line, ReadOnlySpan<Range> fields, int count, int i)
            => count > i && Unquote(line[fields[i]]).Trim() is { IsEmpty: false } f ? f.ToString() : null;

        public static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> field)
        {
            field = field.Trim();
            if (field.Length >= 2 && field[0] == '"' && field[^1] == '"')
            {
                field = field[1..^1];
                // Doubled quotes are rare in these files (organisation names); allocate only then.
                if (field.IndexOf("\"\"", StringComparison.Ordinal) >= 0) return field.ToString().Replace("\"\"", "\"", StringComparison.Ordinal);
            }

            return field;
        }
    }
}
