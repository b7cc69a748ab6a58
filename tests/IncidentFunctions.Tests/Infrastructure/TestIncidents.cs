using IncidentFunctions.Incidents;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>The ordinary incident the storage-backed tests seed: one SQL injection on one shop path from one IP.</summary>
internal static class TestIncidents
{
    public static Incident Sqli(
        long tenant,
        string id,
        DateTimeOffset first,
        TimeSpan duration,
        long hits = 5,
        string ip = "203.0.113.9",
        string path = "/api/orders",
        string? method = null,
        long vulnerability = 11,
        IncidentStatus status = IncidentStatus.Blocked) => new()
    {
        TenantId = tenant,
        Id = id,
        FirstSeen = first,
        LastSeen = first + duration,
        AttackType = "sqli",
        Domain = "shop.example.com",
        Path = path,
        Method = method,
        Hits = hits,
        IpCount = 1,
        TopIps = [new IncidentSourceIp(ip, hits, "NL")],
        VulnerabilityId = vulnerability,
        Status = status,
    };
}
