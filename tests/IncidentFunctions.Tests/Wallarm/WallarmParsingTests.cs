using System.Text;
using IncidentFunctions.Incidents;
using IncidentFunctions.Wallarm;

namespace IncidentFunctions.Tests.Wallarm;

[Trait("Category", TestCategories.Unit)]
public sealed class WallarmParsingTests
{
    /// <summary>2026-11-20 12:00 UTC, the tests' "now".</summary>
    private const long Now = 1_795_176_000;

    private const string Good = """{"id":["i","d1"],"attackid":"i:d1","domain":"shop.example.com","path":"/api","first_time":1795170000,"last_time":1795173600,"hits":5,"vulnid":7}""";

    /// <summary>What the client does with an answer: repair the text, find the records, read each on its own.</summary>
    private static WallarmAttackPage Page(byte[] body)
    {
        var repaired = WallarmJsonRepair.Repair(body);
        var envelope = WallarmEnvelopeScanner.Scan(repaired.Json);
        return WallarmClient.DecodeAttacks(0, repaired.Json.Span, envelope, repaired.RepairOffsets, Now);
    }

    private static WallarmAttackPage Page(string records) => Page(Encoding.UTF8.GetBytes($$"""{"status":200,"body":[{{records}}]}"""));

    private static WallarmAttack Single(string record) => Assert.Single(Page(record).Attacks);

    private static WallarmRejectedRecord Rejected(string record)
    {
        var page = Page(record);
        Assert.Empty(page.Attacks);
        return Assert.Single(page.Rejected);
    }

    [Fact]
    public void ReadAttack_DocumentedQuirks_AreAccepted()
    {
        const string json = """
            {
              "id":["attacks_production_5_202608_v_1","Xy12"],"attackid":"attacks_production_5_202608_v_1:Xy12",
              "clientid":5,"poolid":-1,"domain":"shop.example.com","path":"/api","method":"POST",
              "parameter":"POST_JSON_DOC_ARRAY_0_value","point":["post","json_doc","array",0],
              "type":"sqli","first_time":1795170000,"last_time":"1795173600","hits":61818.0,
              "ip_top":[{"ip":"2001:db8::1","count":30.0,"country":"DE"},{"ip":"203.0.113.10","count":"12"}, null],
              "vulnid":1234,"threat":80,"block_status":"totally_new_status","state":null,
              "brand_new_field":{"nested":[1,2,3]},"statuscodes":[200,"404"]
            }
            """;

        var incident = IncidentMapper.ToIncident(Single(json), 5);

        Assert.Equal(61818, incident.Hits);
        Assert.Null(incident.ApplicationId);
        Assert.Equal(1795173600, incident.LastSeen.ToUnixTimeSeconds());
        Assert.Equal("post.json_doc.array.0", incident.Point);
        Assert.Equal(["2001:db8::1", "203.0.113.10"], incident.TopIps.Select(t => t.Ip));
        Assert.Equal(12, incident.TopIps[1].Hits);
        Assert.Null(incident.TopIps[1].Country);
        Assert.Equal("totally_new_status", incident.BlockStatus);
        Assert.Equal(IncidentStatus.Unknown, incident.Status);
        Assert.Equal(["200", "404"], incident.StatusCodes);
        Assert.Null(incident.ReadNotes);
        Assert.False(incident.TimesReversed);
    }

    [Fact]
    public void ReadAttack_OptionalFieldsMissing_GivesDefaults()
    {
        var incident = IncidentMapper.ToIncident(Single("""{"id":["i","d"],"first_time":1795170000,"last_time":1795170001,"vulnid":7}"""), 9);

        Assert.Equal("i:d", incident.Id);
        Assert.Equal(9, incident.TenantId);
        Assert.Equal("unknown", incident.AttackType);
        Assert.Equal(0, incident.Hits);
        Assert.Empty(incident.TopIps);
        Assert.Null(incident.Domain);
    }

    [Theory]
    [InlineData("blocked", IncidentStatus.Blocked)]
    [InlineData("monitored", IncidentStatus.Monitoring)]
    [InlineData("MONITORING", IncidentStatus.Monitoring)]
    [InlineData("partially_blocked", IncidentStatus.PartiallyBlocked)]
    [InlineData("partial", IncidentStatus.PartiallyBlocked)]
    [InlineData(null, IncidentStatus.Unknown)]
    public void ParseStatus_KnownAndUnknownValues_MapToConsoleStatuses(string? blockStatus, IncidentStatus expected)
        => Assert.Equal(expected, Incident.ParseStatus(blockStatus));

    [Theory]
    [InlineData("attackid")]
    [InlineData("domain")]
    [InlineData("path")]
    [InlineData("method")]
    [InlineData("parameter")]
    [InlineData("type")]
    [InlineData("target")]
    [InlineData("block_status")]
    [InlineData("state")]
    public void ReadAttack_UnpairedSurrogateInAStringField_BecomesReplacementCharacterAndIsNoted(string field)
    {
        var record = $$"""{"id":["i","d1"],"{{field}}":"x\ud800y","first_time":1795170000,"last_time":1795173600,"vulnid":7}""";

        var attack = Single(record);

        if (field == "attackid")
        {
            // A damaged attackid would file the record under another id than its clean copies: the id pair wins.
            Assert.Equal("i:d1", attack.Id);
            Assert.Contains("U+FFFD", attack.ReadNotes, StringComparison.Ordinal);
            return;
        }

        var value = field switch
        {
            "domain" => attack.Domain,
            "path" => attack.Path,
            "method" => attack.Method,
            "parameter" => attack.Parameter,
            "type" => attack.Type,
            "target" => attack.Target,
            "block_status" => attack.BlockStatus,
            _ => attack.State,
        };
        Assert.Equal("x\uFFFDy", value);
        Assert.Contains("U+FFFD", attack.ReadNotes, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\\udc00", "\uFFFD")]
    [InlineData("\\ud83d\\ude00", "😀")]
    [InlineData("\\ud83d\\u0041", "\uFFFDA")]
    [InlineData("\\ud83d", "\uFFFD")]
    [InlineData("\\x41", "\\x41")]
    [InlineData("\\\\ud800", "\\ud800")]
    [InlineData("\\\\\\ud800", "\\\uFFFD")]
    public void Repair_Escapes_KeepsPairsAndReplacesWhatCannotBeDecoded(string escaped, string expected)
    {
        var attack = Single($$"""{"id":["i","d1"],"domain":"{{escaped}}","first_time":1795170000,"last_time":1795173600,"vulnid":7}""");

        Assert.Equal(expected, attack.Domain);
    }

    [Fact]
    public void ReadAttack_InvalidUtf8AndRawControls_AreReplacedOnlyInTheirRecord()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"status":200,"body":[{{Good}},{"id":["i","d2"],"path":"/a?b""").Concat(new byte[] { 0xFF, 0xC3, 0x28, 0x01 })
            .Concat(Encoding.UTF8.GetBytes("""/日本","first_time":1795170000,"last_time":1795173600,"vulnid":7}]}""")).ToArray();

        var page = Page(body);

        Assert.Equal(2, page.Attacks.Count);
        Assert.Null(page.Attacks[0].ReadNotes);
        Assert.Equal("/a?b\uFFFD\uFFFD(\u0001/日本", page.Attacks[1].Path);
        Assert.Contains("U+FFFD", page.Attacks[1].ReadNotes, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadAttack_ReversedTimes_AreSwappedAndFlagged()
    {
        var attack = Single("""{"id":["i","d"],"first_time":1795173600,"last_time":1795170000,"vulnid":7}""");

        Assert.Equal(1795170000, attack.FirstTime);
        Assert.Equal(1795173600, attack.LastTime);
        Assert.True(attack.TimesReversed);
        Assert.Contains("reversed", attack.ReadNotes, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadAttack_NumbersAsStringsAndFloats_AreRead()
    {
        var attack = Single("""{"id":["i","d"],"first_time":"1795170000","last_time":1795173600.0,"hits":"42","vulnid":"7","threat":" 80 "}""");

        Assert.Equal((1795170000L, 1795173600L, 42L, 7L, 80L), (attack.FirstTime, attack.LastTime, attack.Hits!.Value, attack.VulnId!.Value, attack.Threat!.Value));
        Assert.Null(attack.ReadNotes);
    }

    [Fact]
    public void ReadAttack_UnusableShapeInAFieldThatIsNotNeeded_LeavesItOutAndSaysSo()
    {
        var attack = Single("""{"id":["i","d"],"domain":{"a":1},"hits":"lots","ip_top":"x","first_time":1795170000,"last_time":1795173600,"vulnid":7}""");

        Assert.Null(attack.Domain);
        Assert.Null(attack.Hits);
        Assert.Empty(attack.IpTop);
        Assert.Equal("left out: domain (object), hits (text 'lots'), ip_top (text)", attack.ReadNotes);
    }

    [Theory]
    [InlineData("""{"domain":"x","first_time":1795170000,"last_time":1795173600,"vulnid":7}""", "no id")]
    [InlineData("""{"id":["i","d"],"first_time":"yesterday","last_time":1795173600,"vulnid":7}""", "'first_time' is unusable (text 'yesterday')")]
    [InlineData("""{"id":["i","d"],"last_time":1795173600,"vulnid":7}""", "'first_time' is missing")]
    [InlineData("""{"id":["i","d"],"first_time":0,"last_time":1795173600,"vulnid":7}""", "not a plausible time")]
    [InlineData("""{"id":["i","d"],"first_time":1795170000,"last_time":1895173600,"vulnid":7}""", "not a plausible time")]
    [InlineData("""{"id":["i","d"],"first_time":1795170000,"last_time":1795173600,"vulnid":{"id":7}}""", "'vulnid' is unusable")]
    [InlineData("""{"id":["i","d"],"hits":NaN,"first_time":1795170000,"last_time":1795173600,"vulnid":7}""", "not valid JSON")]
    [InlineData("null", "the record is null")]
    [InlineData("[1,2]", "not an object")]
    public void ReadAttack_RecordThatCannotBeStored_IsRejectedWithTheReason(string record, string reason)
        => Assert.Contains(reason, Rejected(record).Reason, StringComparison.Ordinal);

    /// <summary>A record with every field the reader knows, in the shapes Wallarm sends.</summary>
    private const string Rich = """{"id":["i","d2"],"attackid":"i:d2","clientid":5,"domain":"shop.example.com","path":"/api/v1/items?id=1","method":"POST","parameter":"POST_JSON_DOC_value","point":["post","json_doc",0],"type":"sqli","first_time":1795170000,"last_time":"1795173600","hits":61818.0,"ip_top":[{"ip":"2001:db8::1","count":30,"country":"DE"},{"ip":"203.0.113.10","count":"12"}],"ip_count":2,"vulnid":1234,"threat":80,"block_status":"blocked","state":null,"statuscodes":[200,"404"],"payload_count":3}""";

    /// <summary>
    /// Bytes the cloud could send that our simulator never does: JSON structure, escapes, quotes, invalid UTF-8, NUL
    /// and controls, digits and signs, a lone surrogate's escape.
    /// </summary>
    private static readonly byte[][] Hostile = [.. new[] { "\"", "\\", "{", "}", "[", "]", ",", ":", "\\u", "\\ud800", "\0", "\u001f", "-", "1e999", "0", "null", "true", " " }
        .Select(Encoding.UTF8.GetBytes), [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]];

    [Fact]
    public void ReadAttack_RandomlyMutatedRecord_IsReadOrRejectedOrThePageIsAFormatError()
    {
        // Whatever a record turns into, reading it ends one of three ways: a page that cannot be parsed at all (a
        // FormatException, which the pull reports and retries), or each record read or rejected with a reason. Nothing
        // else may escape, and a record read must map to a row.
        var random = new Random(20261202);
        var rich = Encoding.UTF8.GetBytes(Rich);
        for (var round = 0; round < 3_000; round++)
        {
            var record = Mutate(rich, random, 1 + random.Next(4));
            WallarmAttackPage page;
            try
            {
                page = PageAround(record);
            }
            catch (FormatException)
            {
                continue;
            }

            var text = Encoding.UTF8.GetString(record);
            Assert.True(page.Rejected.All(r => r.Reason.Length > 0), text);
            foreach (var attack in page.Attacks)
            {
                var incident = IncidentMapper.ToIncident(attack, 5);
                var row = IncidentEntity.From(incident, "5_2026-11-20", "2026-11-20", "UTC", DateTimeOffset.UnixEpoch.AddSeconds(Now));
                Assert.False(string.IsNullOrEmpty(row.RowKey), text);
            }
        }
    }

    [Fact]
    public void ReadAttack_MutationsInsideAStringValue_LeaveTheOtherRecordsRead()
    {
        // Inside a string value nothing the cloud sends (escapes, controls, invalid UTF-8, brackets) may cost the
        // page: the record around it is read or rejected on its own and its neighbours are read.
        var random = new Random(42);
        var prefix = Encoding.UTF8.GetBytes("""{"attackid":"i:d2","domain":"x","path":"/""");
        var suffix = Encoding.UTF8.GetBytes(""" ","first_time":1795170000,"last_time":1795173600,"vulnid":7}""");
        for (var round = 0; round < 2_000; round++)
        {
            var value = new List<byte>();
            for (var n = random.Next(1, 6); n > 0; n--) value.AddRange(Hostile[random.Next(Hostile.Length)].Where(b => b != (byte)'"'));
            if (value.Count > 0 && value[^1] == (byte)'\\') value.Add((byte)'x'); // a lone trailing backslash would escape the closing quote
            var record = prefix.Concat(value).Concat(suffix).ToArray();

            var page = PageAround(record);

            var text = Encoding.UTF8.GetString(record);
            Assert.Equal(3, page.Records);
            Assert.Contains("i:d1", page.Attacks.Select(a => a.Id));
            Assert.Contains("i:d3", page.Attacks.Select(a => a.Id));
            Assert.True(page.Attacks.Any(a => a.Id == "i:d2") || page.Rejected.Any(r => r.Id == "i:d2"), text);
        }
    }

    /// <summary>A page of <paramref name="record"/> between two good records (i:d1 before it, i:d3 after it).</summary>
    private static WallarmAttackPage PageAround(byte[] record)
        => Page([.. Encoding.UTF8.GetBytes("""{"status":200,"body":[""" + Good + ","), .. record, .. Encoding.UTF8.GetBytes("," + Good.Replace("d1", "d3", StringComparison.Ordinal) + "]}")]);

    /// <summary>Replaces, inserts or deletes <paramref name="edits"/> spans of <paramref name="record"/>.</summary>
    private static byte[] Mutate(byte[] record, Random random, int edits)
    {
        var bytes = record.ToList();
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            var hostile = Hostile[random.Next(Hostile.Length)];
            switch (random.Next(3))
            {
                case 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(3)));
                    break;
                case 1:
                    bytes.InsertRange(at, hostile);
                    break;
                default:
                    bytes.RemoveAt(at);
                    bytes.InsertRange(at, hostile);
                    break;
            }
        }

        return [.. bytes];
    }

    [Fact]
    public void ReadAttack_BrokenRecordAmongGoodOnes_IsIsolatedAndKeepsItsIdAndRawText()
    {
        var page = Page(Good + """,{"attackid":"i:bad","hits":<html>oops</html>,"first_time":1795170000},""" + Good.Replace("d1", "d3", StringComparison.Ordinal));

        Assert.Equal(["i:d1", "i:d3"], page.Attacks.Select(a => a.Id));
        var bad = Assert.Single(page.Rejected);
        Assert.Equal(1, bad.Index);
        Assert.Equal("i:bad", bad.Id);
        Assert.Equal("i:bad", bad.Key);
        Assert.Contains("<html>oops</html>", bad.RawJson, StringComparison.Ordinal);
        Assert.Equal(64, bad.Fingerprint.Length);
    }

    [Fact]
    public void ReadAttack_HugeRecord_IsRejectedWithItsIdAndBoundedRawText()
    {
        var huge = new string('A', 1024 * 1024);
        var bad = Rejected($$"""{"attackid":"i:huge","path":"/{{huge}}","first_time":1795170000,"last_time":1795173600,"vulnid":7}""");

        Assert.Contains("over the 256 KiB", bad.Reason, StringComparison.Ordinal);
        Assert.Equal("i:huge", bad.Id);
        Assert.True(bad.RawJson.Length <= WallarmRecordReader.MaxRawChars + 40, $"{bad.RawJson.Length} characters kept");
        Assert.Contains("truncated", bad.RawJson, StringComparison.Ordinal);
        Assert.True(bad.RawBytes > 1024 * 1024);
    }

    [Fact]
    public void ReadAttack_RecordWithoutId_IsKeyedByItsFingerprint()
    {
        var bad = Rejected("""{"domain":"x","first_time":1795170000,"last_time":1795173600,"vulnid":7}""");

        Assert.Null(bad.Id);
        Assert.Equal("sha256:" + bad.Fingerprint, bad.Key);
    }

    [Theory]
    [InlineData("""{"status":200,"body":[{"id":["i","d"]""")]
    [InlineData("""{"status":200,"body":[{"id":["i","d"],"path":"/unterminated""")]
    [InlineData("""<html>502 Bad Gateway</html>""")]
    [InlineData("")]
    [InlineData("""{"status":200,"body":[]} trailing""")]
    public void Scan_PageThatIsNotJsonOrIsCutOff_IsAFormatError(string body)
        => Assert.Throws<FormatException>(() => WallarmEnvelopeScanner.Scan(WallarmJsonRepair.Repair(Encoding.UTF8.GetBytes(body)).Json));

    [Fact]
    public void Scan_EnvelopeMembers_AreReadInAnyOrderWithUnknownOnes()
    {
        var envelope = WallarmEnvelopeScanner.Scan(Encoding.UTF8.GetBytes("""{"cursor":"abc","extra":{"a":[1,"]"]},"body":[{"a":"}"} , 2 ,null],"status":"200"}"""));

        Assert.Equal(200, envelope.Status);
        Assert.Equal("abc", envelope.Cursor);
        Assert.True(envelope.BodyIsArray);
        Assert.Equal(3, envelope.Elements.Count);
    }

    [Fact]
    public void ReadAttack_PrettyPrintedPage_IsReadWithoutRepairs()
    {
        var page = Page(Encoding.UTF8.GetBytes("{\n  \"status\": 200,\n  \"body\": [\n    " + Good + ",\r\n\t" + Good.Replace("d1", "d2", StringComparison.Ordinal) + "\n  ]\n}\n"));

        Assert.Equal(["i:d1", "i:d2"], page.Attacks.Select(a => a.Id));
        Assert.All(page.Attacks, a => Assert.Null(a.ReadNotes));
    }

    [Fact]
    public void Repair_CleanText_IsNotCopied()
    {
        var body = Encoding.UTF8.GetBytes("""{"status":200,"body":[{"path":"/日本\u00e9\"q\""}]}""");

        var repaired = WallarmJsonRepair.Repair(body);

        Assert.False(repaired.Changed);
        Assert.True(repaired.Json.Span.SequenceEqual(body));
    }

    [Fact]
    public void ReadVulnerability_BadTitle_IsRepairedAndOthersKeepTheirs()
    {
        var body = Encoding.UTF8.GetBytes("""{"status":200,"body":[{"id":1,"title":"SQLi \ud800 in login"},{"id":2,"title":"XSS"},{"title":"no id"}]}""");
        var repaired = WallarmJsonRepair.Repair(body);
        var envelope = WallarmEnvelopeScanner.Scan(repaired.Json);

        var read = envelope.Elements.Select(r => (Vuln: WallarmRecordReader.ReadVulnerability(repaired.Json.Span[r], out var problem), Problem: problem)).ToList();

        Assert.Equal("SQLi \uFFFD in login", read[0].Vuln!.Title);
        Assert.Equal("XSS", read[1].Vuln!.Title);
        Assert.Null(read[2].Vuln);
        Assert.Equal("a record without an id", read[2].Problem);
    }
}
