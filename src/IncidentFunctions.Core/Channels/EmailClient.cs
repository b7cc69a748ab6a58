using System.Net.Sockets;
using IncidentFunctions.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Channels;

/// <summary>
/// Sends rendered digest emails over SMTP (MailKit), with the delivery semantics of the chat channels:
/// <list type="bullet">
/// <item>the server's 250 to the message is "delivered";</item>
/// <item>4xx answers, refused or dropped connections before the message was handed over are retried with exponential
/// back-off (<c>Digest:MaxRetries</c>, <c>RetryBaseDelay</c>, <c>RetryMaxDelay</c>, within <c>TotalTimeout</c>);</item>
/// <item>5xx answers, refused authentication and TLS failures fail at once (permanent: a retry would get the same);</item>
/// <item>a connection lost or a timeout once the message content started to flow (after the server's go-ahead to DATA)
/// is <see cref="DeliveryResult.Unknown"/>: the server may have accepted it, so it is not sent again.</item>
/// </list>
/// Nothing it logs or returns holds the password or the message; MailKit's protocol log is not used (it would log the
/// AUTH exchange). Errors name the host and the server's own (sanitised, bounded) answer.
/// </summary>
public sealed class EmailClient(IOptions<DeliveryOptions> options, TimeProvider time, ILogger<EmailClient> logger)
{
    private const int MaxErrorChars = 200;

    public async Task<DeliveryOutcome> SendAsync(ChannelOptions channel, EmailPayload payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(payload);
        var email = channel.Email ?? throw new InvalidOperationException($"Channel '{channel.Name}' has no Email settings.");
        var o = options.Value;
        using var total = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        total.CancelAfter(o.TotalTimeout);
        var attempts = 0;
        while (true)
        {
            attempts++;
            var attempt = await AttemptAsync(email, payload, total.Token, cancellationToken).ConfigureAwait(false);
            switch (attempt.Kind)
            {
                case AttemptKind.Accepted:
                    return new DeliveryOutcome(DeliveryResult.Delivered, attempt.Status, attempts, null);
                case AttemptKind.Unknown:
                    return new DeliveryOutcome(DeliveryResult.Unknown, attempt.Status, attempts, attempt.Error);
                case AttemptKind.Permanent:
                    return new DeliveryOutcome(DeliveryResult.Failed, attempt.Status, attempts, attempt.Error);
            }

            if (attempts > o.MaxRetries || total.IsCancellationRequested)
            {
                return new DeliveryOutcome(DeliveryResult.Failed, attempt.Status, attempts, attempt.Error);
            }

            var delay = Backoff(o, attempts);
            ChannelsLog.EmailRetrying(logger, channel.Name, email.Host, attempt.Error ?? "failed", attempts, delay);
            try
            {
                await Task.Delay(delay, time, total.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new DeliveryOutcome(DeliveryResult.Failed, attempt.Status, attempts, attempt.Error + "; Digest:TotalTimeout reached");
            }
        }
    }

    private static async Task<Attempt> AttemptAsync(EmailOptions email, EmailPayload payload, CancellationToken token, CancellationToken caller)
    {
        var progress = new DataProgress();
        using var smtp = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, email.Timeout.TotalMilliseconds) };
        try
        {
            await smtp.ConnectAsync(email.Host, email.EffectivePort, Socket(email.Security), token).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(email.UserName)) await smtp.AuthenticateAsync(email.UserName, email.Password ?? "", token).ConfigureAwait(false);
            var answer = await smtp.SendAsync(payload.Message, token, progress).ConfigureAwait(false);
            try
            {
                await smtp.DisconnectAsync(quit: true, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException or OperationCanceledException or SocketException)
            {
                // The message was accepted; how the session ends does not change that.
            }

            return new Attempt(AttemptKind.Accepted, 250, Bound(answer));
        }
        catch (OperationCanceledException) when (caller.IsCancellationRequested)
        {
            throw; // shutdown: the ledger keeps the delivery as "attempting" and the next run treats it as unknown
        }
        catch (SmtpCommandException ex)
        {
            var status = (int)ex.StatusCode;
            var error = $"SMTP {status} from {email.Host} ({Describe(ex.ErrorCode)}): {Bound(ex.Message)}";
            // 4xx: the server asks to try later (greylisting, rate limits, full queues); it did not take the message.
            return new Attempt(status is >= 400 and < 500 ? AttemptKind.Transient : AttemptKind.Permanent, status, error);
        }
        catch (AuthenticationException ex)
        {
            return new Attempt(AttemptKind.Permanent, null, $"{email.Host} refused the credentials (Email:UserName / Email:Password): {Bound(ex.Message)}");
        }
        catch (SslHandshakeException)
        {
            return new Attempt(AttemptKind.Permanent, null, $"TLS with {email.Host}:{email.EffectivePort} failed (certificate or protocol; check Email:Security and Email:Port)");
        }
        catch (NotSupportedException ex)
        {
            // STARTTLS required but not offered, or AUTH asked of a server without it: configuration, not a hiccup.
            return new Attempt(AttemptKind.Permanent, null, $"{email.Host}: {Bound(ex.Message)}");
        }
        catch (Exception ex) when (ex is IOException or SocketException or SmtpProtocolException or TimeoutException or OperationCanceledException)
        {
            var what = ex is OperationCanceledException or TimeoutException ? "no answer in time" : Bound(ex.Message);
            if (progress.Started)
            {
                return new Attempt(AttemptKind.Unknown, null, $"the message was sent to {email.Host} but its answer did not arrive ({what}); it may have been accepted");
            }

            return new Attempt(AttemptKind.Transient, null, smtp.IsConnected || ex is not SocketException ? $"{email.Host}: {what} before the message was sent" : $"could not connect to {email.Host}:{email.EffectivePort} ({what})");
        }
    }

    private static SecureSocketOptions Socket(SmtpSecurity security) => security switch
    {
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.None => SecureSocketOptions.None,
        _ => SecureSocketOptions.StartTls,
    };

    private static TimeSpan Backoff(DeliveryOptions o, int attempt)
    {
        var exponential = o.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var jittered = exponential * (0.8 + (Random.Shared.NextDouble() * 0.4));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, o.RetryMaxDelay.TotalMilliseconds));
    }

    private static string Describe(SmtpErrorCode code) => code switch
    {
        SmtpErrorCode.SenderNotAccepted => "sender refused",
        SmtpErrorCode.RecipientNotAccepted => "recipient refused",
        SmtpErrorCode.MessageNotAccepted => "message refused",
        _ => "command refused",
    };

    private static string Bound(string? text) => UntrustedText.Sanitize(text, MaxErrorChars);

    private enum AttemptKind
    {
        Accepted,
        Transient,
        Permanent,
        Unknown,
    }

    private sealed record Attempt(AttemptKind Kind, int? Status, string? Error);

    /// <summary>Notes that message content started to flow: from then on a lost connection leaves the outcome unknown.</summary>
    private sealed class DataProgress : ITransferProgress
    {
        private volatile bool _started;

        public bool Started => _started;

        public void Report(long bytesTransferred, long totalSize) => _started = true;

        public void Report(long bytesTransferred) => _started = true;
    }
}
