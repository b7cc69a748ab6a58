using System.Reflection;
using System.Text.Json;
using IncidentFunctions.AppModel;
using IncidentFunctions.FunctionApp;
using IncidentFunctions.Hosting;
using IncidentFunctions.LocalRunner.Hosting;
using IncidentFunctions.LocalRunner.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IncidentFunctions.Tests.FunctionApp;

/// <summary>
/// A route exists in both hosts or in neither: every <see cref="IHttpRoute"/> class is registered, every registration
/// has a Functions HTTP trigger with the same name, route, methods and auth whose function class receives that very
/// route class, and the local runner maps every registration.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class HttpRouteMetadataTests
{
    private static List<HttpRouteRegistration> Registrations()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddIncidentFunctions();
        using var host = builder.Build();
        return host.Services.GetServices<HttpRouteRegistration>().ToList();
    }

    private static Dictionary<string, JsonElement> HttpTriggers()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));
        return doc.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray().Where(b => b.GetProperty("type").GetString() == "httpTrigger")
                .Select(b => (Name: f.GetProperty("name").GetString()!, Binding: b.Clone())))
            .ToDictionary(t => t.Name, t => t.Binding);
    }

    [Fact]
    public void HttpFunctions_MatchTheRegisteredRoutes()
    {
        var triggers = HttpTriggers();
        var routes = Registrations().Select(r => r.Metadata).ToList();

        Assert.NotEmpty(routes);
        Assert.Equal(routes.Select(r => r.FunctionName).Order(), triggers.Keys.Order());
        Assert.All(routes, route =>
        {
            var trigger = triggers[route.FunctionName];
            Assert.Equal(route.Template, trigger.GetProperty("route").GetString());
            Assert.Equal(route.AuthLevel.ToString(), trigger.GetProperty("authLevel").GetString());
            Assert.Equal(route.Methods.Select(m => m.ToUpperInvariant()).Order(), trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).Order());
        });
    }

    [Fact]
    public void HttpFunctionClasses_ReceiveTheirRegisteredRouteClass()
    {
        var functions = typeof(GetDailyReport).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods().Select(m => (Type: t, Method: m, Function: m.GetCustomAttribute<FunctionAttribute>())))
            .Where(f => f.Function is not null && f.Method.GetParameters().Any(p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null))
            .ToDictionary(f => f.Function!.Name, f => f.Type);

        Assert.All(Registrations(), registration =>
        {
            Assert.True(functions.TryGetValue(registration.Metadata.FunctionName, out var functionClass),
                $"No HTTP function named '{registration.Metadata.FunctionName}' in the Functions app for {registration.RouteType.Name}.");
            var parameters = Assert.Single(functionClass!.GetConstructors()).GetParameters().Select(p => p.ParameterType);
            Assert.Contains(registration.RouteType, parameters);
        });
    }

    [Fact]
    public void RouteClasses_AreAllRegistered()
    {
        var registered = Registrations().Select(r => r.RouteType).ToHashSet();
        var declared = typeof(IncidentFunctionsHostBuilderExtensions).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IHttpRoute).IsAssignableFrom(t));

        Assert.All(declared, type => Assert.True(registered.Contains(type), $"{type.FullName} implements IHttpRoute but is never registered with AddHttpRoute."));
    }

    [Fact]
    public void LocalRunner_MapsEveryRegisteredRoute()
    {
        using var hostJson = new LocalRunner.TestHostJson("""{ "version": "2.0" }""");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LocalRunner:HostJsonPath"] = hostJson.Path,
            ["LocalRunner:FunctionKeys:0"] = "FAKE-metadata-test-key",
        });
        builder.Logging.ClearProviders();
        builder.AddIncidentFunctions();
        builder.AddLocalRunner();
        using var app = builder.Build();

        app.MapLocalRunnerRoutes();

        var mapped = ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints)
            .Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName).OfType<string>().ToHashSet();
        Assert.All(Registrations(), r => Assert.Contains(r.Metadata.FunctionName, mapped));
    }
}
