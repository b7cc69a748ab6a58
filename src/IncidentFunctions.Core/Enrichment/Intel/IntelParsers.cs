using System.IO.Compression;
using System.Text;
using IncidentFunctions.Enrichment.Intel.Parsers;

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
/// Parses a source of any supported format: gzip is undone here, then each format family has its own parser (in
/// <c>Parsers/</c>). Unreadable single lines are skipped and counted; content that is not the format at all (truncated
/// JSON, an HTML error page, a corrupt MMDB, mostly garbage lines) is an <see cref="IntelFormatException"/>, so a
/// broken download never replaces a good list.
/// </summary>
public static class IntelParsers
{
    public static IntelSourceContent Parse(IntelSourceType type, byte[] content, IntelParseContext context)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(context);
        content = Decompress(content, context.MaxBytes);
        return type switch
        {
            IntelSourceType.Mmdb => MmdbParser.Parse(content),
            IntelSourceType.IpLocationDbCsv => RangeCsvParser.ParseIpLocationDb(Text(content)),
            IntelSourceType.IpToAsnTsv => RangeCsvParser.ParseIpToAsn(Text(content)),
            IntelSourceType.TorBulkExitList => TorParser.ParseBulk(Text(content), context),
            IntelSourceType.TorExitAddresses => TorParser.ParseExitAddresses(Text(content)),
            IntelSourceType.AwsIpRanges => CloudJsonParser.ParseAws(content),
            IntelSourceType.AzureServiceTags => CloudJsonParser.ParseAzure(content),
            IntelSourceType.GoogleCloudJson => CloudJsonParser.ParseGoogle(content),
            IntelSourceType.OracleCloudJson => CloudJsonParser.ParseOracle(content),
            IntelSourceType.CloudflareIps => CloudflareParser.Parse(Text(content), context.Provider ?? "Cloudflare"),
            IntelSourceType.CloudGeofeed => GeofeedParser.Parse(Text(content), context.Provider ?? "DigitalOcean"),
            IntelSourceType.IpList => IpListParser.Parse(Text(content)),
            IntelSourceType.SpamhausDropJson => SpamhausDropParser.Parse(Text(content)),
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
}
