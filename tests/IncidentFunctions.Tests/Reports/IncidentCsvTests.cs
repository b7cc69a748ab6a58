using System.Text;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using nietras.SeparatedValues;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class IncidentCsvTests
{
    private static IncidentEntity Row(string path, string? parameter = null, string attackType = "sqli") => new()
    {
        Day = "2026-11-20",
        IncidentId = "a:1",
        FirstSeen = new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero),
        LastSeen = new DateTimeOffset(2026, 11, 20, 8, 20, 0, TimeSpan.Zero),
        AttackType = attackType,
        Domain = "shop.example.com",
        Path = path,
        Parameter = parameter,
        Hits = 5,
        IpCount = 1,
        TopIp = "203.0.113.9",
        TopIpsJson = "[{\"ip\":\"203.0.113.9\",\"hits\":5,\"country\":\"NL\"}]",
        VulnerabilityId = 11,
        Status = nameof(IncidentStatus.Blocked),
        PulledAt = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero),
    };

    private static List<Dictionary<string, string>> Parse(string text)
    {
        using var reader = CsvReading.Reader().FromText(text);
        return CsvReading.Records(reader);
    }

    private static string Csv(params IncidentEntity[] rows) => Csv(null, rows);

    private static string Csv(SourceProfile? profile, params IncidentEntity[] rows)
    {
        var text = new StringBuilder(IncidentCsv.Header);
        foreach (var row in rows) IncidentCsv.AppendRecord(text, row, profile, null, new Uri("https://my.wallarm.com/"));
        return text.ToString();
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\",\"x\")")]
    [InlineData("+1+cmd|' /C calc'!A0")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1:A9)")]
    [InlineData("\t=1")]
    [InlineData("\r=1")]
    public void AppendRecord_CellStartingLikeAFormula_GetsALeadingApostropheAndOtherwiseExactText(string hostile)
    {
        var record = Assert.Single(Parse(Csv(Row(hostile, parameter: hostile, attackType: hostile))));

        Assert.Equal("'" + hostile, record["path"]);
        Assert.Equal("'" + hostile, record["parameter"]);
        Assert.Equal("'" + hostile, record["attack_type"]);
    }

    [Theory]
    [InlineData("/a,b")]
    [InlineData("/say \"hi\"")]
    [InlineData("/line\r\nbreak\nand\rmore")]
    [InlineData("/x=1&y=-2@z")]
    [InlineData("/تحقق/日本語/\u202Eevil")]
    [InlineData("/' OR 1=1 --")]
    public void AppendRecord_TextWithSeparatorsQuotesAndNewlines_ReadsBackExactly(string path)
    {
        var record = Assert.Single(Parse(Csv(Row(path, parameter: path))));

        Assert.Equal(path, record["path"]);
        Assert.Equal(path, record["parameter"]);
        Assert.Equal("shop.example.com", record["domain"]);
    }

    [Fact]
    public void AppendRecord_RandomHostileText_ReadsBackExactlyWithFormulaStartsGuarded()
    {
        // Separators, quotes, line ends and formula starts glued at random: every record still parses to one row of the
        // header's columns, and each attacker field reads back as written, behind an apostrophe when it starts like a formula.
        string[] pieces = ["=", "+", "-", "@", "\t", "\r", "\n", "\r\n", ",", ";", "\"", "\"\"", "'", " ", "a", "/x", "=cmd|' /C calc'!A0", "\u202E", "\0", "日本"];
        var random = new Random(20261202);
        string Text()
        {
            var text = new StringBuilder();
            for (var n = random.Next(1, 7); n > 0; n--) text.Append(pieces[random.Next(pieces.Length)]);
            return text.ToString();
        }

        for (var round = 0; round < 500; round++)
        {
            var (path, parameter, attackType, domain) = (Text(), Text(), Text(), Text());
            var hostile = Row(path, parameter, attackType);
            hostile.Domain = domain;
            var text = Csv(hostile, Row("/next"));

            var records = Parse(text);
            Assert.Equal(2, records.Count);
            Assert.Equal(IncidentCsv.Columns.Count, records[0].Count);
            Assert.Equal(IncidentCsv.Protect(path), records[0]["path"]);
            Assert.Equal(IncidentCsv.Protect(parameter), records[0]["parameter"]);
            Assert.Equal(IncidentCsv.Protect(attackType), records[0]["attack_type"]);
            Assert.Equal(IncidentCsv.Protect(domain), records[0]["domain"]);
            Assert.All(records[0].Values, cell => Assert.False(cell.Length > 0 && "=+-@\t\r".Contains(cell[0], StringComparison.Ordinal), $"cell '{cell}' starts like a formula"));
            Assert.Equal("/next", records[1]["path"]);
        }
    }

    [Fact]
    public void AppendRecord_EveryRecord_HasOneFieldPerColumnAndCrlfEnds()
    {
        var text = Csv(Row("/a"), Row("/b,c"));

        Assert.Equal(IncidentCsv.Columns.Count, IncidentCsv.Header.Split(',').Length);
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        Assert.Equal(2, Parse(text).Count);
        Assert.Equal(IncidentCsv.Columns.Count - 1, text.Split("\r\n")[1].Count(c => c == ','));
    }

    [Fact]
    public void AppendRecord_ConsoleColumns_AreTheStoredValues()
    {
        var record = Assert.Single(Parse(Csv(Row("/api/orders"))));

        Assert.Equal("2026-11-20", record["day"]);
        Assert.Equal("a:1", record["incident_id"]);
        Assert.Equal("2026-11-20T08:00:00Z", record["first_seen_utc"]);
        Assert.Equal("2026-11-20T08:20:00Z", record["last_seen_utc"]);
        Assert.Equal("Blocked", record["status"]);
        Assert.Equal("5", record["hits"]);
        Assert.Equal("203.0.113.9 5 NL", record["top_ips"]);
        Assert.Equal("11", record["vulnerability_id"]);
        Assert.Equal("https://my.wallarm.com/object/11", record["console_link"]);
        Assert.Equal("", record["payload_count"]);
        Assert.Equal("", record["country_code"]);
    }

    [Fact]
    public void AppendRecord_EnrichedSource_WritesProfileListsAndProvenance()
    {
        var profile = new SourceProfile
        {
            Ip = "203.0.113.9",
            CountryCode = "NL",
            CountryName = "Netherlands",
            Asn = 64500,
            AsOrganization = "Example Hosting, B.V.",
            SourceType = SourceType.CloudPlatform,
            CloudProvider = "AWS",
            MaliciousLists = ["firehol_level1", "spamhaus_drop"],
            Provenance = [new Provenance("asn", "iptoasn", "2026-11-19", new DateTimeOffset(2026, 11, 19, 0, 0, 0, TimeSpan.Zero)), new Provenance("sourceType", "aws-ranges", null, null, "published ranges")],
            IntelVersion = "v42",
            EnrichedAt = new DateTimeOffset(2026, 11, 20, 9, 5, 0, TimeSpan.Zero),
        };

        var record = Assert.Single(Parse(Csv(profile, Row("/a"))));

        Assert.Equal("64500", record["asn"]);
        Assert.Equal("Example Hosting, B.V.", record["as_organization"]);
        Assert.Equal("CloudPlatform", record["source_type"]);
        Assert.Equal("AWS", record["cloud_provider"]);
        Assert.Equal("firehol_level1; spamhaus_drop", record["malicious_lists"]);
        Assert.Equal("asn=iptoasn 2026-11-19 2026-11-19; sourceType=aws-ranges (published ranges)", record["provenance"]);
        Assert.Equal("v42", record["intel_version"]);
        Assert.Equal("2026-11-20T09:05:00Z", record["enriched_at_utc"]);
    }

    [Theory]
    [InlineData("=1", "'=1")]
    [InlineData("a=1", "a=1")]
    [InlineData("", "")]
    [InlineData("'=1", "'=1")]
    public void Protect_Value_GuardsOnlyFormulaStarts(string value, string expected) => Assert.Equal(expected, IncidentCsv.Protect(value));
}
