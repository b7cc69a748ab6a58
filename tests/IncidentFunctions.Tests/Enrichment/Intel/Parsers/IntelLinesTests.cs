using System.Text;
using IncidentFunctions.Enrichment.Intel;
using IncidentFunctions.Enrichment.Intel.Parsers;
using static IncidentFunctions.Tests.Enrichment.IntelTestData;

namespace IncidentFunctions.Tests.Enrichment.Intel.Parsers;

/// <summary>The line loop every line format shares, directly and through the formats that use it.</summary>
[Trait("Category", TestCategories.Unit)]
public sealed class IntelLinesTests
{
    private static IntelSourceContent ParseText(IntelSourceType type, string text)
        => IntelParsers.Parse(type, Encoding.UTF8.GetBytes(text), new IntelParseContext(Observed));

    /// <summary>The lines the reader was handed, each read as an entry.</summary>
    private static List<string> LinesSeen(string text, LineComments comments, bool trim = true)
    {
        var seen = new List<string>();
        IntelLines.Read(text, new IntelSourceContent(), "test list", comments, line =>
        {
            seen.Add(line.ToString());
            return LineResult.Read;
        }, trim);
        return seen;
    }

    private static IntelSourceContent ReadGoodAndBad(string text)
        => IntelLines.Read(text, new IntelSourceContent(), "test list", LineComments.None, line => line.SequenceEqual("good") ? LineResult.Read : LineResult.Unreadable);

    [Fact]
    public void Read_CommentsAnywhere_CutsHashAndSemicolonAndTrims()
    {
        Assert.Equal(["1.2.3.0/24", "5.6.7.8"], LinesSeen("1.2.3.0/24 ; SBL1\n# whole line\n  5.6.7.8\t# note\n;\n", LineComments.Anywhere));
    }

    [Fact]
    public void Read_WholeLineComments_KeepAHashInsideALine()
    {
        Assert.Equal(["a,#b"], LinesSeen("# header\n  # indented\na,#b\n", LineComments.WholeLine));
    }

    [Fact]
    public void Read_NoComments_HandsHashLinesToTheReader()
    {
        Assert.Equal(["#x"], LinesSeen("#x\n\n", LineComments.None));
    }

    [Fact]
    public void Read_Untrimmed_KeepsWhitespaceAroundTheLineAndSkipsBlankOnes()
    {
        Assert.Equal(["a\tb\t", " c"], LinesSeen("a\tb\t\n \t \n c\n", LineComments.WholeLine, trim: false));
    }

    [Fact]
    public void Read_SkippedLines_AreNeitherEntriesNorUnreadable()
    {
        var text = "good\n" + string.Concat(Enumerable.Repeat("header\n", 20));

        var content = IntelLines.Read(text, new IntelSourceContent(), "test list", LineComments.None, line => line.SequenceEqual("good") ? LineResult.Read : LineResult.Skipped);

        Assert.Equal(0, content.InvalidEntries);
    }

    [Fact]
    public void Read_UnreadableLines_AreToleratedUpToFiveOrTenPercent()
    {
        static string Lines(int bad, int good) => string.Concat(Enumerable.Repeat("bad\n", bad)) + string.Concat(Enumerable.Repeat("good\n", good));

        Assert.Equal(5, ReadGoodAndBad(Lines(5, 1)).InvalidEntries);
        Assert.Equal(6, ReadGoodAndBad(Lines(6, 54)).InvalidEntries);
        var error = Assert.Throws<IntelFormatException>(() => ReadGoodAndBad(Lines(7, 53)));
        Assert.Equal("7 of 60 lines are unreadable: this is not a test list.", error.Message);
    }

    [Fact]
    public void Parse_HtmlErrorPageAsAList_IsRefused()
    {
        var error = Assert.Throws<IntelFormatException>(() => Parse(IntelSourceType.IpList, "error-page.html"));
        Assert.Contains("unreadable", error.Message, StringComparison.Ordinal);
        Assert.Throws<IntelFormatException>(() => Parse(IntelSourceType.TorBulkExitList, "error-page.html"));
        Assert.Throws<IntelFormatException>(() => Parse(IntelSourceType.SpamhausDropJson, "error-page.html"));
    }

    [Fact]
    public void Parse_MostlyGarbageLines_IsRefused()
    {
        var text = "1.2.3.4\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"garbage line {i}\n"));

        Assert.Throws<IntelFormatException>(() => ParseText(IntelSourceType.IpList, text));
        Assert.Throws<IntelFormatException>(() => ParseText(IntelSourceType.CloudflareIps, text));
        Assert.Throws<IntelFormatException>(() => ParseText(IntelSourceType.IpLocationDbCsv, text));
    }

    [Fact]
    public void Parse_EmptyContent_HasNoEntries()
    {
        foreach (var type in new[] { IntelSourceType.IpList, IntelSourceType.TorBulkExitList, IntelSourceType.CloudflareIps, IntelSourceType.IpLocationDbCsv })
        {
            Assert.Equal(0, ParseText(type, "# only a comment\n\n").Entries);
        }
    }
}
