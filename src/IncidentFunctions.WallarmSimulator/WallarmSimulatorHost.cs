using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace IncidentFunctions.WallarmSimulator;

/// <summary>The simulator as a Kestrel server inside the calling process: for tests, benchmarks and the demo.</summary>
public sealed class WallarmSimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WallarmSimulatorHost(WebApplication app, SimulatorState state, Uri baseAddress)
    {
        _app = app;
        State = state;
        BaseAddress = baseAddress;
    }

    public SimulatorState State { get; }

    public Uri BaseAddress { get; }

    public SimulatorFaults Faults => State.Faults;

    public RequestLog Requests => State.Requests;

    public IncidentGenerator Data => State.Data;

    public SimulatorOptions Options => State.Options;

    /// <summary>Starts on <paramref name="url"/> (port 0 picks a free one) with the given clock.</summary>
    public static async Task<WallarmSimulatorHost> StartAsync(SimulatorOptions options, TimeProvider? time = null, string url = "http://127.0.0.1:0", CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var state = new SimulatorState(options, time ?? TimeProvider.System);
        var app = builder.Build();
        app.MapWallarmSimulator(state);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new WallarmSimulatorHost(app, state, new Uri(address.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
