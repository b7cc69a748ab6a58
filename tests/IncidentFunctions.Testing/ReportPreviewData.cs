using System.Globalization;
using IncidentFunctions.Calendar;
using IncidentFunctions.Enrichment;
using IncidentFunctions.Incidents;
using IncidentFunctions.Reports;
using NodaTime;

namespace IncidentFunctions.Testing;

/// <summary>
/// Deterministic report inputs for tests and benchmarks (QuestPDF's "sample model builder"): a day of
/// incidents with realistic spread and a share of hostile strings (bidi overrides, control characters, CJK,
/// emoji, very long paths), plus enriched sources when asked.
/// </summary>
public static class ReportPreviewData
{
    private static readonly string[] AttackTypes = ["sqli", "xss", "rce", "ptrav", "xxe", "ssrf", "ldapi", "nosqli", "ssti", "crlf"];
    private static readonly string[] Countries = ["US", "DE", "NL", "CN", "RU", "BR", "FR", "SG", "IN", "JP", "GB", "UA"];
    private static readonly string[] Domains = ["shop.example.com", "api.example.com", "admin.example.org", "例子.测试", "login.example.net"];

    /// <summary>Internationalised domains in every script the report draws (used with hostile data).</summary>
    private static readonly string[] IdnDomains = ["مثال.اختبار", "דוגמה.בדיקה", "उदाहरण.परीक्षा", "ตัวอย่าง.ทดสอบ", "예시.테스트", "пример.испытание", "উদাহরণ.পরীক্ষা", "உதாரணம்.சோதனை"];
    private static readonly string[] Hostile =
    [
        "/index.php?id=1' OR '1'='1",
        "/files/\u202Efdp.exe",
        "/search?q=<script>alert(1)</script>\u0000\u0007\u001b[31m",
        "/用户/登录?名字=测试",
        "/🔥/upload?file=../../etc/passwd",
        "/api/v1/items/\u2066abc\u2069/\u200Bhidden",
        "/بحث/مرحبا بالعالم?q=خطأ في /api/v1 (رمز 404)",
        "/חיפוש/שגיאה 404 בשרת",
        "/खोज/हिन्दी में त्रुटि/नमस्ते दुनिया",
        "/ค้นหา/สวัสดีชาวโลก/น้ำ ภาษาไทย",
        "/검색/로그인 실패/관리자",
        "/emoji/👍🏽/👨‍👩‍👧/🔥",
        "https://evil.example/login?next=www.evil.example&mail=a@evil.example",
        "/z\u0336\u0337\u0338\u0339\u033A\u033B\u033C\u033D\u0300\u0301\u0302\u0303algo/\u3164\u2800/x",
    ];

    /// <summary>Security issue titles as a customer's team writes them, in their own language (hostile data only).</summary>
    private static readonly string[] IssueTitles =
    [
        "تجاوز المصادقة في لوحة التحكم", "עקיפת אימות בממשק הניהול", "प्रमाणीकरण बाईपास लॉगिन पृष्ठ पर", "การข้ามการยืนยันตัวตนในหน้าเข้าสู่ระบบ",
        "로그인 페이지 인증 우회", "登录页面的身份验证绕过", "Обход аутентификации на странице входа", "Login bypass via https://evil.example/login (see www.evil.example, a@evil.example)",
    ];

    /// <param name="asRead">The rows as the report reads them (<see cref="ReportColumns.Listed"/>, the previous day <see cref="ReportColumns.Figures"/>; see <see cref="AsRead"/>); otherwise whole.</param>
    public static DailyReportInputs Create(int incidents, LocalDate day, string timeZone = "UTC", bool enriched = true, int seed = 7, long tenantId = 4242, bool hostile = true, bool asRead = false)
    {
        var calendar = new ReportCalendar(timeZone);
        var window = calendar.WindowOf(day);
        var random = new Random(seed);
        var rows = Rows(incidents, day, window, calendar, random, tenantId, "a", hostile);
        var previousWindow = calendar.WindowOf(day.PlusDays(-1));
        var previous = Rows(Math.Max(0, incidents * 9 / 10), day.PlusDays(-1), previousWindow, calendar, random, tenantId, "b", hostile);
        var vulnerabilities = Enumerable.Range(1, 40).ToDictionary(i => (long)i, i => new VulnerabilityEntity
        {
            VulnerabilityId = i,
            Found = true,
            Title = i == 3 ? "Remote code execution in \u202Egnp.exe upload"
                : hostile && i % 5 == 1 ? IssueTitles[(i / 5) % IssueTitles.Length]
                : string.Create(CultureInfo.InvariantCulture, $"Vulnerability {i} in /api/v{i % 3}/handler"),
            Type = AttackTypes[i % AttackTypes.Length],
            Threat = 10 + (i * 37 % 90),
            Status = i % 5 == 0 ? "closed" : "open",
        });
        var coverage = new DayCoverage(day, window, [window], []);
        return new DailyReportInputs(tenantId, day, asRead ? rows.ConvertAll(r => AsRead(r, ReportColumns.Listed)) : rows, asRead ? previous.ConvertAll(r => AsRead(r, ReportColumns.Figures)) : previous, coverage, vulnerabilities,
            enriched ? Sources(rows, random) : SourceDay.Empty,
            enriched ? Sources(previous, random) : SourceDay.Empty,
            window.To.AddHours(6));
    }

    /// <summary>A row with only <paramref name="columns"/> set, as a table query selecting them returns it.</summary>
    public static IncidentEntity AsRead(IncidentEntity whole, IEnumerable<string> columns)
    {
        var row = new IncidentEntity();
        foreach (var column in columns)
        {
            var property = typeof(IncidentEntity).GetProperty(column) ?? throw new InvalidOperationException($"{column} is not an incident property.");
            property.SetValue(row, property.GetValue(whole));
        }

        return row;
    }

    /// <summary>
    /// A week or month of <paramref name="incidentsPerDay"/> incidents a day, and the period before it, built day by
    /// day as <see cref="Create"/> builds a day; every ninth incident's top source is one of twelve persistent IPs, so
    /// some attackers recur across days as real ones do.
    /// </summary>
    public static PeriodReportInputs CreatePeriod(ReportPeriod period, int incidentsPerDay, string timeZone = "UTC", bool hostile = true, long tenantId = 4242)
    {
        var calendar = new ReportCalendar(timeZone);
        var persistent = Enumerable.Range(1, 12).Select(i => string.Create(CultureInfo.InvariantCulture, $"198.51.100.{i * 7}")).ToList();
        IReadOnlyDictionary<long, VulnerabilityEntity> catalog = new Dictionary<long, VulnerabilityEntity>();
        List<PeriodDayInputs> Days(ReportPeriod p, int seedBase)
        {
            var result = new List<PeriodDayInputs>();
            foreach (var day in p.Days)
            {
                var inputs = Create(incidentsPerDay, day, timeZone, enriched: true, seed: seedBase + day.DayOfYear, tenantId: tenantId, hostile: hostile);
                catalog = inputs.Vulnerabilities;
                var profiles = new Dictionary<string, SourceProfile>(inputs.Sources.Profiles, StringComparer.Ordinal);
                for (var i = 0; i < inputs.Rows.Count; i += 9)
                {
                    var row = inputs.Rows[i];
                    var ip = persistent[((i / 9) + day.Day) % persistent.Count];
                    var tops = row.ReadTopIps().Skip(1).Select(t => new StoredSourceIp(t.Ip, t.Hits, t.Country)).Prepend(new StoredSourceIp(ip, Math.Max(1, row.Hits / 2), "DE")).ToList();
                    row.TopIp = ip;
                    row.TopIpCountry = "DE";
                    row.TopIpsJson = System.Text.Json.JsonSerializer.Serialize(tops, IncidentJsonContext.Default.ListStoredSourceIp);
                    profiles[ip] = new SourceProfile { Ip = ip, CountryCode = "DE", CountryName = "Germany", Asn = 24940, AsOrganization = "Hetzner Online GmbH", SourceType = SourceType.Datacenter, MaliciousLists = ["firehol_level1"] };
                }

                result.Add(new PeriodDayInputs(day, inputs.Rows, new SourceDay(profiles, inputs.Sources.Attributions), inputs.Coverage));
            }

            return result;
        }

        var days = Days(period, 100);
        var previous = Days(period.Previous(), 900);
        return new PeriodReportInputs(tenantId, period, days, previous, catalog, calendar.WindowOf(period).To.AddHours(6), Partial: false);
    }

    private static List<IncidentEntity> Rows(int count, LocalDate day, TimeWindow window, ReportCalendar calendar, Random random, long tenantId, string prefix, bool withHostile)
    {
        var rows = new List<IncidentEntity>(count);
        var seconds = (int)window.Duration.TotalSeconds;
        for (var n = 0; n < count; n++)
        {
            var first = window.From.AddSeconds(random.Next(seconds));
            var last = first.AddSeconds(random.Next(1, 3 * 3600));
            var ipCount = random.Next(1, 40);
            var topIps = Enumerable.Range(0, Math.Min(ipCount, 5))
                .Select(k => new IncidentSourceIp(
                    string.Create(CultureInfo.InvariantCulture, $"{random.Next(1, 223)}.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}"),
                    random.Next(1, 500),
                    Countries[random.Next(Countries.Length)]))
                .OrderByDescending(t => t.Hits)
                .ToList();
            var hostile = withHostile && n % 7 == 3;
            var incident = new Incident
            {
                TenantId = tenantId,
                Id = string.Create(CultureInfo.InvariantCulture, $"{prefix}{n:D6}:{random.Next():x8}"),
                FirstSeen = first,
                LastSeen = last,
                AttackType = AttackTypes[random.Next(AttackTypes.Length)],
                Domain = hostile && (n / 7) % 2 == 1 ? IdnDomains[(n / 14) % IdnDomains.Length] : Domains[random.Next(withHostile ? Domains.Length : Domains.Length - 2)],
                Path = hostile ? Hostile[(n / 7) % Hostile.Length] : string.Create(CultureInfo.InvariantCulture, $"/api/v{random.Next(1, 4)}/orders/{random.Next(100000)}/items"),
                Method = n % 3 == 0 ? "POST" : "GET",
                Parameter = hostile ? "post.json.user\u202E.name" : "get.id",
                ApplicationId = n % 4 == 0 ? null : random.Next(1, 9),
                Hits = topIps.Sum(t => t.Hits) + random.Next(0, 50),
                IpCount = ipCount,
                TopIps = topIps,
                VulnerabilityId = random.Next(1, 41),
                Threat = random.Next(1, 101),
                PayloadCount = random.Next(1, 30),
                BlockStatus = (n % 5) switch { 0 => "monitored", 1 => "partially_blocked", _ => "blocked" },
                Status = (n % 5) switch { 0 => IncidentStatus.Monitoring, 1 => IncidentStatus.PartiallyBlocked, _ => IncidentStatus.Blocked },
            };
            rows.Add(IncidentEntity.From(incident, DayPartition.Key(tenantId, day), ReportCalendar.IsoDay(day), calendar.ZoneId, window.To));
        }

        return rows;
    }

    private static SourceDay Sources(List<IncidentEntity> rows, Random random)
    {
        var profiles = new Dictionary<string, SourceProfile>(StringComparer.Ordinal);
        foreach (var ip in rows.SelectMany(r => r.ReadTopIps()).Select(t => t.Ip).Distinct())
        {
            var roll = random.Next(10);
            profiles[ip] = new SourceProfile
            {
                Ip = ip,
                CountryCode = Countries[random.Next(Countries.Length)],
                Asn = random.Next(1000, 65000),
                AsOrganization = roll == 4 ? "Hetzner Online GmbH" : "Example Transit Ltd",
                SourceType = roll switch { 0 => SourceType.Tor, 1 => SourceType.PublicProxy, 2 => SourceType.CloudPlatform, 3 => SourceType.Datacenter, _ => SourceType.Unknown },
                CloudProvider = roll == 2 ? "AWS" : null,
                MaliciousLists = roll is 0 or 5 ? ["firehol_level1"] : [],
            };
        }

        return new SourceDay(profiles, ["IP geolocation by DB-IP (CC BY 4.0, https://db-ip.com)", "Tor exit list by The Tor Project"]);
    }
}
