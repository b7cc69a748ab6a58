using IncidentFunctions.Reports;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.LocalRunner.Hosting;

internal sealed class LocalRunnerOptionsValidator : IValidateOptions<LocalRunnerOptions>
{
    public ValidateOptionsResult Validate(string? name, LocalRunnerOptions options)
    {
        var failures = new List<string>();
        var urls = SplitUrls(options.Urls);
        if (urls.Length == 0)
        {
            failures.Add($"LocalRunner:Urls must name at least one address, e.g. '{LocalRunnerOptions.DefaultUrls}'.");
        }

        foreach (var url in urls)
        {
            if (!IsHttpAddress(url))
            {
                failures.Add($"LocalRunner:Urls entry '{url}' is not an http(s) address like '{LocalRunnerOptions.DefaultUrls}'.");
            }
        }

        if (options.FunctionKeys.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("LocalRunner:FunctionKeys must not contain empty keys.");
        }

        if (!string.IsNullOrWhiteSpace(options.LogoFile))
        {
            var logo = new FileInfo(options.LogoFile);
            if (!logo.Exists) failures.Add($"LocalRunner:LogoFile '{logo.FullName}' does not exist (a PNG, JPEG, GIF, BMP or WebP file to show on reports).");
            else if (logo.Length > ReportLogo.MaxBytes) failures.Add($"LocalRunner:LogoFile '{logo.FullName}' is {logo.Length:N0} bytes; a report logo is at most {ReportLogo.MaxBytes:N0}.");
        }

        var hostJson = options.ResolveHostJsonPath();
        if (!File.Exists(hostJson))
        {
            failures.Add($"host.json not found at {hostJson}. Set LocalRunner:HostJsonPath to the app's host.json.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpAddress(string url)
    {
        try
        {
            return BindingAddress.Parse(url).Scheme is "http" or "https";
        }
        catch (FormatException)
        {
            return false;
        }
    }

    internal static string[] SplitUrls(string? urls)
        => (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
