using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.AppModel;

internal static class OptionsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and validates it when the host starts, items of
    /// its lists included (<see cref="ReadableListItems{TOptions}"/>).
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new ReadableListItems<TOptions>(configuration.GetSection(section))));
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    /// <summary>
    /// As <see cref="AddValidatedOptions{TOptions, TValidator}"/>, and also checks the data annotations (ranges,
    /// required values) with <typeparamref name="TAttributes"/>, the validator the <c>[OptionsValidator]</c> source
    /// generator writes; its messages name the app setting to fix (see <see cref="SettingNamedValidator{TOptions}"/>).
    /// <typeparamref name="TValidator"/> keeps what attributes cannot say: checks across fields, formats (zones, cron).
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TAttributes, TValidator>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TAttributes : class, IValidateOptions<TOptions>, new()
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new SettingNamedValidator<TOptions>(new TAttributes(), section)));
        return services.AddValidatedOptions<TOptions, TValidator>(configuration, section);
    }
}

/// <summary>
/// Runs a generated data-annotations validator and rewrites its messages to name the setting as configuration key and
/// app setting (<c>Digest:Alerts:MaxPerInterval (app setting Digest__Alerts__MaxPerInterval)</c>) instead of the member
/// (<c>AlertOptions.MaxPerInterval</c>). The section is
/// passed as the options name, which the generated code uses as the prefix of every display name
/// (<c>Digest:Alerts.MaxPerInterval</c>); the generator ignores <c>ErrorMessage</c> on <c>[Range]</c>
/// (dotnet/runtime#123137), so the name cannot be put into the attributes themselves.
/// </summary>
internal sealed class SettingNamedValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    private readonly IValidateOptions<TOptions> _generated;
    private readonly string _section;
    private readonly Regex _displayName;

    public SettingNamedValidator(IValidateOptions<TOptions> generated, string section)
    {
        _generated = generated;
        _section = section;
        _displayName = new Regex(Regex.Escape(section) + @"(?:\.[A-Za-z_][A-Za-z0-9_]*)+", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var result = _generated.Validate(_section, options);
        return result.Failed ? ValidateOptionsResult.Fail(result.Failures!.Select(Rewrite)) : ValidateOptionsResult.Success;
    }

    /// <summary>"PageSize: The field Wallarm.PageSize must be …" → "The field Wallarm:PageSize (app setting Wallarm__PageSize) must be …".</summary>
    internal string Rewrite(string failure)
    {
        // The results builder puts the member names first ("PageSize: …"); the message itself names the setting.
        var message = SettingNames.MemberPrefix().Replace(failure, "", 1);
        return _displayName.Replace(message, m => SettingNames.Describe(m.Value));
    }
}

internal static partial class SettingNames
{
    /// <summary>
    /// A member path as the key a user sets, in both forms (command line and appsettings.json, app settings and
    /// environment variables): <c>Digest:Alerts.Interval</c> → <c>Digest:Alerts:Interval (app setting Digest__Alerts__Interval)</c>.
    /// </summary>
    public static string Describe(string path)
    {
        var key = path.Replace('.', ':');
        return $"{key} (app setting {key.Replace(":", "__", StringComparison.Ordinal)})";
    }

    /// <summary>The "Member, Other: " a ValidateOptionsResultBuilder puts before a data-annotations message.</summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*(?:, [A-Za-z_][A-Za-z0-9_]*)*: ", RegexOptions.CultureInvariant)]
    public static partial Regex MemberPrefix();
}
