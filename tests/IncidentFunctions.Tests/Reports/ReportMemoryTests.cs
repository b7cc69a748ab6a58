using System.Runtime.CompilerServices;
using IncidentFunctions.Reports;
using IncidentFunctions.Reports.Rendering;

namespace IncidentFunctions.Tests.Reports;

[Trait("Category", TestCategories.Unit)]
public sealed class ReportMemoryTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(500, false)]
    [InlineData(PageFlow.DefaultLaidOutRowBudget, false)]
    [InlineData(PageFlow.DefaultLaidOutRowBudget + 1, true)]
    [InlineData(10_000, true)]
    public void ShouldReleaseInputs_DayAgainstTheLaidOutRowBudget_OnlyDaysBeyondItPayACollection(int incidents, bool expected)
        => Assert.Equal(expected, ReportMemory.ShouldReleaseInputs(incidents));

    [Fact]
    public async Task ReleaseInputsAsync_CalledInsideTheCallbackThatFinishedTheBuild_CollectsWhatThatCallbackHolds()
    {
        // No context while the build finishes, so its continuation runs inline as on a storage callback.
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            var queue = new QueuedContext();
            var released = FinishBuildHoldingInputs(queue);
            // What the release handed on runs only now, when the frame that held the inputs has returned.
            queue.RunAll();

            Assert.True(released.IsCompletedSuccessfully);
            Assert.True(await released);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>As a storage read finishing the build: the code after the build runs inline, inside a frame that still holds the inputs.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task<bool> FinishBuildHoldingInputs(QueuedContext queue)
    {
        var inputs = new byte[4096];
        var built = new TaskCompletionSource();
        var released = AfterBuildAsync(built.Task, new WeakReference(inputs), queue);
        built.SetResult();
        GC.KeepAlive(inputs);
        return released;
    }

    private static async Task<bool> AfterBuildAsync(Task built, WeakReference inputs, QueuedContext queue)
    {
        await built.ConfigureAwait(false);
        // Anything the release hands on to another stack goes to the queue, run once this stack has unwound.
        Task release;
        SynchronizationContext.SetSynchronizationContext(queue);
        try
        {
            release = ReportMemory.ReleaseInputsAsync(PageFlow.DefaultLaidOutRowBudget + 1);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(null);
        }

        await release.ConfigureAwait(false);
        return !inputs.IsAlive;
    }

    private sealed class QueuedContext : SynchronizationContext
    {
        private readonly Queue<(SendOrPostCallback Callback, object? State)> _posted = new();

        public override void Post(SendOrPostCallback d, object? state)
        {
            lock (_posted) _posted.Enqueue((d, state));
        }

        public void RunAll()
        {
            while (true)
            {
                (SendOrPostCallback Callback, object? State) next;
                lock (_posted)
                {
                    if (!_posted.TryDequeue(out next)) return;
                }

                next.Callback(next.State);
            }
        }
    }
}
