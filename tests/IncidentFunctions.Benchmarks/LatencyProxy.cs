using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace IncidentFunctions.Benchmarks;

/// <summary>
/// A TCP forwarder that delivers every byte <see cref="OneWay"/> after it arrived, in each direction: a round trip to
/// a storage service in another building, for work whose speed on Azure depends on requests in flight rather than on
/// Azurite's CPU. Bytes keep their order and are not held back by each other's delay (a pipe, not a queue of waits).
/// </summary>
internal sealed class LatencyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly int _targetPort;

    private LatencyProxy(int targetPort, TimeSpan oneWay)
    {
        (_targetPort, OneWay) = (targetPort, oneWay);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public TimeSpan OneWay { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Forwards 127.0.0.1:<see cref="Port"/> to 127.0.0.1:<paramref name="targetPort"/> with <paramref name="roundTrip"/> added to each round trip.</summary>
    public static LatencyProxy Start(int targetPort, TimeSpan roundTrip) => new(targetPort, roundTrip / 2);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        using (var target = new TcpClient { NoDelay = true })
        {
            client.NoDelay = true;
            try
            {
                await target.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = PipeAsync(client.GetStream(), target.GetStream(), connection.Token);
                var down = PipeAsync(target.GetStream(), client.GetStream(), connection.Token);
                await Task.WhenAny(up, down);
                await connection.CancelAsync(); // one side closed: close the other
                await Task.WhenAll(up, down).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
            {
            }
        }
    }

    /// <summary>Reads as bytes arrive and writes each piece once it is <see cref="OneWay"/> old.</summary>
    private async Task PipeAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var pieces = Channel.CreateUnbounded<(byte[] Bytes, long Due)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writing = Task.Run(async () =>
        {
            await foreach (var (bytes, due) in pieces.Reader.ReadAllAsync(cancellationToken))
            {
                var wait = TimeSpan.FromTicks(due - TimeProvider.System.GetUtcNow().UtcTicks);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
                await to.WriteAsync(bytes, cancellationToken);
            }
        }, cancellationToken);
        try
        {
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                pieces.Writer.TryWrite((buffer[..n], (TimeProvider.System.GetUtcNow() + OneWay).UtcTicks));
            }
        }
        finally
        {
            pieces.Writer.TryComplete();
            await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
