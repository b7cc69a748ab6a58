using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.AppModel;

/// <summary>
/// Fails start for an item of a configured list that binding leaves out. Configuration binding skips a list item with a
/// value it cannot convert, without a word: a chat channel with <c>Kind=Carrier</c> (or an intel source with a mistyped
/// format) was simply not there, and the digest went nowhere while start succeeded. Each item is bound alone here, so the
/// binder's failure names the setting.
/// </summary>
/// <param name="list">The list's section, e.g. <c>Digest:Channels</c>.</param>
internal sealed partial class ReadableListItems<TOptions>(IConfigurationSection list, Type itemType) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        foreach (var item in list.GetChildren())
        {
            try
            {
                item.Get(itemType);
            }
            catch (InvalidOperationException ex)
            {
                failures.Add(FailedValue().Match(ex.Message) is { Success: true } match
                    ? $"{item.Path} is left out, as setting '{match.Groups["path"].Value}' must be {Expected(match.Groups["type"].Value)}."
                    : $"{item.Path} is left out, as one of its settings cannot be read.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>What the binder's message says the value must be; it names the key and the type, never the value (which may be a secret).</summary>
    private string Expected(string typeName)
        => (Type.GetType(typeName) ?? itemType.Assembly.GetType(typeName)) is { } type
            ? type.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(type)) : $"a valid {type.Name}"
            : $"a valid {typeName}";

    /// <summary>"Failed to convert configuration value at 'Digest:Channels:0:Kind' to type 'IncidentFunctions.Channels.ChannelKind'."</summary>
    [GeneratedRegex("at '(?<path>[^']+)' to type '(?<type>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex FailedValue();
}
