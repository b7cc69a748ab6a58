using IncidentFunctions.Wallarm;

namespace IncidentFunctions.Incidents;

/// <summary>Turns a Wallarm attack (read and checked by <see cref="WallarmRecordReader"/>) into an <see cref="Incident"/>.</summary>
public static class IncidentMapper
{
    public static Incident ToIncident(WallarmAttack attack, long tenantId)
    {
        ArgumentNullException.ThrowIfNull(attack);
        var topIps = new List<IncidentSourceIp>(attack.IpTop.Count);
        foreach (var top in attack.IpTop)
        {
            if (string.IsNullOrWhiteSpace(top.Ip)) continue;
            topIps.Add(new IncidentSourceIp(top.Ip.Trim(), top.Count ?? 0, string.IsNullOrWhiteSpace(top.Country) ? null : top.Country.Trim()));
        }

        return new Incident
        {
            TenantId = attack.ClientId ?? tenantId,
            Id = attack.Id,
            FirstSeen = DateTimeOffset.FromUnixTimeSeconds(attack.FirstTime),
            LastSeen = DateTimeOffset.FromUnixTimeSeconds(attack.LastTime),
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
            TimesReversed = attack.TimesReversed,
            ReadNotes = attack.ReadNotes,
        };
    }
}
