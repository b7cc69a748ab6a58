using System.Net;

namespace IncidentFunctions.Channels;

/// <summary>How the connection to the SMTP server is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain connection upgraded with STARTTLS, which the server must offer (port 587: Azure Communication Services, Microsoft 365, SendGrid).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,

    /// <summary>No encryption: only to a server on this machine (a local relay, maildev in tests and the demo).</summary>
    None,
}

/// <summary>
/// An <see cref="ChannelKind.Email"/> channel's server, sender and recipients (<c>Digest:Channels:{i}:Email</c>).
/// Address lists are comma-separated (<c>soc@example.com, "Lead" &lt;lead@example.com&gt;</c>) so one app setting
/// holds each.
/// </summary>
public sealed class EmailOptions
{
    public const int DefaultMaxAttachmentBytes = 5 * 1024 * 1024;

    public string To { get; set; } = "";

    public string Cc { get; set; } = "";

    /// <summary>Receivers of a copy whose addresses no other receiver sees.</summary>
    public string Bcc { get; set; } = "";

    /// <summary>The sender address; the relay must allow it (ACS: a verified domain's sender, Microsoft 365: the mailbox).</summary>
    public string From { get; set; } = "";

    /// <summary>Display name of the sender.</summary>
    public string FromName { get; set; } = "Incident digest";

    /// <summary>SMTP server host name, e.g. <c>smtp.azurecomm.net</c>, <c>smtp.office365.com</c>, <c>smtp.sendgrid.net</c>.</summary>
    public string Host { get; set; } = "";

    /// <summary>Port; by default 587 for <see cref="SmtpSecurity.StartTls"/>, 465 for <see cref="SmtpSecurity.SslOnConnect"/>, 25 for <see cref="SmtpSecurity.None"/>.</summary>
    public int? Port { get; set; }

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>SMTP user name; empty sends without authenticating (a relay that trusts the network).</summary>
    public string? UserName { get; set; }

    /// <summary>SMTP password or API key: a secret (a Key Vault reference in Azure), never logged or shown.</summary>
    public string? Password { get; set; }

    /// <summary>The day's PDF is attached up to this size; a larger one is only linked (the link is in every message).</summary>
    public long MaxAttachmentBytes { get; set; } = DefaultMaxAttachmentBytes;

    /// <summary>
    /// How long one SMTP command may take, the server's answer to the message itself included (some relays scan for
    /// a while before they answer; RFC 5321 suggests clients wait minutes). At most <c>Digest:TotalTimeout</c>.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    public int EffectivePort => Port ?? Security switch
    {
        SmtpSecurity.SslOnConnect => 465,
        SmtpSecurity.None => 25,
        _ => 587,
    };

    /// <summary>True for <c>localhost</c> and loopback addresses: the only hosts <see cref="SmtpSecurity.None"/> is allowed for.</summary>
    public static bool IsLoopbackHost(string? host)
    {
        if (string.IsNullOrWhiteSpace(host)) return false;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}
