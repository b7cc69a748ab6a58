using ArchUnitNET.Domain;
using ArchUnitNET.Loader;
using IncidentFunctions.Hosting;

namespace IncidentFunctions.Tests.Architecture;

/// <summary>
/// The feature folders of IncidentFunctions.Core form layers: a folder may use only folders listed before it. The
/// dependencies come from the compiled IL (signatures, fields and method bodies), so a reversed reference fails here
/// whatever form it takes, with a message naming both types.
/// </summary>
[Trait("Category", TestCategories.Unit)]
public sealed class LayerTests
{
    /// <summary>Bottom to top. Folders on one line are one layer and may not use each other.</summary>
    internal static readonly string[][] Layers =
    [
        ["Text", "AppModel"],
        ["Calendar"],
        ["Storage"],
        ["Wallarm"],
        ["Incidents"],
        ["Enrichment"],
        ["Vocabulary"],
        ["Reports"],
        ["Retention"],
        ["Channels"],
        ["Digest", "Alerts"],
        ["Operations"],
        ["Hosting"],
    ];

    private static readonly Lazy<ArchUnitNET.Domain.Architecture> Core = new(() =>
        new ArchLoader().LoadAssemblies(typeof(IncidentFunctionsHostBuilderExtensions).Assembly).Build());

    [Fact]
    public void CoreFolders_ReferenceOnlyLowerLayers()
    {
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in Core.Value.Types.Where(IsOwn))
        {
            var from = FolderOf(type);
            foreach (var dependency in type.Dependencies)
            {
                var target = dependency.Target;
                if (!IsOwn(target)) continue;
                if (target is GenericParameter) continue;
                var to = FolderOf(target);
                if (!MayUse(from, to)) violations.Add($"{Describe(type)} uses {Describe(target)}: '{from}' may only use {Below(from)}");
            }
        }

        Assert.True(violations.Count == 0, $"{violations.Count} reversed or sideways references:\n" + string.Join('\n', violations));
    }

    [Fact]
    public void CoreTypes_EachLiveInAKnownFolder()
    {
        var unknown = Core.Value.Types.Where(IsOwn).Where(t => LayerOf(FolderOf(t)) < 0)
            .Select(t => $"{t.FullName} is in folder '{FolderOf(t)}', which has no layer in {nameof(LayerTests)}.{nameof(Layers)}")
            .Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(unknown.Count == 0, string.Join('\n', unknown));
    }

    [Fact]
    public void MayUse_UpwardOrSideways_IsRefused()
    {
        // The rule itself: a test that could not fail would guard nothing.
        Assert.True(MayUse("Reports", "Incidents"));
        Assert.True(MayUse("Reports", "Reports"));
        Assert.False(MayUse("Incidents", "Reports"));
        Assert.False(MayUse("Digest", "Alerts"));
        Assert.False(MayUse("Storage", "Hosting"));
    }

    internal static bool MayUse(string from, string to)
    {
        if (from == to) return true;
        int a = LayerOf(from), b = LayerOf(to);
        return a >= 0 && b >= 0 && b < a;
    }

    private static int LayerOf(string folder) => Array.FindIndex(Layers, layer => layer.Contains(folder));

    private static string Below(string folder)
    {
        var layer = LayerOf(folder);
        return layer <= 0 ? "no other folder" : string.Join(", ", Layers.Take(layer).SelectMany(l => l));
    }

    /// <summary>Types compiled from our sources (not compiler-generated helpers of the runtime or packages).</summary>
    private static bool IsOwn(IType? type)
        => type?.Namespace?.FullName is { } ns && ns.StartsWith("IncidentFunctions", StringComparison.Ordinal)
            && type.Assembly?.Name is { } assembly && assembly.StartsWith("IncidentFunctions.Core", StringComparison.Ordinal);

    /// <summary>The first namespace segment under <c>IncidentFunctions</c>: the feature folder.</summary>
    private static string FolderOf(IType type)
    {
        var parts = type.Namespace.FullName.Split('.');
        return parts.Length > 1 ? parts[1] : "(root)";
    }

    private static string Describe(IType type) => $"{type.FullName} ({FolderOf(type)})";
}
