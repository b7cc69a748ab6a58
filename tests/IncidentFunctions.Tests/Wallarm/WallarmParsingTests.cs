using System.Text.Json;
using IncidentFunctions.Incidents;
using IncidentFunctions.Wallarm;

namespace IncidentFunctions.Tests.Wallarm;

public sealed class WallarmParsingTests
{
    private static List<WallarmAttack?> Parse(string json)
        => JsonSerializer.Deserialize(json, WallarmJsonContext.Default.WallarmEnvelopeListWallarmAttack)!.Body!;

    [Fact]
    public void Deserialize_DocumentedQuirks_AreAccepted()
    {
        const string json = """
            {"status":200,"body":[{
              "id":["attacks_production_5_202608_v_1","Xy12"],"attackid":"attacks_production_5_202608_v_1:Xy12",
              "clientid":5,"poolid":-1,"domain":"shop.example.com","path":"/api","method":"POST",
              "parameter":"POST_JSON_DOC_ARRAY_0_value","point":["post","json_doc","array",0],
              "type":"sqli","first_time":1786000000,"last_time":"1786003600","hits":61818.0,
              "ip_top":[{"ip":"2001:db8::1","count":30.0,"country":"DE"},{"ip":"203.0.113.10","count":"12"}, null],
              "vulnid":1234,"threat":80,"block_status":"totally_new_status","state":null,
              "brand_new_field":{"nested":[1,2,3]},"statuscodes":[200,"404"]
            }]}
            """;

        var attack = Assert.Single(Parse(json))!;
        var incident = IncidentMapper.ToIncident(attack, 5);

        Assert.Equal(61818, incident.Hits);
        Assert.Null(incident.ApplicationId);
        Assert.Equal(1786003600, incident.LastSeen.ToUnixTimeSeconds());
        Assert.Equal("post.json_doc.array.0", incident.Point);
        Assert.Equal(["2001:db8::1", "203.0.113.10"], incident.TopIps.Select(t => t.Ip));
        Assert.Equal(12, incident.TopIps[1].Hits);
        Assert.Null(incident.TopIps[1].Country);
        Assert.Equal("totally_new_status", incident.BlockStatus);
        Assert.Equal(IncidentStatus.Unknown, incident.Status);
        Assert.Equal(["200", "404"], incident.StatusCodes);
    }

    [Fact]
    public void Deserialize_OptionalFieldsMissing_GivesDefaults()
    {
        var attack = Assert.Single(Parse("""{"status":200,"body":[{"id":["i","d"],"first_time":1,"last_time":2,"vulnid":7}]}"""))!;
        var incident = IncidentMapper.ToIncident(attack, 9);

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

    [Fact]
    public void Deserialize_NumberFieldHoldsText_Throws()
        => Assert.Throws<JsonException>(() => Parse("""{"status":200,"body":[{"id":["i","d"],"first_time":"yesterday","last_time":2}]}"""));
}
