using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// No test reaches the internet: every <see cref="HttpClient"/> a test host makes through the client factory (Wallarm,
/// webhooks, intel feeds, the tenant lookup) refuses a request to anything but this machine, before any name is
/// resolved, and records it. The product often survives a failed request on purpose (the warm-up logs and goes on, a
/// delivery is retried later), so a refusal alone would pass unnoticed; <see cref="AppHarness"/> fails the test that
/// made one when it is disposed. Storage clients (Azurite) and browsers are not HTTP clients of the factory.
/// </summary>
public sealed class LocalOnlyHttp
{
    private readonly ConcurrentQueue<Uri> _refused = new();

    /// <summary>Requests refused so far, in order.</summary>
    public IReadOnlyCollection<Uri> Refused => _refused;

    /// <summary>Adds the guard to every client the factory of <paramref name="services"/> makes.</summary>
    public static LocalOnlyHttp AddTo(IServiceCollection services)
    {
        var guard = new LocalOnlyHttp();
        services.ConfigureHttpClientDefaults(client => client.AddHttpMessageHandler(() => new Handler(guard)));
        return guard;
    }

    /// <summary>
    /// Throws when a request was refused, naming each host (not the path or query: a webhook's path and a signed link's
    /// query are secrets, and this message lands in CI logs).
    /// </summary>
    public void ThrowIfAnyRefused()
    {
        if (_refused.IsEmpty) return;
        throw new InvalidOperationException(
            "A test host asked for addresses beyond this machine (point the setting at a local server): "
            + string.Join(", ", _refused.Select(u => u.GetLeftPart(UriPartial.Authority)).Distinct(StringComparer.Ordinal)));
    }

    /// <summary>Loopback addresses and <c>localhost</c> (and its subdomains, which resolve to loopback by RFC 6761).</summary>
    public static bool IsLocal(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (IPAddress.TryParse(uri.IdnHost, out var address)) return IPAddress.IsLoopback(address);
        return uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }

    private sealed class Handler(LocalOnlyHttp guard) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri is { IsAbsoluteUri: true } uri && !IsLocal(uri))
            {
                guard._refused.Enqueue(uri);
                throw new HttpRequestException($"Refused by the test host: {uri.GetLeftPart(UriPartial.Authority)} is beyond this machine.");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
