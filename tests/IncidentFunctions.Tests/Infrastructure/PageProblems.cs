using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace IncidentFunctions.Tests.Infrastructure;

/// <summary>
/// Everything a page complains about: console messages (any level), uncaught errors, failed requests and CSP
/// violations. Violations arrive through a binding called from a <c>securitypolicyviolation</c> listener that an init
/// script adds (injected by the browser's protocol, so the page's own CSP does not block it).
/// </summary>
public sealed class PageProblems
{
    public ConcurrentQueue<string> Console { get; } = new();

    public ConcurrentQueue<string> Errors { get; } = new();

    public ConcurrentQueue<string> FailedRequests { get; } = new();

    public ConcurrentQueue<string> Csp { get; } = new();

    public IEnumerable<string> All =>
        Console.Select(c => "console: " + c).Concat(Errors.Select(e => "pageerror: " + e))
            .Concat(FailedRequests.Select(f => "requestfailed: " + f)).Concat(Csp.Select(c => "csp: " + c));

    /// <summary>Fails listing every problem.</summary>
    public void AssertNone()
    {
        var all = All.ToList();
        Assert.True(all.Count == 0, "The page reported problems:\n" + string.Join("\n", all));
    }

    /// <summary>Attach before the first navigation, so every page of the context is covered.</summary>
    public static async Task<PageProblems> AttachAsync(IBrowserContext context)
    {
        var problems = new PageProblems();
        await context.ExposeBindingAsync("__reportCsp", (BindingSource _, string json) =>
        {
            var e = JsonSerializer.Deserialize<JsonElement>(json);
            problems.Csp.Enqueue($"{e.GetProperty("directive").GetString()} blocked '{e.GetProperty("blocked").GetString()}' sample '{e.GetProperty("sample").GetString()}'");
        });
        await context.AddInitScriptAsync("""
            document.addEventListener('securitypolicyviolation', e => window.__reportCsp(JSON.stringify({
              directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample })));
            """);
        context.Page += (_, page) => problems.Watch(page);
        foreach (var page in context.Pages) problems.Watch(page);
        return problems;
    }

    /// <summary>Lets the page deliver late reports (violations are reported asynchronously).</summary>
    public static Task SettleAsync(IPage page) => page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 100)))");

    private void Watch(IPage page)
    {
        page.Console += (_, m) => Console.Enqueue($"[{m.Type}] {m.Text} @ {m.Location}");
        page.PageError += (_, e) => Errors.Enqueue(e);
        page.RequestFailed += (_, r) => FailedRequests.Enqueue($"{r.Method} {r.Url}: {r.Failure}");
    }
}
