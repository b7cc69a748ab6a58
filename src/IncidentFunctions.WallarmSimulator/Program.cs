using IncidentFunctions.WallarmSimulator;

// Stand-alone simulator: dotnet run --project src/IncidentFunctions.WallarmSimulator -- --urls http://127.0.0.1:5080
//   --Simulator:Seed 7 --Simulator:IncidentsPerDay 500 --fault ratelimit:3 --fault emptypage:2
var faults = new List<FaultRule>();
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--fault" && i + 1 < args.Length) faults.Add(FaultRule.Parse(args[++i]));
    else if (args[i] is "-h" or "--help")
    {
        Console.WriteLine("""
            Wallarm API simulator (the legacy objects API as IncidentFunctions uses it).
              --urls URL                       listen address (default http://127.0.0.1:5080)
              --Simulator:Seed N               data seed (default 42)
              --Simulator:IncidentsPerDay N    volume (default 200)
              --Simulator:ApiToken T           token to require in X-WallarmAPI-Token (default simulator-token)
              --Simulator:ClientId N           tenant id (default 5)
              --fault KIND[:TIMES[:SKIP]]      ratelimit, servererror, timeout, malformedjson, truncatedpage,
                                               emptypage:PAGE (repeatable; also POST /__simulator/faults)
            """);
        return 0;
    }
    else rest.Add(args[i]);
}

var builder = WebApplication.CreateSlimBuilder(rest.ToArray());
if (string.IsNullOrEmpty(builder.Configuration["urls"])) builder.WebHost.UseUrls("http://127.0.0.1:5080");
var options = builder.Configuration.GetSection(SimulatorOptions.SectionName).Get<SimulatorOptions>() ?? new SimulatorOptions();
var state = new SimulatorState(options, TimeProvider.System);
foreach (var fault in faults) state.Faults.Add(fault);
var app = builder.Build();
app.MapWallarmSimulator(state);
await app.RunAsync();
return 0;
