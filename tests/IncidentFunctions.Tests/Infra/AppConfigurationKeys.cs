using System.Collections;
using System.Reflection;
using IncidentFunctions.AppModel;
using IncidentFunctions.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IncidentFunctions.Tests.Infra;

/// <summary>One configuration key the app reads, in app-setting form (<c>Section__Property</c> or a flat name).</summary>
/// <param name="Key">The app setting name; for collections the prefix every element key starts with.</param>
/// <param name="ReadBy">Who reads it, for messages (e.g. <c>WallarmOptions.ApiToken</c>).</param>
/// <param name="IsPrefix">A collection: any <c>Key…</c> setting counts.</param>
internal sealed record ConfigurationKey(string Key, string ReadBy, bool IsPrefix)
{
    public bool Matches(string setting) => IsPrefix
        ? setting.StartsWith(Key, StringComparison.OrdinalIgnoreCase) || setting.Equals(Key.TrimEnd('_'), StringComparison.OrdinalIgnoreCase)
        : setting.Equals(Key, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Derives the configuration keys the app validates on start from the composition root itself: every options type
/// with an <see cref="IValidateOptions{TOptions}"/> registered, its <c>SectionName</c> and properties; properties fed
/// by a flat app setting (<see cref="AppSettingNames"/>) are found by setting each flat name to a sentinel and seeing
/// which property picks it up.
/// </summary>
internal static class AppConfigurationKeys
{
    public static IReadOnlyList<string> FlatSettingNames { get; } =
        [.. typeof(AppSettingNames).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!)];

    public static IReadOnlyList<ConfigurationKey> Derive()
    {
        var sentinels = FlatSettingNames.ToDictionary(n => n, n => "sentinel-" + n);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(sentinels!);
        builder.AddIncidentFunctions();
        var optionTypes = builder.Services
            .Where(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IValidateOptions<>))
            .Select(d => d.ServiceType.GetGenericArguments()[0])
            .Distinct()
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();
        using var host = builder.Build();

        var keys = new List<ConfigurationKey>();
        foreach (var type in optionTypes)
        {
            var configured = Configure(host.Services, type);
            var section = type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;
            foreach (var property in Bindable(type))
            {
                var flat = property.PropertyType == typeof(string)
                    ? sentinels.FirstOrDefault(s => s.Value == (string?)property.GetValue(configured)).Key
                    : null;
                if (flat is not null)
                {
                    keys.Add(new ConfigurationKey(flat, $"{type.Name}.{property.Name}", false));
                    continue;
                }

                Assert.True(section is not null,
                    $"{type.Name}.{property.Name} is validated on start but {type.Name} has no SectionName constant and the property is not fed by a flat AppSettingNames setting: the infra tests cannot tell which app setting sets it.");
                Walk(keys, $"{section.Replace(":", "__", StringComparison.Ordinal)}__{property.Name}", $"{type.Name}.{property.Name}", property.PropertyType);
            }
        }

        return keys;
    }

    /// <summary>Runs the registered configure/post-configure steps (binding included) without validating.</summary>
    private static object Configure(IServiceProvider services, Type type)
    {
        var instance = Activator.CreateInstance(type)!;
        var configure = typeof(IConfigureOptions<>).MakeGenericType(type);
        foreach (var step in services.GetServices(configure))
        {
            configure.GetMethod("Configure")!.Invoke(step, [instance]);
        }

        var post = typeof(IPostConfigureOptions<>).MakeGenericType(type);
        foreach (var step in services.GetServices(post))
        {
            post.GetMethod("PostConfigure")!.Invoke(step, [Options.DefaultName, instance]);
        }

        return instance;
    }

    private static IEnumerable<PropertyInfo> Bindable(Type type)
        => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && (p.CanWrite || IsCollection(p.PropertyType)));

    private static void Walk(List<ConfigurationKey> keys, string key, string readBy, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(underlying))
        {
            keys.Add(new ConfigurationKey(key, readBy, false));
        }
        else if (IsCollection(underlying))
        {
            keys.Add(new ConfigurationKey(key + "__", readBy, true));
        }
        else
        {
            foreach (var property in Bindable(underlying))
            {
                Walk(keys, $"{key}__{property.Name}", $"{readBy}.{property.Name}", property.PropertyType);
            }
        }
    }

    private static bool IsScalar(Type type)
        => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
           || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Uri) || type == typeof(Guid);

    private static bool IsCollection(Type type) => type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);
}
