using IncidentFunctions.Vocabulary;

namespace IncidentFunctions.Channels;

/// <summary>
/// The lines every chat renderer shows for one incident, with the untrusted parts kept apart so each platform can wrap
/// them in its inert form (code span, TextRun) and the rest in its own markup.
/// </summary>
internal static class IncidentLines
{
    public const int AttackTypeChars = 40;
    public const int TargetChars = 160;
    public const int IssueChars = 160;
    public const int IpChars = 64;
    public const int CountryChars = 40;
    public const int SourceTypeChars = 30;
    public const int ListChars = 40;
    public const int MaxLists = 3;

    /// <summary>Method, domain and path as one untrusted string.</summary>
    public static string? Target(IncidentSummary i)
    {
        var target = i.Target;
        if (target.Length == 0) return null;
        return string.IsNullOrWhiteSpace(i.Method) ? target : $"{i.Method} {target}";
    }

    /// <summary>Status and hits: app-built text.</summary>
    public static string Headline(IncidentSummary i) => $"{Labels.Status(i.Status)} · {Numbers.Count(i.Hits, "hit", "hits")}";

    public static string Issue(IncidentSummary i) => i.SecurityIssue ?? (i.VulnerabilityId > 0 ? Labels.UnnamedIssue(i.VulnerabilityId) : "");

    /// <summary>The untrusted parts of the top-IP line, in order: IP, country, source type; null parts are absent.</summary>
    public static IEnumerable<(string Text, int Max)> SourceParts(IncidentSummary i)
    {
        if (ChatText.Ip(i.TopIp) is { Length: > 0 } ip) yield return (ip, IpChars);
        if (!string.IsNullOrWhiteSpace(i.Country)) yield return (i.Country, CountryChars);
        if (!string.IsNullOrWhiteSpace(i.SourceType)) yield return (i.SourceType, SourceTypeChars);
    }

    public static IReadOnlyList<string> Lists(IncidentSummary i) => i.MaliciousLists.Where(l => !string.IsNullOrWhiteSpace(l)).Take(MaxLists).ToList();

    public const string MaliciousLabel = "listed malicious:";
}
