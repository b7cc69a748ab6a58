using IncidentFunctions.Wallarm;

namespace IncidentFunctions.Incidents;

/// <summary>Turns a validated Wallarm attack into an <see cref="Incident"/>.</summary>
public static class IncidentMapper
{
    public static Incident ToIncident(WallarmAttack attack, long tenantId)
    {
        var id = !string.IsNullOrEmpty(attack.AttackId) ? attack.AttackId : $"{attack.Id![0]}:{attack.Id[1]}";
        var topIps = new List<IncidentSourceIp>(attack.IpTop?.Count ?? 0);
        if (attack.IpTop is not null)
        {
            foreach (var top in attack.IpTop)
            {
                if (string.IsNullOrWhiteSpace(top?.Ip)) continue;
                topIps.Add(new IncidentSourceIp(top.Ip.Trim(), top.Count ?? 0, string.IsNullOrWhiteSpace(top.Country) ? null : top.Country.Trim()));
            }
        }

        return new Incident
        {
            TenantId = attack.ClientId ?? tenantId,
            Id = id,
            FirstSeen = DateTimeOffset.FromUnixTimeSeconds(attack.FirstTime!.Value),
            LastSeen = DateTimeOffset.FromUnixTimeSeconds(attack.LastTime!.Value),
            AttackType = string.IsNullOrWhiteSpace(attack.Type) ? "unknown" : attack.Type.Trim(),
            Domain = attack.Domain,
            Path = attack.Path,
            Method = attack.Method,
            Parameter = attack.Parameter,
            Point = attack.Point is { Length: > 0 } ? string.Join('.', attack.Point) : null,
            ApplicationId = attack.PoolId is null or < 0 ? null : attack.PoolId,
            Hits = Math.Max(0, attack.Hits ?? attack.HitsCountByFilter ?? 0),
            IpCount = Math.Max(attack.IpCount ?? 0, topIps.Count),
            TopIps = topIps,
            StatusCodes = attack.StatusCodes ?? [],
            VulnerabilityId = attack.VulnId ?? 0,
            Threat = attack.Threat,
            Target = attack.Target,
            PayloadCount = attack.VectorsCount,
            BlockStatus = attack.BlockStatus,
            Status = Incident.ParseStatus(attack.BlockStatus),
            State = string.IsNullOrWhiteSpace(attack.State) ? null : attack.State,
        };
    }
}
