using System.Collections.Concurrent;
using System.Globalization;

namespace IncidentFunctions.Enrichment.Intel;

/// <summary>English country names for ISO 3166-1 alpha-2 codes, for databases that carry codes only (ip-location-db).</summary>
public static class CountryNames
{
    private static readonly ConcurrentDictionary<string, string?> Names = new(StringComparer.OrdinalIgnoreCase);

    public static string? NameOf(string? code)
    {
        if (code is not { Length: 2 } || !char.IsAsciiLetter(code[0]) || !char.IsAsciiLetter(code[1])) return null;
        return Names.GetOrAdd(code, static c =>
        {
            try
            {
                var region = new RegionInfo(c);
                // RegionInfo also accepts culture names; only an exact two-letter match is the country asked for.
                return string.Equals(region.TwoLetterISORegionName, c, StringComparison.OrdinalIgnoreCase) ? region.EnglishName : null;
            }
            catch (ArgumentException)
            {
                // Codes such as EU or AP (regional registries' pseudo-countries) have no region.
                return null;
            }
        });
    }
}
