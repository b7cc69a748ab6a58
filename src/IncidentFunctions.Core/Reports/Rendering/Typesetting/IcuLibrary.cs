namespace IncidentFunctions.Reports.Rendering.Typesetting;

/// <summary>Loads the system's ICU (through icu.net) once per process, for bidi and line breaking.</summary>
internal static class IcuLibrary
{
    private static readonly Lazy<bool> Loaded = new(() =>
    {
        global::Icu.Wrapper.Init();
        return true;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    public static void EnsureLoaded() => _ = Loaded.Value;
}
