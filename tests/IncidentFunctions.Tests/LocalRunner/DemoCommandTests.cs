using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IncidentFunctions.Channels;
using IncidentFunctions.Reports.Rendering.Sections;
using IncidentFunctions.Tests.Channels;
using IncidentFunctions.Vocabulary;
using UglyToad.PdfPig;

namespace IncidentFunctions.Tests.LocalRunner;

/// <summary>
/// The README's first command, <c>demo</c>, run as the built runner with nothing configured but where to write and a
/// token of its own for the bundled simulator: the PDF and the four chat previews it promises, valid, about the same
/// day; and, with every log category at Trace, none of its secrets in what it prints.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed partial class DemoCommandTests
{
    [Fact]
    public async Task Demo_ReadmeFirstCommand_WritesTheDaysReportAndFourValidChatPreviewsWithoutSecretsInItsOutput()
    {
        var output = Directory.CreateTempSubdirectory("demo-").FullName;
        var token = "demo-token-" + Guid.NewGuid().ToString("N");
        try
        {
            await using var runner = await RunnerProcess.RunAsync(
                ["demo", $"--Demo:OutputDirectory={output}", $"--Simulator:ApiToken={token}", "--Logging:LogLevel:Default=Trace"],
                TimeSpan.FromMinutes(10));

            Assert.True(runner.ExitCode == 0, $"demo exited with {runner.ExitCode}:\n{runner.AllOutput}");
            var pdfPath = Assert.Single(Directory.GetFiles(Path.Combine(output, "reports"), "incident-report-*.pdf"));
            var day = DayOf().Match(Path.GetFileName(pdfPath)).Groups[1].Value;
            Assert.Contains($"The report is {pdfPath}", runner.StandardOutput, StringComparison.Ordinal);

            string text;
            List<string> words;
            using (var pdf = PdfDocument.Open(pdfPath))
            {
                Assert.True(pdf.NumberOfPages > 1, $"The report has {pdf.NumberOfPages} page(s).");
                text = string.Concat(pdf.GetPages().Select(p => p.Text));
                words = pdf.GetPages().SelectMany(p => p.GetWords()).Select(w => w.Text).ToList();
            }

            var previews = ChatRenderer.ChatKinds.ToDictionary(k => k, k => File.ReadAllText(Path.Combine(output, "digest", k.ToString().ToLowerInvariant() + ".json")));
            Assert.All(previews, p => Assert.Empty(PlatformShape.Check(p.Key, p.Value)));
            Assert.All(previews.Values, json => Assert.Contains(day, json, StringComparison.Ordinal));

            // The day's incidents: the digest counts them and names the top ones; the PDF lists every one of them (the
            // compact table shows each id's short form, like a short commit hash).
            var generic = JsonNode.Parse(previews[ChannelKind.Generic])!;
            Assert.Equal(day, generic["day"]!.GetValue<string>());
            var incidents = generic["figures"]!["incidents"]!.GetValue<int>();
            var top = generic["topIncidents"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToList();
            Assert.True(incidents > 0, "The simulator's day has no incidents.");
            Assert.NotEmpty(top);
            Assert.All(top, id => Assert.Contains(IncidentsSection.ShortId(id), text, StringComparison.Ordinal));
            Assert.Equal(incidents, words.Where(w => ShortIncidentId().IsMatch(w)).Distinct(StringComparer.Ordinal).Count());

            // The email preview: the same day and figures, the PDF attached byte for byte, the same signed link.
            var email = MimeKit.MimeMessage.Load(Path.Combine(output, "digest", "email.eml"), TestContext.Current.CancellationToken);
            Assert.Contains(day, email.Subject, StringComparison.Ordinal);
            Assert.Contains(Numbers.Count(incidents, "incident", "incidents"), email.Subject, StringComparison.Ordinal);
            var attachment = Assert.IsType<MimeKit.MimePart>(Assert.Single(email.Attachments));
            using (var attached = new MemoryStream())
            {
                attachment.Content!.DecodeTo(attached, TestContext.Current.CancellationToken);
                Assert.Equal(File.ReadAllBytes(pdfPath), attached.ToArray());
            }

            Assert.Contains(generic["report"]!["url"]!.GetValue<string>(), email.TextBody, StringComparison.Ordinal);
            Assert.Equal(email.HtmlBody, File.ReadAllText(Path.Combine(output, "digest", "email.html")));

            // Secrets: the simulator's token and the signature of the report link the previews carry.
            var link = generic["report"]!["url"]!.GetValue<string>();
            var sig = Signature().Match(link).Groups[1].Value;
            Assert.True(sig.Length >= 40, $"No signed link in the generic preview: {link}");
            Assert.Contains("trce: ", runner.AllOutput, StringComparison.Ordinal);
            Assert.DoesNotContain(token, runner.AllOutput, StringComparison.Ordinal);
            Assert.DoesNotContain(sig, runner.AllOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [GeneratedRegex(@"incident-report-(\d{4}-\d{2}-\d{2})\.pdf")]
    private static partial Regex DayOf();

    /// <summary>
    /// The short form of the simulator's incident ids (<c>attacks_production_{client}_{yyyyMM}_v_1:{20 characters}</c>)
    /// in the compact table: the key's first 8 characters and an ellipsis.
    /// </summary>
    [GeneratedRegex(@"^[A-Za-z0-9_-]{8}…$")]
    private static partial Regex ShortIncidentId();

    [GeneratedRegex("[?&]sig=([^&\"]+)")]
    private static partial Regex Signature();
}
