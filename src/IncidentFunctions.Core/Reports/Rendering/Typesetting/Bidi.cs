namespace IncidentFunctions.Reports.Rendering.Typesetting;

/// <summary>A directional run of a line in visual order (left to right), covering the line's text [Start, Start + Length).</summary>
internal readonly record struct BidiRun(int Start, int Length, byte Level)
{
    public bool IsRtl => (Level & 1) == 1;
}

/// <summary>
/// The Unicode bidirectional algorithm (UAX #9) from ICU, through icu.net and the system's libicu — the library .NET
/// itself loads for globalization, so it is present wherever the app runs. ICU4N (60.1.0-alpha.440, the managed
/// port) was the first choice, but it has no <c>Bidi</c> class, only per-character bidi properties. Attacker bidi
/// controls never get here raw (<see cref="Text.UntrustedText"/> escapes them); the only controls the engine sees are
/// the isolates the report puts around interpolated values (<see cref="Isolate"/>).
/// </summary>
internal static class Bidi
{
    /// <summary>First strong character decides; left to right when there is none (ICU's UBIDI_DEFAULT_LTR).</summary>
    public const byte DefaultLtr = 0xFE;

    private const char FirstStrongIsolate = '\u2068';
    private const char PopDirectionalIsolate = '\u2069';

    /// <summary>
    /// Wraps a value placed inside app text (a title in "Most exploited: {title} (3 incidents)") in an isolate, so
    /// right-to-left text in it cannot reorder the text around it. The isolate marks are not drawn.
    /// </summary>
    public static string Isolate(string value) => NeedsBidi(value) ? FirstStrongIsolate + value + PopDirectionalIsolate : value;

    /// <summary>True when the text has right-to-left characters or directional controls (otherwise every level is 0).</summary>
    public static bool NeedsBidi(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is (>= '\u0590' and <= '\u08FF') or (>= '\uFB1D' and <= '\uFDFF') or (>= '\uFE70' and <= '\uFEFF')
                or (>= '\u2066' and <= '\u2069') or (>= '\u202A' and <= '\u202E') or '\u200F' or '\u061C'
                or (>= '\uD802' and <= '\uD803') or '\uD83A' or '\uD83B')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True for the directional formatting characters the engine uses and never draws.</summary>
    public static bool IsControl(char c) => c is (>= '\u2066' and <= '\u2069') or (>= '\u202A' and <= '\u202E') or '\u200E' or '\u200F' or '\u061C';

    /// <summary>The paragraph level of <paramref name="text"/>: 1 when its first strong character is right to left.</summary>
    public static byte ParagraphLevel(string text)
    {
        if (!NeedsBidi(text)) return 0;
        using var bidi = Create(text, DefaultLtr);
        return bidi.GetParaLevel();
    }

    /// <summary>The visual runs of one line laid out at <paramref name="paragraphLevel"/>.</summary>
    public static BidiRun[] VisualRuns(string line, byte paragraphLevel)
    {
        if (paragraphLevel == 0 && !NeedsBidi(line)) return [new BidiRun(0, line.Length, 0)];
        using var bidi = Create(line, paragraphLevel);
        var count = bidi.CountRuns();
        var runs = new BidiRun[count];
        for (var i = 0; i < count; i++)
        {
            bidi.GetVisualRun(i, out var start, out var length);
            runs[i] = new BidiRun(start, length, bidi.GetLevelAt(start));
        }

        return runs;
    }

    private static global::Icu.BiDi Create(string text, byte level)
    {
        IcuLibrary.EnsureLoaded();
        var bidi = new global::Icu.BiDi();
        bidi.SetPara(text, level, null);
        return bidi;
    }
}
