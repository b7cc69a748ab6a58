using System.Globalization;
using System.Text.Json.Serialization;
using IncidentFunctions.Enrichment.Intel;

namespace IncidentFunctions.Enrichment;

/// <summary>When the Tor exit lists named an address; <see cref="LastListed"/> is null while the latest list still names it.</summary>
public sealed record TorWindow(
    [property: JsonPropertyName("firstListed")] DateTimeOffset FirstListed,
    [property: JsonPropertyName("lastListed")] DateTimeOffset? LastListed,
    [property: JsonPropertyName("provenance")] Provenance Provenance);

/// <summary>
/// An address's profile as cached per IP: everything but Tor status, which depends on when the attack happened and is
/// judged per incident window from <see cref="Tor"/> (<see cref="SourceProfiler.Judge"/>).
/// </summary>
public sealed record CachedSource(
    [property: JsonPropertyName("profile")] SourceProfile Profile,
    [property: JsonPropertyName("tor")] TorWindow? Tor);

/// <summary>Turns an index match into a <see cref="SourceProfile"/> with provenance for every field it sets.</summary>
public static class SourceProfiler
{
    public const string SourceTypeField = "sourceType";

    public static CachedSource Profile(string ip, IntelIndex index, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (!IpNumber.TryParse(ip, out var address)) throw new ArgumentException($"'{ip}' is not an IP address.", nameof(ip));
        var match = index.Lookup(address);
        var provenance = new List<Provenance>();
        if (match.BogonReason is { } reason)
        {
            provenance.Add(new Provenance(SourceTypeField, BogonRegistry.SourceName, "RFC 6890", null, reason));
            return new CachedSource(new SourceProfile { Ip = ip, SourceType = SourceType.Private, Provenance = provenance, EnrichedAt = now, IntelVersion = index.Version }, null);
        }

        Provenance From(string field, int source, string? method = null)
        {
            var info = index.SourceInfo(source);
            return new Provenance(field, info.Name, info.DatasetVersion, info.DatasetDate ?? info.FetchedAt, method);
        }

        string? countryCode = null, countryName = null, region = null, city = null;
        if (match.Geo >= 0)
        {
            var (source, geo) = index.GeoValues[match.Geo];
            countryCode = geo.CountryCode;
            countryName = geo.CountryName ?? CountryNames.NameOf(geo.CountryCode);
            provenance.Add(From("country", source));
            if (geo.Region is not null)
            {
                region = geo.Region;
                provenance.Add(From("region", source));
            }

            if (geo.City is not null)
            {
                city = geo.City;
                provenance.Add(From("city", source));
            }
        }

        long? asn = null;
        string? organization = null;
        var asnClass = AsnClass.None;
        var asnSource = -1;
        if (match.Asn >= 0)
        {
            var (source, value, classification) = index.AsnValues[match.Asn];
            asn = value.Asn;
            organization = value.Organization;
            asnClass = classification;
            asnSource = source;
            provenance.Add(From("asn", source));
            if (organization is not null) provenance.Add(From("asOrganization", source));
        }

        // Lists: reputation lists label the address malicious; category lists (VPN, proxy…) suggest a source type.
        var malicious = new List<string>();
        IntelSourceInfo? categoryList = null;
        for (var bit = 0; bit < index.ListSources.Count; bit++)
        {
            if ((match.Lists & (1UL << bit)) == 0) continue;
            var info = index.SourceInfo(index.ListSources[bit]);
            if (info.Category is null or IntelListCategory.Malicious)
            {
                malicious.Add(info.Name);
                provenance.Add(From("maliciousLists", index.ListSources[bit]));
            }
            else if (categoryList is null || Rank(info.Category.Value) < Rank(categoryList.Category!.Value))
            {
                categoryList = info;
            }
        }

        // Source type, strongest evidence first. Tor from exit lists is judged later against the incident's time.
        var type = SourceType.Unknown;
        Provenance? typeProvenance = null;
        string? cloudProvider = null, cloudRegion = null, cloudService = null;
        if (match.Cloud >= 0)
        {
            var (source, cloud) = index.CloudValues[match.Cloud];
            cloudProvider = cloud.Provider;
            cloudRegion = cloud.Region;
            cloudService = cloud.Service;
            provenance.Add(From("cloudProvider", source, "published range list"));
        }

        var flags = match.Anonymity >= 0 ? index.AnonymityValues[match.Anonymity].Value : AnonymityTraits.None;
        var flagsSource = match.Anonymity >= 0 ? index.AnonymityValues[match.Anonymity].Source : -1;
        if ((flags & AnonymityTraits.TorExit) != 0)
        {
            (type, typeProvenance) = (SourceType.Tor, From(SourceTypeField, flagsSource, "anonymous-IP flag is_tor_exit_node"));
        }
        else if ((flags & (AnonymityTraits.PublicProxy | AnonymityTraits.ResidentialProxy)) != 0)
        {
            (type, typeProvenance) = (SourceType.PublicProxy, From(SourceTypeField, flagsSource, "anonymous-IP proxy flag"));
        }
        else if ((flags & AnonymityTraits.Vpn) != 0)
        {
            (type, typeProvenance) = (SourceType.Vpn, From(SourceTypeField, flagsSource, "anonymous-IP flag is_anonymous_vpn"));
        }
        else if (categoryList is { Category: IntelListCategory.Vpn or IntelListCategory.PublicProxy or IntelListCategory.WebProxy })
        {
            type = categoryList.Category switch
            {
                IntelListCategory.Vpn => SourceType.Vpn,
                IntelListCategory.PublicProxy => SourceType.PublicProxy,
                _ => SourceType.WebProxy,
            };
            typeProvenance = new Provenance(SourceTypeField, categoryList.Name, categoryList.DatasetVersion, categoryList.DatasetDate ?? categoryList.FetchedAt, "listed");
        }
        else if (cloudProvider is not null)
        {
            (type, typeProvenance) = (SourceType.CloudPlatform, From(SourceTypeField, index.CloudValues[match.Cloud].Source, "published range list"));
        }
        else if ((flags & AnonymityTraits.HostingProvider) != 0)
        {
            (type, typeProvenance) = (SourceType.Datacenter, From(SourceTypeField, flagsSource, "anonymous-IP flag is_hosting_provider"));
        }
        else if (categoryList is { Category: IntelListCategory.Datacenter })
        {
            type = SourceType.Datacenter;
            typeProvenance = new Provenance(SourceTypeField, categoryList.Name, categoryList.DatasetVersion, categoryList.DatasetDate ?? categoryList.FetchedAt, "listed");
        }
        else if (asnClass.SourceType != SourceType.Unknown)
        {
            type = asnClass.SourceType;
            typeProvenance = From(SourceTypeField, asnSource, string.Create(CultureInfo.InvariantCulture, $"ASN AS{asn}: {asnClass.Rule}"));
            if (type == SourceType.CloudPlatform)
            {
                cloudProvider = asnClass.Provider;
                provenance.Add(From("cloudProvider", asnSource, typeProvenance.Method));
            }
        }

        if (typeProvenance is not null) provenance.Add(typeProvenance);

        TorWindow? tor = null;
        if (match.Tor >= 0)
        {
            var entry = index.TorEntries[match.Tor];
            var listed = entry.Current ? "still listed" : string.Create(CultureInfo.InvariantCulture, $"listed until {entry.LastListed:yyyy-MM-ddTHH:mm:ssZ}");
            tor = new TorWindow(entry.FirstListed, entry.Current ? null : entry.LastListed,
                From(SourceTypeField, entry.Source, string.Create(CultureInfo.InvariantCulture, $"exit list: listed from {entry.FirstListed:yyyy-MM-ddTHH:mm:ssZ}, {listed}")));
        }

        var profile = new SourceProfile
        {
            Ip = ip,
            CountryCode = countryCode,
            CountryName = countryName,
            Region = region,
            City = city,
            Asn = asn,
            AsOrganization = organization,
            SourceType = type,
            CloudProvider = cloudProvider,
            CloudRegion = cloudRegion,
            CloudService = cloudService,
            MaliciousLists = malicious,
            Provenance = provenance,
            EnrichedAt = now,
            IntelVersion = index.Version,
        };
        return new CachedSource(profile, tor);
    }

    /// <summary>
    /// The profile for an incident window: Tor when the exit lists named the address at some point in
    /// [<paramref name="firstSeen"/>, <paramref name="lastSeen"/>], give or take <paramref name="tolerance"/> (lists are
    /// fetched periodically and relays come and go between fetches). Tor never adds a malicious label.
    /// </summary>
    public static SourceProfile Judge(CachedSource source, DateTimeOffset firstSeen, DateTimeOffset lastSeen, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(source);
        var profile = source.Profile;
        if (source.Tor is not { } tor || profile.SourceType is SourceType.Private or SourceType.Tor) return profile;
        if (lastSeen < firstSeen) (firstSeen, lastSeen) = (lastSeen, firstSeen);
        var startsBeforeEnd = tor.LastListed is not { } last || firstSeen <= last + tolerance;
        var endsAfterStart = lastSeen >= tor.FirstListed - tolerance;
        if (!startsBeforeEnd || !endsAfterStart) return profile;

        var provenance = profile.Provenance.Where(p => p.Field != SourceTypeField).Append(tor.Provenance).ToList();
        return profile with { SourceType = SourceType.Tor, Provenance = provenance };
    }

    private static int Rank(IntelListCategory category) => category switch
    {
        IntelListCategory.Vpn => 0,
        IntelListCategory.PublicProxy => 1,
        IntelListCategory.WebProxy => 2,
        _ => 3,
    };
}
