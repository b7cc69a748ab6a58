using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.AppModel;

/// <summary>
/// Fails start for an item of a settings list that binding leaves out. Configuration binding skips a list item with a
/// value it cannot convert, without a word: a chat channel with <c>Kind=Carrier</c> (or an intel source with a mistyped
/// type) was simply not there, and the digest went nowhere while start succeeded. Every list property of
/// <typeparamref name="TOptions"/> (other than lists of strings, which always bind) has each item bound alone here, so
/// the binder's failure names the setting. Part of every <see cref="OptionsRegistration.AddValidatedOptions{TOptions, TValidator}"/>.
/// </summary>
/// <param name="section">The options' section, e.g. <c>Digest</c>.</param>
internal sealed class ReadableListItems<TOptions>(IConfigurationSection section) : IValidateOptions<TOptions>
    where TOptions : class
{
    /// <summary>The list properties and their item types, found once per options type.</summary>
    private static readonly (string Name, Type Item)[] Lists = [.. typeof(TOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Select(p => (p.Name, Item: ItemType(p.PropertyType)))
        .Where(p => p.Item is not null && p.Item != typeof(string))
        .Select(p => (p.Name, p.Item!))];

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        foreach (var (property, itemType) in Lists)
        {
            foreach (var item in section.GetSection(property).GetChildren())
            {
                try
                {
                    item.Get(itemType);
                }
                catch (InvalidOperationException ex)
                {
                    failures.Add(SettingBindingFailure.Read(ex) is { } failure
                        ? $"{item.Path} is left out, as setting '{failure.Setting}' must be {failure.Expected}."
                        : $"{item.Path} is left out, as one of its settings cannot be read.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The item type of an array or a list; null for anything else (dictionaries included).</summary>
    private static Type? ItemType(Type type)
        => type.IsArray ? type.GetElementType()
            : type.IsGenericType && type.GetGenericTypeDefinition() is var definition
              && (definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IReadOnlyList<>) || definition == typeof(ICollection<>) || definition == typeof(IEnumerable<>))
                ? type.GetGenericArguments()[0]
                : null;
}
