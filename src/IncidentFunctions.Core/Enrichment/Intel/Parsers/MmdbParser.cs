using System.Globalization;
using System.Numerics;
using MaxMind.Db;

namespace IncidentFunctions.Enrichment.Intel.Parsers;

/// <summary>
/// MaxMind DB files (GeoLite2/GeoIP2 City, Country, ASN, Anonymous-IP; DB-IP; IPinfo; ip-location-db), also inside
/// MaxMind's <c>.tar.gz</c>: every network of the tree with its country, ASN and anonymity traits.
/// </summary>
internal static class MmdbParser
{
    public static IntelSourceContent Parse(byte[] content)
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
}
