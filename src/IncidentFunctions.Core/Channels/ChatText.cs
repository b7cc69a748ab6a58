using System.Net;
using System.Text.RegularExpressions;
using IncidentFunctions.Text;

namespace IncidentFunctions.Channels;

/// <summary>
/// Makes untrusted text inert in chat. Renderers only ever place such text inside a code span (Slack, Discord) or a
/// plain TextRun (Teams), after <see cref="Neutralize"/>: mentions cannot ping (<c>@</c> becomes the full-width
/// <c>＠</c>), and URLs or host names cannot become links (<c>://</c> → <c>[:]//</c>, <c>example.com</c> →
/// <c>example[.]com</c>, the "defanged" form security teams already read). Fallback texts that show in notifications
/// carry none of it.
/// </summary>
internal static partial class ChatText
{
    public const string Empty = "—";

    /// <summary>
    /// Sanitises (controls, bidi, marks), applies a renderer's <paramref name="substitute"/>, defangs and breaks
    /// mentions (<see cref="UntrustedText.Inert"/>), bounded to <paramref name="maxChars"/>: the form every chat renderer
    /// starts from. The result never exceeds the bound, so a renderer never has to cut through the code span or
    /// TextRun it puts the text in.
    /// </summary>
    public static string Neutralize(string? value, int maxChars, Func<string, string>? substitute = null) => UntrustedText.Inert(value, maxChars, substitute: substitute);

    /// <summary>Slack mrkdwn inline code: no formatting, links or mentions inside; <c>&amp; &lt; &gt;</c> escaped as Slack requires.</summary>
    public static string SlackCode(string? value, int maxChars)
    {
        // The backtick substitution runs before defanging, so "```.example" cannot become a live-looking "ˋˋˋ.example".
        var text = Neutralize(value, maxChars, NoBackticks);
        return text.Length == 0 ? Empty : "`" + SlackEscape(text) + "`";
    }

    /// <summary>Escapes the three characters Slack reserves for links and mentions (<c>&lt;!channel&gt;</c>, <c>&lt;@U…&gt;</c>, <c>&lt;url|label&gt;</c>).</summary>
    public static string SlackEscape(string text)
        => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>A Slack link to a URL the app built itself (never attacker text), with a plain label.</summary>
    public static string SlackLink(Uri url, string label)
        => $"<{SlackEscape(url.AbsoluteUri).Replace("|", "%7C", StringComparison.Ordinal)}|{SlackEscape(label)}>";

    /// <summary>A backtick would end a code span: the modifier letter grave accent looks the same and does not.</summary>
    private static string NoBackticks(string text) => text.Replace('`', 'ˋ');

    /// <summary>Discord inline code: markdown, masked links and mentions are not parsed inside.</summary>
    public static string DiscordCode(string? value, int maxChars)
    {
        var text = Neutralize(value, maxChars, NoBackticks);
        return text.Length == 0 ? Empty : "`" + text + "`";
    }

    /// <summary>Teams TextRun text: TextRuns render no markdown; only defanging and bounds are needed.</summary>
    public static string TeamsRun(string? value, int maxChars)
    {
        var text = Neutralize(value, maxChars);
        return text.Length == 0 ? Empty : text;
    }

    /// <summary>Trusted (app-built) text for a Discord embed: backslash-escapes markdown in operator-configured strings such as the title.</summary>
    public static string DiscordEscape(string text) => DiscordMarkdown().Replace(text, @"\$0");

    /// <summary>The top IP as an address when it parses as one; otherwise as untrusted text.</summary>
    public static string? Ip(string? ip) => ip is not null && IPAddress.TryParse(ip, out var parsed) ? parsed.ToString() : ip;

    /// <summary>Cuts app-built text to <paramref name="max"/> characters with an ellipsis, never inside a surrogate pair.</summary>
    public static string Bound(string text, int max)
    {
        if (text.Length <= max) return text;
        var keep = max - 1;
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1])) keep--;
        return string.Concat(text.AsSpan(0, keep), "…");
    }

    [GeneratedRegex(@"[\\*_~`|>#\-\[\]()<:]")]
    private static partial Regex DiscordMarkdown();
}
