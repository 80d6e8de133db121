using PipelineSdk.Store;

namespace PipelineSdk.Orchestration;

/// <summary>
/// Tells the store, every <see cref="CrashRecovery.HeartbeatInterval"/>, that the process running a run is alive, so a
/// run recorded through a server from another machine is marked crashed only when its owner really stopped.
/// </summary>
internal sealed class RunHeartbeat : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _beating;

    public RunHeartbeat(MetadataStore store, string runId) => _beating = BeatAsync(store, runId, _stop.Token);

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _beating.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static async Task BeatAsync(MetadataStore store, string runId, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(CrashRecovery.HeartbeatInterval);
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
        {
            try
            {
                store.Heartbeat(runId, DateTimeOffset.UtcNow);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or Stacks.StackException or IOException)
            {
                // A missed beat is harmless; the run's steps are recorded on their own path, which reports its own errors.
            }
        }
    }
}
