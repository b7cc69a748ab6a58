using IncidentFunctions.Hosting;
using IncidentFunctions.Operations;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.AddIncidentFunctions();
// host.json's log levels for the worker's own logs too (the host applies them only to what it forwards).
builder.Services.AddHostJsonLogLevels(HostJsonLogLevels.Read(Path.Combine(AppContext.BaseDirectory, "host.json")));
// When telemetry is on: the worker's resource attributes and invocation spans, and the host stops forwarding the
// worker's logs itself (they are exported directly, once).
builder.Services.ConfigureTelemetry(otel => otel.UseFunctionsWorkerDefaults());
builder.Build().Run();
