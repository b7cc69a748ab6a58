namespace IncidentFunctions.Tests.Text;

/// <summary>
/// The text-safety cases every output must agree on, shared by the UntrustedText, PDF and chat tests: raw attacker
/// text and the exact form it must be shown in (sanitised, marks capped, invisible letters escaped, defanged).
/// </summary>
public static class UntrustedTextCases
{
    /// <summary>A "zalgo" z: 200 combining marks on one letter.</summary>
    public static readonly string Zalgo = "z" + new string('\u0336', 200) + "algo";

    public static TheoryData<string, string, string> Gaps => new()
    {
        { "at most three combining marks per base, the rest counted", Zalgo, "z\u0336\u0336\u0336[+197 marks]algo" },
        { "invisible letters escaped", "a\u3164b\u115Fc\u1160d\u2800e\uFFA0f", "a[U+3164]b[U+115F]c[U+1160]d[U+2800]e[U+FFA0]f" },
        { "a dot after a Devanagari vowel sign is defanged", "हमला.उदाहरण", "हमला[.]उदाहरण" },
        { "a dot after a Thai mark is defanged", "การโจมตี.ตัวอย่าง", "การโจมตี[.]ตัวอย่าง" },
        { "URLs are defanged", "https://evil.example/login", "https[:]//evil[.]example/login" },
        { "host names are defanged", "www.evil.example", "www[.]evil[.]example" },
        { "mail addresses are defanged", "a@evil.example", "a＠evil[.]example" },
        { "an IDN host is defanged", "例子。测试", "例子[.]测试" },
        { "bidi overrides stay visible", "/files/\u202Efdp.exe", "/files/[U+202E]fdp[.]exe" },
        { "emoji joiners stay inside emoji sequences", "👨\u200D👩\u200D👧 ok", "👨\u200D👩\u200D👧 ok" },
        { "joiners between Latin letters are escaped", "pay\u200Dpal", "pay[U+200D]pal" },
    };
}
