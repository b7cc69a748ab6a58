using MimeKit;

namespace IncidentFunctions.Channels;

/// <summary>
/// Parses the configured addresses of an Email channel. Only plain mailboxes: no groups, no line breaks or control
/// characters (addresses end up in headers), each with an <c>@</c> and a domain.
/// </summary>
internal static class EmailAddresses
{
    public const int MaxRecipients = 50;

    public static bool TryParseMailbox(string? text, out MailboxAddress mailbox)
    {
        mailbox = null!;
        if (!TryParseList(text, out var list) || list.Count != 1) return false;
        mailbox = list[0];
        return true;
    }

    /// <summary>An empty or blank text is an empty list.</summary>
    public static bool TryParseList(string? text, out IReadOnlyList<MailboxAddress> mailboxes)
    {
        mailboxes = [];
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (text.Any(char.IsControl)) return false;
        if (!InternetAddressList.TryParse(ParserOptions.Default, text, out var parsed)) return false;
        var list = new List<MailboxAddress>();
        foreach (var address in parsed)
        {
            if (address is not MailboxAddress mailbox || mailbox.Route.Count > 0) return false;
            var at = mailbox.Address.LastIndexOf('@');
            if (at <= 0 || at == mailbox.Address.Length - 1) return false;
            list.Add(mailbox);
        }

        mailboxes = list;
        return true;
    }

    /// <summary>A host name or IP literal, without scheme, port, path or spaces.</summary>
    public static bool TryParseHost(string? host)
        => !string.IsNullOrWhiteSpace(host) && host.Length <= 253 && Uri.CheckHostName(host.Trim('[', ']')) != UriHostNameType.Unknown;
}
