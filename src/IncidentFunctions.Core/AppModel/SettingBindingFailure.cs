using System.Text.RegularExpressions;

namespace IncidentFunctions.AppModel;

/// <summary>
/// Reads configuration binding's "Failed to convert configuration value at 'Wallarm:PageSize' to type 'System.Int32'."
/// into the setting and what it must be. The binder's message names the key and the type, never the value (which may
/// be a secret), and so does the text made from it.
/// </summary>
public static partial class SettingBindingFailure
{
    /// <summary>The setting and what it must be ("a whole number", "one of A4, Letter"); null for any other message.</summary>
    public static (string Setting, string Expected)? Read(Exception exception)
        => exception is InvalidOperationException && FailedValue().Match(exception.Message) is { Success: true } match
            ? (match.Groups["path"].Value, Expected(match.Groups["type"].Value))
            : null;

    private static string Expected(string typeName)
    {
        var inner = NullableOf().Match(typeName) is { Success: true } nullable ? nullable.Groups["type"].Value : typeName;
        return inner switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" or "System.Decimal" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            "System.TimeSpan" => "a duration like 00:05:00 (hh:mm:ss, or d.hh:mm:ss)",
            "System.TimeOnly" => "a time of day like 08:00",
            "System.Uri" => "an absolute URL",
            _ when FindEnum(inner) is { } type => "one of " + string.Join(", ", Enum.GetNames(type)),
            _ => $"a valid {inner}",
        };
    }

    private static Type? FindEnum(string fullName)
        => AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(fullName, throwOnError: false)).FirstOrDefault(t => t is { IsEnum: true });

    [GeneratedRegex("at '(?<path>[^']+)' to type '(?<type>[^']+)'", RegexOptions.CultureInvariant)]
    private static partial Regex FailedValue();

    [GeneratedRegex(@"^System\.Nullable`1\[\[?(?<type>[^,\]]+)", RegexOptions.CultureInvariant)]
    private static partial Regex NullableOf();
}
