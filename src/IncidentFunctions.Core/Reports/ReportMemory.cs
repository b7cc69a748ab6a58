using IncidentFunctions.Reports.Rendering;

namespace IncidentFunctions.Reports;

/// <summary>
/// Keeps a big day's report within a small instance's memory. Its inputs (the day's and the previous day's rows, their
/// parsed top IPs, the profiles: tens of MB at 10,000 incidents) are garbage once the model is built, but building it
/// took long enough to promote them, so they would stay until the next full collection and layout and drawing would
/// grow the process on top of them. One blocking collection between the two lets that memory be reused (measured in
/// <c>daily-report-memory</c>). Days that fit the laid-out row budget (a thousand or so incidents) never pay it.
/// </summary>
internal static class ReportMemory
{
    /// <summary>Whether a model of <paramref name="incidents"/> rows is big enough to collect its inputs.</summary>
    public static bool ShouldReleaseInputs(int incidents) => incidents > PageFlow.DefaultLaidOutRowBudget;

    /// <summary>Call once the model of <paramref name="incidents"/> rows is built and nothing holds its inputs.</summary>
    public static void ReleaseInputs(int incidents)
    {
        if (!ShouldReleaseInputs(incidents)) return;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
    }
}
