using IncidentFunctions.Text;

namespace IncidentFunctions.Reports;

/// <summary>
/// The handling marking (<see cref="ReportOptions.Marking"/>, e.g. TLP:AMBER) as every output shows it: at the right of
/// each PDF page's header and footer and first in the PDF's title and keywords, and in front of the first line of what
/// is not a page (a digest's or alert's title, an email's subject, the archive page's title), as the Traffic Light
/// Protocol asks of a labelled message.
/// </summary>
public static class ReportMarking
{
    /// <summary>The marking as printed: trimmed, control and invisible characters shown as escapes (as attacker text is); null for none.</summary>
    public static string? Of(ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.Marking) ? null : UntrustedText.Sanitize(options.Marking.Trim(), ReportOptions.MaxMarkingChars);
    }

    /// <summary>"[TLP:AMBER] <paramref name="line"/>", or the line as it is without a marking.</summary>
    public static string Prefixed(string? marking, string line) => marking is null ? line : $"[{marking}] {line}";

    /// <summary>"TLP:AMBER, <paramref name="list"/>" (a PDF's keywords), or the list as it is without a marking.</summary>
    public static string Listed(string? marking, string list) => marking is null ? list : $"{marking}, {list}";
}
