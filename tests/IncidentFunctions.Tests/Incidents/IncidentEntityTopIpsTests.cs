using IncidentFunctions.Incidents;
using IncidentFunctions.Tests.Infrastructure;

namespace IncidentFunctions.Tests.Incidents;

/// <summary>
/// <see cref="IncidentEntity.ReadTopIps"/> reads the shape it writes with a bare JSON reader and hands anything else
/// to the serializer: either way the result is what the serializer reads.
/// </summary>
[Trait("Category", TestCategories.Unit)]
public sealed class IncidentEntityTopIpsTests
{
    public static TheoryData<string> WrittenShapes() =>
    [
        "[]",
        """[{"ip":"203.0.113.5","hits":42,"country":"NL"}]""",
        """[{"ip":"203.0.113.5","hits":42,"country":null},{"ip":"2001:db8::1","hits":0,"country":"DE"}]""",
        """ [ {"country":"FR", "hits":-3, "ip":"198.51.100.7"} ] """,
        """[{"ip":"203.0.113.5"}]""",
        """[{"ip":"\u0627\u0644\"x\\","hits":9223372036854775807,"country":"\u202E"}]""",
    ];

    public static TheoryData<string> OtherShapes() =>
    [
        "",
        "null",
        "{}",
        "[1]",
        "[{}]",
        """[{"ip":null,"hits":1}]""",
        """[{"ip":"a","hits":1.5}]""",
        """[{"ip":"a","hits":"7"}]""",
        """[{"ip":"a","hits":1e3}]""",
        """[{"ip":"a","ip":"b"}]""",
        """[{"Ip":"a","hits":1}]""",
        """[{"ip":"a","extra":{"nested":[1,2]}}]""",
        """[{"ip":"a"}] trailing""",
        """[{"ip":"a"},]""",
        """[{"ip":"a"} /* note */]""",
        """[{"ip":"é","hits":1}]""",
        """[{"ip":"a","hits":99999999999999999999}]""",
        """[{"ip":"a","hits":1}""",
    ];

    [Theory]
    [MemberData(nameof(WrittenShapes))]
    public void TryReadTopIpsFast_WrittenShape_ReadsWhatTheSerializerReads(string json)
    {
        var fast = IncidentEntity.TryReadTopIpsFast(json);

        Assert.NotNull(fast);
        Assert.Equal(IncidentEntity.ReadTopIpsSerialized(json), fast);
    }

    [Theory]
    [MemberData(nameof(OtherShapes))]
    public void ReadTopIps_OtherShape_LeftToTheSerializer(string json)
    {
        Assert.Null(IncidentEntity.TryReadTopIpsFast(json));
        Assert.Equal(IncidentEntity.ReadTopIpsSerialized(json), new IncidentEntity { TopIpsJson = json }.ReadTopIps());
    }

    [Fact]
    public void ReadTopIps_RowWrittenFromHostileIncident_TakesTheFastPathAndRoundTrips()
    {
        var ips = new[]
        {
            new IncidentSourceIp("203.0.113.9", 12, "NL"),
            new IncidentSourceIp("مثال\u202E\"<script>", 3, "\u0000XX"),
            new IncidentSourceIp("2001:db8::7", 1, null),
        };
        var incident = new Incident
        {
            TenantId = 5,
            Id = "1:abc",
            FirstSeen = ManualClock.DefaultStart,
            LastSeen = ManualClock.DefaultStart,
            AttackType = "xss",
            VulnerabilityId = 0,
            TopIps = ips,
        };
        var row = IncidentEntity.From(incident, "5-20261120", "2026-11-20", "UTC", ManualClock.DefaultStart);

        Assert.NotNull(IncidentEntity.TryReadTopIpsFast(row.TopIpsJson));
        Assert.Equal(IncidentEntity.ReadTopIpsSerialized(row.TopIpsJson), row.ReadTopIps());
        Assert.Equal(ips.Select(i => i.Ip), row.ReadTopIps().Select(i => i.Ip));
    }
}
