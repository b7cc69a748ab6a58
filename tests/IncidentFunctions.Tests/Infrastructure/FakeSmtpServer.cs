using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>What a <see cref="FakeSmtpServer"/> does in one connection.</summary>
/// <param name="Rcpt">The answer to RCPT TO, e.g. "250 OK" or "451 4.7.1 try later".</param>
/// <param name="AfterData">The answer after the message's final dot; null drops the connection without answering.</param>
/// <param name="Greeting">The first line; a 4xx here refuses the session.</param>
public sealed record SmtpScript(string Rcpt = "250 2.1.5 OK", string? AfterData = "250 2.0.0 queued", string Greeting = "220 fake.test ESMTP")
{
    public static SmtpScript Accept { get; } = new();

    public static SmtpScript DropAfterData { get; } = new(AfterData: null);
}

/// <summary>
/// A scripted SMTP server on 127.0.0.1 for the failure modes a real one will not produce on demand: refusals with
/// chosen codes at RCPT or after DATA, and a connection dropped after the message content arrived. Plain SMTP without
/// PIPELINING or CHUNKING, so the client sends DATA and waits. Connections take the scripts in order; the last repeats.
/// </summary>
public sealed class FakeSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly SmtpScript[] _scripts;
    private int _connections;

    public FakeSmtpServer(params SmtpScript[] scripts)
    {
        _scripts = scripts.Length == 0 ? [SmtpScript.Accept] : scripts;
        _listener.Start();
        _loop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Every message whose content arrived completely (whatever the answer was).</summary>
    public ConcurrentQueue<string> Messages { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var index = Interlocked.Increment(ref _connections) - 1;
            _ = ServeAsync(client, _scripts[Math.Min(index, _scripts.Length - 1)]);
        }
    }

    private async Task ServeAsync(TcpClient client, SmtpScript script)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.Latin1);
                await using var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync(script.Greeting);
                if (!script.Greeting.StartsWith('2')) return;
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                    switch (verb)
                    {
                        case "EHLO":
                            await writer.WriteLineAsync("250-fake.test");
                            await writer.WriteLineAsync("250 8BITMIME");
                            break;
                        case "HELO" or "MAIL" or "RSET" or "NOOP":
                            await writer.WriteLineAsync("250 OK");
                            break;
                        case "RCPT":
                            await writer.WriteLineAsync(script.Rcpt);
                            break;
                        case "DATA":
                            await writer.WriteLineAsync("354 go ahead");
                            var message = new StringBuilder();
                            while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".") message.AppendLine(data);
                            Messages.Enqueue(message.ToString());
                            if (script.AfterData is null) return; // dropped: the client never learns the outcome
                            await writer.WriteLineAsync(script.AfterData);
                            break;
                        case "QUIT":
                            await writer.WriteLineAsync("221 bye");
                            return;
                        default:
                            await writer.WriteLineAsync("502 not implemented");
                            break;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // the client went away, or the server stops
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
