using IncidentFunctions.Reports.Rendering;

namespace IncidentFunctions.Reports;

/// <summary>
/// Keeps a big day's report within a small instance's memory. What building the model leaves (the folds' tallies, the
/// day's profiles, the pages read: tens of MB at 10,000 incidents) is garbage once the model exists, but building it
/// took long enough to promote it, so it would stay until the next full collection and layout and drawing would grow
/// the process on top of it. One blocking collection between the two lets that memory be reused (measured in
/// <c>daily-report-memory</c>). Days that fit the laid-out row budget (a thousand or so incidents) never pay it.
/// </summary>
internal static class ReportMemory
{
    /// <summary>Whether a model of <paramref name="incidents"/> rows is big enough to collect its inputs.</summary>
    public static bool ShouldReleaseInputs(int incidents) => incidents > PageFlow.DefaultLaidOutRowBudget;

    /// <summary>Call once the model of <paramref name="incidents"/> rows is built; continues on a fresh stack.</summary>
    public static async Task ReleaseInputsAsync(int incidents)
    {
        if (!ShouldReleaseInputs(incidents)) return;
        // The build's last read completes in a storage callback, and the code after the build would run inside it:
        // the frames beneath (the folds' state machines, locals the JIT still reports) would keep the inputs alive
        // through the collection and the render. A fresh thread-pool stack has none of them.
        await Task.Yield();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
    }
}
