using System.Net.Http.Json;
using System.Text.Json;
using IncidentFunctions.LocalRunner.DevServices;
using MimeKit;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// One maildev per test class that asks for it (class fixture), so runs without email tests never start node.
/// The REST API of maildev 3 is under <c>/api/</c>: <c>email</c> (full objects), <c>email/{id}/source</c> (the raw
/// message), <c>email/{id}/html</c>, <c>email/{id}/attachment/{generatedFileName}</c>, <c>DELETE email/all</c>.
/// Messages are matched by Message-ID, so tests of one class never read each other's mail.
/// </summary>
public sealed class MailDevFixture : IAsyncLifetime
{
    private MailDevProcess? _maildev;

    public MailDevProcess MailDev => _maildev ?? throw new InvalidOperationException("maildev is not running.");

    public HttpClient Api { get; private set; } = null!;

    public int SmtpPort => MailDev.SmtpPort;

    public async ValueTask InitializeAsync()
    {
        _maildev = await MailDevProcess.StartAsync(AzuriteFixture.RepositoryRoot);
        Api = new HttpClient { BaseAddress = _maildev.WebAddress, Timeout = TimeSpan.FromSeconds(15) };
    }

    /// <summary>maildev stores a message a moment after its SMTP answer: polls its list until the Message-ID shows up.</summary>
    public async Task<JsonElement> WaitForAsync(string messageId, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var list = await Api.GetFromJsonAsync<JsonElement>("api/email", cancellationToken);
            foreach (var email in list.EnumerateArray())
            {
                if (email.GetProperty("headers").TryGetProperty("message-id", out var id) && id.GetString() == $"<{messageId}>") return email;
            }

            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No message <{messageId}> in maildev; it holds {list.GetArrayLength()} message(s).");
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Every stored message with this Message-ID (a resend would add a second one).</summary>
    public async Task<int> CountAsync(string messageId, CancellationToken cancellationToken)
    {
        var list = await Api.GetFromJsonAsync<JsonElement>("api/email", cancellationToken);
        return list.EnumerateArray().Count(e => e.GetProperty("headers").TryGetProperty("message-id", out var id) && id.GetString() == $"<{messageId}>");
    }

    /// <summary>The raw message as received, parsed back with MimeKit (maildev's JSON html is sanitised; this is not).</summary>
    public async Task<MimeMessage> SourceAsync(string id, CancellationToken cancellationToken)
    {
        await using var source = await Api.GetStreamAsync(new Uri($"api/email/{Uri.EscapeDataString(id)}/source", UriKind.Relative), cancellationToken);
        return await MimeMessage.LoadAsync(source, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        if (_maildev is not null) await _maildev.DisposeAsync();
    }
}
