using IncidentFunctions.WallarmSimulator;

// Stand-alone simulator: dotnet run --project src/IncidentFunctions.WallarmSimulator -- --urls http://127.0.0.1:5080
//   --Simulator:Seed 7 --Simulator:IncidentsPerDay 500 --fault ratelimit:3 --fault emptypage:2
//   --time-filter first-hit --drift 30 --corrupt unpairedsurrogate:domain:50
var faults = new List<FaultRule>();
var corruptions = new List<CorruptionRule>();
TimeFilterMeaning? timeFilter = null;
double? drift = null;
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--fault" && i + 1 < args.Length) faults.Add(FaultRule.Parse(args[++i]));
    else if (args[i] == "--corrupt" && i + 1 < args.Length) corruptions.Add(CorruptionRule.Parse(args[++i]));
    else if (args[i] == "--time-filter" && i + 1 < args.Length)
    {
        var value = args[++i].Replace("-", "", StringComparison.Ordinal);
        if (!Enum.TryParse<TimeFilterMeaning>(value, ignoreCase: true, out var meaning))
        {
            Console.Error.WriteLine($"--time-filter takes 'overlap' or 'first-hit', not '{args[i]}'.");
            return 2;
        }

        timeFilter = meaning;
    }
    else if (args[i] == "--drift" && i + 1 < args.Length)
    {
        if (!double.TryParse(args[++i], System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds < 0)
        {
            Console.Error.WriteLine($"--drift takes a number of seconds, not '{args[i]}'.");
            return 2;
        }

        drift = seconds;
    }
    else if (args[i] is "-h" or "--help")
    {
        Console.WriteLine("""
            Wallarm API simulator (the legacy objects API as IncidentFunctions uses it).
              --urls URL                       listen address (default http://127.0.0.1:5080)
              --Simulator:Seed N               data seed (default 42)
              --Simulator:IncidentsPerDay N    volume (default 200)
              --Simulator:ApiToken T           token to require in X-WallarmAPI-Token (default FAKE-simulator-token)
              --Simulator:ClientId N           tenant id (default 5)
              --fault KIND[:TIMES[:SKIP]]      ratelimit, servererror, timeout, malformedjson, truncatedpage,
                                               emptypage:PAGE (repeatable; also POST /__simulator/faults)
              --time-filter MEANING            what the attack 'time' filter matches: overlap (span overlaps the
                                               range, default) or first-hit (also POST /__simulator/mode)
              --drift SECONDS                  data moving during paging: each attack-list request moves the
                                               clock on by SECONDS (also POST /__simulator/mode)
              --Simulator:MaxArrivalDelay T    late data: attacks show up to T (e.g. 00:10:00) after their first hit
              --Simulator:MaxResultWindow N    offset paging ends at N records: a page past it answers 400
              --corrupt KIND[:FIELD[:EVERY]]   break every EVERY-th record (default 100): unpairedsurrogate,
                                               invalidutf8, reversedtimes, numberasstring, missingid, hugefield,
                                               brokenjson, cutsanswer (repeatable; also POST /__simulator/corruptions)
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
foreach (var corruption in corruptions) state.Corruptions.Add(corruption);
if (timeFilter is { } filter) state.TimeFilter = filter;
if (drift is { } driftSeconds) state.DriftPerRequest = TimeSpan.FromSeconds(driftSeconds);
var app = builder.Build();
app.MapWallarmSimulator(state);
await app.RunAsync();
return 0;
