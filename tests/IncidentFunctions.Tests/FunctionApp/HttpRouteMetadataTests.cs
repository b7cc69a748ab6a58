using System.Text.Json;
using IncidentFunctions.AppModel;
using IncidentFunctions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IncidentFunctions.Tests.FunctionApp;

/// <summary>Every registered <see cref="HttpRoute"/> has a Functions HTTP trigger with the same name, route, methods and auth.</summary>
public sealed class HttpRouteMetadataTests
{
    [Fact]
    public void HttpFunctions_MatchTheRegisteredRoutes()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddIncidentFunctions();
        using var host = builder.Build();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));

        var triggers = doc.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "httpTrigger")
                .Select(b => (Name: f.GetProperty("name").GetString()!, Binding: b)))
            .ToDictionary(t => t.Name, t => t.Binding);
        var routes = host.Services.GetServices<HttpRoute>().ToList();

        Assert.NotEmpty(routes);
        Assert.Equal(routes.Select(r => r.FunctionName).Order(), triggers.Keys.Order());
        Assert.All(routes, route =>
        {
            var trigger = triggers[route.FunctionName];
            Assert.Equal(route.RouteTemplate, trigger.GetProperty("route").GetString());
            Assert.Equal(route.AuthLevel.ToString(), trigger.GetProperty("authLevel").GetString());
            Assert.Equal(route.Methods.Select(m => m.ToUpperInvariant()).Order(), trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).Order());
        });
    }
}
