using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IncidentFunctions.Calendar;
using IncidentFunctions.Channels;
using IncidentFunctions.Tests.Digest;
using IncidentFunctions.Tests.Infrastructure;
using IncidentFunctions.Tests.Text;

namespace IncidentFunctions.Tests.Channels;

[Trait("Category", TestCategories.Integration)]
public sealed partial class ChatRendererTests
{
    private const string DeliveryId = "d-42-20261119-team-chat-0123456789ab";

    private static readonly System.Text.Json.JsonSerializerOptions GoldenFormat = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static TheoryData<ChannelKind> Kinds => new(ChatRenderer.ChatKinds);

    public static TheoryData<ChannelKind, string> GoldenCases
    {
        get
        {
            var data = new TheoryData<ChannelKind, string>();
            foreach (var kind in ChatRenderer.ChatKinds)
            {
                foreach (var message in new[] { "digest", "weekly", "alert", "rollup" }) data.Add(kind, message);
            }

            return data;
        }
    }

    /// <summary>
    /// The exact payload per platform for a fixed model. To change the output deliberately, run the tests with
    /// UPDATE_GOLDEN=1, review the diff of tests/IncidentFunctions.Tests/Channels/Golden/ and commit it.
    /// </summary>
    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Render_FixedModel_MatchesGoldenFile(ChannelKind kind, string message)
    {
        // Each with the delivery id form it really goes out under (docs/webhook-schema.md points at these files).
        var (model, deliveryId) = message switch
        {
            "digest" => ((ChatMessage)DigestSamples.Digest(), DeliveryId),
            "weekly" => (DigestSamples.Weekly(), "w-42-2026-W47-team-chat-0123456789ab"),
            "alert" => (DigestSamples.Alert(), IncidentFunctions.Alerts.AlertDeliveryIds.Alert(42, "team-chat", DigestSamples.Alert().Incidents[0].Id)),
            _ => (DigestSamples.Rollup(), IncidentFunctions.Alerts.AlertDeliveryIds.Rollup(42, "team-chat", DigestSamples.Rollup().RollupInterval!.Value.From)),
        };
        var payload = ChatRenderer.For(kind).Render(model, deliveryId);
        // Indented, and without the wire format's HTML-safe escapes, so a diff reads well; the content is compared exactly.
        var actual = JsonNode.Parse(payload.Json)!.ToJsonString(GoldenFormat) + "\n";
        var path = Path.Combine(AzuriteFixture.RepositoryRoot, "tests", "IncidentFunctions.Tests", "Channels", "Golden", $"{kind.ToString().ToLowerInvariant()}-{message}.json");

        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"Golden file {path} is missing; run the tests once with UPDATE_GOLDEN=1 and review it.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
        Assert.Empty(PlatformShape.Check(kind, payload.Json));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Render_DigestOfFiveOf42_ListsFiveAndCountsTheRest(ChannelKind kind)
    {
        var payload = ChatRenderer.For(kind).Render(DigestSamples.Digest(), DeliveryId);

        Assert.Equal(5, payload.IncidentsShown);
        Assert.Equal(37, payload.IncidentsOmitted);
        if (kind == ChannelKind.Generic) Assert.Equal(37, JsonNode.Parse(payload.Json)!["incidentsNotListed"]!.GetValue<int>());
        else Assert.Contains("37 more in the report", payload.Json, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Render_Digest_CarriesFiguresChangeCoverageShaAndLink(ChannelKind kind)
    {
        var message = DigestSamples.Digest();

        var json = ChatRenderer.For(kind).Render(message, DeliveryId).Json;
        var text = string.Join("\n", PlatformShape.Strings(JsonNode.Parse(json)).Select(s => s.Value));

        Assert.Contains(message.Report.Sha256, text, StringComparison.Ordinal);
        Assert.Contains(message.Report.Url.AbsoluteUri, text, StringComparison.Ordinal);
        if (kind == ChannelKind.Generic)
        {
            var root = JsonNode.Parse(json)!;
            Assert.Equal(42, root["figures"]!["incidents"]!.GetValue<int>());
            Assert.Equal(37, root["previousFigures"]!["incidents"]!.GetValue<int>());
            Assert.False(root["coverage"]!["complete"]!.GetValue<bool>());
            Assert.Equal(12_600, root["coverage"]!["missingSeconds"]!.GetValue<long>());
            Assert.Equal(4, root["figures"]!["byStatus"]!["partiallyBlocked"]!.GetValue<int>());
            return;
        }

        Assert.Contains(kind == ChannelKind.Teams ? "42 · +5 (+13.5%) vs. the day before" : "42 incidents · +5 (+13.5%) vs. the day before", text, StringComparison.Ordinal);
        Assert.Contains("18,734", text, StringComparison.Ordinal);
        Assert.Contains("−2,268 (−10.8%)", text, StringComparison.Ordinal);
        Assert.Contains("no change vs. the day before", text, StringComparison.Ordinal); // 57 unique source IPs both days
        Assert.Contains("Blocked 30 · Partially blocked 4 · Monitoring 7 · Unknown status 1", text, StringComparison.Ordinal);
        Assert.Contains("Data gaps: 02:00–05:30 (3 h 30 min)", text, StringComparison.Ordinal);
        Assert.Contains("link valid until 2026-11-27 08:00 +01:00 (Europe/Berlin)", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Render_PreviousDayPartlyPulled_SaysTheChangeComparesWithAPartialDay(ChannelKind kind)
    {
        var message = DigestSamples.Digest(gap: false) with
        {
            PreviousCoverage = new CoverageGap(
                [new TimeWindow(new DateTimeOffset(2026, 11, 17, 23, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 18, 17, 0, 0, TimeSpan.Zero))],
                ["00:00–18:00"],
                TimeSpan.FromHours(18)),
        };

        var json = ChatRenderer.For(kind).Render(message, DeliveryId).Json;

        if (kind == ChannelKind.Generic)
        {
            var root = JsonNode.Parse(json)!;
            Assert.False(root["previousCoverage"]!["complete"]!.GetValue<bool>());
            Assert.Equal(64_800, root["previousCoverage"]!["missingSeconds"]!.GetValue<long>());
            Assert.True(root["coverage"]!["complete"]!.GetValue<bool>());
            return;
        }

        var text = string.Join("\n", PlatformShape.Strings(JsonNode.Parse(json)).Select(s => s.Value));
        Assert.Contains("The day before lacks 18 h of data: changes compare with a partial day.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Data gaps", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Render_MarkedDigest_TitleShowsTheMarkingAndGenericJsonCarriesIt(ChannelKind kind)
    {
        var plain = DigestSamples.Digest();
        var marked = plain with { Title = "[TLP:AMBER] " + plain.Title, Marking = "TLP:AMBER" };

        var json = ChatRenderer.For(kind).Render(marked, DeliveryId).Json;
        var unmarkedJson = ChatRenderer.For(kind).Render(plain, DeliveryId).Json;

        var text = string.Join("\n", PlatformShape.Strings(JsonNode.Parse(json)).Select(s => s.Value));
        if (kind == ChannelKind.Discord) text = text.Replace("\\", "", StringComparison.Ordinal); // its Markdown escapes, which readers do not see
        Assert.Contains("[TLP:AMBER] " + plain.Title, text, StringComparison.Ordinal);
        if (kind == ChannelKind.Generic)
        {
            Assert.Equal("TLP:AMBER", JsonNode.Parse(json)!["marking"]!.GetValue<string>());
            Assert.Null(JsonNode.Parse(unmarkedJson)!["marking"]);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Render_MarkedAlertAndRollup_HeadingsStartWithTheMarking(ChannelKind kind)
    {
        foreach (var message in new[] { DigestSamples.Alert() with { Marking = "TLP:AMBER" }, DigestSamples.Rollup() with { Marking = "TLP:AMBER" } })
        {
            var json = ChatRenderer.For(kind).Render(message, DeliveryId).Json;

            var text = string.Join("\n", PlatformShape.Strings(JsonNode.Parse(json)).Select(s => s.Value));
            if (kind == ChannelKind.Generic) Assert.Equal("TLP:AMBER", JsonNode.Parse(json)!["marking"]!.GetValue<string>());
            else Assert.Contains(message.IsRollup ? "[TLP:AMBER] 11 more new incidents" : "[TLP:AMBER] New incident: ", text.Replace("\\", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Render_CompleteDay_HasNoCoverageWarning(ChannelKind kind)
    {
        var json = ChatRenderer.For(kind).Render(DigestSamples.Digest(gap: false), DeliveryId).Json;

        Assert.DoesNotContain("Data gaps", json, StringComparison.Ordinal);
        Assert.DoesNotContain("partial day", json, StringComparison.Ordinal);
        if (kind == ChannelKind.Generic) Assert.True(JsonNode.Parse(json)!["coverage"]!["complete"]!.GetValue<bool>());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Render_TopIp_ShowsCountrySourceTypeAndMaliciousLists(ChannelKind kind)
    {
        var json = ChatRenderer.For(kind).Render(DigestSamples.Digest(), DeliveryId).Json;
        var text = string.Join("\n", PlatformShape.Strings(JsonNode.Parse(json)).Select(s => s.Value));

        Assert.Contains("203.0.113.11", text, StringComparison.Ordinal);
        Assert.Contains("Netherlands", text, StringComparison.Ordinal);
        Assert.Contains("spamhaus-drop", text, StringComparison.Ordinal);
        if (kind != ChannelKind.Generic)
        {
            Assert.Contains("listed malicious:", text, StringComparison.Ordinal);
            Assert.Contains("Not enriched", text, StringComparison.Ordinal); // incident 3 has no profile
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Render_ManyLongIncidents_TrimsFromTheLeastImportantAndStaysWithinLimits(ChannelKind kind)
    {
        var message = DigestSamples.HostileDigest(incidents: 25, repeat: 400) with { Figures = DigestSamples.Digest().Figures with { Incidents = 1_000 } };

        var payload = ChatRenderer.For(kind).Render(message, DeliveryId);

        Assert.Empty(PlatformShape.Check(kind, payload.Json));
        Assert.Equal(1_000, payload.IncidentsShown + payload.IncidentsOmitted);
        if (kind == ChannelKind.Generic)
        {
            Assert.Equal(25, payload.IncidentsShown);
            return;
        }

        var text = string.Join("\n", PlatformShape.Strings(JsonNode.Parse(payload.Json)).Select(s => s.Value));
        Assert.InRange(payload.IncidentsShown, 1, 24);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{payload.IncidentsOmitted:N0} more in the report"), text, StringComparison.Ordinal);
        // The figures, the warning and the link survive trimming.
        Assert.Contains(kind == ChannelKind.Teams ? "1,000 · +963" : "1,000 incidents · +963", text, StringComparison.Ordinal);
        Assert.Contains("Data gaps", text, StringComparison.Ordinal);
        Assert.Contains(DigestSamples.ReportUrl.AbsoluteUri, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ChannelKind.Slack)]
    [InlineData(ChannelKind.Teams)]
    [InlineData(ChannelKind.Discord)]
    public void Render_HostilePiecesGluedAtRandom_CannotPingLinkOrBreakOut(ChannelKind kind)
    {
        // Pieces of the hostile sample glued in random order and cut at random points must come out as inert as the
        // sample does.
        var random = new Random(20261202 + (int)kind);
        for (var round = 0; round < 300; round++)
        {
            var incident = DigestSamples.HostileGluedIncident(random);
            var payload = ChatRenderer.For(kind).Render(DigestSamples.Digest() with { TopIncidents = [incident] }, DeliveryId);
            var root = JsonNode.Parse(payload.Json)!;

            var context = $"{incident.Domain} | {incident.Path} | {incident.SecurityIssue}";
            Assert.Empty(PlatformShape.Check(kind, payload.Json));
            foreach (var (property, value) in PlatformShape.Strings(root).Where(s => s.Property is not ("url" or "$schema" or "contentType")))
            {
                Assert.DoesNotMatch(Bidi(), value);
                Assert.False(MentionWord().IsMatch(value), $"{property}: {value}\nfrom {context}");
                Assert.False(value.Contains("://evil", StringComparison.Ordinal), $"{property}: {value}\nfrom {context}");
            }

            switch (kind)
            {
                case ChannelKind.Slack: AssertSlackInert(root); break;
                case ChannelKind.Discord: AssertDiscordInert(root); break;
                case ChannelKind.Teams: AssertTeamsInert(root); break;
            }
        }
    }

    [Theory]
    [InlineData(ChannelKind.Slack, 1)]
    [InlineData(ChannelKind.Slack, 400)]
    [InlineData(ChannelKind.Teams, 1)]
    [InlineData(ChannelKind.Teams, 400)]
    [InlineData(ChannelKind.Discord, 1)]
    [InlineData(ChannelKind.Discord, 400)]
    [InlineData(ChannelKind.Generic, 1)]
    [InlineData(ChannelKind.Generic, 400)]
    public void Render_HostileTextInEveryField_CannotPingLinkOrBreakOut(ChannelKind kind, int repeat)
    {
        foreach (ChatMessage message in new ChatMessage[]
                 {
                     DigestSamples.HostileDigest(incidents: 5, repeat),
                     DigestSamples.Weekly(hostile: true),
                     DigestSamples.Alert() with { Incidents = [DigestSamples.HostileIncident(1, repeat)] },
                     DigestSamples.Rollup() with { Incidents = [DigestSamples.HostileIncident(1, repeat), DigestSamples.HostileIncident(2, repeat)] },
                 })
        {
            var payload = ChatRenderer.For(kind).Render(message, DeliveryId);
            var root = JsonNode.Parse(payload.Json)!;
            var strings = PlatformShape.Strings(root).ToList();

            Assert.Empty(PlatformShape.Check(kind, payload.Json));
            foreach (var (property, value) in strings)
            {
                // Invisible and reordering characters never reach the channel raw.
                Assert.DoesNotMatch(Bidi(), value);
                Assert.DoesNotContain('\u200B', value);
                Assert.DoesNotContain('\u0007', value);
                Assert.True(value.Length <= 40_000, $"{property} is {value.Length} chars");
            }

            if (kind == ChannelKind.Generic)
            {
                // Data, not markup: sanitised and bounded, HTML-sensitive characters escaped in the JSON text.
                Assert.DoesNotContain("<script>", payload.Json, StringComparison.Ordinal);
                Assert.All(strings.Where(s => s.Property == "path"), s => Assert.True(s.Value.Length <= 1_000));
                continue;
            }

            foreach (var (property, value) in strings.Where(s => s.Property is not ("url" or "$schema" or "contentType")))
            {
                // No mention keyword survives, and no host name or URL is left linkable.
                Assert.DoesNotMatch(MentionWord(), value);
                Assert.DoesNotContain("evil.example", value, StringComparison.Ordinal);
                Assert.DoesNotContain("://evil", value, StringComparison.Ordinal);
            }

            switch (kind)
            {
                case ChannelKind.Slack: AssertSlackInert(root); break;
                case ChannelKind.Discord: AssertDiscordInert(root); break;
                case ChannelKind.Teams: AssertTeamsInert(root); break;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Render_WeeklyDigest_NamesTheWeekComparesWithTheWeekBeforeAndShowsItsTrends(ChannelKind kind)
    {
        var payload = ChatRenderer.For(kind).Render(DigestSamples.Weekly(), "w-42-2026-W47-team-chat-0123456789ab");
        var root = JsonNode.Parse(payload.Json)!;

        Assert.Empty(PlatformShape.Check(kind, payload.Json));
        if (kind == ChannelKind.Generic)
        {
            Assert.Equal("weekly_digest", root["type"]!.GetValue<string>());
            Assert.Null(root["day"]);
            Assert.Equal("2026-W47", root["period"]!["key"]!.GetValue<string>());
            Assert.Equal("2026-11-16", root["period"]!["firstDay"]!.GetValue<string>());
            Assert.Equal("2026-11-22", root["period"]!["lastDay"]!.GetValue<string>());
            Assert.Equal(12, root["trends"]!["recurringAttackers"]!.GetValue<int>());
            Assert.Equal("198.51.100.23", root["trends"]!["topRecurring"]![0]!["ip"]!.GetValue<string>());
            Assert.Equal(6, root["trends"]!["topRecurring"]![0]!["days"]!.GetValue<int>());
            Assert.Equal(3, root["trends"]!["newSecurityIssues"]!.GetValue<int>());
            Assert.Equal(5, root["trends"]!["stillExploitedSecurityIssues"]!.GetValue<int>());
            Assert.Equal("2026-11-18", root["trends"]!["busiestDay"]!["day"]!.GetValue<string>());
            Assert.Equal(290, root["trends"]!["sources"]!["enriched"]!.GetValue<int>());
            Assert.Equal(DigestSamples.WeeklyReportUrl.AbsoluteUri, root["report"]!["url"]!.GetValue<string>());
            Assert.Equal(DigestSamples.ArchiveUrl.AbsoluteUri, root["archive"]!["url"]!.GetValue<string>());
            return;
        }

        var text = string.Join("\n", PlatformShape.Strings(root).Select(s => s.Value));
        Assert.Contains("Weekly incident digest — Week 2026-W47 (16–22 Nov 2026)", text.Replace("**", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("vs. the week before", text, StringComparison.Ordinal);
        Assert.DoesNotContain("the day before", text, StringComparison.Ordinal);
        Assert.Contains("Recurring attackers: 12 source IPs seen on two or more days", text, StringComparison.Ordinal);
        Assert.Contains("3 new this week, 5 still exploited from before", text, StringComparison.Ordinal);
        Assert.Contains("Busiest day: 2026-11-18 (Wed), 61 incidents, 30,112 hits", text, StringComparison.Ordinal);
        Assert.Contains("Cloud 41.4% (+4.3 pp)", text, StringComparison.Ordinal);
        Assert.Contains("198.51.100.23", text, StringComparison.Ordinal);
        Assert.Contains("6 days · 41,200 hits", text, StringComparison.Ordinal);
        Assert.Contains("2026-11-18 02:00–04:00", text, StringComparison.Ordinal);
        Assert.Contains(DigestSamples.WeeklyReportUrl.AbsoluteUri, text, StringComparison.Ordinal);
        Assert.Contains(DigestSamples.ArchiveUrl.AbsoluteUri, text.Replace("&amp;", "&", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Render_FallbackTexts_CarryNoAttackerText(ChannelKind kind)
    {
        var payload = ChatRenderer.For(kind).Render(DigestSamples.HostileDigest(), DeliveryId);
        var root = JsonNode.Parse(payload.Json)!;

        // Notifications show these raw; they are built from the app's own words and numbers only.
        var fallback = kind switch
        {
            ChannelKind.Slack => root["text"]!.GetValue<string>(),
            ChannelKind.Discord => root["content"]!.GetValue<string>(),
            _ => "",
        };
        Assert.DoesNotContain("evil", fallback, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("script", fallback, StringComparison.OrdinalIgnoreCase);
    }

    public static TheoryData<ChannelKind, string, string, string> GapCases
    {
        get
        {
            var data = new TheoryData<ChannelKind, string, string, string>();
            foreach (var kind in new[] { ChannelKind.Slack, ChannelKind.Teams, ChannelKind.Discord })
            {
                foreach (var row in UntrustedTextCases.Gaps) data.Add(kind, row.Data.Item1, row.Data.Item2, row.Data.Item3);
            }

            return data;
        }
    }

    /// <summary>The same cases the PDF is held to (<see cref="UntrustedTextCases"/>): chat shows exactly the same safe form.</summary>
    [Theory]
    [MemberData(nameof(GapCases))]
    public void Render_EveryUntrustedTextGap_ShowsTheSameSafeFormAsThePdf(ChannelKind kind, string gap, string raw, string expected)
    {
        var incident = DigestSamples.Incident(1) with { SecurityIssue = raw, Domain = raw };
        var message = DigestSamples.Digest() with { TopIncidents = [incident] };

        var payload = ChatRenderer.For(kind).Render(message, DeliveryId);

        var texts = string.Join("\n", StringValues(JsonNode.Parse(payload.Json)!));
        Assert.True(texts.Contains(expected, StringComparison.Ordinal), $"{gap}: '{expected}' not in {kind} payload");
    }

    [Theory]
    [InlineData(ChannelKind.Slack)]
    [InlineData(ChannelKind.Discord)]
    public void Render_BackticksBeforeADot_AreReplacedBeforeDefanging(ChannelKind kind)
    {
        var message = DigestSamples.Digest() with { TopIncidents = [DigestSamples.Incident(1) with { Domain = "```.example" }] };

        var texts = string.Join("\n", StringValues(JsonNode.Parse(ChatRenderer.For(kind).Render(message, DeliveryId).Json)!));

        Assert.Contains("ˋˋˋ[.]example", texts, StringComparison.Ordinal);
        Assert.DoesNotContain("ˋˋˋ.example", texts, StringComparison.Ordinal);
    }

    private static IEnumerable<string> StringValues(JsonNode node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Value is null ? [] : StringValues(p.Value)),
        JsonArray a => a.SelectMany(v => v is null ? [] : StringValues(v)),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    [Fact]
    public void Neutralize_DefangsHostsAndBreaksMentions_WithinTheBound()
    {
        Assert.Equal("https[:]//evil[.]example/a[.]php ＠here 1.2.3.4 v1.2", ChatText.Neutralize("https://evil.example/a.php @here 1.2.3.4 v1.2", 200));
        Assert.Equal("evil[.]example", ChatText.Neutralize("evil\u3002example", 200));
        Assert.True(ChatText.Neutralize(string.Concat(Enumerable.Repeat("a.b", 1_000)), 100).Length <= 100);
    }

    private static void AssertSlackInert(JsonNode root)
    {
        foreach (var text in SlackTexts(root))
        {
            // Every '<' opens one of the app's own links; nothing else can form <!channel>, <@U…> or <url|label>.
            var withoutOurLinks = SlackLink().Replace(text, m => IsOurs(m.Groups["url"].Value) ? "" : m.Value);
            Assert.DoesNotContain('<', withoutOurLinks);
            Assert.DoesNotContain('>', withoutOurLinks);
            // Attacker text sits in balanced code spans; outside them only the app's words remain.
            Assert.True(withoutOurLinks.Count(c => c == '`') % 2 == 0, "unbalanced code span");
            var outside = CodeSpan().Replace(withoutOurLinks, "");
            Assert.DoesNotContain("evil", outside, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("bold", outside, StringComparison.Ordinal);
        }
    }

    private static void AssertDiscordInert(JsonNode root)
    {
        Assert.Empty(root["allowed_mentions"]!["parse"]!.AsArray());
        foreach (var embed in root["embeds"]!.AsArray())
        {
            var texts = new List<string?> { embed!["title"]?.GetValue<string>(), embed["description"]?.GetValue<string>() };
            foreach (var field in embed["fields"]?.AsArray() ?? [])
            {
                texts.Add(field!["name"]!.GetValue<string>());
                texts.Add(field["value"]!.GetValue<string>());
            }

            foreach (var text in texts.OfType<string>())
            {
                var withoutOurLinks = MaskedLink().Replace(text, m => IsOurs(m.Groups["url"].Value) ? "" : m.Value);
                Assert.True(withoutOurLinks.Count(c => c == '`') % 2 == 0, "unbalanced code span");
                var outside = CodeSpan().Replace(withoutOurLinks, "");
                Assert.DoesNotContain("](", outside, StringComparison.Ordinal);
                Assert.DoesNotContain("<@", outside, StringComparison.Ordinal);
                Assert.DoesNotContain("<#", outside, StringComparison.Ordinal);
                Assert.DoesNotContain("evil", outside, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    private static void AssertTeamsInert(JsonNode root)
    {
        foreach (var node in PlatformShape.Walk(root))
        {
            var type = node["type"]?.GetValue<string>();
            // TextBlocks and facts render markdown: only the app's own text goes there.
            if (type == "TextBlock") Assert.DoesNotContain("evil", node["text"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
            if (node["facts"] is JsonArray facts) Assert.All(facts, f => Assert.DoesNotContain("evil", f!["value"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase));
            if (type == "Action.OpenUrl") Assert.True(IsOurs(node["url"]!.GetValue<string>()));
            Assert.False(node.ContainsKey("msteams") && node["msteams"]?["entities"] is not null, "no mention entities");
        }
    }

    private static IEnumerable<string> SlackTexts(JsonNode root)
    {
        yield return root["text"]!.GetValue<string>();
        foreach (var block in root["blocks"]!.AsArray())
        {
            if (block!["text"]?["text"]?.GetValue<string>() is { } text) yield return text;
            foreach (var element in block["elements"]?.AsArray() ?? [])
            {
                if (element!["text"] is JsonValue v) yield return v.GetValue<string>();
            }
        }
    }

    private static bool IsOurs(string url)
        => url.StartsWith(DigestSamples.ConsoleBase.AbsoluteUri, StringComparison.Ordinal)
           || url.Replace("&amp;", "&", StringComparison.Ordinal) is var plain && (plain == DigestSamples.ReportUrl.AbsoluteUri || plain == DigestSamples.WeeklyReportUrl.AbsoluteUri || plain == DigestSamples.ArchiveUrl.AbsoluteUri);

    [GeneratedRegex(@"[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]")]
    private static partial Regex Bidi();

    [GeneratedRegex(@"@(here|everyone|channel)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MentionWord();

    [GeneratedRegex(@"<(?<url>[^<>|]+)\|[^<>]*>")]
    private static partial Regex SlackLink();

    // A label holds no bracket or backtick: "[" inside an attacker's code span just before one of our links is not
    // where that link starts (code spans bind first, and the innermost brackets make the link).
    [GeneratedRegex(@"\[[^\]\[`]*\]\((?<url>[^)\s]+)\)")]
    private static partial Regex MaskedLink();

    [GeneratedRegex("`[^`]*`")]
    private static partial Regex CodeSpan();
}
