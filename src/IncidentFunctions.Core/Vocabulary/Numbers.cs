using System.Globalization;

namespace IncidentFunctions.Vocabulary;

/// <summary>
/// Counts, shares and changes against the previous period as every output writes them: invariant culture, thousands
/// separated (<c>18,734</c>), a true minus sign (<c>−3</c>), percentages with at most one decimal.
/// </summary>
public static class Numbers
{
    private const string Minus = "\u2212";
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Number(long value) => value < 0 ? Minus + (-value).ToString("N0", Invariant) : value.ToString("N0", Invariant);

    /// <summary>A count with its noun: <c>1 hit</c>, <c>1,204 hits</c>.</summary>
    public static string Count(long value, string one, string many) => $"{Number(value)} {(value == 1 ? one : many)}";

    /// <summary>A share of a whole as a percentage: <c>12.5%</c>, <c>1,250%</c>.</summary>
    public static string Percent(double share) => share.ToString("#,0.#%", Invariant);

    /// <summary>
    /// Change against the previous period: <c>+12 (+25%)</c>, <c>−3 (−10%)</c>, <c>no change</c>, or <c>+5 (new)</c>
    /// when the previous value was zero.
    /// </summary>
    public static string Change(long current, long previous)
    {
        var delta = current - previous;
        if (delta == 0) return "no change";
        var sign = delta > 0 ? "+" : Minus;
        var abs = Math.Abs(delta).ToString("N0", Invariant);
        if (previous == 0) return $"{sign}{abs} (new)";
        var pct = Percent(Math.Abs((double)delta / previous));
        return $"{sign}{abs} ({sign}{pct})";
    }

    /// <summary>Change of a share in percentage points: <c>+2.5 pp</c>, <c>no change</c>.</summary>
    public static string ChangePoints(double current, double previous)
    {
        var delta = (current - previous) * 100;
        if (Math.Abs(delta) < 0.05) return "no change";
        return string.Create(Invariant, $"{(delta > 0 ? "+" : Minus)}{Math.Abs(delta):0.#} pp");
    }
}
