using BenchmarkDotNet.Attributes;
using IncidentFunctions.Channels;
using IncidentFunctions.Incidents;
using NodaTime;

namespace IncidentFunctions.Benchmarks.Digest;

/// <summary>
/// Rendering a digest per platform. "MaxLengthText" fills every attacker-controlled field to its bound, so Slack, Teams and
/// Discord must drop incidents to fit and re-render until the body fits: the worst case of the trimming loop.
/// </summary>
[MemoryDiagnoser]
public class DigestRenderBenchmark
{
    private DigestMessage _message = null!;

    [Params(ChannelKind.Slack, ChannelKind.Teams, ChannelKind.Discord, ChannelKind.Generic)]
    public ChannelKind Kind { get; set; }

    [Params(false, true)]
    public bool MaxLengthText { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var text = MaxLengthText ? string.Concat(Enumerable.Repeat("<!here> @everyone [x](https://evil.example/a.b) \u202E ", 200)) : null;
        _message = new DigestMessage
        {
            TimeZone = "Europe/Berlin",
            GeneratedAt = new DateTimeOffset(2026, 11, 20, 7, 0, 0, TimeSpan.Zero),
            Title = "Daily incident digest",
            Day = new LocalDate(2026, 11, 19),
            Figures = new DigestFigures(1_000, 250_000, 3_000, 700, 100, 150, 50),
            PreviousFigures = new DigestFigures(900, 240_000, 2_900, 600, 100, 150, 50),
            TopIncidents = Enumerable.Range(1, 25).Select(n => new IncidentSummary
            {
                Id = text ?? $"attacks_production_7:{n}",
                AttackType = text ?? "sqli",
                Domain = text ?? "shop.example.com",
                Path = text ?? $"/api/v1/orders/{n}/export",
                Method = "POST",
                VulnerabilityId = n,
                SecurityIssue = text ?? $"SQL injection in order export #{n}",
                Status = IncidentStatus.Blocked,
                Hits = 10_000 - n,
                TopIp = "203.0.113.7",
                Country = text ?? "Germany",
                SourceType = text ?? "Tor",
                MaliciousLists = text is null ? ["spamhaus-drop"] : [text, text, text],
                ConsoleLink = new Uri($"https://my.wallarm.com/object/{n}"),
            }).ToList(),
            Coverage = null,
            Report = new ReportLink(new Uri("https://func.example.net/api/reports/shared/daily/2026-11-19.pdf?exp=1&kid=k&sig=EXAMPLE-not-a-signature"), new DateTimeOffset(2026, 11, 27, 7, 0, 0, TimeSpan.Zero), new string('a', 64), 200_000, 6),
        };
    }

    [Benchmark]
    public int Render() => ChatRenderer.For(Kind).Render(_message, "d-bench").Json.Length;
}
